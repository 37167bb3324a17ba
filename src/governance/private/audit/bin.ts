import { main } from './cli';

/*
 * The entry point of `npx cdk-secure-guardrail`, bundled with its SDK clients into one file of the
 * npm package (`assets/.../cdk-secure-guardrail.js`, the package's `bin`): it needs no dependency.
 */
void main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => { process.exitCode = code; });
