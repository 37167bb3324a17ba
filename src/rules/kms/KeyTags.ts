import { hasRequiredTags, keyRule } from '../guardrail-rule';

/** The guardrail's key carries every required tag with a value. */
export default keyRule(__filename, {
  info: (options) => `The guardrail's KMS key does not carry all required tags (${options.requiredTags.join(', ')}) with a non-empty value.`,
  explanation: 'Keys are billed per month and live longer than the resources they protect; ownership tags say who decides about rotation, access and deletion. SecureGuardrail applies them from mandatoryTags to the key it creates and to a kms.Key of the app given as encryptionKey. For a key you brought another way (a CfnGuardrail\'s KmsKeyArn, a CfnKey, an included template), add them to the key with Tags.of(key).add(<tag>, <value>).',
  check: (key, options) => hasRequiredTags(key.properties, options),
});
