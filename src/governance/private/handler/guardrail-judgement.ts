import { GuardrailSummary } from '@aws-sdk/client-bedrock';
import { BedrockReader, DRAFT, EnforcedGuardrails, KeyFacts, KmsReader, listEnforcedGuardrails, listVersions, readKey, readVersion, readWideUse, VersionReading } from './guardrail-reading';
import { EvaluationSettings } from './settings';
import { parseKeyArn } from '../../../core/arns';
import { briefFindingLine, findingLine, KEY_ENABLED, KEY_PLACEMENT, KEY_ROTATION, KEY_SYMMETRIC, KeyFinding, PlacementPart } from '../../../core/key-checks';
import { analyzeKeyPolicy, describeExposures, WideUse } from '../../../core/key-policy-analysis';
import { packRuleId, SHARED_RULE_NAMES } from '../../../core/rule-ids';

/*
 * The judgement of a guardrail from what guardrail-reading.ts read of it: no AWS Config and no Lambda
 * here, so that every enforcement point judges the same way, with the pack's rule ids and wording.
 */

/** What one guardrail was found to be, all its versions taken together. */
export interface GuardrailJudgement {
  readonly guardrailArn: string;
  readonly compliant: boolean;
  /** False when some version could not be evaluated (and none was found non-compliant). */
  readonly evaluated: boolean;
  /** Every version is encrypted with a key DescribeKey confirmed as customer managed. */
  readonly encryptedWithCmk: boolean;
  /** Why, without the "Non-compliant:" or "Not evaluated:" lead, which depends on the history. */
  readonly reason: string;
  /** The ids of the keys the versions that were read are encrypted with. */
  readonly keyIds: readonly string[];
  /** Some version could not be read, so its key is unknown. */
  readonly unreadVersions: boolean;
  /** Each version still there, the draft first, with the key GetGuardrail named (for the account audit). */
  readonly versions: readonly VersionOutcome[];
}

/** One version of a guardrail and what it was found to be. */
export interface VersionOutcome {
  /** `DRAFT` or the version's number. */
  readonly version: string;
  /** The key GetGuardrail named; absent when it named none (an AWS owned key) or could not be read. */
  readonly kmsKeyArn?: string;
  readonly status: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_EVALUATED';
}

export interface JudgementContext {
  readonly bedrock: BedrockReader;
  readonly kms: KmsReader;
  readonly settings: EvaluationSettings;
  readonly accountId?: string;
  /** Several guardrails and versions often share a key: each key is read once per run. */
  readonly keyFacts: Map<string, Promise<KeyFacts>>;
}

/** What one version was found to be. */
type VersionJudgement =
  | { readonly kind: 'compliant'; readonly keyId: string }
  | { readonly kind: 'non-compliant'; readonly reasons: string[]; readonly encryptedWithCmk: boolean; readonly keyId?: string }
  | { readonly kind: 'not-evaluated'; readonly why: string; readonly encryptedWithCmk: boolean; readonly keyId?: string; readonly unread?: boolean }
  /** Deleted between listing and reading: nothing left to evaluate. */
  | { readonly kind: 'deleted' };

/** The key a version's GetGuardrail named, kept beside its judgement for the audit's listing. */
type KeyNamed = { readonly kmsKeyArn?: string };

const VERSION_STATUS = { 'compliant': 'COMPLIANT', 'non-compliant': 'NON_COMPLIANT', 'not-evaluated': 'NOT_EVALUATED' } as const;

/**
 * Evaluates every version of a guardrail, the working draft and the numbered versions that production
 * traffic runs: NON_COMPLIANT if any version is, with the versions named when there are several.
 * Returns `undefined` for a guardrail deleted since it was listed.
 */
export async function judgeGuardrail(summary: GuardrailSummary, context: JudgementContext): Promise<GuardrailJudgement | undefined> {
  const guardrailArn = summary.arn ?? summary.id ?? 'unknown';
  // Every guardrail has a draft: it is read while its numbered versions are listed, and they are read together.
  const draft = judgeVersion(summary, DRAFT, context);
  const versions = await listVersions(summary, context.bedrock);
  if ('gone' in versions) return undefined;
  if ('problem' in versions) {
    const unread = { compliant: false, evaluated: false, encryptedWithCmk: false, keyIds: [], unreadVersions: true, versions: [] };
    return { guardrailArn, ...unread, reason: versions.problem };
  }
  const judged: Array<[string, VersionJudgement & KeyNamed]> = await Promise.all(versions.versions.map(async (version) =>
    [version, await (version === DRAFT ? draft : judgeVersion(summary, version, context))] as [string, VersionJudgement & KeyNamed]));
  type Live = Exclude<VersionJudgement, { kind: 'deleted' }> & KeyNamed;
  const live = judged.filter((entry): entry is [string, Live] => entry[1].kind !== 'deleted');
  if (live.length === 0) return undefined;

  const labelled = live.length > 1;
  const keyIds = [...new Set(live.flatMap(([, v]) => v.keyId === undefined ? [] : [v.keyId]))];
  const unreadVersions = live.some(([, v]) => v.kind === 'not-evaluated' && v.unread === true);
  const encryptedWithCmk = live.every(([, v]) => v.kind === 'compliant' || v.encryptedWithCmk);
  const outcomes = live.map(([version, v]): VersionOutcome => ({ version, kmsKeyArn: v.kmsKeyArn, status: VERSION_STATUS[v.kind] }));
  const base = { guardrailArn, encryptedWithCmk, keyIds, unreadVersions, versions: outcomes };

  const nonCompliant = live.filter(([, v]) => v.kind === 'non-compliant') as Array<[string, Extract<VersionJudgement, { kind: 'non-compliant' }>]>;
  if (nonCompliant.length > 0) {
    return { ...base, compliant: false, evaluated: true, reason: byVersion(nonCompliant.map(([version, v]) => [version, v.reasons.join('; ')]), labelled) };
  }
  const unevaluated = live.filter(([, v]) => v.kind === 'not-evaluated') as Array<[string, Extract<VersionJudgement, { kind: 'not-evaluated' }>]>;
  if (unevaluated.length > 0) {
    return { ...base, compliant: false, evaluated: false, reason: byVersion(unevaluated.map(([version, v]) => [version, v.why]), labelled) };
  }
  const allowListed = context.settings.allowedKeyArns !== undefined ? ', in the allow-list' : '';
  const what = labelled ? `All ${live.length} versions are encrypted with customer-managed key${keyIds.length > 1 ? 's' : ''} ${keyIds.join(', ')}` : `Encrypted with customer-managed key ${keyIds[0]}`;
  return {
    ...base,
    compliant: true,
    evaluated: true,
    reason: `${what} of this account and Region: enabled, automatic rotation on at least every ${context.settings.maxRotationDays} days, least-privilege key policy${allowListed}.`,
  };
}

/** "DRAFT and version 2: …; version 1: …" when a guardrail has several versions, the bare reasons otherwise. */
function byVersion(reasons: Array<[string, string]>, labelled: boolean): string {
  if (!labelled) return reasons.map(([, text]) => text).join('; ');
  const versionsByText = new Map<string, string[]>();
  for (const [version, text] of reasons) versionsByText.set(text, [...(versionsByText.get(text) ?? []), version === DRAFT ? DRAFT : `version ${version}`]);
  return [...versionsByText].map(([text, versions]) => `${versions.join(' and ')}: ${text}`).join('; ');
}

async function judgeVersion(summary: GuardrailSummary, version: string, context: JudgementContext): Promise<VersionJudgement & KeyNamed> {
  const reading: VersionReading = await readVersion(summary, version, context.bedrock);
  if (reading.kind === 'deleted') return reading;
  if (reading.kind === 'unread') return { kind: 'not-evaluated', why: reading.why, encryptedWithCmk: false, unread: true };
  const kmsKeyArn = reading.kmsKeyArn;
  const fromArn = reasonsFromArn(kmsKeyArn, context);
  // The role may only read keys of its own account and Region: judge foreign keys by their ARN alone.
  if (!fromArn.key) return { kind: 'non-compliant', reasons: render(fromArn.reasons, kmsKeyArn === undefined ? undefined : parseKeyArn(kmsKeyArn)?.keyId), encryptedWithCmk: false, kmsKeyArn };
  let facts = context.keyFacts.get(fromArn.key.arn);
  if (!facts) {
    facts = readKey(context.kms, fromArn.key.arn);
    context.keyFacts.set(fromArn.key.arn, facts);
  }
  const judged = await widenedFor(summary, fromArn.key.arn, await facts, context);
  return { ...judgeByKey(fromArn.key.id, fromArn.reasons, judged, context.settings), kmsKeyArn };
}

/**
 * The key's facts with its policy judged as the pack judges it for the key of a guardrail the app
 * enforces or shares: the guardrail's resource policy (GetResourcePolicy) makes organization-wide
 * decrypts through Bedrock acceptable, its enforcement in the account (ListEnforcedGuardrailsConfiguration)
 * account-wide ones. Read only for a key whose policy opens more than the standard; when they cannot
 * be read, the policy cannot be judged either (a denied or throttled call is no proof that the
 * guardrail is neither shared nor enforced), so the version is not evaluated.
 */
async function widenedFor(summary: GuardrailSummary, keyArn: string, key: KeyFacts, context: JudgementContext): Promise<KeyFacts> {
  const policy = key.policy;
  if (!policy || 'problem' in policy || policy.analysis.exposures.length === 0 || policy.document === undefined) return key;
  const wideUse = await wideUseOf(summary, context);
  if (!wideUse) return key;
  if (typeof wideUse === 'object') return { ...key, policy: { problem: `it cannot be verified: ${wideUse.problem}` } };
  const { region, account } = parseKeyArn(keyArn)!;
  return { ...key, policy: { analysis: analyzeKeyPolicy(policy.document, { account, region, wideUse }), document: policy.document } };
}

/** The enforced guardrails of the Region, listed once per run. */
const enforcedGuardrails = new WeakMap<JudgementContext['keyFacts'], Promise<EnforcedGuardrails>>();

async function wideUseOf(summary: GuardrailSummary, context: JudgementContext): Promise<WideUse | undefined | { problem: string }> {
  let enforced = enforcedGuardrails.get(context.keyFacts);
  if (!enforced) {
    enforced = listEnforcedGuardrails(context.bedrock);
    enforcedGuardrails.set(context.keyFacts, enforced);
  }
  const reading = await readWideUse(summary, context.bedrock, enforced);
  if (reading.wideUse) return reading.wideUse;
  // What could not be read leaves the version not evaluated: judging the key as any other would report a false finding.
  return reading.unread === undefined ? undefined : { problem: reading.unread };
}

/** Why a version fails: a finding of a shared key check, or a line of its own. */
type Reason = KeyFinding | string;

/**
 * The reasons as the annotation gives them: one finding with its rule's whole sentence, as the pack
 * words it; several with what was found only, after the key they were found on, so that each keeps
 * its rule id within the 256 characters AWS Config keeps.
 */
function render(reasons: readonly Reason[], keyId?: string): string[] {
  if (reasons.length === 1) return reasons.map((reason) => typeof reason === 'string' ? reason : findingLine(reason));
  const lines = reasons.map((reason) => typeof reason === 'string' ? reason : briefFindingLine(reason));
  return keyId === undefined || lines.some((line) => line.includes(keyId)) ? lines : [`its key ${keyId}: ${lines[0]}`, ...lines.slice(1)];
}

/** A finding of a rule the shared key checks do not hold, named by its rule as the pack names it. */
function ruleLine(ruleName: string, text: string): string {
  return `[${packRuleId(ruleName)}] ${text}`;
}

/**
 * What the key ARN alone says is wrong, and the key to read when it is of this account and Region
 * (the only keys the role may read).
 */
function reasonsFromArn(kmsKeyArn: string | undefined, context: JudgementContext): { reasons: Reason[]; key?: { arn: string; id: string } } {
  if (!kmsKeyArn) return { reasons: [ruleLine(SHARED_RULE_NAMES.cmkRequired, 'it has no kmsKeyArn: it is encrypted with an AWS owned key')] };
  const keyArn = parseKeyArn(kmsKeyArn);
  if (!keyArn) return { reasons: [ruleLine(SHARED_RULE_NAMES.cmkRequired, `its kmsKeyArn ${kmsKeyArn} is not a key ARN`)] };
  const { region, allowedKeyArns } = context.settings;
  // Without the account of the run, the key's account is not judged.
  const misplaced = KEY_PLACEMENT.check(placementPart(keyArn.region, region), placementPart(keyArn.account, context.accountId || undefined));
  const reasons: Reason[] = misplaced ? [misplaced] : [];
  if (allowedKeyArns && !allowedKeyArns.has(kmsKeyArn)) reasons.push(`its key ${keyArn.keyId} is not in the allow-list`);
  return { reasons, key: misplaced ? undefined : { arn: kmsKeyArn, id: keyArn.keyId } };
}

/** How a part of a key ARN compares with the guardrail's, both as AWS writes them. */
function placementPart(key: string, guardrail: string | undefined): PlacementPart {
  return { match: guardrail === undefined ? 'unknown' : key === guardrail ? 'same' : 'different', key, guardrail };
}

/** What a version is found to be from its key of this account and Region, read (or not). */
function judgeByKey(keyId: string, fromArn: Reason[], key: KeyFacts, settings: EvaluationSettings): VersionJudgement {
  if (key.missing) {
    return { kind: 'non-compliant', reasons: render([...fromArn, ruleLine(SHARED_RULE_NAMES.keyEnabled, `its key ${keyId} no longer exists`)]), encryptedWithCmk: false, keyId };
  }
  if (!key.metadata) {
    return fromArn.length > 0
      ? { kind: 'non-compliant', reasons: render([...fromArn, `and its key could not be read (${key.problem})`], keyId), encryptedWithCmk: false, keyId }
      : { kind: 'not-evaluated', why: `its key ${keyId} could not be read: ${key.problem}`, encryptedWithCmk: false, keyId };
  }
  const customerManaged = key.metadata.KeyManager === 'CUSTOMER';
  const { reasons, unread } = reasonsFromKey(keyId, key, settings);
  const all = [...fromArn, ...(customerManaged ? [] : [ruleLine(SHARED_RULE_NAMES.cmkRequired, `its key ${keyId} is an AWS managed key`)]), ...reasons];
  if (all.length > 0) {
    const unreadText = unread.map(([what, why]) => `and the ${what} of its key could not be read (${why})`);
    return { kind: 'non-compliant', reasons: render([...all, ...unreadText], keyId), encryptedWithCmk: customerManaged, keyId };
  }
  if (unread.length > 0) {
    return { kind: 'not-evaluated', why: unread.map(([what, why]) => `the ${what} of its key ${keyId} could not be read: ${why}`).join('; '), encryptedWithCmk: true, keyId };
  }
  return { kind: 'compliant', keyId };
}

/**
 * What the key's kind, state, rotation and policy say is wrong, and what of them could not be read
 * (with why). Rotation and policy are read only for an enabled customer-managed key.
 */
function reasonsFromKey(keyId: string, key: KeyFacts, settings: EvaluationSettings): { reasons: Reason[]; unread: Array<['rotation' | 'policy', string]> } {
  const reasons: Reason[] = [];
  const unread: Array<['rotation' | 'policy', string]> = [];
  const { KeyState: state, KeySpec: spec, KeyUsage: usage, Origin: origin } = key.metadata!;
  const asymmetric = KEY_SYMMETRIC.check({ spec, usage });
  if (asymmetric) reasons.push(asymmetric);
  // A key pending deletion is not enabled either, but has a reason of its own: only the state Disabled is KeyEnabled's.
  const disabled = KEY_ENABLED.check(state !== 'Disabled');
  if (disabled) reasons.push(disabled);
  else if (state === 'PendingDeletion' || state === 'PendingReplicaDeletion') reasons.push(ruleLine(SHARED_RULE_NAMES.keyEnabled, `its key ${keyId} is pending deletion`));
  else if (state !== 'Enabled') reasons.push(ruleLine(SHARED_RULE_NAMES.keyEnabled, `its key ${keyId} is in state ${state}`));
  const rotation = key.rotation;
  if (rotation && 'problem' in rotation) {
    unread.push(['rotation', rotation.problem]);
  } else if (rotation) {
    const facts = 'unsupported' in rotation
      ? { enabled: false, cannotRotate: UNROTATABLE_ORIGINS[origin ?? ''] ?? 'imported material, a custom key store, or an asymmetric or HMAC key' }
      : { enabled: rotation.enabled, periodDays: rotation.periodDays };
    const unrotated = KEY_ROTATION.check(facts, settings.maxRotationDays);
    if (unrotated) reasons.push(unrotated);
  }
  const policy = key.policy;
  if (policy && 'problem' in policy) {
    unread.push(['policy', policy.problem]);
  } else if (policy?.analysis.undecidable) {
    unread.push(['policy', `it cannot be verified: ${policy.analysis.undecidable}`]);
  } else if (policy && policy.analysis.exposures.length > 0) {
    const exposure = describeExposures(policy.analysis.exposures, 1).join('; ');
    reasons.push(ruleLine(SHARED_RULE_NAMES.keyPolicyLeastPrivilege, `in the policy of its key, ${exposure}`));
  }
  return { reasons, unread };
}

/** Why KMS cannot rotate a key, by the origin of its material (KMS developer guide, "Rotate keys"). */
const UNROTATABLE_ORIGINS: Record<string, string> = {
  EXTERNAL: 'imported key material',
  AWS_CLOUDHSM: 'a key of a custom key store',
  EXTERNAL_KEY_STORE: 'a key of an external key store',
};
