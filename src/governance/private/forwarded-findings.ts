import * as events from 'aws-cdk-lib/aws-events';

/** The Bedrock management events that create a guardrail or can drop, swap or remove its key. */
const GUARDRAIL_CHANGES = ['CreateGuardrail', 'UpdateGuardrail', 'CreateGuardrailVersion', 'DeleteGuardrail'];

/**
 * What a member account's baseline forwards to the organization's findings hub, and what the hub
 * matches: one definition for both sides.
 */
export const FORWARDED_FINDINGS = {
  sources: ['aws.config', 'aws.bedrock'],
  detailTypes: ['Config Rules Compliance Change', 'AWS API Call via CloudTrail'],
  /**
   * The guardrail rule's compliance changes (AWS Config developer guide, "Monitoring AWS Config with Amazon
   * EventBridge") and the guardrail changes CloudTrail records, by anyone. One pattern for both, with
   * `$or` on `detail` (EventBridge user guide, eb-create-pattern-operators), which `EventPattern` does not type.
   */
  pattern(configRuleName: string): events.EventPattern {
    const detail: Record<string, unknown> = {
      $or: [{ configRuleName: [configRuleName] }, { eventSource: ['bedrock.amazonaws.com'], eventName: GUARDRAIL_CHANGES }],
    };
    return { source: [...FORWARDED_FINDINGS.sources], detailType: [...FORWARDED_FINDINGS.detailTypes], detail };
  },
};

/** The shape of an event bus ARN (a bus of any account and Region). */
export const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[\w.\-/]{1,256}$/;
