import { BedrockClient, GuardrailSummary } from '@aws-sdk/client-bedrock';
import { ComplianceType, ConfigServiceClient, Evaluation } from '@aws-sdk/client-config-service';
import { KMSClient } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { EvaluationDelivery, RESEND_BACKOFF_MS } from './delivery';
import { deliveryRecord, kpiRecords, remediationRecords } from './emf';
import { GuardrailJudgement, judgeGuardrail, JudgementContext } from './guardrail-judgement';
import { ConcurrencyLimit, limited, listGuardrails } from './guardrail-reading';
import { RuleHistory } from './history';
import { ConfigRuleInvocation, Continuation, readInvocationEvent, RunCounts, RunRequest } from './invocation-event';
import { confirmOrphans, findOrphanCandidates, keyIdOf, OrphanCandidate, OrphanedKeys } from './orphaned-keys';
import { EvaluationSettings } from './settings';
import { KEY_MONTHLY_COST_USD } from '../../../core/kms-price';
import { EVALUATED_RESOURCE_TYPE } from '../kpi';

export { settingsFromEnvironment } from './settings';
export type { EvaluationSettings } from './settings';
export { MalformedEventError } from './invocation-event';
export type { ConfigRuleInvocation, Continuation } from './invocation-event';

export interface EvaluationDependencies {
  readonly bedrock: BedrockClient;
  readonly kms: KMSClient;
  readonly config: ConfigServiceClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly settings: EvaluationSettings;
  /** Where log lines (and the KPI records) go. @default console.log */
  readonly log?: (line: string) => void;
  /** The time left before the invocation times out, in milliseconds (Lambda's `context.getRemainingTimeInMillis`). @default - no limit */
  readonly remainingTimeMs?: () => number;
  /**
   * Continues the run in a follow-up invocation with this event. Without it, a run that runs out of
   * time leaves the rest unevaluated (they keep their last result).
   */
  readonly continueRun?: (event: ConfigRuleInvocation) => Promise<void>;
}

/** What a run found and reported (the whole run so far, when it spans several invocations). */
export interface EvaluationSummary extends RunCounts {
  /** Evaluations Config refused (PutEvaluations' FailedEvaluations) even after they were re-sent. */
  readonly failedEvaluations: number;
  /** Orphaned guardrail keys, when they could be counted (by the invocation that finishes the run). */
  readonly orphanedKeys?: number;
  /** ListGuardrails answered ValidationException, taken for a Region where Bedrock is not offered: nothing was evaluated. */
  readonly bedrockUnavailable?: boolean;
  /** Guardrails this invocation ran out of time for (left to a follow-up invocation). */
  readonly left?: number;
  /** The rest of the run goes on in a follow-up invocation. */
  readonly continued?: boolean;
}

const NO_COUNTS: RunCounts = { total: 0, encryptedWithCmk: 0, compliant: 0, nonCompliant: 0, notEvaluated: 0, removed: 0, remediated: 0 };

/** Config's limit on an evaluation's annotation. */
const MAX_ANNOTATION = 256;

/**
 * Calls in flight to each service. The request rate is at most this over the calls' latency (at
 * 50 ms, 640 calls a second); it stays under Bedrock's and KMS's request quotas for the APIs the rule
 * calls (docs/runtime-governance.md, "Scale"), and the SDK's adaptive retry mode slows the client
 * down when a quota shared with other callers of the account throttles it anyway.
 */
export const BEDROCK_CALLS_IN_FLIGHT = 32;
export const KMS_CALLS_IN_FLIGHT = 32;
/** Guardrails judged at once: enough to keep the calls in flight busy while versions are listed. */
const GUARDRAILS_IN_FLIGHT = 48;
/**
 * What an invocation keeps for delivering its last evaluations and continuing (PutEvaluations of the
 * last batches, the re-sends of refused evaluations, the follow-up invocation): 30 seconds, or a
 * quarter of the time it started with if that is less.
 */
const RESERVE_MS = 30_000;
const RESERVE_SHARE = 0.25;
/** A guardrail is started only when the time left covers this many times the longest one so far. */
const SAFETY_FACTOR = 2;
/**
 * Invocations of one run at most: a run that still has guardrails left then stops, rather than
 * invoking itself without end (at the default timeout, about half a million guardrails).
 */
export const MAX_INVOCATIONS_PER_RUN = 20;

/**
 * Evaluates every guardrail of the Region, each with all its versions, and reports one evaluation per
 * guardrail to AWS Config, each batch of 100 as soon as it is ready.
 *
 * A guardrail is COMPLIANT only when every version was read and is encrypted with a customer-managed
 * key of this account and Region, enabled, rotated at least as often as the standard asks, with a
 * least-privilege policy (and in the allow-list, when there is one). A guardrail that could not be
 * evaluated is reported NON_COMPLIANT with an annotation starting "Not evaluated": Config accepts no
 * INSUFFICIENT_DATA from PutEvaluations, and NOT_APPLICABLE would hide it.
 *
 * The guardrails are taken in the order of their ARNs. When the time left would not cover another
 * guardrail, the invocation starts no more, delivers what it evaluated, and continues the run in a
 * follow-up invocation whose event says where to go on (`continuation`), with the run's counts so far.
 *
 * Throws, before any AWS call, on a malformed event; and when the guardrails cannot be listed (other
 * than in a Region without Bedrock), the evaluations cannot be delivered, or Config still refuses some
 * after they were re-sent (after delivering the others), so that Lambda and Config retry.
 */
export async function evaluateGuardrailEncryption(event: ConfigRuleInvocation, deps: EvaluationDependencies): Promise<EvaluationSummary> {
  const request = readInvocationEvent(event);
  const run = new Run(event, request, deps);
  return run.evaluate();
}

class Run {
  private readonly log: (line: string) => void;
  private readonly context: JudgementContext;
  private readonly delivery: EvaluationDelivery;
  private readonly budget: TimeBudget;
  private counts: { -readonly [K in keyof RunCounts]: number };
  private readonly secondsToRemediate: number[] = [];
  private readonly usedKeyIds = new Set<string>();
  private remediationMeasured = true;

  constructor(private readonly event: ConfigRuleInvocation, private readonly request: RunRequest, private readonly deps: EvaluationDependencies) {
    this.log = deps.log ?? ((line: string) => console.log(line));
    this.context = {
      bedrock: limited(deps.bedrock, new ConcurrencyLimit(BEDROCK_CALLS_IN_FLIGHT)),
      kms: limited(deps.kms, new ConcurrencyLimit(KMS_CALLS_IN_FLIGHT)),
      settings: deps.settings,
      accountId: request.accountId,
      keyFacts: new Map(),
    };
    this.delivery = new EvaluationDelivery(deps.config, request.resultToken, this.log);
    this.budget = new TimeBudget(deps.remainingTimeMs);
    this.counts = { ...(request.continuation?.counts ?? NO_COUNTS) };
  }

  async evaluate(): Promise<EvaluationSummary> {
    const { continuation } = this.request;
    const [listing, history] = await Promise.all([
      listGuardrails(this.context.bedrock),
      RuleHistory.read(this.deps.config, this.request.ruleName, this.log),
    ]);
    if ('unavailable' in listing) return this.reportBedrockUnavailable(listing.unavailable);
    const guardrails = [...listing.guardrails].sort((a, b) => compare(arnOf(a), arnOf(b)));

    // The tagged keys are listed once per run, while the guardrails are judged.
    const candidates: Promise<readonly OrphanCandidate[] | undefined> = continuation
      ? Promise.resolve(continuation.orphanCandidates)
      : findOrphanCandidates(this.deps.tagging, new Set(guardrails.flatMap((g) => g.name ? [g.name] : [])), this.log);
    if (!continuation) {
      const retired = history.retiredEvaluations(new Set(guardrails.map(arnOf)), this.request.at);
      this.counts.removed += retired.length;
      retired.forEach((evaluation) => this.delivery.add(evaluation));
    }
    const todo = continuation ? guardrails.filter((g) => compare(arnOf(g), continuation.after) > 0) : guardrails;
    const { last, left } = await this.judgeWithinBudget(todo, history);

    const unused = (await candidates)?.filter((candidate) => !this.usedKeyIds.has(keyIdOf(candidate.keyArn)));
    // A follow-up that could start nothing hands its own cursor on.
    const after = last ?? continuation?.after;
    const next: Continuation | undefined = left > 0 && after !== undefined
      ? { after, invocations: (continuation?.invocations ?? 0) + 1, counts: { ...this.counts }, orphanCandidates: unused }
      : undefined;
    const orphans = next || !unused ? undefined : await confirmOrphans(this.deps.kms, unused);
    this.publishMeasures(next === undefined, orphans);
    for (const key of orphans?.keys ?? []) {
      this.log(`ORPHANED_KEY ${key}: no guardrail of the Region uses it; it is billed at least $${KEY_MONTHLY_COST_USD}/month until it is scheduled for deletion`);
    }

    const delivered = await this.delivery.finish();
    this.write([deliveryRecord(this.deps.settings.metricNamespace, this.request.ruleName, { refused: delivered.refused, left }, this.request.at)]);
    if (delivered.refused > 0) {
      // Lambda retries the invocation, which evaluates this part of the run again; nothing goes on before.
      throw new Error(`AWS Config refused ${delivered.refused} evaluation(s) after ${RESEND_BACKOFF_MS.length + 1} attempts (logged above); `
        + `the other ${delivered.delivered} were delivered. Failing so that Lambda retries the invocation.`);
    }
    const continued = next ? await this.continueWith(next, left) : false;
    return this.finish({
      ...this.counts,
      failedEvaluations: 0,
      orphanedKeys: orphans?.keys.length,
      ...(left > 0 ? { left } : {}),
      ...(continued ? { continued } : {}),
    });
  }

  /**
   * Judges the guardrails in order, several at once, and starts no more once the time left would not
   * cover another; returns the ARN of the last one started and how many were not.
   */
  private async judgeWithinBudget(todo: readonly GuardrailSummary[], history: RuleHistory): Promise<{ last?: string; left: number }> {
    const inFlight = new Set<Promise<void>>();
    let last: string | undefined;
    for (let i = 0; i < todo.length; i++) {
      while (inFlight.size >= GUARDRAILS_IN_FLIGHT) await Promise.race(inFlight);
      if (!this.budget.allowsAnother()) {
        await Promise.all(inFlight);
        return { last, left: todo.length - i };
      }
      const guardrail = todo[i];
      last = arnOf(guardrail);
      const started = Date.now();
      const judged: Promise<void> = judgeGuardrail(guardrail, this.context).then((judgement) => {
        this.budget.record(Date.now() - started);
        this.report(arnOf(guardrail), judgement, history);
      }).finally(() => inFlight.delete(judged));
      inFlight.add(judged);
    }
    await Promise.all(inFlight);
    return { last, left: 0 };
  }

  private report(guardrailArn: string, judgement: GuardrailJudgement | undefined, history: RuleHistory): void {
    const at = this.request.at;
    if (!judgement) {
      const retired = history.retiredEvaluation(guardrailArn, at);
      this.log(`GUARDRAIL_DELETED ${guardrailArn}: deleted after it was listed, so not evaluated${retired ? '; its last result is retired (NOT_APPLICABLE)' : ''}`);
      if (retired) {
        this.counts.removed++;
        this.delivery.add(retired);
      }
      return;
    }
    const evaluation = toEvaluation(judgement, history, at);
    this.delivery.add(evaluation);
    judgement.keyIds.forEach((keyId) => this.usedKeyIds.add(keyId));
    this.counts.total++;
    if (judgement.encryptedWithCmk) this.counts.encryptedWithCmk++;
    if (judgement.compliant) this.counts.compliant++;
    else this.counts.nonCompliant++;
    if (!judgement.evaluated) this.counts.notEvaluated++;
    if (judgement.compliant) {
      const seconds = history.secondsToRemediate([judgement.guardrailArn], at);
      if (seconds === undefined) this.remediationMeasured = false;
      this.secondsToRemediate.push(...seconds ?? []);
      this.counts.remediated += seconds?.length ?? 0;
    }
    // For whoever reads the logs rather than Config.
    if (!judgement.compliant) this.log(`${judgement.evaluated ? 'NON_COMPLIANT' : 'NOT_EVALUATED'} ${judgement.guardrailArn}: ${evaluation.Annotation}`);
  }

  /**
   * The run's KPIs once, by the invocation that finishes it (the counts of the earlier ones came in its
   * event); times to remediate by each invocation, as it measured them.
   */
  private publishMeasures(finished: boolean, orphans: OrphanedKeys | undefined): void {
    const { metricNamespace } = this.deps.settings;
    const { ruleName, at } = this.request;
    const secondsToRemediate = this.remediationMeasured ? this.secondsToRemediate : undefined;
    this.write(finished
      ? kpiRecords(metricNamespace, ruleName, {
        ...this.counts,
        secondsToRemediate,
        orphanedKeys: orphans ? { count: orphans.keys.length, monthlyCostUsd: orphans.monthlyCostUsd } : undefined,
      }, at)
      : remediationRecords(metricNamespace, ruleName, secondsToRemediate ?? [], at));
  }

  private async continueWith(next: Continuation, left: number): Promise<boolean> {
    const where = `after ${next.after}, the run's invocation ${next.invocations + 1}`;
    if (!this.deps.continueRun || next.invocations >= MAX_INVOCATIONS_PER_RUN) {
      this.log(`WARNING ran out of time: ${left} guardrail(s) left, not evaluated in this run (${this.deps.continueRun ? `${MAX_INVOCATIONS_PER_RUN} invocations reached` : 'no follow-up invocation'}); `
        + 'they keep their last result (raise the timeout to evaluate every guardrail)');
      return false;
    }
    await this.deps.continueRun({ ...this.event, continuation: next });
    this.log(`CONTINUED ran out of time with ${left} guardrail(s) left: a follow-up invocation evaluates them, ${where}`);
    return true;
  }

  private async reportBedrockUnavailable(reason: string): Promise<EvaluationSummary> {
    // No KPIs: zero guardrails would read as a 100% score on the dashboard for a Region never evaluated.
    this.log(`WARNING ListGuardrails was refused in ${this.deps.settings.region} (${reason}), as where Bedrock is not offered: `
      + 'no guardrail evaluated, no KPI written');
    await this.delivery.finish();
    return { ...this.counts, failedEvaluations: 0, bedrockUnavailable: true };
  }

  private write(records: ReadonlyArray<Record<string, unknown>>): void {
    for (const record of records) this.log(JSON.stringify(record));
  }

  private finish(summary: EvaluationSummary): EvaluationSummary {
    this.log(JSON.stringify({ message: 'guardrail encryption evaluation finished', ...summary }));
    return summary;
  }
}

/** The time an invocation has left, and whether it covers one more guardrail. */
class TimeBudget {
  private readonly reserveMs: number;
  private longestMs = 0;

  constructor(private readonly remainingMs?: () => number) {
    this.reserveMs = remainingMs ? Math.min(RESERVE_MS, remainingMs() * RESERVE_SHARE) : 0;
  }

  record(ms: number): void {
    this.longestMs = Math.max(this.longestMs, ms);
  }

  allowsAnother(): boolean {
    return !this.remainingMs || this.remainingMs() - this.reserveMs > this.longestMs * SAFETY_FACTOR;
  }
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

function arnOf(guardrail: GuardrailSummary): string {
  return guardrail.arn ?? guardrail.id ?? 'unknown';
}

/** The order of the run: by code unit, the same in every invocation whatever the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function truncate(text: string): string {
  return text.length <= MAX_ANNOTATION ? text : `${text.slice(0, MAX_ANNOTATION - 1)}…`;
}
