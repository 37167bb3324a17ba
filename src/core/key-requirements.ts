/**
 * The numbers and kinds of the guardrail key standard, declared once for the key factory, the rules
 * (pack and aspect), the compliance report and the Config rule's handler, which is bundled without
 * aws-cdk-lib and so can only share plain values.
 */
export const KEY_REQUIREMENTS = {
  /** The longest automatic rotation period accepted by default, in days. */
  maxRotationDays: 365,
  /** The shortest deletion waiting period accepted by default, in days. */
  minPendingWindowDays: 30,
  /** The only key spec Bedrock encrypts guardrails with. */
  keySpec: 'SYMMETRIC_DEFAULT',
  /** The only key usage Bedrock encrypts guardrails with. */
  keyUsage: 'ENCRYPT_DECRYPT',
  /** The alias prefix of the keys `SecureGuardrail` creates. */
  aliasPrefix: 'alias/bedrock-guardrail/',
  /**
   * The tag every key the library creates carries, with the name of the guardrail it encrypts: how
   * the Config rule finds keys whose guardrail is gone (their alias goes with the guardrail's stack).
   */
  guardrailTag: 'BedrockGuardrail',
} as const;
