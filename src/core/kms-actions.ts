/**
 * Explicit KMS action lists. Wildcards are avoided on purpose: `kms:Create*` contains
 * `kms:CreateGrant`, `kms:Re*` contains the ReEncrypt operations, and a future KMS action would join
 * a wildcard silently.
 */

/**
 * What a key administrator may do: manage the key and its policy, never use it. Without
 * `kms:ListAliases`, which KMS honours only in IAM policies (KMS developer guide, "Permissions
 * reference": ListAliases is not a key policy permission).
 */
export const KEY_ADMIN_ACTIONS: readonly string[] = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/**
 * What Bedrock's CloudFormation handlers do with the key on the deployer's behalf (create, update,
 * read and delete of AWS::Bedrock::Guardrail and AWS::Bedrock::GuardrailVersion), except CreateGrant,
 * which gets a statement of its own because it carries an extra condition. The handlers' RetireGrant
 * is not here: KMS authorizes it by the grant, not by the key policy ("The kms:RetireGrant permission
 * is not effective in a key policy", KMS developer guide, "Retiring and revoking grants").
 */
export const GUARDRAIL_DEPLOYMENT_ACTIONS: readonly string[] = ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'];

/** Grants Bedrock creates for itself while it stores the guardrail. */
export const GUARDRAIL_GRANT_ACTIONS: readonly string[] = ['kms:CreateGrant'];

/**
 * What auditors read about a key, none of it key material: its state and spec, its policy, its
 * rotation, its tags. Compliance checks such as `GuardrailEncryptionConfigRule` need it.
 */
export const KEY_AUDIT_ACTIONS: readonly string[] = ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'];

/** Applying a guardrail (ApplyGuardrail, InvokeModel/Converse with a guardrail) only reads it. */
export const GUARDRAIL_USE_ACTIONS: readonly string[] = ['kms:Decrypt'];

/**
 * Operations that expose or produce plaintext, or let a principal give itself access (CreateGrant):
 * never given to administrators, and what the least-privilege rule looks for in a key policy.
 */
export const CRYPTOGRAPHIC_ACTIONS: readonly string[] = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:CreateGrant',
];

/**
 * Every KMS action on a key (KMS developer guide, "Permissions reference"): what principals of other
 * accounts must not be allowed, and what the tests ask of each principal.
 */
export const KEY_POLICY_ACTIONS: readonly string[] = [
  'kms:CancelKeyDeletion', 'kms:ConnectCustomKeyStore', 'kms:CreateAlias', 'kms:CreateGrant', 'kms:Decrypt',
  'kms:DeleteAlias', 'kms:DeleteImportedKeyMaterial', 'kms:DeriveSharedSecret', 'kms:DescribeKey', 'kms:DisableKey',
  'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:Encrypt', 'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateMac', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:GetParametersForImport', 'kms:GetPublicKey',
  'kms:ImportKeyMaterial', 'kms:ListAliases', 'kms:ListGrants', 'kms:ListKeyPolicies', 'kms:ListKeyRotations',
  'kms:ListResourceTags', 'kms:PutKeyPolicy', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:ReplicateKey',
  'kms:RetireGrant', 'kms:RevokeGrant', 'kms:RotateKeyOnDemand', 'kms:ScheduleKeyDeletion', 'kms:Sign',
  'kms:TagResource', 'kms:UntagResource', 'kms:UpdateAlias', 'kms:UpdateKeyDescription', 'kms:UpdatePrimaryRegion',
  'kms:Verify', 'kms:VerifyMac',
];
