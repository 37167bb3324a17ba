import { Template } from 'aws-cdk-lib/assertions';
import { SecureGuardrail, SecureGuardrailProps } from '../../src';
import { MANDATORY_TAGS, newStack } from '../helpers/synth';

const BASE: SecureGuardrailProps = { guardrailName: 'versioned', mandatoryTags: MANDATORY_TAGS };

/** The logical id of the only guardrail version of a freshly synthesized stack. */
function versionLogicalId(props: Partial<SecureGuardrailProps> = {}, description?: string, mutate?: (g: SecureGuardrail) => void): string {
  const stack = newStack();
  const guardrail = new SecureGuardrail(stack, 'Guardrail', { ...BASE, ...props });
  guardrail.createVersion(description);
  mutate?.(guardrail);
  const ids = Object.keys(Template.fromStack(stack).findResources('AWS::Bedrock::GuardrailVersion'));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('SecureGuardrail.createVersion', () => {
  test('creates a version of the guardrail and exposes its number', () => {
    const stack = newStack();
    const guardrail = new SecureGuardrail(stack, 'Guardrail', BASE);
    const version = guardrail.createVersion('First release');
    Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::GuardrailVersion', {
      GuardrailIdentifier: { 'Fn::GetAtt': [stack.getLogicalId(guardrail.guardrail), 'GuardrailId'] },
      Description: 'First release',
    });
    expect(stack.resolve(guardrail.guardrailVersion)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^GuardrailVersion/), 'Version'] });
    expect(stack.resolve(version.version)).toEqual(stack.resolve(guardrail.guardrailVersion));
  });

  test('the newest of several versions is the guardrail version', () => {
    const stack = newStack();
    const guardrail = new SecureGuardrail(stack, 'Guardrail', BASE);
    guardrail.createVersion('one');
    const second = guardrail.createVersion('two');
    expect(second.node.id).toBe('Version2');
    expect(guardrail.guardrailVersion).toBe(second.version);
    Template.fromStack(stack).resourceCountIs('AWS::Bedrock::GuardrailVersion', 2);
  });

  test('the logical id is stable when nothing changes', () => {
    expect(versionLogicalId()).toBe(versionLogicalId());
    expect(versionLogicalId({}, 'release')).toBe(versionLogicalId({}, 'release'));
  });

  test('the logical id changes when a filter changes', () => {
    const strict = { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' }] };
    const lenient = { filtersConfig: [{ type: 'HATE', inputStrength: 'LOW', outputStrength: 'HIGH' }] };
    expect(versionLogicalId({ contentPolicyConfig: strict })).not.toBe(versionLogicalId({ contentPolicyConfig: lenient }));
    expect(versionLogicalId({ contentPolicyConfig: strict })).not.toBe(versionLogicalId());
  });

  test('the logical id changes with the messaging or the description, not with the key alias', () => {
    const base = versionLogicalId();
    expect(versionLogicalId({ blockedInputMessaging: 'No.' })).not.toBe(base);
    expect(versionLogicalId({ keyAlias: 'alias/other' })).toBe(base);
    expect(versionLogicalId({}, 'v2')).not.toBe(base);
  });

  test('the logical id follows property overrides applied after the version was created', () => {
    const base = versionLogicalId();
    expect(versionLogicalId({}, undefined, (g) => g.guardrail.addPropertyOverride('BlockedOutputsMessaging', 'Blocked.'))).not.toBe(base);
    expect(versionLogicalId({}, undefined, (g) => g.guardrail.addPropertyOverride('Tags', [{ Key: 'a', Value: 'b' }]))).toBe(base);
  });

  test('tags do not make a new version', () => {
    expect(versionLogicalId({ tags: { CostCenter: 'a' } })).toBe(versionLogicalId({ tags: { CostCenter: 'b' } }));
    expect(versionLogicalId({ mandatoryTags: { ...MANDATORY_TAGS, owner: 'someone-else' } })).toBe(versionLogicalId());
  });

  test('the order in which properties were written does not matter', () => {
    const a = { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' }] };
    const b = { filtersConfig: [{ outputStrength: 'HIGH', inputStrength: 'HIGH', type: 'HATE' }] };
    expect(versionLogicalId({ contentPolicyConfig: a })).toBe(versionLogicalId({ contentPolicyConfig: b }));
  });

  test('refuses a description over 200 characters', () => {
    const guardrail = new SecureGuardrail(newStack(), 'Guardrail', BASE);
    expect(() => guardrail.createVersion('x'.repeat(201))).toThrow(/GuardrailVersion: invalid description: received "x+" \(201 characters\); allowed: 1-200 characters\./);
  });
});
