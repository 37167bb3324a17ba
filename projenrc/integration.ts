import { awscdk, TaskShell } from 'projen';

/** The deployable integration test and the app the CDK CLI runs for it (docs/key-policy.md, README). */
const INTEG_APP = 'ts-node --transpile-only -P tsconfig.dev.json test/integ.secure-guardrail.ts';

/**
 * Tasks of the deployable integration test (test/integ.secure-guardrail.ts). `npx projen build` checks
 * its committed snapshot offline through test/integ-snapshot.test.ts; these update the snapshot and
 * run the test in an AWS account.
 */
export function configureIntegration(project: awscdk.AwsCdkConstructLibrary, offlineCdkEnv: Record<string, string>): void {
  project.addTask('integ:snapshot', {
    description: 'Write the integration test\'s snapshot anew from the code (offline; review and commit it)',
    env: { UPDATE_INTEG_SNAPSHOT: '1' },
    exec: 'jest --coverage=false test/integ-snapshot.test.ts',
  });
  project.addTask('integ:deploy', {
    description: 'Deploy the integration test into the account and Region of your AWS credentials, assert, and destroy it',
    // Notices and version checks stay off; deploying needs the account, and nothing else.
    env: { CDK_DISABLE_VERSION_CHECK: offlineCdkEnv.CDK_DISABLE_VERSION_CHECK, CDK_DISABLE_CLI_TELEMETRY: offlineCdkEnv.CDK_DISABLE_CLI_TELEMETRY },
    shell: TaskShell.bash(),
    exec: `trap 'cdk destroy --app "${INTEG_APP}" --all --force --no-notices' EXIT; ` +
      `cdk deploy --app "${INTEG_APP}" --all --require-approval never --no-notices`,
  });
}
