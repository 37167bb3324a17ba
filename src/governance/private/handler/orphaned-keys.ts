import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { callFailed, errorName } from './sdk';
import { KEY_REQUIREMENTS } from '../../../core/key-requirements';
import { KEY_MONTHLY_COST_USD } from '../../../core/kms-price';

/** Keys the library created that no guardrail of the Region uses any more. */
export interface OrphanedKeys {
  /** `<key id> (guardrail <name>)` of each orphaned key. */
  readonly keys: readonly string[];
  /** Their base monthly price (rotation charges aside). */
  readonly monthlyCostUsd: number;
}

/**
 * The keys tagged `BedrockGuardrail` (every key the library creates carries the tag, with the name of
 * its guardrail) that no guardrail of the Region uses: no version read this run is encrypted with
 * them and the guardrail their tag names does not exist (so the key of a guardrail the rule could not
 * read is not taken for an orphan). The tag outlives the guardrail's stack, unlike the key's alias.
 * Keys pending deletion (or gone) are not counted; a key whose state cannot be read is.
 */
export async function findOrphanedKeys(
  tagging: ResourceGroupsTaggingAPIClient,
  kms: KMSClient,
  guardrailNames: ReadonlySet<string>,
  usedKeyIds: ReadonlySet<string>,
  log: (line: string) => void,
): Promise<OrphanedKeys | undefined> {
  const tagged: Array<{ keyArn: string; guardrail: string }> = [];
  try {
    let token: string | undefined;
    do {
      const page = await tagging.send(new GetResourcesCommand({
        ResourceTypeFilters: ['kms:key'],
        TagFilters: [{ Key: KEY_REQUIREMENTS.guardrailTag }],
        PaginationToken: token,
      }));
      for (const mapping of page.ResourceTagMappingList ?? []) {
        const guardrail = mapping.Tags?.find((tag) => tag.Key === KEY_REQUIREMENTS.guardrailTag)?.Value;
        if (mapping.ResourceARN && guardrail !== undefined) tagged.push({ keyArn: mapping.ResourceARN, guardrail });
      }
      // The API ends its pages with an empty token rather than none.
      token = page.PaginationToken || undefined;
    } while (token);
  } catch (error) {
    log(`WARNING orphaned keys not counted: ${callFailed('tag:GetResources', error)}`);
    return undefined;
  }

  const orphaned: string[] = [];
  for (const { keyArn, guardrail } of tagged) {
    const keyId = keyArn.split('/').pop()!;
    if (usedKeyIds.has(keyId) || guardrailNames.has(guardrail)) continue;
    const state = await keyState(kms, keyArn);
    if (state === 'gone' || state === 'PendingDeletion' || state === 'PendingReplicaDeletion') continue;
    orphaned.push(`${keyId} (guardrail ${guardrail})`);
  }
  return { keys: orphaned, monthlyCostUsd: orphaned.length * KEY_MONTHLY_COST_USD };
}

async function keyState(kms: KMSClient, keyArn: string): Promise<string | undefined> {
  try {
    return (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata?.KeyState;
  } catch (error) {
    return errorName(error) === 'NotFoundException' ? 'gone' : undefined;
  }
}
