import type { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { MandatoryTags } from '../key/mandatory-tags';

/**
 * Principals that carry an IAM tag: `aws:PrincipalTag/<key>` equals `value`.
 */
export interface PrincipalTagCondition {
  /** The tag key (1-128 characters). */
  readonly key: string;
  /** The tag value (0-256 characters). */
  readonly value: string;
}

/**
 * The opt-in remediation of `GuardrailEncryptionConfigRule`: an AWS Config remediation (an SSM
 * Automation document that invokes a Lambda function) that puts a guardrail whose working draft has
 * no customer-managed key on one of the library's standard, keeping every other setting. It never
 * replaces a customer-managed key. See the README, "Remediating non-compliant guardrails".
 */
export interface GuardrailEncryptionRemediationProps {
  /**
   * Run the remediation on every NON_COMPLIANT guardrail without a person asking. Needs
   * `keyUserArns` or `keyUserPrincipalTag` (unless `key` is given): without them the new key would
   * let no caller decrypt the guardrail, and every application applying it would fail.
   *
   * @default false - the remediation runs when someone starts it from the AWS Config console or
   * with `aws configservice start-remediation-execution`
   */
  readonly automatic?: boolean;

  /**
   * How many times Config tries the automatic remediation of one guardrail within `retryAttemptInterval`
   * (1-25; automatic mode only).
   *
   * @default 5
   */
  readonly maximumAutomaticAttempts?: number;

  /**
   * The period within which Config makes at most `maximumAutomaticAttempts` attempts (1 second to
   * 2678000 seconds; automatic mode only).
   *
   * @default Duration.minutes(1)
   */
  readonly retryAttemptInterval?: Duration;

  /**
   * A customer-managed key of the rule's account and Region to put guardrails on, instead of creating
   * one key per guardrail. Its key policy must let the remediation function's role (`remediationRole`)
   * use it through Bedrock (DescribeKey, GenerateDataKey, Decrypt, CreateGrant for AWS resources) and
   * the guardrails' callers decrypt.
   *
   * @default - one key per guardrail, created with `GuardrailKeyPolicy`'s statements
   */
  readonly key?: kms.IKey;

  /**
   * The roles or users that apply the guardrails (ApplyGuardrail, model calls with a guardrail,
   * agents' and flows' service roles): they get `kms:Decrypt` through Bedrock on a created key.
   * IAM role or user ARNs of the rule's account; `*` may stand for a name or a path
   * (`arn:aws:iam::111122223333:role/apps/*`). Principals that would make a created key's policy fail
   * the rule's `KeyPolicyLeastPrivilege` (such as `role/*`) are refused at synth.
   *
   * @default - none
   */
  readonly keyUserArns?: string[];

  /**
   * Alternatively (or as well), the callers that carry this IAM principal tag get `kms:Decrypt`
   * through Bedrock on a created key.
   *
   * @default - none
   */
  readonly keyUserPrincipalTag?: PrincipalTagCondition;

  /**
   * Administrators of a created key (management only, no cryptographic operation): IAM role or user
   * ARNs of the rule's account. The remediation function's role administers it too (KMS refuses a
   * policy that locks its creator out).
   *
   * @default - the account root, which lets IAM policies of the account grant administration
   */
  readonly keyAdminArns?: string[];

  /**
   * Ownership tags of a created key, for a guardrail that does not carry the tags `Owner`,
   * `Workload` and `DataSensitivity` itself (its own win). A guardrail with neither is left unchanged.
   *
   * @default - the guardrail's own tags only
   */
  readonly tags?: MandatoryTags;

  /**
   * How often KMS rotates a created key (90 days up to the rule's `maxRotationDays`).
   *
   * @default Duration.days(365)
   */
  readonly keyRotationPeriod?: Duration;

  /**
   * Publish a new numbered version (CreateGuardrailVersion) once the draft is on the key, for a
   * guardrail that has numbered versions: existing versions keep the key they were published with.
   * The version is a snapshot of the whole DRAFT, so it includes any draft edit not yet released.
   *
   * @default false
   */
  readonly publishVersion?: boolean;
}

