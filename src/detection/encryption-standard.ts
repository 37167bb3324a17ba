import { GuardrailEncryptionOptions } from './guardrail-encryption-options';
import { fail } from '../guardrail/private/validate';

/** Options with their defaults applied, validated once. */
export interface ResolvedEncryptionOptions {
  readonly requiredTags: readonly string[];
  readonly maxRotationDays: number;
  readonly minPendingWindowDays: number;
  readonly strict: boolean;
  readonly allowedKeyArns: readonly string[];
}

export const DEFAULT_REQUIRED_TAGS = ['Owner', 'Workload', 'DataSensitivity'];

export function resolveEncryptionOptions(owner: string, options: GuardrailEncryptionOptions = {}): ResolvedEncryptionOptions {
  const resolved = {
    requiredTags: options.requiredTags ?? DEFAULT_REQUIRED_TAGS,
    maxRotationDays: options.maxRotationDays ?? 365,
    minPendingWindowDays: options.minPendingWindowDays ?? 30,
    strict: options.strict ?? false,
    allowedKeyArns: options.allowedKeyArns ?? [],
  };
  if (!Number.isInteger(resolved.maxRotationDays) || resolved.maxRotationDays < 90 || resolved.maxRotationDays > 2560) {
    fail(owner, 'maxRotationDays', resolved.maxRotationDays, 'a whole number of days from 90 to 2560');
  }
  if (!Number.isInteger(resolved.minPendingWindowDays) || resolved.minPendingWindowDays < 7 || resolved.minPendingWindowDays > 30) {
    fail(owner, 'minPendingWindowDays', resolved.minPendingWindowDays, 'a whole number of days from 7 to 30');
  }
  resolved.requiredTags.forEach((tag, i) => {
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > 128) {
      fail(owner, `requiredTags[${i}]`, tag, 'a tag key of 1-128 characters');
    }
  });
  resolved.allowedKeyArns.forEach((arn, i) => {
    if (!/^arn:[^:]+:kms:[^:]+:[0-9]{12}:key\/.+$/.test(arn)) {
      fail(owner, `allowedKeyArns[${i}]`, arn, 'a literal KMS key ARN, arn:<partition>:kms:<region>:<account>:key/<key-id>');
    }
  });
  return resolved;
}
