import { BedrockClient } from '@aws-sdk/client-bedrock';
import { KMSClient } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { isOptInRegion } from './regions';
import { accountOfArn } from '../../../core/arns';
import { ruleIdsIn } from '../../../core/key-checks';
import { GuardrailJudgement, judgeGuardrail, JudgementContext, VersionOutcome } from '../handler/guardrail-judgement';
import { listGuardrails } from '../handler/guardrail-reading';
import { findOrphanedKeys } from '../handler/orphaned-keys';
import { describeError, errorName } from '../handler/sdk';
import { EvaluationSettings } from '../handler/settings';
import { DEFAULT_METRIC_NAMESPACE } from '../kpi';

/*
 * The account audit: the Config rule's reading and judgement (`judgeGuardrail`, `findOrphanedKeys`),
 * run from a workstation or a pipeline over several Regions, without deploying anything and without
 * reporting to AWS Config.
 */

/** The clients of one Region. */
export interface RegionClients {
  readonly bedrock: BedrockClient;
  readonly kms: KMSClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
}

export interface AuditOptions {
  readonly regions: readonly string[];
  /** The Regions were named by the user: one that cannot be read is an error, even an opt-in one. */
  readonly named: boolean;
  /** The longest automatic rotation period accepted, in days (the pack's `maxRotationDays`). */
  readonly maxRotationDays: number;
  readonly clients: (region: string) => RegionClients;
  /** Progress lines (stderr in the command). */
  readonly progress: (line: string) => void;
}

/** A guardrail as the audit reports it. */
export interface AuditedGuardrail {
  readonly region: string;
  readonly arn: string;
  readonly id?: string;
  readonly name?: string;
  readonly status: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_EVALUATED';
  /** Every version is on a key KMS confirmed as customer managed. */
  readonly encryptedWithCmk: boolean;
  /** The Config rule's annotation without its lead: the failed checks with the pack's rule ids and wording, or why it is compliant. */
  readonly finding: string;
  /** The pack's rule ids the finding names. */
  readonly failedRules: readonly string[];
  readonly versions: readonly VersionOutcome[];
  /** The ids of the keys its versions are encrypted with. */
  readonly keyIds: readonly string[];
}

/** What became of one Region. */
export interface RegionAudit {
  readonly region: string;
  /**
   * `audited`; `unavailable` when ListGuardrails answered as where Bedrock is not offered; `not-enabled`
   * for an opt-in Region the account has not enabled (only when the Regions were not named); `failed`.
   */
  readonly status: 'audited' | 'unavailable' | 'not-enabled' | 'failed';
  /** Why it was not audited, or what could not be counted. */
  readonly problems: readonly string[];
  /** Keys tagged for a guardrail that no guardrail of the Region uses, `<key id> (guardrail <name>)`; `undefined` when not counted. */
  readonly orphanedKeys?: readonly string[];
  readonly orphanedKeysMonthlyCostUsd?: number;
}

export interface AccountAudit {
  /** The Regions were named by the user: one of them not audited, even one without Bedrock, leaves the audit incomplete. */
  readonly named: boolean;
  readonly regions: readonly RegionAudit[];
  readonly guardrails: readonly AuditedGuardrail[];
}

/** How an opt-in Region the account has not enabled answers: the credentials are unknown there (not verified against AWS). */
const NOT_ENABLED_ERRORS = new Set(['UnrecognizedClientException', 'InvalidClientTokenId']);

/** Audits the Regions, all at once; within a Region one call at a time, gentle on its request quotas. */
export async function auditAccount(options: AuditOptions): Promise<AccountAudit> {
  const results = await Promise.all(options.regions.map((region) => auditRegion(region, options)));
  return {
    named: options.named,
    regions: results.map((result) => result.region),
    guardrails: results.flatMap((result) => result.guardrails),
  };
}

async function auditRegion(region: string, options: AuditOptions): Promise<{ region: RegionAudit; guardrails: AuditedGuardrail[] }> {
  const clients = options.clients(region);
  const say = (line: string) => options.progress(`[${region}] ${line}`);
  let listing: Awaited<ReturnType<typeof listGuardrails>>;
  try {
    listing = await listGuardrails(clients.bedrock);
  } catch (error) {
    if (!options.named && isOptInRegion(region) && NOT_ENABLED_ERRORS.has(errorName(error))) {
      say(`skipped: an opt-in Region this account has not enabled (${describeError(error)})`);
      return { region: { region, status: 'not-enabled', problems: [describeError(error)] }, guardrails: [] };
    }
    say(`FAILED: ListGuardrails: ${describeError(error)}`);
    return { region: { region, status: 'failed', problems: [`ListGuardrails failed: ${describeError(error)}`] }, guardrails: [] };
  }
  if ('unavailable' in listing) {
    say(`skipped: ListGuardrails answered as where Bedrock is not offered (${listing.unavailable})`);
    return { region: { region, status: 'unavailable', problems: [listing.unavailable] }, guardrails: [] };
  }

  const summaries = listing.guardrails;
  say(`${summaries.length} guardrail${summaries.length === 1 ? '' : 's'} listed`);
  const settings: EvaluationSettings = { region, metricNamespace: DEFAULT_METRIC_NAMESPACE, maxRotationDays: options.maxRotationDays };
  // ListGuardrails lists the caller's own guardrails: their ARNs name the account whose keys are compliant.
  const accountId = summaries.map((summary) => accountOfArn(summary.arn ?? '')).find((account) => account !== undefined);
  const context: JudgementContext = { bedrock: clients.bedrock, kms: clients.kms, settings, accountId, keyFacts: new Map() };
  const guardrails: AuditedGuardrail[] = [];
  const judgements: GuardrailJudgement[] = [];
  for (const [index, summary] of summaries.entries()) {
    const judgement = await judgeGuardrail(summary, context);
    const outcome = judgement === undefined ? 'deleted meanwhile' : statusOf(judgement);
    say(`${index + 1}/${summaries.length} ${summary.name ?? summary.id ?? summary.arn}: ${outcome}`);
    if (judgement === undefined) continue;
    judgements.push(judgement);
    guardrails.push({
      region,
      arn: judgement.guardrailArn,
      id: summary.id,
      name: summary.name,
      status: statusOf(judgement),
      encryptedWithCmk: judgement.encryptedWithCmk,
      finding: judgement.reason,
      failedRules: judgement.compliant ? [] : ruleIdsIn(judgement.reason),
      versions: judgement.versions,
      keyIds: judgement.keyIds,
    });
  }

  const problems: string[] = [];
  const orphans = await findOrphanedKeys(
    clients.tagging,
    clients.kms,
    new Set(summaries.flatMap((summary) => summary.name === undefined ? [] : [summary.name])),
    new Set(judgements.flatMap((judgement) => judgement.keyIds)),
    (line) => problems.push(line.replace(/^WARNING /, '')),
  );
  say(`done: ${orphans === undefined ? 'orphaned keys not counted' : `${orphans.keys.length} orphaned key${orphans.keys.length === 1 ? '' : 's'}`}`);
  return {
    region: { region, status: 'audited', problems, orphanedKeys: orphans?.keys, orphanedKeysMonthlyCostUsd: orphans?.monthlyCostUsd },
    guardrails,
  };
}

function statusOf(judgement: GuardrailJudgement): AuditedGuardrail['status'] {
  return judgement.compliant ? 'COMPLIANT' : judgement.evaluated ? 'NON_COMPLIANT' : 'NOT_EVALUATED';
}
