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
  '@aws-sdk/client-resource-groups-tagging-api@^3',
  // Signs the one Lambda Invoke call that continues a run (the clients' own dependency, already installed).
  '@smithy/signature-v4@^5',
];

/** Build settings of the runtime-governance constructs (Lambda bundling, SDK clients). */
export function configureGovernance(project: awscdk.AwsCdkConstructLibrary): void {
  project.addDevDeps(...HANDLER_SDK_CLIENTS, 'aws-sdk-client-mock@^4');

  // `src/**/*.lambda.ts` is discovered by projen (lambdaAutoDiscover, on by default for construct
  // libraries): it is bundled with esbuild into `assets/` during pre-compile and a `*-function.ts`
  // construct is generated next to it. The handler's own modules live under `private/handler/` and are
  // bundled with it, so they may import the dev-only SDK clients too.
  project.eslint?.allowDevDeps('src/governance/private/handler/**');

  // The constructs' tests synthesize the function, whose code asset is the bundle: build it before
  // testing too, not only before compiling, so that `projen test` works on a fresh clone.
  const bundle = project.tasks.tryFind('bundle');
  if (bundle) project.testTask.prependSpawn(bundle);
}
