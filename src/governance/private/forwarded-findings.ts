import * as events from 'aws-cdk-lib/aws-events';
import { ALWAYS_ALERTED, GUARDRAIL_EVENTS } from './key-events';

/** The Bedrock management events that create a guardrail or can drop, swap or remove its key. */
const GUARDRAIL_CHANGES = ['CreateGuardrail', 'CreateGuardrailVersion', ...GUARDRAIL_EVENTS];

/**
 * What a member account's baseline forwards to the organization's findings hub, and what the hub
 * matches: one definition for both sides.
 */
export const FORWARDED_FINDINGS = {
  sources: ['aws.config', 'aws.bedrock', 'aws.kms'],
  detailTypes: ['Config Rules Compliance Change', 'AWS API Call via CloudTrail'],
  /**
   * The guardrail rule's compliance changes (AWS Config developer guide, "Monitoring AWS Config with Amazon
   * EventBridge"), the guardrail changes CloudTrail records, and the changes that threaten any key of the
   * account (those GuardrailKeyMonitoring alerts on whoever makes them: EventBridge cannot match a key's tags,
   * and the baseline does not know which keys encrypt guardrails), by anyone. One pattern for all, with
   * `$or` on `detail` (EventBridge user guide, eb-create-pattern-operators), which `EventPattern` does not type.
   */
  pattern(configRuleName?: string): events.EventPattern {
    const detail: Record<string, unknown> = {
      $or: [
        // On the hub, the compliance changes of any account's rule.
        { configRuleName: configRuleName === undefined ? [{ exists: true }] : [configRuleName] },
        { eventSource: ['bedrock.amazonaws.com'], eventName: GUARDRAIL_CHANGES },
        { eventSource: ['kms.amazonaws.com'], eventName: ALWAYS_ALERTED },
      ],
    };
    return { source: [...FORWARDED_FINDINGS.sources], detailType: [...FORWARDED_FINDINGS.detailTypes], detail };
  },
};

/** The shape of an event bus ARN (a bus of any account and Region). */
export const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[\w.\-/]{1,256}$/;
