import CMKRequired from './bedrock/CMKRequired';
import CustomResourceCMK from './bedrock/CustomResourceCMK';
import GuardrailNameUnique from './bedrock/GuardrailNameUnique';
import GuardrailTags from './bedrock/GuardrailTags';
import KeyPlacement from './bedrock/KeyPlacement';
import KeyVerifiable from './bedrock/KeyVerifiable';
import { GuardrailRule } from './guardrail-rule';
import KeyAliasUnique from './kms/KeyAliasUnique';
import KeyEnabled from './kms/KeyEnabled';
import KeyManageable from './kms/KeyManageable';
import KeyPendingWindow from './kms/KeyPendingWindow';
import KeyPolicyLeastPrivilege from './kms/KeyPolicyLeastPrivilege';
import KeyRetained from './kms/KeyRetained';
import KeyRotation from './kms/KeyRotation';
import KeySymmetric from './kms/KeySymmetric';
import KeyTags from './kms/KeyTags';

/** Every rule of the pack, in the order findings are reported. */
export const GUARDRAIL_RULES: readonly GuardrailRule[] = [
  CMKRequired,
  KeyPlacement,
  KeyVerifiable,
  GuardrailTags,
  CustomResourceCMK,
  KeySymmetric,
  KeyRotation,
  KeyPendingWindow,
  KeyRetained,
  KeyEnabled,
  KeyPolicyLeastPrivilege,
  KeyManageable,
  KeyTags,
  GuardrailNameUnique,
  KeyAliasUnique,
];
