import { KEY_ENABLED } from '../../core/key-checks';
import { keyRule } from '../guardrail-rule';

/** The guardrail's key is enabled. */
export default keyRule(__filename, {
  info: KEY_ENABLED.sentence,
  explanation: 'Bedrock cannot read a guardrail whose key is disabled: every call that applies it fails.',
  check: (key) => KEY_ENABLED.check(key.properties.Enabled) === undefined,
});
