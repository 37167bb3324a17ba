import { isAcknowledged } from './acknowledgements';
import { GuardrailRule, NonCompliance, RuleLevel, RuleResult, ruleId } from './guardrail-rule';
import { GUARDRAIL_RULES } from './guardrail-rules';
import { ResolvedEncryptionOptions } from './resolved-encryption-options';
import { GuardrailInspection } from '../detection/guardrail-inspection';

/** A rule that threw instead of giving an outcome: it counts as failed, as cdk-nag counts it. */
export class RuleCheckError {
  constructor(readonly error: unknown) {}

  get message(): string {
    return this.error instanceof Error ? this.error.message : String(this.error);
  }
}

export type CheckResult = RuleResult | RuleCheckError;

/** Outcomes of `GUARDRAIL_RULES`, by guardrail and by the options they were checked with (as JSON). */
const checked = new WeakMap<GuardrailInspection, Map<string, readonly CheckResult[]>>();
const optionKeys = new WeakMap<ResolvedEncryptionOptions, string>();

/**
 * The outcome of each of `GUARDRAIL_RULES` for a guardrail, in their order. The aspect, the pack and
 * the report may all check a guardrail in one synthesis; they read the same inspection, so the rules
 * are checked once per guardrail and set of options.
 */
export function ruleOutcomes(guardrail: GuardrailInspection, options: ResolvedEncryptionOptions): readonly CheckResult[] {
  let optionsKey = optionKeys.get(options);
  if (optionsKey === undefined) optionKeys.set(options, optionsKey = JSON.stringify(options));
  let byOptions = checked.get(guardrail);
  if (!byOptions) checked.set(guardrail, byOptions = new Map());
  let outcomes = byOptions.get(optionsKey);
  if (!outcomes) byOptions.set(optionsKey, outcomes = GUARDRAIL_RULES.map((rule) => check(rule, guardrail, options)));
  return outcomes;
}

/** One rule's check; a rule that throws fails alone instead of ending the pass for every rule. */
function check(rule: GuardrailRule, guardrail: GuardrailInspection, options: ResolvedEncryptionOptions): CheckResult {
  try {
    return rule.check(guardrail, options);
  } catch (error) {
    return new RuleCheckError(error);
  }
}

/** A failed rule for one guardrail. */
export interface Finding {
  readonly ruleId: string;
  readonly level: RuleLevel;
  readonly info: string;
  readonly explanation: string;
  /** Acknowledged with `Validations.of(scope).acknowledge(...)` on the guardrail or a scope above it. */
  readonly acknowledged: boolean;
}

/** The rules a guardrail fails, in the order of `GUARDRAIL_RULES`. */
export function evaluateRules(guardrail: GuardrailInspection, options: ResolvedEncryptionOptions): Finding[] {
  const outcomes = ruleOutcomes(guardrail, options);
  return GUARDRAIL_RULES
    .map((rule, i) => ({ rule, outcome: outcomes[i] }))
    .filter(({ outcome }) => failed(outcome))
    .map(({ rule, outcome }) => ({
      ruleId: ruleId(rule),
      level: levelOf(rule, options, outcome),
      info: infoOf(rule, options, outcome),
      explanation: rule.explanation,
      acknowledged: isAcknowledged(guardrail.node, ruleId(rule)),
    }));
}

/** Whether a rule's result is a failure: non-compliant, or a check that threw. */
export function failed(result: CheckResult): boolean {
  return result === 'non-compliant' || result instanceof NonCompliance || result instanceof RuleCheckError;
}

/** A finding's level: the rule's, unless the non-compliance says otherwise. */
export function levelOf(rule: GuardrailRule, options: ResolvedEncryptionOptions, result: CheckResult): RuleLevel {
  return result instanceof NonCompliance && result.level ? result.level : rule.level(options);
}

/** Why a rule was triggered: its cause, and what in particular fails it. */
export function infoOf(rule: GuardrailRule, options: ResolvedEncryptionOptions, result: CheckResult): string {
  if (result instanceof RuleCheckError) return `${rule.info(options)} The rule could not be checked: ${result.message}`;
  if (result instanceof NonCompliance) return `${rule.info(options)} ${result.detail}`;
  return rule.info(options);
}
