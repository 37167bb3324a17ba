import { DescribeKeyCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { callFailed, errorName } from './sdk';
import { KEY_MONTHLY_COST_USD, KEY_REQUIREMENTS } from '../../../core/key-requirements';

/** Keys `SecureGuardrail` created that no guardrail of the Region uses any more. */
export interface OrphanedKeys {
  /** `alias (key id)` of each orphaned key. */
  readonly keys: readonly string[];
  readonly monthlyCostUsd: number;
}

/**
 * The keys under the library's alias prefix (`alias/bedrock-guardrail/<guardrail name>`) that no
 * guardrail of the Region uses: their alias names no guardrail that exists and no version read this
 * run is encrypted with them. A guardrail whose versions could not be read still protects the key of
 * its name. Keys pending deletion (or gone) are not counted; a key whose state cannot be read is.
 */
export async function findOrphanedKeys(
  kms: KMSClient,
  guardrailNames: ReadonlySet<string>,
  usedKeyIds: ReadonlySet<string>,
  log: (line: string) => void,
): Promise<OrphanedKeys | undefined> {
  const aliasesByKey = new Map<string, string[]>();
  try {
    let marker: string | undefined;
    do {
      const page = await kms.send(new ListAliasesCommand({ Marker: marker }));
      for (const alias of page.Aliases ?? []) {
        if (!alias.AliasName?.startsWith(KEY_REQUIREMENTS.aliasPrefix) || !alias.TargetKeyId) continue;
        aliasesByKey.set(alias.TargetKeyId, [...(aliasesByKey.get(alias.TargetKeyId) ?? []), alias.AliasName]);
      }
      marker = page.Truncated ? page.NextMarker : undefined;
    } while (marker);
  } catch (error) {
    log(`WARNING orphaned keys not counted: ${callFailed('kms:ListAliases', error)}`);
    return undefined;
  }

  const orphaned: string[] = [];
  for (const [keyId, aliases] of aliasesByKey) {
    if (usedKeyIds.has(keyId) || aliases.some((alias) => guardrailNames.has(alias.slice(KEY_REQUIREMENTS.aliasPrefix.length)))) continue;
    const state = await keyState(kms, keyId);
    if (state === 'gone' || state === 'PendingDeletion' || state === 'PendingReplicaDeletion') continue;
    orphaned.push(`${aliases.join(', ')} (${keyId})`);
  }
  return { keys: orphaned, monthlyCostUsd: orphaned.length * KEY_MONTHLY_COST_USD };
}

async function keyState(kms: KMSClient, keyId: string): Promise<string | undefined> {
  try {
    return (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState;
  } catch (error) {
    return errorName(error) === 'NotFoundException' ? 'gone' : undefined;
  }
}
