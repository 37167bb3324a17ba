/**
 * The pack's rule ids, for the places that report a rule's finding besides the pack: the shared key
 * checks and the Config rule's handler (bundled without aws-cdk-lib), so that a finding names the
 * same rule at synth and at runtime.
 */

/** The pack's name: rule ids are `<PACK_NAME>-<RuleName>`, and the plugin name for acknowledgements. */
export const PACK_NAME = 'GuardrailEncryption';

/** The names of the rules that are also checked outside `src/rules`; each is a rule file's name there. */
export const SHARED_RULE_NAMES = {
  cmkRequired: 'CMKRequired',
  keyPlacement: 'KeyPlacement',
  keySymmetric: 'KeySymmetric',
  keyRotation: 'KeyRotation',
  keyPendingWindow: 'KeyPendingWindow',
  keyRetained: 'KeyRetained',
  keyEnabled: 'KeyEnabled',
  keyPolicyLeastPrivilege: 'KeyPolicyLeastPrivilege',
} as const;

/** A rule's id in the pack, from its name (its file's name). */
export function packRuleId(ruleName: string): string {
  return `${PACK_NAME}-${ruleName}`;
}
