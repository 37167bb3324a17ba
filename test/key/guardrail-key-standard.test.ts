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
    const app = new App();
    const secure = new Stack(app, 'Secure', { env: ENV });
    // Named as cfnGuardrail names its guardrail (after its id): the keys' BedrockGuardrail tags then match too.
    new SecureGuardrail(secure, 'Guardrail', { guardrailName: 'Guardrail', mandatoryTags: MANDATORY_TAGS });
    const remediated = new Stack(app, 'Remediated', { env: ENV });
    cfnGuardrail(remediated, 'Guardrail');
    GuardrailKeyRemediationAspect.applyTo(remediated, { mandatoryTags: MANDATORY_TAGS });
    app.synth();

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
