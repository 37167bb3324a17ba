import { BedrockClient, GuardrailSummary } from '@aws-sdk/client-bedrock';
import { ComplianceType, ConfigServiceClient, Evaluation, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { KMSClient } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { kpiRecords } from './emf';
import { GuardrailJudgement, judgeGuardrail, JudgementContext } from './guardrail-judgement';
import { listGuardrails } from './guardrail-listing';
import { RuleHistory } from './history';
import { findOrphanedKeys, OrphanedKeys } from './orphaned-keys';
import { EvaluationSettings } from './settings';
import { KEY_MONTHLY_COST_USD } from '../../../core/kms-price';
import { EVALUATED_RESOURCE_TYPE } from '../kpi';

export { settingsFromEnvironment } from './settings';
export type { EvaluationSettings } from './settings';

/** What AWS Config passes to a custom Lambda rule (the fields this rule reads). */
export interface ConfigRuleInvocation {
  /** JSON: for periodic rules `{ awsAccountId, notificationCreationTime, messageType, recordVersion }`. */
  readonly invokingEvent: string;
  readonly resultToken: string;
  readonly configRuleName: string;
  readonly accountId?: string;
  readonly ruleParameters?: string;
}

export interface EvaluationDependencies {
  readonly bedrock: BedrockClient;
  readonly kms: KMSClient;
  readonly config: ConfigServiceClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly settings: EvaluationSettings;
  /** Where log lines (and the KPI record) go. @default console.log */
  readonly log?: (line: string) => void;
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
  /** Guardrails found COMPLIANT whose last result was NON_COMPLIANT. */
  readonly remediated: number;
  /** Orphaned guardrail keys, when they could be counted. */
  readonly orphanedKeys?: number;
  /** ListGuardrails answered ValidationException, taken for a Region where Bedrock is not offered: nothing was evaluated. */
  readonly bedrockUnavailable?: boolean;
}

/** Config's limit on evaluations per PutEvaluations call (0 to 100, AWS Config API reference). */
const PUT_EVALUATIONS_BATCH = 100;
/** Config's limit on an evaluation's annotation. */
const MAX_ANNOTATION = 256;
/** Guardrails read at once: enough to finish a Region's guardrails quickly, few enough not to be throttled. */
const CONCURRENCY = 4;

/**
 * Evaluates every guardrail of the Region, each with all its versions, and reports one evaluation per
 * guardrail to AWS Config.
 *
 * A guardrail is COMPLIANT only when every version was read and is encrypted with a customer-managed
 * key of this account and Region, enabled, rotated at least as often as the standard asks, with a
 * least-privilege policy (and in the allow-list, when there is one). A guardrail that could not be
 * evaluated is reported NON_COMPLIANT with an annotation starting "Not evaluated": Config accepts no
 * INSUFFICIENT_DATA from PutEvaluations, and NOT_APPLICABLE would hide it.
 *
 * Throws only when the guardrails cannot be listed (other than in a Region without Bedrock) or the
 * evaluations cannot be delivered, so that Config records the run as failed instead of holding a
 * partial picture.
 */
export async function evaluateGuardrailEncryption(invocation: ConfigRuleInvocation, deps: EvaluationDependencies): Promise<EvaluationSummary> {
  const run = readInvocation(invocation, deps);
  const listing = await listGuardrails(deps.bedrock);
  if ('unavailable' in listing) return reportBedrockUnavailable(run, deps, listing.unavailable);

  const history = await RuleHistory.read(deps.config, run.ruleName, run.log);
  const judgements = await judgeGuardrails(listing.guardrails, run, deps);
  const findings: Findings = {
    judgements,
    evaluations: judgements.map((judgement) => toEvaluation(judgement, history, run.at)),
    retired: history.retiredEvaluations(new Set(judgements.map((v) => v.guardrailArn)), run.at),
    secondsToRemediate: history.secondsToRemediate(judgements.filter((v) => v.compliant).map((v) => v.guardrailArn), run.at),
    orphans: await findUnusedGuardrailKeys(listing.guardrails, judgements, run, deps),
  };

  const summary = summarize(findings);
  // The KPIs describe what was found, so they are written even if delivering the evaluations fails.
  publishKpis(summary, findings, run, deps.settings.metricNamespace);
  logFindings(findings, run.log);
  const failedEvaluations = await putEvaluations(deps.config, [...findings.evaluations, ...findings.retired], run.resultToken, run.log);
  return finish({ ...summary, failedEvaluations }, run.log);
}

/** One run of the rule, as the invocation describes it. */
interface Run {
  readonly ruleName: string;
  readonly accountId?: string;
  readonly resultToken: string;
  /** The evaluations' ordering timestamp and the KPIs' time: when Config sent the notification, else now. */
  readonly at: Date;
  readonly log: (line: string) => void;
}

/** What a run found, before it is reported. */
interface Findings {
  readonly judgements: readonly GuardrailJudgement[];
  /** One per judgement, in the same order. */
  readonly evaluations: readonly Evaluation[];
  /** NOT_APPLICABLE evaluations of guardrails that no longer exist. */
  readonly retired: readonly Evaluation[];
  /** `undefined` when the history could not be read, so remediation was not measured. */
  readonly secondsToRemediate?: readonly number[];
  readonly orphans?: OrphanedKeys;
}

function readInvocation(invocation: ConfigRuleInvocation, deps: EvaluationDependencies): Run {
  const invoking = parseInvokingEvent(invocation.invokingEvent);
  return {
    ruleName: invocation.configRuleName,
    accountId: invocation.accountId ?? invoking.awsAccountId,
    resultToken: invocation.resultToken,
    at: invoking.notificationCreationTime ? new Date(invoking.notificationCreationTime) : (deps.now ?? (() => new Date()))(),
    log: deps.log ?? ((line: string) => console.log(line)),
  };
}

async function reportBedrockUnavailable(run: Run, deps: EvaluationDependencies, reason: string): Promise<EvaluationSummary> {
  // No KPIs: zero guardrails would read as a 100% score on the dashboard for a Region never evaluated.
  run.log(`WARNING ListGuardrails was refused in ${deps.settings.region} (${reason}), as where Bedrock is not offered: `
    + 'no guardrail evaluated, no KPI written');
  const failedEvaluations = await putEvaluations(deps.config, [], run.resultToken, run.log);
  return { ...emptySummary(), failedEvaluations, bedrockUnavailable: true };
}

async function judgeGuardrails(guardrails: readonly GuardrailSummary[], run: Run, deps: EvaluationDependencies): Promise<GuardrailJudgement[]> {
  const context: JudgementContext = { bedrock: deps.bedrock, kms: deps.kms, settings: deps.settings, accountId: run.accountId, keyFacts: new Map() };
  return (await mapWithConcurrency(guardrails, CONCURRENCY, (g) => judgeGuardrail(g, context)))
    .filter((v): v is GuardrailJudgement => v !== undefined);
}

function toEvaluation(judgement: GuardrailJudgement, history: RuleHistory, at: Date): Evaluation {
  return {
    ComplianceResourceType: EVALUATED_RESOURCE_TYPE,
    ComplianceResourceId: judgement.guardrailArn,
    ComplianceType: judgement.compliant ? ComplianceType.Compliant : ComplianceType.Non_Compliant,
    Annotation: truncate(history.annotation(judgement.guardrailArn, judgement, at)),
    OrderingTimestamp: at,
  };
}

/** Guardrail keys of the Region that no guardrail uses. */
async function findUnusedGuardrailKeys(
  guardrails: readonly GuardrailSummary[], judgements: readonly GuardrailJudgement[], run: Run, deps: EvaluationDependencies,
): Promise<OrphanedKeys | undefined> {
  return findOrphanedKeys(
    deps.tagging,
    deps.kms,
    new Set(guardrails.flatMap((g) => g.name ? [g.name] : [])),
    new Set(judgements.flatMap((v) => v.keyIds)),
    run.log,
  );
}

function summarize(findings: Findings): Omit<EvaluationSummary, 'failedEvaluations'> {
  const { judgements } = findings;
  return {
    total: judgements.length,
    encryptedWithCmk: judgements.filter((v) => v.encryptedWithCmk).length,
    compliant: judgements.filter((v) => v.compliant).length,
    nonCompliant: judgements.filter((v) => !v.compliant).length,
    notEvaluated: judgements.filter((v) => !v.evaluated).length,
    removed: findings.retired.length,
    remediated: findings.secondsToRemediate?.length ?? 0,
    orphanedKeys: findings.orphans?.keys.length,
  };
}

/** Writes the KPIs as embedded-metric-format log lines. */
function publishKpis(summary: Omit<EvaluationSummary, 'failedEvaluations'>, findings: Findings, run: Run, namespace: string): void {
  const { orphans } = findings;
  for (const record of kpiRecords(namespace, run.ruleName, {
    ...summary,
    secondsToRemediate: findings.secondsToRemediate,
    orphanedKeys: orphans ? { count: orphans.keys.length, monthlyCostUsd: orphans.monthlyCostUsd } : undefined,
  }, run.at)) run.log(JSON.stringify(record));
}

/** One log line per non-compliant guardrail and per orphaned key, for whoever reads the logs rather than Config. */
function logFindings(findings: Findings, log: (line: string) => void): void {
  findings.judgements.forEach((v, i) => {
    if (!v.compliant) log(`${v.evaluated ? 'NON_COMPLIANT' : 'NOT_EVALUATED'} ${v.guardrailArn}: ${findings.evaluations[i].Annotation}`);
  });
  for (const key of findings.orphans?.keys ?? []) {
    log(`ORPHANED_KEY ${key}: no guardrail of the Region uses it; it is billed at least $${KEY_MONTHLY_COST_USD}/month until it is scheduled for deletion`);
  }
}

function finish(summary: EvaluationSummary, log: (line: string) => void): EvaluationSummary {
  log(JSON.stringify({ message: 'guardrail encryption evaluation finished', ...summary }));
  return summary;
}

function emptySummary(): Omit<EvaluationSummary, 'failedEvaluations'> {
  return { total: 0, encryptedWithCmk: 0, compliant: 0, nonCompliant: 0, notEvaluated: 0, removed: 0, remediated: 0 };
}

async function putEvaluations(
  config: ConfigServiceClient, evaluations: Evaluation[], resultToken: string, log: (line: string) => void,
): Promise<number> {
  let failed = 0;
  // A run without guardrails still reports, with an empty set, so that Config records the run.
  const batches: Evaluation[][] = evaluations.length === 0 ? [[]] : [];
  for (let i = 0; i < evaluations.length; i += PUT_EVALUATIONS_BATCH) batches.push(evaluations.slice(i, i + PUT_EVALUATIONS_BATCH));
  for (const batch of batches) {
    const response = await config.send(new PutEvaluationsCommand({
      Evaluations: batch,
      ResultToken: resultToken,
      // With TestMode, PutEvaluations checks the delivery but records nothing. Config itself always
      // passes a real token; 'TESTMODE' is the token the AWS Config Rules Development Kit (RDK) passes
      // when it runs a rule's function in a test, a convention this handler honours.
      TestMode: resultToken === 'TESTMODE',
    }));
    for (const refused of response.FailedEvaluations ?? []) {
      failed++;
      log(`ERROR Config refused the evaluation of ${refused.ComplianceResourceId} (${refused.ComplianceType})`);
    }
  }
  return failed;
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

function truncate(text: string): string {
  return text.length <= MAX_ANNOTATION ? text : `${text.slice(0, MAX_ANNOTATION - 1)}…`;
}
