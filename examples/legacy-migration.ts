import { Stack, StackProps, aws_bedrock as bedrock } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GuardrailKeyRemediationAspect } from '../src';

/**
 * A stack written before the platform standard: a bare `CfnGuardrail` without a key. The platform
 * team migrates it with `GuardrailKeyRemediationAspect` instead of rewriting it: the aspect gives the
 * guardrail its own customer-managed key of the standard and points the guardrail at it.
 */
export class LegacyGuardrailStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    new bedrock.CfnGuardrail(this, 'LegacyGuardrail', {
      name: 'legacy-faq-bot',
      blockedInputMessaging: 'Sorry, I cannot help with that.',
      blockedOutputsMessaging: 'Sorry, I cannot help with that.',
      contentPolicyConfig: {
        filtersConfig: [{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' }],
      },
    });

    GuardrailKeyRemediationAspect.applyTo(this, {
      mandatoryTags: { owner: 'team-faq', workload: 'faq-bot', dataSensitivity: 'internal' },
    });
  }
}
