/**
 * What KMS allows and assumes, declared once for the key factory, the validators and the rules.
 * Source: AWS KMS API reference (CreateKey, EnableKeyRotation, ScheduleKeyDeletion) and the
 * AWS::KMS::Key CloudFormation schema.
 */

/** Automatic rotation period, in days; KMS rotates every 365 days when no period is given. */
export const ROTATION_DAYS = { min: 90, max: 2560, kmsDefault: 365 } as const;

/** Deletion waiting period, in days; 30 when none is given. */
export const PENDING_WINDOW_DAYS = { min: 7, max: 30, kmsDefault: 30 } as const;

/**
 * KMS's tag limits. A guardrail's tags are also checked against its CloudFormation schema, which takes ASCII only.
 * Characters: the AWS::KMS::Key Tag reference (Unicode letters, digits, white space and `_ . : / = + - @`; the KMS
 * API and the key's registry schema state lengths only), white space as ECMA-262's `\s` (tab included).
 * Count: "Each resource can have up to 50 user-created tags" (KMS developer guide, Tags in AWS KMS); tags with
 * the reserved `aws:` prefix are not user-created.
 */
export const TAG_LIMITS = {
  keyLength: 128,
  valueLength: 256,
  characters: /^[\p{L}\p{N}\s_.:/=+\-@]*$/u,
  charactersText: 'letters, digits, white space and _ . : / = + - @',
  reservedPrefix: 'aws:',
  maxTagsPerKey: 50,
} as const;
