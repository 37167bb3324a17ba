import { KEY_ROTATION } from '../../core/key-checks';
import { keyRule } from '../guardrail-rule';

/** KMS rotates the guardrail's key automatically, at least as often as the standard requires. */
export default keyRule(__filename, {
  info: (options) => KEY_ROTATION.sentence(options.maxRotationDays),
  explanation: 'Automatic rotation limits how much is encrypted under one key version. Set EnableKeyRotation to true and RotationPeriodInDays (default 365) within the standard; values that are only known at deploy time cannot be verified and are reported.',
  check: (key, options) => {
    const { EnableKeyRotation: enabled, RotationPeriodInDays: periodDays } = key.properties;
    return KEY_ROTATION.check({ enabled, periodDays }, options.maxRotationDays) === undefined;
  },
});
