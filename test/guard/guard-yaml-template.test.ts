import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { guardOnFile } from './helpers/cfn-guard';

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
    const { failed, passed } = guardOnFile(file);
    expect(failed).toEqual([
      'GuardrailEncryption_KeyPolicyLeastPrivilege', 'GuardrailEncryption_KeyRetained', 'GuardrailEncryption_KeyRotation',
    ]);
    expect(passed).toEqual([
      'GuardrailEncryption_CMKRequired', 'GuardrailEncryption_KeyPendingWindow', 'GuardrailEncryption_KeySymmetric',
    ]);
  });
});
