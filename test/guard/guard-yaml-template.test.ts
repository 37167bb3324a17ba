import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GuardrailEncryptionHook } from '../../src';

const CFN_GUARD = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'bin',
  os.platform() === 'darwin' ? 'macos' : 'ubuntu', os.arch() === 'arm64' ? 'aarch64' : 'x86_64', 'cfn-guard');

/**
 * YAML's short-form intrinsics cannot be written in cfn-guard's unit-test files (their YAML parser refuses the
 * tags), so this runs `cfn-guard validate` on a YAML template, as a user does.
 */
describe('the Guard rule on a YAML template', () => {
  test('!GetAtt Key.Arn is followed to the key, which is judged', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-yaml-'));
    const file = path.join(dir, 'template.yaml');
    fs.writeFileSync(file, [
      'Resources:',
      '  Key:',
      '    Type: AWS::KMS::Key',
      '    DeletionPolicy: Delete',
      '    Properties:',
      '      EnableKeyRotation: false',
      '  Guardrail:',
      '    Type: AWS::Bedrock::Guardrail',
      '    Properties:',
      '      Name: g',
      '      KmsKeyArn: !GetAtt Key.Arn',
      '',
    ].join('\n'));
    let output: string;
    try {
      output = execFileSync(CFN_GUARD, ['validate', '--rules', GuardrailEncryptionHook.RULE_FILE, '--data', file,
        '--output-format', 'json', '--show-summary', 'none', '--structured'], { encoding: 'utf-8' });
    } catch (e: any) {
      output = e.stdout; // cfn-guard exits with 19 when a rule fails
    }
    const [result] = JSON.parse(output) as any[];
    expect((result.not_compliant as any[]).map((r) => r.Rule.name).sort()).toEqual([
      'GuardrailEncryption_KeyPolicyLeastPrivilege', 'GuardrailEncryption_KeyRetained', 'GuardrailEncryption_KeyRotation',
    ]);
    expect([...result.compliant].sort()).toEqual([
      'GuardrailEncryption_CMKRequired', 'GuardrailEncryption_KeyPendingWindow', 'GuardrailEncryption_KeySymmetric',
    ]);
  });
});
