/**
 * The checks of the guardrail key standard, each written once with the wording of its finding, for
 * every place that enforces the standard: the pack's rules (and so the aspect and the report) at
 * synth, from the template's properties, and the Config rule's handler at runtime, from what KMS
 * answers. A check takes plain values and returns a finding, or `undefined` when the key meets it.
 * Pure and without aws-cdk-lib: the handler bundles this file.
 */
import type { PlacementMatch } from './cfn-values';
import { KEY_REQUIREMENTS } from './key-requirements';
import { PENDING_WINDOW_DAYS, ROTATION_DAYS } from './kms-limits';
import { packRuleId, SHARED_RULE_NAMES } from './rule-ids';

/** A key that fails a check of the standard. */
export interface KeyFinding {
  /** The pack's rule it fails, `GuardrailEncryption-<RuleName>`. */
  readonly ruleId: string;
  /** What the standard asks and the key does not give: the rule's info. */
  readonly sentence: string;
  /**
   * What was found instead, when the facts say more than the sentence. The rules leave it out: a
   * finding at synth points at the key's resource, which shows its properties.
   */
  readonly found?: string;
}

/** A finding on one line, `[<rule id>] <sentence>: <found>`, as the Config rule's annotation gives it. */
export function findingLine(failure: KeyFinding): string {
  const sentence = failure.sentence.replace(/\.$/, '');
  return `[${failure.ruleId}] ${failure.found === undefined ? sentence : `${sentence}: ${failure.found}`}`;
}

/** The rule ids a text of findings names (`[<rule id>] …`, as `findingLine` writes them), each once, in order. */
export function ruleIdsIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\[([A-Za-z]+-[A-Za-z]+)\]/g)].map((match) => match[1]))];
}

/**
 * A finding on one line without the rule's sentence, `[<rule id>] <found>`, for an annotation that
 * names several findings in the 256 characters AWS Config keeps.
 */
export function briefFindingLine(failure: KeyFinding): string {
  return failure.found === undefined ? findingLine(failure) : `[${failure.ruleId}] ${failure.found}`;
}

function finding(ruleName: string, sentence: string, found?: string): KeyFinding {
  return { ruleId: packRuleId(ruleName), sentence, found };
}

/** What is known of a key's automatic rotation. */
export interface RotationFacts {
  /** Only `true` passes: `false`, absent (CloudFormation's default) or a value known only at deploy time fail. */
  readonly enabled: unknown;
  /** In days; absent is KMS's default (365). A value that is not a number cannot be verified and fails. */
  readonly periodDays?: unknown;
  /** Why the key cannot rotate at all, when KMS says so (imported material, a custom key store...). */
  readonly cannotRotate?: string;
}

export const KEY_ROTATION = {
  sentence: (maxRotationDays: number) => `The guardrail's KMS key does not rotate automatically at least every ${maxRotationDays} days.`,
  /** The key rotates automatically, at least every `maxRotationDays` days. */
  check(facts: RotationFacts, maxRotationDays: number): KeyFinding | undefined {
    const { enabled, periodDays = ROTATION_DAYS.kmsDefault, cannotRotate } = facts;
    const failed = (found?: string) => finding(SHARED_RULE_NAMES.keyRotation, KEY_ROTATION.sentence(maxRotationDays), found);
    if (cannotRotate !== undefined) return failed(`KMS cannot rotate it (${cannotRotate})`);
    if (enabled !== true) return failed(enabled === false || enabled === undefined ? 'automatic rotation is off' : undefined);
    if (typeof periodDays !== 'number') return failed();
    return periodDays > maxRotationDays ? failed(`it rotates every ${periodDays} days`) : undefined;
  },
};

/** A key's spec and usage; absent means KMS's default, a symmetric encryption key. */
export interface KeySpecFacts {
  readonly spec?: unknown;
  readonly usage?: unknown;
}

export const KEY_SYMMETRIC = {
  sentence: `The guardrail's KMS key is not a symmetric encryption key (KeySpec ${KEY_REQUIREMENTS.keySpec}, KeyUsage ${KEY_REQUIREMENTS.keyUsage}).`,
  /** The key is a symmetric encryption key, the only kind Bedrock encrypts guardrails with. */
  check(facts: KeySpecFacts): KeyFinding | undefined {
    const { spec = KEY_REQUIREMENTS.keySpec, usage = KEY_REQUIREMENTS.keyUsage } = facts;
    if (spec === KEY_REQUIREMENTS.keySpec && usage === KEY_REQUIREMENTS.keyUsage) return undefined;
    const found = typeof spec === 'string' && typeof usage === 'string' ? `it is ${spec}, ${usage}` : undefined;
    return finding(SHARED_RULE_NAMES.keySymmetric, KEY_SYMMETRIC.sentence, found);
  },
};

/** How one part of the key's placement (its Region or its account) compares with the guardrail's. */
export interface PlacementPart {
  /** Only a certain difference fails: a part known only at deploy time is not judged. */
  readonly match: PlacementMatch;
  /** The key's value, named in the finding when given. */
  readonly key?: string;
  /** The guardrail's value, named in the finding when given. */
  readonly guardrail?: string;
}

export const KEY_PLACEMENT = {
  sentence: 'The guardrail\'s KMS key is in another Region or account than the guardrail.',
  /** The key is in the guardrail's Region and account. */
  check(region: PlacementPart, account: PlacementPart): KeyFinding | undefined {
    if (region.match !== 'different' && account.match !== 'different') return undefined;
    const found: string[] = [];
    if (region.match === 'different' && region.key !== undefined) found.push(`it is in ${region.key}, not in ${region.guardrail}`);
    if (account.match === 'different' && account.key !== undefined) found.push(`it belongs to account ${account.key}, not ${account.guardrail}`);
    return finding(SHARED_RULE_NAMES.keyPlacement, KEY_PLACEMENT.sentence, found.length > 0 ? found.join(', and ') : undefined);
  },
};

export const KEY_ENABLED = {
  sentence: 'The guardrail\'s KMS key is disabled (Enabled: false).',
  /** The key is not disabled: Bedrock cannot read a guardrail whose key is. */
  check(enabled: unknown): KeyFinding | undefined {
    return enabled === false ? finding(SHARED_RULE_NAMES.keyEnabled, KEY_ENABLED.sentence) : undefined;
  },
};

/** CloudFormation's policies for the key's resource. */
export interface RetentionFacts {
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
}

export const KEY_RETAINED = {
  sentence: 'The guardrail\'s KMS key is not retained by CloudFormation (DeletionPolicy and UpdateReplacePolicy Retain).',
  /** CloudFormation never deletes the key, on stack deletion or on replacement. */
  check(facts: RetentionFacts): KeyFinding | undefined {
    const retained = ['Retain', 'RetainExceptOnCreate'].includes(facts.deletionPolicy ?? '') && facts.updateReplacePolicy === 'Retain';
    return retained ? undefined : finding(SHARED_RULE_NAMES.keyRetained, KEY_RETAINED.sentence);
  },
};

export const KEY_PENDING_WINDOW = {
  sentence: (minPendingWindowDays: number) => `The guardrail's KMS key has a deletion waiting period shorter than ${minPendingWindowDays} days.`,
  /**
   * Scheduling the key's deletion leaves at least `minPendingWindowDays` days to cancel it. Absent is
   * KMS's default (30); a value that is not a number cannot be verified and fails.
   */
  check(pendingWindowDays: unknown, minPendingWindowDays: number): KeyFinding | undefined {
    const days = pendingWindowDays === undefined ? PENDING_WINDOW_DAYS.kmsDefault : pendingWindowDays;
    if (typeof days === 'number' && days >= minPendingWindowDays) return undefined;
    return finding(SHARED_RULE_NAMES.keyPendingWindow, KEY_PENDING_WINDOW.sentence(minPendingWindowDays));
  },
};
