import { GuardrailEncryptionOptions } from './guardrail-encryption-options';
import { KEY_ARN_SHAPE, parseKeyArn } from '../core/arns';
import { fail, Origin } from '../core/errors';
import { PENDING_WINDOW_DAYS, ROTATION_DAYS, TAG_LIMITS } from '../core/kms-limits';
import { checkSetting } from '../core/validation';
import { CREATED_KEY_DEFAULTS } from '../key/guardrail-key-factory';
import { MANDATORY_TAG_KEYS } from '../key/guardrail-tags';

/** Options with their defaults applied, validated once. */
export interface ResolvedEncryptionOptions {
  readonly requiredTags: readonly string[];
  readonly maxRotationDays: number;
  readonly minPendingWindowDays: number;
  readonly strict: boolean;
  readonly allowedKeyArns: readonly string[];
}

/** The tags `SecureGuardrail` applies from `mandatoryTags`. */
export const DEFAULT_REQUIRED_TAGS: readonly string[] = Object.values(MANDATORY_TAG_KEYS);

export function resolveEncryptionOptions(origin: Origin, options: GuardrailEncryptionOptions = {}): ResolvedEncryptionOptions {
  const resolved = {
    requiredTags: options.requiredTags ?? DEFAULT_REQUIRED_TAGS,
    maxRotationDays: options.maxRotationDays ?? CREATED_KEY_DEFAULTS.rotationDays,
    minPendingWindowDays: options.minPendingWindowDays ?? CREATED_KEY_DEFAULTS.pendingWindowDays,
    strict: options.strict ?? false,
    allowedKeyArns: options.allowedKeyArns ?? [],
  };
  checkSetting(origin, 'maxRotationDays', resolved.maxRotationDays, { ...ROTATION_DAYS, integer: true, unit: 'of days' });
  checkSetting(origin, 'minPendingWindowDays', resolved.minPendingWindowDays, { ...PENDING_WINDOW_DAYS, integer: true, unit: 'of days' });
  resolved.requiredTags.forEach((tag, i) => {
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > TAG_LIMITS.keyLength) {
      fail(origin, `requiredTags[${i}]`, tag, `a tag key of 1-${TAG_LIMITS.keyLength} characters`);
    }
  });
  resolved.allowedKeyArns.forEach((arn, i) => {
    if (parseKeyArn(arn) === undefined) {
      fail(origin, `allowedKeyArns[${i}]`, arn, `a literal KMS key ARN, ${KEY_ARN_SHAPE}`);
    }
  });
  return resolved;
}
