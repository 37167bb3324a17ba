import { guardrailRule } from '../guardrail-rule';

/**
 * The guardrail's key can be inspected at synth: it is a key of the app, or an ARN the platform
 * team has allowed. Anything else (a literal ARN of another app, a parameter, an import, a looked-up
 * key) is reported, never passed silently.
 */
export default guardrailRule(__filename, {
  info: 'The guardrail\'s KMS key is not part of the app, so its rotation, deletion protection, policy and tags cannot be verified at synth.',
  explanation: 'Keys defined outside the app (a literal ARN, a parameter, an import, Key.fromLookup) cannot be checked here. Define the key in the app, add its ARN to allowedKeyArns once the platform team has verified it, or acknowledge the finding with the reason.',
  level: (options) => (options.strict ? 'error' : 'warning'),
  check: (guardrail, options) => {
    if (guardrail.keySource === 'none' || guardrail.keyArn.kind === 'lookup-dummy') return 'not-applicable';
    return guardrail.keySource === 'in-app' || options.allowedKeyArns.includes(guardrail.keyArn.text);
  },
});
