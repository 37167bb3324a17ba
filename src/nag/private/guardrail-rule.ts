import { parse } from 'path';
import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ResolvedEncryptionOptions } from '../../detection/encryption-standard';
import { GuardrailInspection } from '../../detection/guardrail-inspection';

/** The pack's name: rule ids are `<PACK_NAME>-<RuleName>`, and the plugin name for acknowledgements. */
export const PACK_NAME = 'GuardrailEncryption';

export type RuleLevel = 'error' | 'warning';
export type RuleOutcome = 'compliant' | 'non-compliant' | 'not-applicable';

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
  check(guardrail: GuardrailInspection, options: ResolvedEncryptionOptions): RuleOutcome;
}

export interface GuardrailRuleDefinition {
  info: string | ((options: ResolvedEncryptionOptions) => string);
  explanation: string;
  level?: RuleLevel | ((options: ResolvedEncryptionOptions) => RuleLevel);
  check(guardrail: GuardrailInspection, options: ResolvedEncryptionOptions): RuleOutcome;
}

/** Defines a rule named after its file, as cdk-nag names its rules. */
export function guardrailRule(filename: string, definition: GuardrailRuleDefinition): GuardrailRule {
  const { info, level = 'error' } = definition;
  return {
    name: parse(filename).name,
    info: typeof info === 'string' ? () => info : info,
    explanation: definition.explanation,
    level: typeof level === 'string' ? () => level : level,
    check: definition.check,
  };
}

/** A rule that threw instead of giving an outcome: it counts as failed, as cdk-nag counts it. */
export class RuleCheckError {
  constructor(readonly error: unknown) {}

  get message(): string {
    return this.error instanceof Error ? this.error.message : String(this.error);
  }
}

export type CheckResult = RuleOutcome | RuleCheckError;

interface CheckedRules {
  readonly rules: readonly GuardrailRule[];
  readonly standard: string;
  readonly outcomes: readonly CheckResult[];
}

const checked = new WeakMap<GuardrailInspection, CheckedRules[]>();
const standards = new WeakMap<ResolvedEncryptionOptions, string>();

/**
 * The outcome of each rule for a guardrail, in the order of `rules`. The aspect, the pack and the
 * report may all check a guardrail in one synthesis; they read the same inspection, so the rules
 * are checked once per guardrail and standard.
 */
export function ruleOutcomes(
  rules: readonly GuardrailRule[], guardrail: GuardrailInspection, options: ResolvedEncryptionOptions,
): readonly CheckResult[] {
  let standard = standards.get(options);
  if (standard === undefined) standards.set(options, standard = JSON.stringify(options));
  let done = checked.get(guardrail);
  if (!done) checked.set(guardrail, done = []);
  let entry = done.find((candidate) => candidate.rules === rules && candidate.standard === standard);
  if (!entry) {
    entry = { rules, standard, outcomes: rules.map((rule) => check(rule, guardrail, options)) };
    done.push(entry);
  }
  return entry.outcomes;
}

/** One rule's check; a rule that throws fails alone instead of ending the pass for every rule. */
function check(rule: GuardrailRule, guardrail: GuardrailInspection, options: ResolvedEncryptionOptions): CheckResult {
  try {
    return rule.check(guardrail, options);
  } catch (error) {
    return new RuleCheckError(error);
  }
}

export function ruleId(rule: GuardrailRule): string {
  return `${PACK_NAME}-${rule.name}`;
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

/** Runs every rule on a guardrail. */
export function evaluateRules(
  rules: readonly GuardrailRule[], guardrail: GuardrailInspection, options: ResolvedEncryptionOptions,
): Finding[] {
  const outcomes = ruleOutcomes(rules, guardrail, options);
  return rules
    .map((rule, i) => ({ rule, outcome: outcomes[i] }))
    .filter(({ outcome }) => outcome === 'non-compliant' || outcome instanceof RuleCheckError)
    .map(({ rule, outcome }) => ({
      ruleId: ruleId(rule),
      level: rule.level(options),
      info: outcome instanceof RuleCheckError ? `${rule.info(options)} The rule could not be checked: ${outcome.message}` : rule.info(options),
      explanation: rule.explanation,
      acknowledged: isAcknowledged(guardrail.node, ruleId(rule)),
    }));
}

/**
 * Whether `Validations.of(x).acknowledge({ id })` was called for the rule on the node or a scope
 * above it, with the bare rule id or the plugin-qualified `GuardrailEncryption::<rule id>`.
 */
export function isAcknowledged(node: IConstruct, id: string): boolean {
  const accepted = [id, `${PACK_NAME}::${id}`];
  for (let current: IConstruct | undefined = node; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      // aws-cdk-lib records bare ids with an `annotation::` (or `Annotation::`) prefix.
      if (Object.keys(entry.data).some((key) => accepted.includes(key.replace(/^annotation::/i, '')))) return true;
    }
  }
  return false;
}
