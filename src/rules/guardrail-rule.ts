import { parse } from 'path';
import { ResolvedEncryptionOptions } from './resolved-encryption-options';
import { packRuleId, PACK_NAME } from '../core/rule-ids';
import { effectiveTags, EffectiveResource } from '../detection/effective-resource';
import { GuardrailInspection } from '../detection/guardrail-inspection';

export { PACK_NAME };

export type RuleLevel = 'error' | 'warning';
export type RuleOutcome = 'compliant' | 'non-compliant' | 'not-applicable';

/**
 * A failed rule with what, in particular, fails it (named in the finding after the rule's cause),
 * and, when it differs from the rule's, the level of this finding.
 */
export class NonCompliance {
  constructor(readonly detail: string, readonly level?: RuleLevel) {}
}

/** What checking a rule gives: an outcome, or a non-compliance that says why. */
export type RuleResult = RuleOutcome | NonCompliance;

/**
 * One rule: its check and its documentation, defined once and used by the nag pack, the aspect
 * and the compliance report alike.
 */
export interface GuardrailRule {
  /** The rule name: the rule file's name. */
  readonly name: string;
  /** Why the rule exists. */
  readonly explanation: string;
  /** Why the rule was triggered (for the given options). */
  info(options: ResolvedEncryptionOptions): string;
  level(options: ResolvedEncryptionOptions): RuleLevel;
  check(guardrail: GuardrailInspection, options: ResolvedEncryptionOptions): RuleResult;
}

/**
 * What a rule's check answers: whether the guardrail meets it (or why not), or that the rule has
 * nothing to check.
 */
export type RuleCheckAnswer = boolean | 'not-applicable' | NonCompliance;

export interface GuardrailRuleDefinition {
  info: string | ((options: ResolvedEncryptionOptions) => string);
  explanation: string;
  level?: RuleLevel | ((options: ResolvedEncryptionOptions) => RuleLevel);
  /**
   * How the guardrails it checks are created (`any`: however); for the others the rule is not applicable.
   *
   * @default 'resource' (an `AWS::Bedrock::Guardrail`)
   */
  appliesTo?: GuardrailInspection['kind'] | 'any';
  check(guardrail: GuardrailInspection, options: ResolvedEncryptionOptions): RuleCheckAnswer;
}

/** Defines a rule named after its file, as cdk-nag names its rules. */
export function guardrailRule(filename: string, definition: GuardrailRuleDefinition): GuardrailRule {
  const { info, level = 'error', appliesTo = 'resource' } = definition;
  return {
    name: parse(filename).name,
    info: typeof info === 'string' ? () => info : info,
    explanation: definition.explanation,
    level: typeof level === 'string' ? () => level : level,
    check: (guardrail, options) => {
      if (appliesTo !== 'any' && guardrail.kind !== appliesTo) return 'not-applicable';
      const answer = definition.check(guardrail, options);
      if (answer === 'not-applicable' || answer instanceof NonCompliance) return answer;
      return answer ? 'compliant' : 'non-compliant';
    },
  };
}

export interface KeyRuleDefinition {
  info: string | ((options: ResolvedEncryptionOptions) => string);
  explanation: string;
  level?: RuleLevel;
  /** True when the key meets the rule (or why it does not). */
  check(key: EffectiveResource, options: ResolvedEncryptionOptions): boolean | NonCompliance;
}

/**
 * A rule on the guardrail's key, checked from the guardrail (so a finding names the guardrail that
 * depends on the key). Not applicable when the key is not part of the app: `KeyVerifiable` reports that.
 */
export function keyRule(filename: string, definition: KeyRuleDefinition): GuardrailRule {
  return guardrailRule(filename, {
    ...definition,
    check: (guardrail, options) => (guardrail.key ? definition.check(guardrail.key, options) : 'not-applicable'),
  });
}

/** Whether a resource carries every required tag with a value (a token counts as a value). */
export function hasRequiredTags(properties: EffectiveResource['properties'], options: ResolvedEncryptionOptions): boolean {
  const tags = effectiveTags(properties);
  return options.requiredTags.every((key) => {
    const value = tags.get(key);
    return value !== undefined && value !== null && value !== '';
  });
}

export function ruleId(rule: GuardrailRule): string {
  return packRuleId(rule.name);
}
