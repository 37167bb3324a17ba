import { guardrailRule, NonCompliance } from '../guardrail-rule';

/**
 * The guardrail is encrypted with a customer-managed key: it has a `KmsKeyArn`, which is a key ARN,
 * not an alias in any form (AWS managed keys are only reachable through `alias/aws/...`), not a key
 * id, and not the `Key.fromLookup` placeholder.
 */
export default guardrailRule(__filename, {
  info: 'The guardrail is not encrypted with a customer-managed KMS key (no KmsKeyArn, an alias or AWS managed key, a value that is not a key ARN, or the unresolved Key.fromLookup placeholder).',
  explanation: 'Without a customer-managed key, Bedrock encrypts the guardrail\'s policies (PII filters, denied topics, tuned strengths) with a key whose policy the account does not control, so it cannot restrict who may read them, audit key use per guardrail, or crypto-shred them. Set KmsKeyArn to the ARN of a customer-managed key (SecureGuardrail creates one).',
  check: (guardrail) => {
    if (guardrail.keyIdOf) {
      // `Ref` of a key gives its id, which CloudFormation refuses for KmsKeyArn (its schema takes an ARN).
      return new NonCompliance(`KmsKeyArn is ${JSON.stringify(guardrail.properties.KmsKeyArn)}, the key id of ${guardrail.keyIdOf.node.path}, `
        + 'which CloudFormation refuses; allowed: the key\'s ARN (Fn::GetAtt <key>.Arn; key.keyArn or CfnKey.attrArn, not key.keyId or CfnKey.ref).');
    }
    return guardrail.customerManagedKey;
  },
});
