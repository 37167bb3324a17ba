import { awscdk } from 'projen';

/**
 * The AWS SDK v3 clients the Config rule's handler calls. The Node.js Lambda runtimes ship them, so the
 * bundle leaves `@aws-sdk/*` external (projen's default for Node.js runtimes) and these are only needed
 * to type-check and unit-test the handler: dev dependencies, never dependencies of the library.
 */
const HANDLER_SDK_CLIENTS = [
  '@aws-sdk/client-bedrock@^3',
  '@aws-sdk/client-config-service@^3',
  '@aws-sdk/client-kms@^3',
  // The Invoke call that continues a run in a follow-up invocation.
  '@aws-sdk/client-lambda@^3',
  '@aws-sdk/client-resource-groups-tagging-api@^3',
];

/** Build settings of the runtime-governance constructs (Lambda bundling, SDK clients). */
export function configureGovernance(project: awscdk.AwsCdkConstructLibrary): void {
  project.addDevDeps(...HANDLER_SDK_CLIENTS, 'aws-sdk-client-mock@^4');

  // `src/**/*.lambda.ts` is discovered by projen (lambdaAutoDiscover, on by default for construct
  // libraries): it is bundled with esbuild into `assets/` during pre-compile and a `*-function.ts`
  // construct is generated next to it. The handler's own modules live under `private/handler/` and are
  // bundled with it, so they may import the dev-only SDK clients too.
  project.eslint?.allowDevDeps('src/governance/private/handler/**');
  // The Config rule's remediation function (`private/remediation/*.lambda.ts`, discovered the same way)
  // and its modules call the same SDK clients.
  project.eslint?.allowDevDeps('src/governance/private/remediation/**');

  // `npx cdk-secure-guardrail audit`: the account audit, bundled with its SDK clients into one file under
  // `assets/` (which the npm package ships), so that the command needs no dependency at run time.
  project.eslint?.allowDevDeps('src/governance/private/audit/**');
  const cli = project.bundler.addBundle('src/governance/private/audit/bin.ts', {
    platform: 'node',
    target: 'node20',
    outfile: 'cdk-secure-guardrail.js',
    executable: true,
    banner: '#!/usr/bin/env node',
    tsconfigPath: 'tsconfig.dev.json',
    watchTask: false,
  });
  project.addBins({ 'cdk-secure-guardrail': cli.outfile });

  // The constructs' tests synthesize the function, whose code asset is the bundle: build it before
  // testing too, not only before compiling, so that `projen test` works on a fresh clone.
  const bundle = project.tasks.tryFind('bundle');
  if (bundle) project.testTask.prependSpawn(bundle);
}
