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

/** A key tagged `BedrockGuardrail` whose guardrail does not exist: an orphan unless a version read in the run uses it. */
export interface OrphanCandidate {
  readonly keyArn: string;
  /** The guardrail its tag names. */
  readonly guardrail: string;
}

/**
 * The keys tagged `BedrockGuardrail` (every key the library creates carries the tag, with the name of
 * its guardrail) whose tag names no guardrail that exists (so the key of a guardrail the rule could not
 * read is not taken for an orphan). The tag outlives the guardrail's stack, unlike the key's alias.
 * `undefined` when they cannot be listed.
 */
export async function findOrphanCandidates(
  tagging: ResourceGroupsTaggingAPIClient, guardrailNames: ReadonlySet<string>, log: (line: string) => void,
): Promise<OrphanCandidate[] | undefined> {
  const candidates: OrphanCandidate[] = [];
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
        if (!mapping.ResourceARN || guardrail === undefined || guardrailNames.has(guardrail)) continue;
        candidates.push({ keyArn: mapping.ResourceARN, guardrail });
      }
      // The API ends its pages with an empty token rather than none.
      token = page.PaginationToken || undefined;
    } while (token);
  } catch (error) {
    log(`WARNING orphaned keys not counted: ${callFailed('tag:GetResources', error)}`);
    return undefined;
  }
  return candidates;
}

/** The key id of a key ARN, as the judgements list the keys they read. */
export function keyIdOf(keyArn: string): string {
  return keyArn.split('/').pop()!;
}

/**
 * The candidates that are orphans: no version read in the run is encrypted with them (the caller
 * leaves those out) and they are not pending deletion or gone; a key whose state cannot be read is counted.
 */
export async function confirmOrphans(kms: KMSClient, candidates: readonly OrphanCandidate[]): Promise<OrphanedKeys> {
  const orphaned: string[] = [];
  for (const { keyArn, guardrail } of candidates) {
    const state = await keyState(kms, keyArn);
    if (state === 'gone' || state === 'PendingDeletion' || state === 'PendingReplicaDeletion') continue;
    orphaned.push(`${keyIdOf(keyArn)} (guardrail ${guardrail})`);
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

/**
 * The orphaned keys of a run read in one go (the account audit): the candidates, less the keys a version
 * read uses, confirmed. `undefined` when the tagged keys cannot be listed.
 */
export async function findOrphanedKeys(
  tagging: ResourceGroupsTaggingAPIClient,
  kms: KMSClient,
  guardrailNames: ReadonlySet<string>,
  usedKeyIds: ReadonlySet<string>,
  log: (line: string) => void,
): Promise<OrphanedKeys | undefined> {
  const candidates = await findOrphanCandidates(tagging, guardrailNames, log);
  if (!candidates) return undefined;
  return confirmOrphans(kms, candidates.filter((candidate) => !usedKeyIds.has(keyIdOf(candidate.keyArn))));
}
