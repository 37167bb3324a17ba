/*
 * The KMS and Bedrock management events that threaten a guardrail's encryption: one definition for
 * GuardrailKeyMonitoring (per watched key and guardrail) and the organization baseline's forwarding
 * (every key of the account).
 */

/**
 * Management events that change a key's usability, its material, where it lives, who can use it or
 * how it is classified: alerted whoever makes them.
 */
export const ALWAYS_ALERTED = [
  'DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'PutKeyPolicy', 'DisableKeyRotation', 'RevokeGrant',
  'ImportKeyMaterial', 'DeleteImportedKeyMaterial', 'ReplicateKey', 'UpdatePrimaryRegion', 'TagResource', 'UntagResource',
];
/** Grant events: Bedrock creates and retires grants on guardrail keys itself, so only other callers are alerted. */
export const GRANT_EVENTS = ['CreateGrant', 'RetireGrant'];
/** KMS's own events about a key's end: the key deleted after its waiting period, its imported material expired. */
export const KEY_LIFECYCLE_EVENTS = ['KMS CMK Deletion', 'KMS Imported Key Material Expiration'];
/** Bedrock management events that can weaken a guardrail's encryption: its key dropped or swapped, or the guardrail gone. */
export const GUARDRAIL_EVENTS = ['UpdateGuardrail', 'DeleteGuardrail'];
