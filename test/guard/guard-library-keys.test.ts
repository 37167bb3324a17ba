import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GuardrailEncryptionHook, SecureGuardrail } from '../../src';
import { MANDATORY_TAGS, newStack } from '../helpers/synth';

const CFN_GUARD = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'bin',
  os.platform() === 'darwin' ? 'macos' : 'ubuntu', os.arch() === 'arm64' ? 'aarch64' : 'x86_64', 'cfn-guard');

/** The Guard rule's failed and passed rules on a stack's template. */
function guardOn(stack: Stack): { failed: string[]; passed: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-library-'));
  const file = path.join(dir, 'template.json');
  fs.writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON()));
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

/** The statement ids of the stack's one key. */
function sids(stack: Stack): string[] {
  const keys = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  return keys[0].Properties.KeyPolicy.Statement.map((statement: any) => statement.Sid);
}

const KEY_RULES = ['GuardrailEncryption_CMKRequired', 'GuardrailEncryption_KeyPendingWindow', 'GuardrailEncryption_KeyPolicyLeastPrivilege',
  'GuardrailEncryption_KeyRetained', 'GuardrailEncryption_KeyRotation', 'GuardrailEncryption_KeySymmetric'];

/**
 * The library's own keys, with the statements that open decryption to the account (enforceInAccount:
 * EnforcedGuardrailUseThroughBedrock) or the organization (shareWithOrganization:
 * SharedGuardrailUseThroughBedrock), meet the Guard rule.
 */
describe('the Guard rule on the keys SecureGuardrail writes', () => {
  test('enforced in the account', () => {
    const stack = newStack();
    const guardrail = new SecureGuardrail(stack, 'Guardrail', { guardrailName: 'enforced', mandatoryTags: MANDATORY_TAGS });
    guardrail.enforceInAccount('1');
    expect(sids(stack)).toContain('EnforcedGuardrailUseThroughBedrock');
    expect(guardOn(stack)).toEqual({ failed: [], passed: KEY_RULES });
  });

  test.each([
    ['the organization', { organizationId: 'o-abcdefghij' }],
    ['organizational units', { organizationalUnitPaths: ['o-abcdefghij/r-ab12/ou-ab12-11111111/*'] }],
  ])('shared with %s', (_name, organization) => {
    const stack = newStack();
    const guardrail = new SecureGuardrail(stack, 'Guardrail', { guardrailName: 'shared', mandatoryTags: MANDATORY_TAGS });
    guardrail.shareWithOrganization(organization);
    expect(sids(stack)).toContain('SharedGuardrailUseThroughBedrock');
    expect(guardOn(stack)).toEqual({ failed: [], passed: KEY_RULES });
  });
});
