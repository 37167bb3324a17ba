import { aws_bedrock as bedrock, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GuardrailVersion, GuardrailVersionProps, SecureGuardrail, SecureGuardrailProps } from '../../src';
import { ACCOUNT, MANDATORY_TAGS, newStack, REGION } from '../helpers/synth';

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

describe('GuardrailVersion', () => {
  const IMPORTED_ARN = `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/abcdefghijkl`;

  /** The only guardrail version of the stack: its logical id and properties. */
  function onlyVersion(stack: Stack): { logicalId: string; properties: { [key: string]: unknown } } {
    const versions = Object.entries(Template.fromStack(stack).findResources('AWS::Bedrock::GuardrailVersion'));
    expect(versions).toHaveLength(1);
    return { logicalId: versions[0][0], properties: versions[0][1].Properties };
  }

  /** The version of an imported guardrail, alone in a fresh stack. */
  function importedVersion(guardrailArn: string, description?: string): { logicalId: string; properties: { [key: string]: unknown } } {
    const stack = newStack();
    const guardrail = SecureGuardrail.fromGuardrailAttributes(stack, 'Imported', { guardrailArn });
    new GuardrailVersion(stack, 'Release', { guardrail, description });
    return onlyVersion(stack);
  }

  test.each<[string, (g: SecureGuardrail) => GuardrailVersionProps['guardrail']]>([
    ['the SecureGuardrail', (g) => g],
    ['its CfnGuardrail', (g) => g.guardrail],
  ])('a version of %s is the version createVersion makes: same identifier, same configuration hash', (_name, pick) => {
    const made = newStack();
    const created = new SecureGuardrail(made, 'Guardrail', BASE);
    created.createVersion('release');
    const expected = onlyVersion(made);

    const stack = newStack();
    const guardrail = new SecureGuardrail(stack, 'Guardrail', BASE);
    new GuardrailVersion(guardrail, 'Version', { guardrail: pick(guardrail), description: 'release' });
    expect(onlyVersion(stack)).toEqual(expected);
    expect(expected.properties.GuardrailIdentifier).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(guardrail.guardrail), 'GuardrailId'] });
  });

  test('a version of a SecureGuardrail follows its configuration', () => {
    const versionOf = (blockedInputMessaging?: string) => {
      const stack = newStack();
      const guardrail = new SecureGuardrail(stack, 'Guardrail', { ...BASE, blockedInputMessaging });
      new GuardrailVersion(stack, 'Release', { guardrail });
      return onlyVersion(stack).logicalId;
    };
    expect(versionOf()).toBe(versionOf());
    expect(versionOf('No.')).not.toBe(versionOf());
  });

  test('an imported guardrail is named by its ARN; its hash covers the ARN and the description', () => {
    const base = importedVersion(IMPORTED_ARN);
    expect(base.properties).toEqual({ GuardrailIdentifier: IMPORTED_ARN });
    expect(base.logicalId).toMatch(/^Release[0-9A-F]{16}$/);
    expect(importedVersion(IMPORTED_ARN).logicalId).toBe(base.logicalId);
    expect(importedVersion(IMPORTED_ARN, 'v2').logicalId).not.toBe(base.logicalId);
    expect(importedVersion(`arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/otherguardrail`).logicalId).not.toBe(base.logicalId);
    expect(importedVersion(IMPORTED_ARN, 'v2').properties).toEqual({ GuardrailIdentifier: IMPORTED_ARN, Description: 'v2' });
  });

  test('an imported guardrail whose ARN is only known at deploy time is accepted', () => {
    const stack = newStack();
    const guardrailArn = new bedrock.CfnGuardrail(stack, 'Elsewhere', { name: 'g', blockedInputMessaging: 'a', blockedOutputsMessaging: 'b' }).attrGuardrailArn;
    const guardrail = SecureGuardrail.fromGuardrailAttributes(stack, 'Imported', { guardrailArn });
    new GuardrailVersion(stack, 'Release', { guardrail });
    const version = Object.values(Template.fromStack(stack).findResources('AWS::Bedrock::GuardrailVersion'))[0];
    expect(version.Properties.GuardrailIdentifier).toEqual({ 'Fn::GetAtt': ['Elsewhere', 'GuardrailArn'] });
  });

  test('refuses an imported guardrail of another Region', () => {
    const stack = newStack();
    const arn = `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/abcdefghijkl`;
    const guardrail = SecureGuardrail.fromGuardrailAttributes(stack, 'Imported', { guardrailArn: arn });
    expect(() => new GuardrailVersion(stack, 'Release', { guardrail })).toThrow(
      `[TestStack/Release] GuardrailVersion: invalid guardrail: received "${arn}" (61 characters); `
      + `allowed: a guardrail of this stack's Region ${REGION}: CloudFormation creates the version in the stack's Region.`);
  });

  test('refuses an imported guardrail of another account', () => {
    const stack = newStack();
    const arn = 'arn:aws:bedrock:eu-west-1:222222222222:guardrail/abcdefghijkl';
    const guardrail = SecureGuardrail.fromGuardrailAttributes(stack, 'Imported', { guardrailArn: arn });
    expect(() => new GuardrailVersion(stack, 'Release', { guardrail })).toThrow(
      `[TestStack/Release] GuardrailVersion: invalid guardrail: received "${arn}" (61 characters); `
      + `allowed: a guardrail of this stack's account ${ACCOUNT}: a version is created by the guardrail's own account.`);
  });
});
