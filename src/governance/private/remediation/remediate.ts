import { isDeepStrictEqual } from 'util';
import {
  BedrockClient,
  CreateGuardrailVersionCommand,
  GetGuardrailCommand,
  GetGuardrailCommandOutput,
  ListGuardrailsCommand,
  ListTagsForResourceCommand,
  UpdateGuardrailCommand,
  UpdateGuardrailCommandInput,
} from '@aws-sdk/client-bedrock';
import { ConfigServiceClient, StartConfigRulesEvaluationCommand } from '@aws-sdk/client-config-service';
import { CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { updateRequestFrom } from './guardrail-update';
import { OWNERSHIP_TAG_KEYS, REMEDIATION_TAG, RemediationSettings } from './settings';
import { isGuardrailArn, parseArn, parseKeyArn } from '../../../core/arns';
import { KEY_REQUIREMENTS } from '../../../core/key-requirements';
import { keyPolicyJson, WIDE_USE_SIDS } from '../../../key/key-policy-statements';
import { listEnforcedGuardrails, readKey, readWideUse } from '../handler/guardrail-reading';
import { describeError } from '../handler/sdk';

/** What the SSM Automation document passes (the Config rule's resource id is the guardrail's ARN). */
export interface RemediationEvent {
  readonly guardrailArn?: string;
}

/** What the run did, returned to the automation (its output). */
export interface RemediationResult {
  readonly guardrailArn: string;
  /** REMEDIATED: the DRAFT is now on `keyArn`; UNCHANGED: nothing was changed, `reason` says why. */
  readonly outcome: 'REMEDIATED' | 'UNCHANGED';
  readonly reason: string;
  readonly keyArn?: string;
  /** Whether this run created the key (false: a named key, or the key an earlier run created). */
  readonly keyCreated?: boolean;
  /** The numbered version this run published, when it published one. */
  readonly versionPublished?: string;
  /** Whether the Config rule was asked to evaluate again, so that the time to remediate is recorded now. */
  readonly reevaluationRequested?: boolean;
}

export interface RemediationClients {
  readonly bedrock: BedrockClient;
  readonly kms: KMSClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly config: ConfigServiceClient;
  readonly settings: RemediationSettings;
  readonly log?: (line: string) => void;
  /** Waits between reads of a guardrail that is being updated; a test passes a clock of its own. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The statuses in which a guardrail cannot be updated or versioned yet. */
const BUSY = new Set(['CREATING', 'UPDATING', 'VERSIONING', 'DELETING']);

/**
 * Puts a guardrail whose DRAFT has no customer-managed key on one of the library's standard, keeping
 * every other setting, without ever replacing a customer-managed key. Safe to run again: a run that
 * stopped half-way finds the key it created by its tag, and publishes a version at most once per key.
 */
export async function remediateGuardrail(event: RemediationEvent, clients: RemediationClients): Promise<RemediationResult> {
  const { settings } = clients;
  const log = clients.log ?? ((line: string) => console.log(line));
  const guardrailArn = checkedGuardrailArn(event.guardrailArn, settings);

  const draft = await ready(clients, guardrailArn);
  const tagged = await keysCreatedFor(clients, guardrailArn);
  const unchanged = (reason: string, keyArn?: string): RemediationResult => {
    log(`UNCHANGED ${guardrailArn}: ${reason}`);
    return { guardrailArn, outcome: 'UNCHANGED', reason, keyArn };
  };
  let keyArn: string;
  let keyCreated = false;
  const ours = draft.kmsKeyArn !== undefined && (tagged.includes(draft.kmsKeyArn) || draft.kmsKeyArn === settings.keyArn);
  if (draft.kmsKeyArn && !ours) {
    const manager = await keyManager(clients.kms, draft.kmsKeyArn);
    if (manager !== 'AWS') {
      return unchanged(manager === 'CUSTOMER'
        ? `the guardrail is already encrypted with the customer-managed key ${draft.kmsKeyArn}: a customer-managed key is never replaced`
        : `the guardrail's key ${draft.kmsKeyArn} could not be described (${manager}): it is not replaced`, draft.kmsKeyArn);
    }
  }
  // Before re-keying, and before publishing a version on the key an earlier run put on the DRAFT.
  const wide = await wideUseOf(clients, guardrailArn);
  if (wide) return unchanged(wide, draft.kmsKeyArn);
  if (draft.kmsKeyArn && ours) {
    const refused = draft.kmsKeyArn === settings.keyArn ? undefined : await refusalOfTaggedKey(clients, draft.kmsKeyArn);
    if (refused) return unchanged(refused, draft.kmsKeyArn);
    keyArn = draft.kmsKeyArn;
  } else {
    const found = await keyFor(clients, guardrailArn, draft, tagged);
    if ('refused' in found) return unchanged(found.refused, draft.kmsKeyArn);
    ({ keyArn, keyCreated } = found);
  }

  if (draft.kmsKeyArn !== keyArn) {
    // Built before anything is sent: a member it does not know stops the run here.
    const request = updateRequestFrom(draft, guardrailArn, keyArn) as unknown as UpdateGuardrailCommandInput;
    await clients.bedrock.send(new UpdateGuardrailCommand(request));
    log(`UPDATED ${guardrailArn}: DRAFT now encrypted with ${keyArn}`);
  }

  const versionPublished = settings.publishVersion ? await publishVersion(clients, guardrailArn, keyArn) : undefined;
  const reevaluationRequested = await requestReevaluation(clients, log);
  return {
    guardrailArn,
    outcome: 'REMEDIATED',
    reason: `the DRAFT is encrypted with ${keyArn}${versionPublished ? `; version ${versionPublished} published` : ''}`,
    keyArn,
    keyCreated,
    versionPublished,
    reevaluationRequested,
  };
}

/** The guardrail's ARN, of the function's account and Region; anything else is refused before any call. */
function checkedGuardrailArn(arn: string | undefined, settings: RemediationSettings): string {
  const parts = arn === undefined ? undefined : parseArn(arn);
  if (arn === undefined || !isGuardrailArn(arn) || parts?.account !== settings.account || parts.region !== settings.region) {
    throw new Error(`guardrailArn must be the ARN of a guardrail of account ${settings.account} in ${settings.region} `
      + `(arn:${settings.partition}:bedrock:${settings.region}:${settings.account}:guardrail/<id>); received ${JSON.stringify(arn)}: nothing was changed.`);
  }
  return arn;
}

/** The DRAFT once it can be updated; a guardrail still being created or updated makes the run fail, for Config to retry. */
async function ready(clients: RemediationClients, guardrailArn: string, version?: string): Promise<GetGuardrailCommandOutput> {
  const sleep = clients.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt++) {
    const guardrail = await clients.bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: guardrailArn, guardrailVersion: version }));
    if (!BUSY.has(guardrail.status ?? '')) return guardrail;
    if (attempt >= 10) throw new Error(`the guardrail ${guardrailArn} is still ${guardrail.status}: try again later.`);
    await sleep(3000);
  }
}

/** Keys an earlier run created for this guardrail, by the remediation tag. */
async function keysCreatedFor(clients: RemediationClients, guardrailArn: string): Promise<string[]> {
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.tagging.send(new GetResourcesCommand({
      ResourceTypeFilters: ['kms:key'],
      TagFilters: [{ Key: REMEDIATION_TAG, Values: [guardrailArn] }],
      PaginationToken: token,
    }));
    for (const mapping of page.ResourceTagMappingList ?? []) if (mapping.ResourceARN) found.push(mapping.ResourceARN);
    token = page.PaginationToken || undefined;
  } while (token);
  return found;
}

async function keyManager(kms: KMSClient, keyArn: string): Promise<string> {
  try {
    return (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata?.KeyManager ?? 'unknown';
  } catch (error) {
    return describeError(error);
  }
}

/**
 * Why the guardrail must not be re-keyed by the remediation: it is enforced in the account or shared
 * with the organization, so every Bedrock call of the account or organization decrypts it, and a key
 * of the remediation's policy (which names the guardrail's callers only) would make those calls fail
 * once enforcement moved to a version on it. Also when that cannot be read: nothing is changed blind.
 */
async function wideUseOf(clients: RemediationClients, guardrailArn: string): Promise<string | undefined> {
  const reading = await readWideUse({ arn: guardrailArn }, clients.bedrock, listEnforcedGuardrails(clients.bedrock));
  if (reading.wideUse === 'account') {
    return 'the guardrail is enforced in the account (ListEnforcedGuardrailsConfiguration): its key must let every caller of the account decrypt it '
      + `through Bedrock (statement ${WIDE_USE_SIDS.account}), which a key the remediation creates does not`;
  }
  if (reading.wideUse === 'organization') {
    return 'the guardrail is shared (it has a resource policy, GetResourcePolicy): its key must let the callers of the organization decrypt it '
      + `through Bedrock (statement ${WIDE_USE_SIDS.organization}), which a key the remediation creates does not`;
  }
  if (reading.unread) return `whether the guardrail is enforced or shared could not be read (${reading.unread}): it is not re-keyed blind`;
  return undefined;
}

/** The policy the remediation writes on a key it creates, from its settings alone. */
function remediationKeyPolicy(settings: RemediationSettings): ReturnType<typeof keyPolicyJson> {
  const evaluator = settings.evaluatorRoleArn ? [settings.evaluatorRoleArn] : [];
  return keyPolicyJson(settings, {
    admins: settings.keyAdminArns,
    deployers: [settings.ownRoleArn],
    // The rule's own role reads the guardrail and the key, or the guardrail would turn "Not evaluated".
    users: [...settings.keyUserArns, ...evaluator],
    usersByTag: settings.keyUserTag,
    auditors: evaluator,
  });
}

/**
 * Why a key carrying the remediation tag is not one the remediation may use: anyone allowed to tag a
 * key can put the tag on a key of their own, so the tag alone proves nothing. A key is used only if
 * it is exactly what the remediation creates: enabled, symmetric, customer managed with key material
 * of KMS, and with the policy the remediation writes for the current settings.
 */
async function refusalOfTaggedKey(clients: RemediationClients, keyArn: string): Promise<string | undefined> {
  const facts = await readKey(clients.kms, keyArn);
  const m = facts.metadata;
  const refused = (why: string) => `the key ${keyArn} carries the tag ${REMEDIATION_TAG} of this guardrail but ${why}: it is not used, and no other key is created`;
  if (!m) return refused(facts.missing ? 'no longer exists' : `could not be described (${facts.problem})`);
  const expected = { KeyState: 'Enabled', KeyManager: 'CUSTOMER', KeySpec: KEY_REQUIREMENTS.keySpec, KeyUsage: KEY_REQUIREMENTS.keyUsage, Origin: 'AWS_KMS' } as const;
  for (const [field, value] of Object.entries(expected)) {
    const actual = (m as unknown as { [name: string]: unknown })[field];
    if (actual !== value) return refused(`its ${field} is ${String(actual)}, not ${value}`);
  }
  const policy = facts.policy;
  if (!policy || 'problem' in policy) return refused(`its policy could not be read (${policy && 'problem' in policy ? policy.problem : 'not read'})`);
  if (!isDeepStrictEqual(policy.document, remediationKeyPolicy(clients.settings))) {
    return refused('its policy is not the one the remediation writes for its current settings');
  }
  return undefined;
}

/** The named key, the key an earlier run created, or a new key of the standard; or why none is used. */
async function keyFor(
  clients: RemediationClients, guardrailArn: string, draft: GetGuardrailCommandOutput, tagged: readonly string[],
): Promise<{ keyArn: string; keyCreated: boolean } | { refused: string }> {
  const { settings, kms } = clients;
  if (settings.keyArn) return { keyArn: settings.keyArn, keyCreated: false };
  for (const arn of tagged) {
    const refused = await refusalOfTaggedKey(clients, arn);
    if (refused) return { refused };
  }
  if (tagged.length > 0) {
    // The earlier run may have stopped before rotation was turned on.
    await kms.send(new EnableKeyRotationCommand({ KeyId: tagged[0], RotationPeriodInDays: settings.rotationDays }));
    return { keyArn: tagged[0], keyCreated: false };
  }
  const tags = await ownershipTags(clients, guardrailArn);
  const created = await kms.send(new CreateKeyCommand({
    Description: `Encrypts the Bedrock guardrail ${draft.name} (${guardrailArn}); created by the remediation of its AWS Config rule`,
    KeySpec: KEY_REQUIREMENTS.keySpec,
    KeyUsage: KEY_REQUIREMENTS.keyUsage,
    Policy: JSON.stringify(remediationKeyPolicy(settings)),
    // Tagged as it is created, so that a run stopping right after finds it.
    Tags: [
      ...Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
      { TagKey: KEY_REQUIREMENTS.guardrailTag, TagValue: draft.name ?? '' },
      { TagKey: REMEDIATION_TAG, TagValue: guardrailArn },
    ],
  }));
  const keyArn = created.KeyMetadata?.Arn;
  if (!keyArn || !parseKeyArn(keyArn)) throw new Error(`kms:CreateKey returned no key ARN (${JSON.stringify(keyArn)}): the guardrail was not changed.`);
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyArn, RotationPeriodInDays: settings.rotationDays }));
  return { keyArn, keyCreated: true };
}

/** The guardrail's own ownership tags, completed from the settings; a missing one stops the run. */
async function ownershipTags(clients: RemediationClients, guardrailArn: string): Promise<{ [key: string]: string }> {
  const own = (await clients.bedrock.send(new ListTagsForResourceCommand({ resourceARN: guardrailArn }))).tags ?? [];
  const tags: { [key: string]: string } = {};
  for (const key of OWNERSHIP_TAG_KEYS) {
    const value = own.find((tag) => tag.key === key)?.value ?? clients.settings.tags[key];
    if (value === undefined || value === '') {
      throw new Error(`the guardrail ${guardrailArn} has no ${key} tag and the remediation's tags give none: nothing was changed.`);
    }
    tags[key] = value;
  }
  return tags;
}

/**
 * A new numbered version on the key, when the guardrail has numbered versions and the newest is not
 * on it yet. The client token makes a repeated call for the same key publish one version.
 */
async function publishVersion(clients: RemediationClients, guardrailArn: string, keyArn: string): Promise<string | undefined> {
  const versions: number[] = [];
  let token: string | undefined;
  do {
    const page = await clients.bedrock.send(new ListGuardrailsCommand({ guardrailIdentifier: guardrailArn, nextToken: token }));
    for (const summary of page.guardrails ?? []) {
      if (summary.version && /^\d+$/.test(summary.version)) versions.push(Number(summary.version));
    }
    token = page.nextToken;
  } while (token);
  if (versions.length === 0) return undefined;
  const newestVersion = String(Math.max(...versions));
  const newest = await clients.bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: guardrailArn, guardrailVersion: newestVersion }));
  if (newest.kmsKeyArn === keyArn) return undefined;
  await ready(clients, guardrailArn);
  const created = await clients.bedrock.send(new CreateGuardrailVersionCommand({
    guardrailIdentifier: guardrailArn,
    description: `Encrypted with ${keyArn} by the remediation of the guardrail's AWS Config rule`,
    clientRequestToken: `rekey-${parseKeyArn(keyArn)?.keyId ?? 'key'}`.slice(0, 256),
  }));
  return created.version;
}

/**
 * Asks the Config rule to evaluate now, so that the guardrail's COMPLIANT result, and with it the
 * time to remediate the rule publishes, is recorded when the remediation ends rather than at the
 * rule's next scheduled run. Best effort: the remediation stands without it.
 */
async function requestReevaluation(clients: RemediationClients, log: (line: string) => void): Promise<boolean> {
  const rule = clients.settings.configRuleName;
  if (!rule) return false;
  try {
    await clients.config.send(new StartConfigRulesEvaluationCommand({ ConfigRuleNames: [rule] }));
    return true;
  } catch (error) {
    log(`WARNING the rule ${rule} was not asked to evaluate again (${describeError(error)}): the time to remediate is recorded at its next run`);
    return false;
  }
}
