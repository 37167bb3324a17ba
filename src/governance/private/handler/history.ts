import { ComplianceType, ConfigServiceClient, Evaluation, EvaluationResult, GetComplianceDetailsByConfigRuleCommand } from '@aws-sdk/client-config-service';
import { describeError } from './sdk';
import { EVALUATED_RESOURCE_TYPE } from '../kpi';

/**
 * What AWS Config already keeps of the rule's earlier runs: its last result per guardrail. The
 * moment a guardrail became non-compliant travels in the annotation of its NON_COMPLIANT results
 * ("… (since 2026-03-01T10:00Z): …"), so that time to remediate is measured without a store of its own.
 */
export interface History {
  /** Last results by guardrail ARN; `undefined` when they could not be read. */
  readonly last?: ReadonlyMap<string, EvaluationResult>;
}

const SINCE = /\(since (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z)\)/;

/** Reads the rule's last results. Best effort: without them, deleted guardrails keep their last result and time to remediate is not measured. */
export async function readHistory(config: ConfigServiceClient, ruleName: string, log: (line: string) => void): Promise<History> {
  const last = new Map<string, EvaluationResult>();
  try {
    let nextToken: string | undefined;
    do {
      const page = await config.send(new GetComplianceDetailsByConfigRuleCommand({
        ConfigRuleName: ruleName,
        ComplianceTypes: [ComplianceType.Compliant, ComplianceType.Non_Compliant],
        Limit: 100,
        NextToken: nextToken,
      }));
      for (const result of page.EvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        if (qualifier?.ResourceType === EVALUATED_RESOURCE_TYPE && qualifier.ResourceId) last.set(qualifier.ResourceId, result);
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    log(`WARNING could not read earlier results (${describeError(error)}): deleted guardrails keep their last result and time to remediate is not measured this run`);
    return {};
  }
  return { last };
}

/**
 * Since when a guardrail has been non-compliant: what its last NON_COMPLIANT result says (or that
 * result's time, for results written before the annotation carried it), or now.
 */
export function nonCompliantSince(history: History, guardrailArn: string, now: Date): Date {
  const previous = history.last?.get(guardrailArn);
  if (previous?.ComplianceType !== ComplianceType.Non_Compliant) return now;
  const written = SINCE.exec(previous.Annotation ?? '')?.[1];
  return written ? new Date(written) : previous.EvaluationResultIdentifier?.OrderingTimestamp ?? previous.ResultRecordedTime ?? now;
}

/** The seconds a guardrail now COMPLIANT took to be remediated, when its last result was NON_COMPLIANT. */
export function secondsToRemediate(history: History, guardrailArn: string, now: Date): number | undefined {
  const previous = history.last?.get(guardrailArn);
  if (previous?.ComplianceType !== ComplianceType.Non_Compliant) return undefined;
  return Math.max(0, Math.round((now.getTime() - nonCompliantSince(history, guardrailArn, now).getTime()) / 1000));
}

/** "(since 2026-03-01T10:00Z)": minutes are precise enough for a time counted in hours or days. */
export function sinceText(since: Date): string {
  return `(since ${since.toISOString().slice(0, 16)}Z)`;
}

/** Config keeps the last result of a guardrail that was deleted: those become NOT_APPLICABLE. */
export function retiredEvaluations(history: History, current: ReadonlySet<string>, orderingTimestamp: Date): Evaluation[] {
  return [...(history.last?.keys() ?? [])].filter((arn) => !current.has(arn)).map((arn) => ({
    ComplianceResourceType: EVALUATED_RESOURCE_TYPE,
    ComplianceResourceId: arn,
    ComplianceType: ComplianceType.Not_Applicable,
    Annotation: 'The guardrail no longer exists.',
    OrderingTimestamp: orderingTimestamp,
  }));
}
