import { PENDING_WINDOW_DAYS } from '../../core/kms-limits';
import { keyRule } from '../guardrail-rule';

/** Scheduling the key's deletion leaves enough time to notice and cancel it. */
export default keyRule(__filename, {
  info: (options) => `The guardrail's KMS key has a deletion waiting period shorter than ${options.minPendingWindowDays} days.`,
  explanation: 'Once a key is deleted, every guardrail encrypted with it is lost. The waiting period (PendingWindowInDays, default 30) is the time left to notice a scheduled deletion and cancel it.',
  check: (key, options) => {
    const { PendingWindowInDays: days = PENDING_WINDOW_DAYS.kmsDefault } = key.properties;
    return typeof days === 'number' && days >= options.minPendingWindowDays;
  },
});
