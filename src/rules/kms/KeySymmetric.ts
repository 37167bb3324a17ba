import { KEY_SYMMETRIC } from '../../core/key-checks';
import { keyRule } from '../guardrail-rule';

/** The guardrail's key is a symmetric encryption key, the only kind Bedrock accepts. */
export default keyRule(__filename, {
  info: KEY_SYMMETRIC.sentence,
  explanation: 'Bedrock encrypts guardrails with symmetric encryption keys only; any other key makes the deployment fail.',
  check: (key) => KEY_SYMMETRIC.check({ spec: key.properties.KeySpec, usage: key.properties.KeyUsage }) === undefined,
});
