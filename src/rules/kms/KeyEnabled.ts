import { keyRule } from '../guardrail-rule';

/** The guardrail's key is enabled. */
export default keyRule(__filename, {
  info: 'The guardrail\'s KMS key is disabled (Enabled: false).',
  explanation: 'Bedrock cannot read a guardrail whose key is disabled: every call that applies it fails.',
  check: (key) => key.properties.Enabled !== false,
});
