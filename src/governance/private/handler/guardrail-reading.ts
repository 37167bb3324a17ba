import { BedrockClient, GetGuardrailCommand, GetResourcePolicyCommand, GuardrailSummary, ListEnforcedGuardrailsConfigurationCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KeyMetadata, KMSClient } from '@aws-sdk/client-kms';
import { callFailed, describeError, errorName, isAccessDenied } from './sdk';
import { parseKeyArn } from '../../../core/arns';
import { analyzeKeyPolicy, KeyPolicyAnalysis, WideUse } from '../../../core/key-policy-analysis';
import { ROTATION_DAYS } from '../../../core/kms-limits';

/*
 * What the handler reads of guardrails, their versions and their keys, with Bedrock and KMS only: no
 * AWS Config and no Lambda here, so that any enforcement point (the Config rule, an account audit)
 * reads the same way and hands the same facts to the judgement.
 */

/** The Bedrock calls the reading makes (a client, or a client behind a concurrency limit). */
export type BedrockReader = Pick<BedrockClient, 'send'>;
/** The KMS calls the reading makes. */
export type KmsReader = Pick<KMSClient, 'send'>;

export const DRAFT = 'DRAFT';

/** ListGuardrails' largest page (Bedrock API reference, ListGuardrails `maxResults`: 1 to 1000). */
const LIST_PAGE_SIZE = 1000;

const GRANT_HINT = "the rule's role needs kms:Decrypt on the guardrail's key (secureGuardrail.grantRead(rule)), or the key is disabled or gone";

/**
 * Every guardrail of the Region (ListGuardrails without an identifier returns each guardrail's
 * draft once), or why there are none to list: ValidationException on the first page, which is how a
 * Region where Bedrock is not offered answers (as Prowler detects it; not verified against AWS).
 */
export async function listGuardrails(bedrock: BedrockReader): Promise<{ guardrails: GuardrailSummary[] } | { unavailable: string }> {
  const guardrails: GuardrailSummary[] = [];
  let nextToken: string | undefined;
  do {
    try {
      const page = await bedrock.send(new ListGuardrailsCommand({ maxResults: LIST_PAGE_SIZE, nextToken }));
      guardrails.push(...(page.guardrails ?? []));
      nextToken = page.nextToken;
    } catch (error) {
      if (nextToken === undefined && errorName(error) === 'ValidationException') return { unavailable: describeError(error) };
      throw error;
    }
  } while (nextToken);
  return { guardrails };
}

/**
 * The guardrail's versions: its working draft and every numbered version. ListGuardrails with the
 * guardrail's ARN is the only call that names a guardrail's numbered versions.
 */
export type VersionListing = { readonly versions: string[] } | { readonly gone: true } | { readonly problem: string };

export async function listVersions(summary: GuardrailSummary, bedrock: BedrockReader): Promise<VersionListing> {
  const versions = new Set<string>([DRAFT]);
  let nextToken: string | undefined;
  try {
    do {
      const identifier = summary.arn ?? summary.id;
      const page = await bedrock.send(new ListGuardrailsCommand({ guardrailIdentifier: identifier, maxResults: LIST_PAGE_SIZE, nextToken }));
      for (const version of page.guardrails ?? []) if (version.version) versions.add(version.version);
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return { gone: true };
    return { problem: `its versions could not be listed: ${callFailed('ListGuardrails', error)}` };
  }
  // The draft first, then the numbered versions in order.
  return { versions: [...versions].sort((a, b) => a === DRAFT ? -1 : b === DRAFT ? 1 : Number(a) - Number(b)) };
}

/** What GetGuardrail said of one version: its key ARN (none for an AWS owned key), or why it could not say. */
export type VersionReading =
  | { readonly kind: 'read'; readonly kmsKeyArn?: string }
  /** Deleted between listing and reading. */
  | { readonly kind: 'deleted' }
  | { readonly kind: 'unread'; readonly why: string };

export async function readVersion(summary: GuardrailSummary, version: string, bedrock: BedrockReader): Promise<VersionReading> {
  try {
    const read = new GetGuardrailCommand({ guardrailIdentifier: summary.id ?? summary.arn, guardrailVersion: version });
    return { kind: 'read', kmsKeyArn: (await bedrock.send(read)).kmsKeyArn };
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return { kind: 'deleted' };
    // Bedrock decrypts a CMK guardrail with the caller's permissions, so a denial is usually the key.
    const why = isAccessDenied(error) ? `GetGuardrail was denied (${errorName(error)}); ${GRANT_HINT}` : `GetGuardrail failed (${describeError(error)})`;
    return { kind: 'unread', why };
  }
}

/** What was read of a key of this account and Region. */
export interface KeyFacts {
  readonly metadata?: KeyMetadata;
  /** The key no longer exists. */
  readonly missing?: boolean;
  /** Why the key could not be described. */
  readonly problem?: string;
  readonly rotation?: RotationFacts;
  readonly policy?: PolicyFacts;
}

export type RotationFacts =
  | { readonly enabled: boolean; readonly periodDays: number }
  | { readonly unsupported: true }
  | { readonly problem: string };
/** The policy's analysis, and the document itself for a judgement that widens the analysis (an enforced or shared guardrail's key). */
export type PolicyFacts = { readonly analysis: KeyPolicyAnalysis; readonly document?: unknown } | { readonly problem: string };

/** Reads a key's metadata, and the rotation and policy of an enabled customer-managed key. */
export async function readKey(kms: KmsReader, keyArn: string): Promise<KeyFacts> {
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata;
  } catch (error) {
    if (errorName(error) === 'NotFoundException') return { missing: true };
    return { problem: callFailed('kms:DescribeKey', error) };
  }
  if (!metadata) return { problem: 'kms:DescribeKey returned no key metadata' };
  // Rotation and policy matter only for a usable customer-managed key; the others are non-compliant anyway.
  if (metadata.KeyManager !== 'CUSTOMER' || metadata.KeyState !== 'Enabled') return { metadata };
  const [rotation, policy] = await Promise.all([readRotation(kms, keyArn), readPolicy(kms, keyArn)]);
  return { metadata, rotation, policy };
}

async function readRotation(kms: KmsReader, keyArn: string): Promise<RotationFacts> {
  try {
    const rotation = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }));
    return { enabled: rotation.KeyRotationEnabled === true, periodDays: rotation.RotationPeriodInDays ?? ROTATION_DAYS.kmsDefault };
  } catch (error) {
    if (errorName(error) === 'UnsupportedOperationException') return { unsupported: true };
    return { problem: callFailed('kms:GetKeyRotationStatus', error) };
  }
}

/** The key's policy, evaluated as the pack evaluates it at synth. */
async function readPolicy(kms: KmsReader, keyArn: string): Promise<PolicyFacts> {
  let text: string | undefined;
  try {
    text = (await kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }))).Policy;
  } catch (error) {
    return { problem: callFailed('kms:GetKeyPolicy', error) };
  }
  let policy: unknown;
  try {
    policy = JSON.parse(text ?? '');
  } catch {
    return { problem: 'kms:GetKeyPolicy returned no policy document' };
  }
  const { region, account } = parseKeyArn(keyArn)!;
  return { analysis: analyzeKeyPolicy(policy, { account, region }), document: policy };
}

/** The enforced guardrails of the Region, by ARN and id, or why they could not be listed. */
export interface EnforcedGuardrails {
  readonly names: ReadonlySet<string>;
  readonly problem?: string;
}

export async function listEnforcedGuardrails(bedrock: BedrockReader): Promise<EnforcedGuardrails> {
  const names = new Set<string>();
  let nextToken: string | undefined;
  try {
    do {
      const page = await bedrock.send(new ListEnforcedGuardrailsConfigurationCommand({ nextToken }));
      for (const config of page?.guardrailsConfig ?? []) {
        for (const name of [config.guardrailArn, config.guardrailId]) if (name) names.add(name);
      }
      nextToken = page?.nextToken;
    } while (nextToken);
  } catch (error) {
    return { names, problem: callFailed('bedrock:ListEnforcedGuardrailsConfiguration', error) };
  }
  return { names };
}

/**
 * How widely the guardrail is applied beyond its named callers: shared with the organization (its
 * resource policy, GetResourcePolicy), enforced in the account (ListEnforcedGuardrailsConfiguration),
 * or neither. `unread` says what could not be read: the Config rule and the audit then report the
 * version not evaluated, the remediation changes nothing.
 */
export interface WideUseReading {
  readonly wideUse?: WideUse;
  readonly unread?: string;
}

export async function readWideUse(
  guardrail: { readonly arn?: string; readonly id?: string }, bedrock: BedrockReader, enforced: Promise<EnforcedGuardrails>,
): Promise<WideUseReading> {
  const unread: string[] = [];
  try {
    const shared = await bedrock.send(new GetResourcePolicyCommand({ resourceArn: guardrail.arn ?? guardrail.id }));
    if (shared?.resourcePolicy) return { wideUse: 'organization' };
  } catch (error) {
    // ResourceNotFoundException: the guardrail has no resource policy, so it is not shared.
    if (errorName(error) !== 'ResourceNotFoundException') unread.push(callFailed('bedrock:GetResourcePolicy', error));
  }
  const { names, problem } = await enforced;
  if ([guardrail.arn, guardrail.id].some((name) => name !== undefined && names.has(name))) return { wideUse: 'account' };
  if (problem) unread.push(problem);
  return unread.length > 0 ? { unread: unread.join('; ') } : {};
}

/**
 * Runs at most `limit` calls at once: the handler's bound on its request rate to a service (the rate
 * is at most the limit over the calls' latency), below which the SDK's adaptive retry absorbs throttling.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await call();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** A client whose calls go through `limit`. */
export function limited<C extends { send: (...args: any[]) => Promise<any> }>(client: C, limit: ConcurrencyLimit): Pick<C, 'send'> {
  return { send: ((...args: any[]) => limit.run(() => client.send(...args))) as C['send'] };
}
