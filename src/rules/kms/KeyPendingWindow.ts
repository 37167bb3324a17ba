import { KEY_PENDING_WINDOW } from '../../core/key-checks';
import { keyRule } from '../guardrail-rule';

/** Scheduling the key's deletion leaves enough time to notice and cancel it. */
export default keyRule(__filename, {
  info: (options) => KEY_PENDING_WINDOW.sentence(options.minPendingWindowDays),
  explanation: 'Once a key is deleted, every guardrail encrypted with it is lost. The waiting period (PendingWindowInDays, default 30) is the time left to notice a scheduled deletion and cancel it.',
  check: (key, options) => KEY_PENDING_WINDOW.check(key.properties.PendingWindowInDays, options.minPendingWindowDays) === undefined,
});
