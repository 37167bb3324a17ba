/**
 * The standard a guardrail's key is checked against, shared by `GuardrailEncryptionChecks`,
 * `GuardrailEncryptionAspect` and the compliance report.
 */
export interface GuardrailEncryptionOptions {
  /**
   * Tag keys that the guardrail and its key must both carry, with a non-empty value.
   *
   * @default ['Owner', 'Workload', 'DataSensitivity']
   */
  readonly requiredTags?: string[];

  /**
   * The longest automatic rotation period accepted, in days (90-2560).
   *
   * @default 365
   */
  readonly maxRotationDays?: number;

  /**
   * The shortest deletion waiting period accepted, in days (7-30).
   *
   * @default 30
   */
  readonly minPendingWindowDays?: number;

  /**
   * Report a key that cannot be inspected at synth (a literal ARN of a key outside the app, a
   * parameter, an import) as an error instead of a warning.
   *
   * @default false
   */
  readonly strict?: boolean;

  /**
   * ARNs of keys outside the app that the platform team has verified. A guardrail using one of them
   * passes the `KeyVerifiable` rule.
   *
   * @default - none
   */
  readonly allowedKeyArns?: string[];
}
