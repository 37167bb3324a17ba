import { guardrailRule, hasRequiredTags } from '../guardrail-rule';

/** The guardrail carries every required tag with a value. */
export default guardrailRule(__filename, {
  info: (options) => `The guardrail does not carry all required tags (${options.requiredTags.join(', ')}) with a non-empty value.`,
  explanation: 'Ownership tags say who answers for the guardrail, which workload it protects and how sensitive its policies are; cost allocation and incident response depend on them. SecureGuardrail applies them from mandatoryTags.',
  check: (guardrail, options) => hasRequiredTags(guardrail.properties, options),
});
