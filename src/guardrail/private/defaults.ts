import { aws_bedrock as bedrock } from 'aws-cdk-lib';

export const DEFAULT_BLOCKED_INPUT_MESSAGING =
  'Sorry, this request cannot be processed because it goes against our usage policy.';
export const DEFAULT_BLOCKED_OUTPUTS_MESSAGING =
  'Sorry, the response was blocked because it goes against our usage policy.';

const HARMFUL_CATEGORIES = ['SEXUAL', 'VIOLENCE', 'HATE', 'INSULTS', 'MISCONDUCT'];

/**
 * The content policy a guardrail gets when none is given: every harmful-content category filtered
 * at HIGH strength in both directions, and prompt attacks (jailbreaks, prompt injection) blocked
 * at HIGH on input. Bedrock evaluates prompt attacks on input only, so their output strength is NONE.
 */
export const DEFAULT_CONTENT_POLICY: bedrock.CfnGuardrail.ContentPolicyConfigProperty = {
  filtersConfig: [
    ...HARMFUL_CATEGORIES.map((type) => ({
      type,
      inputStrength: 'HIGH',
      outputStrength: 'HIGH',
      inputAction: 'BLOCK',
      outputAction: 'BLOCK',
    })),
    { type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE', inputAction: 'BLOCK' },
  ],
};
