import { awscdk, javascript } from 'projen';
import { configureArchitecture } from './projenrc/architecture';
import { configureCompatibility } from './projenrc/compatibility';
import { configureGovernance } from './projenrc/governance';
import { configureGuard } from './projenrc/guard';
import { configureIntegration } from './projenrc/integration';
import { configureMultiLanguage } from './projenrc/multi-language';

/** CDK CLI settings that keep every scripted synth offline and quiet. */
const OFFLINE_CDK_ENV = {
  CDK_DISABLE_VERSION_CHECK: '1',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
};

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-secure-guardrail',
  description:
    'Amazon Bedrock Guardrails encrypted with a least-privilege, rotated, deletion-protected customer-managed KMS key, with synth-time enforcement.',
  author: 'cdk-secure-guardrail maintainers',
  authorAddress: 'maintainers@cdk-secure-guardrail.dev',
  repositoryUrl: 'https://github.com/cdk-secure-guardrail/cdk-secure-guardrail.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'aws-cdk', 'bedrock', 'guardrail', 'kms', 'cmk', 'encryption', 'cdk-nag', 'compliance'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // Breaking changes are allowed until 1.0: every API is marked experimental in each language's docs
  // (and the Python package is "Development Status :: 4 - Beta").
  stability: 'experimental',

  // 2.258.0 is the first release on which cdk-nag v3 packs run as validation plugins.
  cdkVersion: '2.258.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  peerDeps: ['cdk-nag@^3.0.2'],
  // Validates guardrail properties against AWS's CloudFormation registry schemas (src/guardrail/private/cfn-schemas.generated.ts).
  bundledDeps: ['ajv@^8.17.1'],
  devDeps: [
    'cdk-nag@3.0.2',
    'aws-cdk@^2.1148.1',
    // AWS Control Tower's proactive controls (cfn-guard rules and binary), run on the library's templates in tests.
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    // The deployable integration test (test/integ.*.ts) and its offline snapshot check.
    '@aws-cdk/integ-runner@^2.197.10',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    // Deploys the governance baseline to every account of an organization (examples/organization.ts, docs/organization.md):
    // a dev dependency only, so that users who deploy the baseline otherwise (Control Tower, their own pipeline) need not install it.
    'cdk-stacksets@^0.0.153',
  ],

  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['.projenrc.ts'],
    exclude: ['lib', 'dist', 'examples/cdk.out', 'cdk.out'],
    compilerOptions: {},
  },
  eslintOptions: {
    // One typed-lint project for src, test and examples: tsconfig.dev.json includes all three.
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
    dirs: ['src'],
    devdirs: ['test', 'examples', 'build-tools', 'projenrc', '.projenrc.ts'],
  },

  publishToPypi: {
    distName: 'cdk-secure-guardrail',
    module: 'cdk_secure_guardrail',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdksecureguardrail',
    mavenGroupId: 'io.github.cdk-secure-guardrail',
    mavenArtifactId: 'cdk-secure-guardrail',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkSecureGuardrail',
    packageId: 'CdkSecureGuardrail',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-secure-guardrail/cdk-secure-guardrail-go',
  },

  jestOptions: {
    jestConfig: {
      collectCoverageFrom: ['src/**/*.ts'],
      coverageThreshold: { lines: 90, branches: 90, functions: 90, statements: 90 },
    },
  },

  gitignore: ['cdk.out', '/examples/cdk.out/'],
  // The benchmark and the schema-vendoring script are for this repository, not for users of the package.
  npmIgnoreOptions: { ignorePatterns: ['/examples/', '/docs/', '/.ci/', 'cdk.out', '/benchmarks/', '/scripts/'] },
});

// The floor of the toolchain: jsii and jsii-rosetta 6.0 require Node.js 20.16.0 (aws-cdk-lib 2.258.0 itself
// 20.0.0). Not `minNodeVersion`, which would also pin @types/node and the workflows' Node.js to the floor.
project.package.addEngine('node', '>= 20.16.0');

// The example app is part of the contract: type-check it (and the tests) on every build.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src, test and examples with the dev tsconfig',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});
project.testTask.prependSpawn(typecheck);

project.addTask('demo', {
  description: 'Synthesize the example app offline through the CDK CLI and print what it created',
  env: OFFLINE_CDK_ENV,
  steps: [
    // The Config rule's handler is a bundled asset of the library.
    { spawn: 'bundle' },
    {
      exec: 'cdk synth --app "ts-node --transpile-only -P tsconfig.dev.json examples/app.ts" --output examples/cdk.out --no-notices --quiet',
    },
    { exec: 'ts-node --transpile-only -P tsconfig.dev.json examples/summarize.ts examples/cdk.out' },
  ],
});

project.addTask('bench', {
  description: 'Measure the synth-time overhead of the enforcement aspect, pack and report (wall time of fresh processes, ratios in one run)',
  env: { TS_NODE_PROJECT: 'tsconfig.dev.json', TS_NODE_TRANSPILE_ONLY: 'true' },
  // Each synthesis runs in a child with the same flags: Node.js's defaults, as a user's app runs.
  exec: 'node -r ts-node/register benchmarks/enforcement-overhead.ts',
});

project.addTask('bench:config-rule', {
  description: "Run the Config rule's bundled handler against a simulated account (latency per call, N guardrails x versions) and check it finishes within the function's timeout and loses no evaluation across invocations",
  env: { TS_NODE_PROJECT: 'tsconfig.dev.json', TS_NODE_TRANSPILE_ONLY: 'true' },
  steps: [{ spawn: 'bundle' }, { exec: 'node -r ts-node/register benchmarks/config-rule-scale.ts' }],
});

// `build` packages the npm package everywhere; the other languages need their toolchains (and .NET an
// SDK this project does not assume), so they are built by `package-all` or the `package:<lang>` tasks.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);

configureArchitecture(project);
configureCompatibility(project);
configureGovernance(project);
configureGuard(project);
configureIntegration(project, OFFLINE_CDK_ENV);
configureMultiLanguage(project);

project.addTask('schemas:vendor', {
  description: "Vendors AWS's CloudFormation registry schemas of the guardrail resources (review the diff: they decide what SecureGuardrail accepts)",
  exec: 'python3 scripts/vendor_cfn_schemas.py',
});

project.synth();
