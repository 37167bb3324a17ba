import { keyRule } from '../guardrail-rule';

/** CloudFormation never deletes the guardrail's key, on stack deletion or on replacement. */
export default keyRule(__filename, {
  info: 'The guardrail\'s KMS key is not retained by CloudFormation (DeletionPolicy and UpdateReplacePolicy Retain).',
  explanation: 'Removing the key from a stack, deleting the stack or replacing the key would schedule its deletion and make the guardrail unreadable. Use RemovalPolicy.RETAIN; crypto-shredding is a deliberate runbook, not a side effect of a deployment.',
  check: (key) => ['Retain', 'RetainExceptOnCreate'].includes(key.deletionPolicy ?? '') && key.updateReplacePolicy === 'Retain',
});
