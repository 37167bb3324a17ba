import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { guardOnFile } from './helpers/cfn-guard';
import { SecureGuardrail } from '../../src';
import { MANDATORY_TAGS, newStack } from '../helpers/synth';

/** The Guard rule's failed and passed rules on a stack's template. */
function guardOn(stack: Stack): { failed: string[]; passed: string[] } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guard-library-')), 'template.json');
  fs.writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON()));
  return guardOnFile(file);
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
