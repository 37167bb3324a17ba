import { keyRule, NonCompliance } from '../guardrail-rule';

/** Some principal of the key's account can change the key's policy, as KMS requires. */
export default keyRule(__filename, {
  info: 'No principal of the key\'s account may call kms:PutKeyPolicy on the guardrail\'s KMS key.',
  explanation: 'KMS refuses a key policy that would not let its caller update it again (the lockout safety check), so CloudFormation cannot create or update such a key, and a key nobody can administer cannot be repaired. Keep kms:PutKeyPolicy for the key administrators and the deployer; GuardrailKeyPolicy does.',
  check: (key) => {
    const analysis = key.keyPolicy!;
    return analysis.undecidable ? new NonCompliance(`The policy cannot be verified: ${analysis.undecidable}.`) : analysis.manageable;
  },
});
