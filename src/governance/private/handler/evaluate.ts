import { BedrockClient, GetGuardrailCommand, GuardrailSummary, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import {
  ComplianceType,
  ConfigServiceClient,
  Evaluation,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KeyMetadata, KMSClient } from '@aws-sdk/client-kms';
import { kpiRecord } from './emf';
import { RetryOptions, withRetries } from './retry';
import { analyzeKeyPolicy, describeExposures, KeyPolicyAnalysis } from '../../../core/key-policy-analysis';
import { DEFAULT_METRIC_NAMESPACE, ENV, EVALUATED_RESOURCE_TYPE } from '../kpi';

/** What AWS Config passes to a custom Lambda rule (the fields this rule reads). */
export interface ConfigRuleInvocation {
  /** JSON: for periodic rules `{ awsAccountId, notificationCreationTime, messageType, recordVersion }`. */
  readonly invokingEvent: string;
  readonly resultToken: string;
  readonly configRuleName: string;
  readonly accountId?: string;
  readonly ruleParameters?: string;
}

/** What the rule checks against. */
export interface EvaluationSettings {
  /** The Region the handler runs in: guardrails must use a key of this Region. */
  readonly region: string;
  /** Key ARNs allowed to encrypt guardrails; `undefined` allows any compliant customer-managed key. */
  readonly allowedKeyArns?: ReadonlySet<string>;
  readonly metricNamespace: string;
}

export interface EvaluationDependencies {
  readonly bedrock: BedrockClient;
  readonly kms: KMSClient;
  readonly config: ConfigServiceClient;
  readonly settings: EvaluationSettings;
  /** Where log lines (and the KPI record) go. @default console.log */
  readonly log?: (line: string) => void;
  readonly retry?: RetryOptions;
  /** The clock used when the invoking event carries no notification time. */
  readonly now?: () => Date;
}

/** What a run found and reported. */
export interface EvaluationSummary {
  readonly total: number;
  readonly encryptedWithCmk: number;
  readonly compliant: number;
  readonly nonCompliant: number;
  readonly notEvaluated: number;
  /** Earlier evaluations of guardrails that no longer exist, reported NOT_APPLICABLE. */
  readonly removed: number;
  /** Evaluations Config refused (PutEvaluations' FailedEvaluations). */
  readonly failedEvaluations: number;
}

interface Finding {
  readonly guardrailArn: string;
  readonly compliance: ComplianceType;
  readonly evaluated: boolean;
  readonly encryptedWithCmk: boolean;
  readonly annotation: string;
}

interface KeyFacts {
  readonly metadata?: KeyMetadata;
  /** The key no longer exists. */
  readonly missing?: boolean;
  /** Why the key could not be described. */
  readonly problem?: string;
  readonly rotation?: RotationFacts;
  readonly policy?: PolicyFacts;
}

type RotationFacts = { readonly enabled: boolean } | { readonly unsupported: true } | { readonly problem: string };
type PolicyFacts = { readonly analysis: KeyPolicyAnalysis } | { readonly problem: string };

/** Config's limit on evaluations per PutEvaluations call. */
const PUT_EVALUATIONS_BATCH = 100;
/** Config's limit on an evaluation's annotation. */
const MAX_ANNOTATION = 256;
/** GetGuardrail calls in flight at once: enough to finish a Region's guardrails quickly, few enough not to be throttled. */
const CONCURRENCY = 4;
const KEY_ARN = /^arn:[^:]+:kms:([^:]+):(\d{12}):key\/(.+)$/;
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);
const GRANT_HINT = "the rule's role needs kms:Decrypt on the guardrail's key (secureGuardrail.grantRead(rule))";

/** Reads the handler's settings from its environment (set by `GuardrailEncryptionConfigRule`). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): EvaluationSettings {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set: cannot tell which Region guardrail keys must be in');
  const allowed = (env[ENV.allowedKeyArns] ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return {
    region,
    allowedKeyArns: allowed.length > 0 ? new Set(allowed) : undefined,
    metricNamespace: env[ENV.metricNamespace] || DEFAULT_METRIC_NAMESPACE,
  };
}

/**
 * Evaluates every guardrail of the Region and reports one evaluation per guardrail to AWS Config.
 *
 * A guardrail is COMPLIANT only when its key was read and is a customer-managed key of this account and
 * Region, enabled, with automatic rotation on (and in the allow-list, when there is one). A guardrail
 * that could not be evaluated is reported NON_COMPLIANT with an annotation starting "Not evaluated":
 * Config accepts no INSUFFICIENT_DATA from PutEvaluations, and NOT_APPLICABLE would hide it.
 *
 * Throws only when the guardrails cannot be listed or the evaluations cannot be delivered, so that
 * Config records the run as failed instead of holding a partial picture.
 */
export async function evaluateGuardrailEncryption(invocation: ConfigRuleInvocation, deps: EvaluationDependencies): Promise<EvaluationSummary> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const retry = <T>(fn: () => Promise<T>) => withRetries(fn, deps.retry);
  const invoking = parseInvokingEvent(invocation.invokingEvent);
  const orderingTimestamp = invoking.notificationCreationTime ? new Date(invoking.notificationCreationTime) : (deps.now ?? (() => new Date()))();
  const accountId = invocation.accountId ?? invoking.awsAccountId;

  const guardrails = await listGuardrails(deps.bedrock, retry);
  const keyFacts = new Map<string, Promise<KeyFacts>>();
  const context: GuardrailContext = { deps, retry, accountId, keyFacts };
  const findings = (await mapWithConcurrency(guardrails, CONCURRENCY, (g) => evaluateGuardrail(g, context)))
    .filter((f): f is Finding => f !== undefined);

  const evaluations: Evaluation[] = findings.map((f) => ({
    ComplianceResourceType: EVALUATED_RESOURCE_TYPE,
    ComplianceResourceId: f.guardrailArn,
    ComplianceType: f.compliance,
    Annotation: truncate(f.annotation),
    OrderingTimestamp: orderingTimestamp,
  }));
  const current = new Set(findings.map((f) => f.guardrailArn));
  const stale = await staleEvaluations(deps.config, retry, invocation.configRuleName, current, orderingTimestamp, log);

  const summary = {
    total: findings.length,
    encryptedWithCmk: findings.filter((f) => f.encryptedWithCmk).length,
    compliant: findings.filter((f) => f.compliance === ComplianceType.Compliant).length,
    nonCompliant: findings.filter((f) => f.compliance === ComplianceType.Non_Compliant).length,
    notEvaluated: findings.filter((f) => !f.evaluated).length,
    removed: stale.length,
  };
  // The KPIs describe what was found, so they are written even if delivering the evaluations fails.
  log(JSON.stringify(kpiRecord(deps.settings.metricNamespace, invocation.configRuleName, summary, orderingTimestamp)));
  for (const f of findings.filter((x) => x.compliance !== ComplianceType.Compliant)) {
    log(`${f.evaluated ? 'NON_COMPLIANT' : 'NOT_EVALUATED'} ${f.guardrailArn}: ${f.annotation}`);
  }

  const failedEvaluations = await putEvaluations(deps.config, retry, [...evaluations, ...stale], invocation.resultToken, log);
  const result = { ...summary, failedEvaluations };
  log(JSON.stringify({ message: 'guardrail encryption evaluation finished', ...result }));
  return result;
}

interface GuardrailContext {
  readonly deps: EvaluationDependencies;
  readonly retry: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly accountId?: string;
  /** Several guardrails often share a key: each key is read once per run. */
  readonly keyFacts: Map<string, Promise<KeyFacts>>;
}

async function listGuardrails(bedrock: BedrockClient, retry: GuardrailContext['retry']): Promise<GuardrailSummary[]> {
  const all: GuardrailSummary[] = [];
  let nextToken: string | undefined;
  do {
    // Without guardrailIdentifier, ListGuardrails returns the working draft of every guardrail once.
    const page = await retry(() => bedrock.send(new ListGuardrailsCommand({ nextToken })));
    all.push(...(page.guardrails ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

async function evaluateGuardrail(summary: GuardrailSummary, context: GuardrailContext): Promise<Finding | undefined> {
  const guardrailArn = summary.arn ?? summary.id ?? 'unknown';
  const read = await readGuardrailKeyArn(summary, context);
  if (read.kind === 'deleted') return undefined;
  if (read.kind === 'unreadable') return notEvaluated(guardrailArn, read.why);

  const fromArn = reasonsFromArn(read.kmsKeyArn, context);
  // The role may only read keys of its own account and Region: judge foreign keys by their ARN alone.
  if (!fromArn.key) return finding(guardrailArn, fromArn.reasons, false);
  let facts = context.keyFacts.get(fromArn.key.arn);
  if (!facts) {
    facts = readKey(context.deps.kms, context.retry, fromArn.key.arn);
    context.keyFacts.set(fromArn.key.arn, facts);
  }
  return findingFromKey(guardrailArn, fromArn.key.id, fromArn.reasons, await facts, context.deps.settings.allowedKeyArns !== undefined);
}

type GuardrailRead =
  | { readonly kind: 'read'; readonly kmsKeyArn?: string }
  /** Deleted between ListGuardrails and GetGuardrail: nothing left to evaluate. */
  | { readonly kind: 'deleted' }
  | { readonly kind: 'unreadable'; readonly why: string };

async function readGuardrailKeyArn(summary: GuardrailSummary, { deps, retry }: GuardrailContext): Promise<GuardrailRead> {
  try {
    const detail = await retry(() => deps.bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: summary.id ?? summary.arn })));
    return { kind: 'read', kmsKeyArn: detail.kmsKeyArn };
  } catch (error) {
    const name = errorName(error);
    if (name === 'ResourceNotFoundException') return { kind: 'deleted' };
    // Bedrock decrypts a CMK guardrail with the caller's permissions, so a denial is usually the key.
    if (ACCESS_DENIED.has(name)) return { kind: 'unreadable', why: `GetGuardrail was denied (${name}); ${GRANT_HINT}` };
    return { kind: 'unreadable', why: `GetGuardrail failed (${describe(error)})` };
  }
}

/**
 * What the key ARN alone says is wrong, and the key to read when it is of this account and Region
 * (the only keys the role may read).
 */
function reasonsFromArn(kmsKeyArn: string | undefined, context: GuardrailContext): { reasons: string[]; key?: { arn: string; id: string } } {
  if (!kmsKeyArn) return { reasons: ['it has no kmsKeyArn: it is encrypted with an AWS owned key'] };
  const match = KEY_ARN.exec(kmsKeyArn);
  if (!match) return { reasons: [`its kmsKeyArn ${kmsKeyArn} is not a key ARN`] };
  const [, keyRegion, keyAccount, keyId] = match;
  const { region, allowedKeyArns } = context.deps.settings;
  const foreignAccount = Boolean(context.accountId) && keyAccount !== context.accountId;
  const reasons: string[] = [];
  if (keyRegion !== region) reasons.push(`its key is in ${keyRegion}, not in ${region}`);
  if (foreignAccount) reasons.push(`its key belongs to account ${keyAccount}, not ${context.accountId}`);
  if (allowedKeyArns && !allowedKeyArns.has(kmsKeyArn)) reasons.push(`its key ${keyId} is not in the allow-list`);
  return { reasons, key: keyRegion === region && !foreignAccount ? { arn: kmsKeyArn, id: keyId } : undefined };
}

/** The finding for a guardrail whose key of this account and Region was read (or could not be). */
function findingFromKey(guardrailArn: string, keyId: string, fromArn: string[], key: KeyFacts, allowListed: boolean): Finding {
  if (key.missing) return finding(guardrailArn, [...fromArn, `its key ${keyId} no longer exists`], false);
  if (!key.metadata) {
    return fromArn.length > 0
      ? finding(guardrailArn, [...fromArn, `and its key could not be read (${key.problem})`], false)
      : notEvaluated(guardrailArn, `its key ${keyId} could not be read: ${key.problem}`);
  }
  const customerManaged = key.metadata.KeyManager === 'CUSTOMER';
  const { reasons, unread } = reasonsFromKey(keyId, key);
  const all = [...fromArn, ...(customerManaged ? [] : [`its key ${keyId} is an AWS managed key`]), ...reasons];
  if (all.length > 0) return finding(guardrailArn, [...all, ...unread.map(([what, why]) => `and the ${what} of its key could not be read (${why})`)], customerManaged);
  if (unread.length > 0) return notEvaluated(guardrailArn, unread.map(([what, why]) => `the ${what} of its key ${keyId} could not be read: ${why}`).join('; '), true);
  return {
    guardrailArn,
    compliance: ComplianceType.Compliant,
    evaluated: true,
    encryptedWithCmk: true,
    annotation: `Encrypted with customer-managed key ${keyId} of this account and Region: enabled, automatic rotation on, least-privilege key policy${allowListed ? ', in the allow-list' : ''}.`,
  };
}

/**
 * What the key's state, rotation and policy say is wrong, and what of them could not be read (with
 * why). Rotation and policy are read only for an enabled customer-managed key.
 */
function reasonsFromKey(keyId: string, key: KeyFacts): { reasons: string[]; unread: Array<['rotation' | 'policy', string]> } {
  const reasons: string[] = [];
  const unread: Array<['rotation' | 'policy', string]> = [];
  const state = key.metadata!.KeyState;
  if (state === 'Disabled') reasons.push(`its key ${keyId} is disabled`);
  else if (state === 'PendingDeletion' || state === 'PendingReplicaDeletion') reasons.push(`its key ${keyId} is pending deletion`);
  else if (state !== 'Enabled') reasons.push(`its key ${keyId} is in state ${state}`);
  const rotation = key.rotation;
  if (rotation && 'unsupported' in rotation) reasons.push(`its key ${keyId} cannot rotate automatically (imported or external key material)`);
  else if (rotation && 'enabled' in rotation && !rotation.enabled) reasons.push(`automatic rotation of its key ${keyId} is off`);
  else if (rotation && 'problem' in rotation) unread.push(['rotation', rotation.problem]);
  const policy = key.policy;
  if (policy && 'problem' in policy) {
    unread.push(['policy', policy.problem]);
  } else if (policy?.analysis.undecidable) {
    unread.push(['policy', `it cannot be verified: ${policy.analysis.undecidable}`]);
  } else if (policy && policy.analysis.exposures.length > 0) {
    reasons.push(`in the policy of its key ${keyId}, ${describeExposures(policy.analysis.exposures, 1).join('; ')}`);
  }
  return { reasons, unread };
}

async function readKey(kms: KMSClient, retry: GuardrailContext['retry'], keyArn: string): Promise<KeyFacts> {
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await retry(() => kms.send(new DescribeKeyCommand({ KeyId: keyArn })))).KeyMetadata;
  } catch (error) {
    if (errorName(error) === 'NotFoundException') return { missing: true };
    return { problem: `kms:DescribeKey ${ACCESS_DENIED.has(errorName(error)) ? 'was denied' : 'failed'} (${describe(error)})` };
  }
  if (!metadata) return { problem: 'kms:DescribeKey returned no key metadata' };
  // Rotation and policy matter only for a usable customer-managed key; the others are non-compliant anyway.
  if (metadata.KeyManager !== 'CUSTOMER' || metadata.KeyState !== 'Enabled') return { metadata };
  const [rotation, policy] = await Promise.all([readRotation(kms, retry, keyArn), readPolicy(kms, retry, keyArn)]);
  return { metadata, rotation, policy };
}

async function readRotation(kms: KMSClient, retry: GuardrailContext['retry'], keyArn: string): Promise<RotationFacts> {
  try {
    const rotation = await retry(() => kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn })));
    return { enabled: rotation.KeyRotationEnabled === true };
  } catch (error) {
    if (errorName(error) === 'UnsupportedOperationException') return { unsupported: true };
    return { problem: `kms:GetKeyRotationStatus ${ACCESS_DENIED.has(errorName(error)) ? 'was denied' : 'failed'} (${describe(error)})` };
  }
}

/** The key's policy, evaluated as the pack evaluates it at synth. */
async function readPolicy(kms: KMSClient, retry: GuardrailContext['retry'], keyArn: string): Promise<PolicyFacts> {
  let text: string | undefined;
  try {
    text = (await retry(() => kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' })))).Policy;
  } catch (error) {
    return { problem: `kms:GetKeyPolicy ${ACCESS_DENIED.has(errorName(error)) ? 'was denied' : 'failed'} (${describe(error)})` };
  }
  let policy: unknown;
  try {
    policy = JSON.parse(text ?? '');
  } catch {
    return { problem: 'kms:GetKeyPolicy returned no policy document' };
  }
  const [, region, account] = KEY_ARN.exec(keyArn)!;
  return { analysis: analyzeKeyPolicy(policy, { account, region }) };
}

async function staleEvaluations(
  config: ConfigServiceClient,
  retry: GuardrailContext['retry'],
  ruleName: string,
  current: ReadonlySet<string>,
  orderingTimestamp: Date,
  log: (line: string) => void,
): Promise<Evaluation[]> {
  // Config keeps the last result of a guardrail that was deleted: mark those NOT_APPLICABLE. Best effort:
  // without this, stale results linger, but the current guardrails are still reported.
  const stale: Evaluation[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await retry(() => config.send(new GetComplianceDetailsByConfigRuleCommand({
        ConfigRuleName: ruleName,
        ComplianceTypes: [ComplianceType.Compliant, ComplianceType.Non_Compliant],
        Limit: 100,
        NextToken: nextToken,
      })));
      for (const result of page.EvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        if (qualifier?.ResourceType !== EVALUATED_RESOURCE_TYPE || !qualifier.ResourceId || current.has(qualifier.ResourceId)) continue;
        stale.push({
          ComplianceResourceType: EVALUATED_RESOURCE_TYPE,
          ComplianceResourceId: qualifier.ResourceId,
          ComplianceType: ComplianceType.Not_Applicable,
          Annotation: 'The guardrail no longer exists.',
          OrderingTimestamp: orderingTimestamp,
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    log(`WARNING could not read earlier results to retire deleted guardrails (${describe(error)}); they keep their last result`);
    return [];
  }
  return stale;
}

async function putEvaluations(
  config: ConfigServiceClient,
  retry: GuardrailContext['retry'],
  evaluations: Evaluation[],
  resultToken: string,
  log: (line: string) => void,
): Promise<number> {
  let failed = 0;
  // An account without guardrails still reports, with an empty set, so that the run is recorded.
  const batches: Evaluation[][] = evaluations.length === 0 ? [[]] : [];
  for (let i = 0; i < evaluations.length; i += PUT_EVALUATIONS_BATCH) batches.push(evaluations.slice(i, i + PUT_EVALUATIONS_BATCH));
  for (const batch of batches) {
    const response = await retry(() => config.send(new PutEvaluationsCommand({
      Evaluations: batch,
      ResultToken: resultToken,
      // Config's console "test" invocations carry this token and must not record results.
      TestMode: resultToken === 'TESTMODE',
    })));
    for (const refused of response.FailedEvaluations ?? []) {
      failed++;
      log(`ERROR Config refused the evaluation of ${refused.ComplianceResourceId} (${refused.ComplianceType})`);
    }
  }
  return failed;
}

function finding(guardrailArn: string, reasons: string[], encryptedWithCmk: boolean): Finding {
  return {
    guardrailArn,
    compliance: ComplianceType.Non_Compliant,
    evaluated: true,
    encryptedWithCmk,
    annotation: `Non-compliant: ${reasons.join('; ')}.`,
  };
}

function notEvaluated(guardrailArn: string, why: string, encryptedWithCmk = false): Finding {
  return {
    guardrailArn,
    compliance: ComplianceType.Non_Compliant,
    evaluated: false,
    encryptedWithCmk,
    annotation: `Not evaluated: ${why}.`,
  };
}

function parseInvokingEvent(text: string): { notificationCreationTime?: string; awsAccountId?: string } {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed as { notificationCreationTime?: string } : {};
  } catch {
    return {};
  }
}

async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : 'Error';
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${errorName(error)}: ${message}`;
}

function truncate(annotation: string): string {
  return annotation.length <= MAX_ANNOTATION ? annotation : `${annotation.slice(0, MAX_ANNOTATION - 1)}…`;
}
