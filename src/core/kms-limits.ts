/**
 * What KMS allows and assumes, declared once for the key factory, the validators and the rules.
 * Source: AWS KMS API reference (CreateKey, EnableKeyRotation, ScheduleKeyDeletion) and the
 * AWS::KMS::Key CloudFormation schema.
 */

/** Automatic rotation period, in days; KMS rotates every 365 days when no period is given. */
export const ROTATION_DAYS = { min: 90, max: 2560, kmsDefault: 365 } as const;

/** Deletion waiting period, in days; 30 when none is given. */
export const PENDING_WINDOW_DAYS = { min: 7, max: 30, kmsDefault: 30 } as const;

/** KMS's tag limits. A guardrail's tags are also checked against its CloudFormation schema, which takes ASCII only. */
export const TAG_LIMITS = {
  keyLength: 128,
  valueLength: 256,
  characters: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
  charactersText: 'letters, digits, spaces and _ . : / = + - @',
  reservedPrefix: 'aws:',
} as const;
