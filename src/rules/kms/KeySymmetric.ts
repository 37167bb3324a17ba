import { KEY_REQUIREMENTS } from '../../core/key-requirements';
import { keyRule } from '../guardrail-rule';

/** The guardrail's key is a symmetric encryption key, the only kind Bedrock accepts. */
export default keyRule(__filename, {
  info: 'The guardrail\'s KMS key is not a symmetric encryption key (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT).',
  explanation: 'Bedrock encrypts guardrails with symmetric encryption keys only; any other key makes the deployment fail.',
  check: (key) => {
    const { KeySpec: spec, KeyUsage: usage } = key.properties;
    return (spec === undefined || spec === KEY_REQUIREMENTS.keySpec) && (usage === undefined || usage === KEY_REQUIREMENTS.keyUsage);
  },
});
