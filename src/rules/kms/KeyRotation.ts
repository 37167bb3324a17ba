import { ROTATION_DAYS } from '../../core/kms-limits';
import { keyRule } from '../guardrail-rule';

/** KMS rotates the guardrail's key automatically, at least as often as the standard requires. */
export default keyRule(__filename, {
  info: (options) => `The guardrail's KMS key does not rotate automatically at least every ${options.maxRotationDays} days.`,
  explanation: 'Automatic rotation limits how much is encrypted under one key version. Set EnableKeyRotation to true and RotationPeriodInDays (default 365) within the standard; values that are only known at deploy time cannot be verified and are reported.',
  check: (key, options) => {
    const { EnableKeyRotation: enabled, RotationPeriodInDays: period = ROTATION_DAYS.kmsDefault } = key.properties;
    return enabled === true && typeof period === 'number' && period <= options.maxRotationDays;
  },
});
