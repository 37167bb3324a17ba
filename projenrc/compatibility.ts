import { awscdk, TaskShell } from 'projen';

/**
 * The test suite against the newest aws-cdk-lib release, which users run while the build pins the
 * oldest supported one (`cdkVersion`). It is installed in a temporary folder, never in the project,
 * so that the pinned build stays reproducible; test/compatibility/jest.config.js maps every import of
 * aws-cdk-lib and constructs to it.
 */
export function configureCompatibility(project: awscdk.AwsCdkConstructLibrary): void {
  project.addTask('test:newest-aws-cdk-lib', {
    description: 'Run the tests against the newest aws-cdk-lib release, installed in a temporary folder',
    shell: TaskShell.bash(),
    steps: [
      // The Config rule's construct tests synthesize its bundled handler.
      { spawn: 'bundle' },
      {
        exec: [
          'dir="$(mktemp -d)"',
          'trap \'rm -rf "$dir"\' EXIT',
          'echo \'{ "private": true }\' > "$dir/package.json"',
          'npm install --prefix "$dir" --no-audit --no-fund --loglevel=error aws-cdk-lib@latest "constructs@^10"',
          'echo "aws-cdk-lib $(node -p "require(\'$dir/node_modules/aws-cdk-lib/package.json\').version") (newest release) instead of the pinned one"',
          // A deprecated API the library calls fails the run: users would see its warning on every synth.
          'JSII_DEPRECATED=fail NEWEST_CDK_DIR="$dir" jest --config test/compatibility/jest.config.js',
        ].join(' && '),
      },
    ],
  });
}
