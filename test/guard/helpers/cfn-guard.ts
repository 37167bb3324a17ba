import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { GuardrailEncryptionHook } from '../../../src';

/** The cfn-guard binary that `@cdklabs/cdk-validator-cfnguard` ships, for this platform. */
export const CFN_GUARD = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'bin',
  os.platform() === 'darwin' ? 'macos' : 'ubuntu', os.arch() === 'arm64' ? 'aarch64' : 'x86_64', 'cfn-guard');

/** The Guard rule's failed and passed rules on one template file (JSON or YAML), as `cfn-guard validate` reports them. */
export function guardOnFile(file: string): { failed: string[]; passed: string[] } {
  let output: string;
  try {
    output = execFileSync(CFN_GUARD, ['validate', '--rules', GuardrailEncryptionHook.RULE_FILE, '--data', file,
      '--output-format', 'json', '--show-summary', 'none', '--structured'], { encoding: 'utf-8' });
  } catch (e: any) {
    output = e.stdout; // cfn-guard exits with 19 when a rule fails
  }
  const [result] = JSON.parse(output) as any[];
  return { failed: (result.not_compliant as any[]).map((r) => r.Rule.name).sort(), passed: [...result.compliant].sort() };
}
