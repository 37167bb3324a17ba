import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GuardrailKeyRemediationAspect, SecureGuardrail } from '../../src';
import { cfnGuardrail } from '../corpus/corpus-app';
import { ENV, MANDATORY_TAGS } from '../helpers/synth';

/** The stack's only key as CloudFormation gets it, without what names it (description and alias). */
function keyOf(stack: Stack): unknown {
  const keys = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  const { Properties: { Description: _description, ...properties }, ...resource } = keys[0];
  return { ...resource, Properties: properties };
}

describe('one key standard', () => {
  test('SecureGuardrail and GuardrailKeyRemediationAspect create the same key', () => {
    // Named as cfnGuardrail names its guardrail (after its id), so that the keys' BedrockGuardrail tags
    // match too; in two apps, since one app cannot hold two guardrails of one name in one Region.
    const secure = new Stack(new App(), 'Secure', { env: ENV });
    new SecureGuardrail(secure, 'Guardrail', { guardrailName: 'Guardrail', mandatoryTags: MANDATORY_TAGS });
    const remediated = new Stack(new App(), 'Remediated', { env: ENV });
    cfnGuardrail(remediated, 'Guardrail');
    GuardrailKeyRemediationAspect.applyTo(remediated, { mandatoryTags: MANDATORY_TAGS });
    (secure.node.root as App).synth();
    (remediated.node.root as App).synth();

    expect(keyOf(remediated)).toEqual(keyOf(secure));
    expect(keyOf(secure)).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
        EnableKeyRotation: true,
        RotationPeriodInDays: 365,
        PendingWindowInDays: 30,
        Tags: expect.arrayContaining([{ Key: 'BedrockGuardrail', Value: 'Guardrail' }]),
      },
    });
  });
});
