import { guardrailRule } from '../guardrail-rule';

/** A guardrail created or updated through the Bedrock API by a custom resource names a customer-managed key. */
export default guardrailRule(__filename, {
  info: 'A custom resource creates or updates a Bedrock guardrail without a customer-managed key (kmsKeyId missing or an alias).',
  explanation: 'Guardrails created through the SDK (AwsCustomResource calling CreateGuardrail or UpdateGuardrail) escape the checks on AWS::Bedrock::Guardrail. Pass kmsKeyId with a customer-managed key in every call, or use SecureGuardrail.',
  appliesTo: 'custom-resource',
  check: (guardrail) => guardrail.customerManagedKey,
});
