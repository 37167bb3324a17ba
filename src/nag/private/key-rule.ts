import { GuardrailRule, guardrailRule, RuleLevel } from './guardrail-rule';
import { ResolvedEncryptionOptions } from '../../detection/encryption-standard';
import { EffectiveResource } from '../../detection/guardrail-inspection';

export interface KeyRuleDefinition {
  info: string | ((options: ResolvedEncryptionOptions) => string);
  explanation: string;
  level?: RuleLevel;
  /** True when the key meets the rule. */
  check(key: EffectiveResource, options: ResolvedEncryptionOptions): boolean;
}

/**
 * A rule on the guardrail's key, checked from the guardrail (so a finding names the guardrail that
 * depends on the key). Not applicable when the key is not part of the app: `KeyVerifiable` reports that.
 */
export function keyRule(filename: string, definition: KeyRuleDefinition): GuardrailRule {
  return guardrailRule(filename, {
    ...definition,
    check: (guardrail, options) => {
      if (guardrail.kind !== 'resource' || !guardrail.key) return 'not-applicable';
      return definition.check(guardrail.key, options) ? 'compliant' : 'non-compliant';
    },
  });
}
