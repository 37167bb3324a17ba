import { KEY_RETAINED } from '../../core/key-checks';
import { keyRule } from '../guardrail-rule';

/** CloudFormation never deletes the guardrail's key, on stack deletion or on replacement. */
export default keyRule(__filename, {
  info: KEY_RETAINED.sentence,
  explanation: 'Removing the key from a stack, deleting the stack or replacing the key would schedule its deletion and make the guardrail unreadable. Use RemovalPolicy.RETAIN; crypto-shredding is a deliberate runbook, not a side effect of a deployment.',
  check: (key) => KEY_RETAINED.check({ deletionPolicy: key.deletionPolicy, updateReplacePolicy: key.updateReplacePolicy }) === undefined,
});
