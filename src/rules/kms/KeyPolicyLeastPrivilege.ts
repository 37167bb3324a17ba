import { describeExposures } from '../../core/key-policy-analysis';
import { keyRule, NonCompliance } from '../guardrail-rule';

/**
 * The guardrail's key policy lets only its named principals of the key's account use the key, and
 * only through Bedrock in the key's Region; a service only for resources of the key's account.
 * Decided by evaluating the policy (`analyzeKeyPolicy`), not by the shape of its statements.
 */
export default keyRule(__filename, {
  info: 'The guardrail\'s KMS key policy lets a cryptographic operation (Decrypt, Encrypt, GenerateDataKey*, ReEncrypt*, CreateGrant) be used beyond the named principals of the key\'s account through Bedrock in the key\'s Region.',
  explanation: 'CDK\'s and KMS\'s default key policy lets the account root do kms:*, which lets every IAM administrator decrypt the guardrail\'s policies; "*" narrowed only by account or organization, principals of other accounts, kms:ViaService of another service and services without aws:SourceAccount/aws:SourceArn open it just as wide. Name the roles that may use the key (by principal or aws:PrincipalArn) and limit them to Bedrock in the key\'s Region with kms:ViaService; GuardrailKeyPolicy builds such a policy. A policy that cannot be evaluated at synth is reported, never passed.',
  check: (key) => {
    const analysis = key.keyPolicy!;
    if (analysis.undecidable) return new NonCompliance(`The policy cannot be verified: ${analysis.undecidable}.`);
    if (analysis.exposures.length === 0) return true;
    return new NonCompliance(`Found: ${describeExposures(analysis.exposures, 3).join('; ')}.`);
  },
});
