import { awscdk, TaskShell } from 'projen';

/**
 * The cfn-guard binary that @cdklabs/cdk-validator-cfnguard (a dev dependency) ships for this machine, as
 * its CfnGuardValidator picks it: bin/<ubuntu|macos>/<x86_64|aarch64>/cfn-guard.
 */
const CFN_GUARD =
  'node_modules/@cdklabs/cdk-validator-cfnguard/bin/$(case "$(uname -s)" in Darwin) echo macos;; *) echo ubuntu;; esac)/$(case "$(uname -m)" in arm64|aarch64) echo aarch64;; *) echo x86_64;; esac)/cfn-guard';

/**
 * The deploy-time rule (guard/guardrail-encryption.guard, shipped in the package for GuardrailEncryptionHook
 * and `cfn-guard validate`) against its unit tests, on both inputs it reads: templates and the Guard hook's
 * resource input. Run before the jest tests, so by `npx projen build`.
 */
export function configureGuard(project: awscdk.AwsCdkConstructLibrary): void {
  const rule = 'guard/guardrail-encryption.guard';
  const test = project.addTask('test:guard', {
    description: 'cfn-guard test of the deploy-time rule on templates and on the Guard hook\'s resource input',
    shell: TaskShell.bash(),
    steps: [
      { exec: `${CFN_GUARD} --version` },
      { exec: `${CFN_GUARD} test --rules-file ${rule} --test-data guard/tests/template-input.yaml` },
      { exec: `${CFN_GUARD} test --rules-file ${rule} --test-data guard/tests/hook-resource-input.yaml` },
    ],
  });
  project.testTask.prependSpawn(test);
  // The rule ships in the package (the construct uploads it); its unit tests do not.
  project.addPackageIgnore('/guard/tests/');
}
