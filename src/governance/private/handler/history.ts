import { ComplianceType, ConfigServiceClient, Evaluation, EvaluationResult, GetComplianceDetailsByConfigRuleCommand } from '@aws-sdk/client-config-service';
import { describeError } from './sdk';
import { EVALUATED_RESOURCE_TYPE } from '../kpi';

/** What the history needs of a guardrail's outcome to annotate it (a `GuardrailJudgement` is one). */
export interface Outcome {
  readonly compliant: boolean;
  readonly evaluated: boolean;
  /** Why, without the lead, which depends on the history. */
  readonly reason: string;
}

/** Since when a guardrail has been non-compliant, or `unknown` when the rule's history could not be read. */
type Since = Date | 'unknown';

/** How the annotation of a definite NON_COMPLIANT evaluation starts. */
const NON_COMPLIANT_LEAD = 'Non-compliant';
const NOT_EVALUATED_LEAD = 'Not evaluated';
const SINCE = /\(since (unknown|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z)\)/;

/**
 * What AWS Config already keeps of the rule's earlier runs: its last result per guardrail. The
 * moment a guardrail became non-compliant travels in the annotation of its NON_COMPLIANT results
 * ("… (since 2026-03-01T10:00Z): …"), so that time to remediate is measured without a store of its
 * own. This class both writes that annotation and reads it back, so the two cannot drift apart.
 */
export class RuleHistory {
  /** Reads the rule's last results. Best effort: without them, deleted guardrails keep their last result and time to remediate is not measured. */
  static async read(config: ConfigServiceClient, ruleName: string, log: (line: string) => void): Promise<RuleHistory> {
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
      log(`WARNING could not read earlier results (${describeError(error)}): deleted guardrails keep their last result, `
        + 'and non-compliant guardrails are marked "(since unknown)" until they are remediated (their time to remediate is not measured)');
      return new RuleHistory(undefined);
    }
    return new RuleHistory(last);
  }

  /** @param last last results by guardrail ARN; `undefined` when they could not be read. */
  private constructor(private readonly last: ReadonlyMap<string, EvaluationResult> | undefined) {}

  /** The evaluation's annotation: a non-compliant guardrail carries since when it has been so. */
  annotation(guardrailArn: string, outcome: Outcome, now: Date): string {
    if (outcome.compliant) return outcome.reason;
    const lead = outcome.evaluated ? NON_COMPLIANT_LEAD : NOT_EVALUATED_LEAD;
    return `${lead} ${sinceText(this.nonCompliantSince(guardrailArn, now))}: ${outcome.reason}.`;
  }

  /**
   * The seconds each guardrail now COMPLIANT took to be remediated, for those whose time is known;
   * `undefined` (not measured) when the history could not be read.
   */
  secondsToRemediate(compliantArns: readonly string[], now: Date): number[] | undefined {
    if (this.last === undefined) return undefined;
    return compliantArns.flatMap((arn) => {
      const seconds = this.secondsToRemediateOne(arn, now);
      return seconds === undefined ? [] : [seconds];
    });
  }

  /** Config keeps the last result of a guardrail that was deleted: those become NOT_APPLICABLE. */
  retiredEvaluations(current: ReadonlySet<string>, orderingTimestamp: Date): Evaluation[] {
    return [...(this.last?.keys() ?? [])].filter((arn) => !current.has(arn)).map((arn) => ({
      ComplianceResourceType: EVALUATED_RESOURCE_TYPE,
      ComplianceResourceId: arn,
      ComplianceType: ComplianceType.Not_Applicable,
      Annotation: 'The guardrail no longer exists.',
      OrderingTimestamp: orderingTimestamp,
    }));
  }

  /** The NOT_APPLICABLE evaluation of a guardrail deleted during the run, when Config keeps a result of it. */
  retiredEvaluation(guardrailArn: string, orderingTimestamp: Date): Evaluation | undefined {
    if (!this.last?.has(guardrailArn)) return undefined;
    return this.retiredEvaluations(new Set([...this.last.keys()].filter((arn) => arn !== guardrailArn)), orderingTimestamp)[0];
  }

  /**
   * Since when a guardrail has been non-compliant: what its last NON_COMPLIANT result says (or that
   * result's time, for results written before the annotation carried it), or now when its last result
   * was not NON_COMPLIANT. Without the history the moment is `unknown`, and stays so in later
   * annotations rather than restarting the clock.
   */
  private nonCompliantSince(guardrailArn: string, now: Date): Since {
    if (this.last === undefined) return 'unknown';
    const previous = this.last.get(guardrailArn);
    if (previous?.ComplianceType !== ComplianceType.Non_Compliant) return now;
    const written = SINCE.exec(previous.Annotation ?? '')?.[1];
    if (written === 'unknown') return 'unknown';
    if (written) return new Date(written);
    return previous.EvaluationResultIdentifier?.OrderingTimestamp ?? previous.ResultRecordedTime ?? 'unknown';
  }

  /**
   * Only when the guardrail's last result was a definite NON_COMPLIANT (not "Not evaluated", which a
   * grant or a passing error fixes) whose start is known.
   */
  private secondsToRemediateOne(guardrailArn: string, now: Date): number | undefined {
    const previous = this.last?.get(guardrailArn);
    if (previous?.ComplianceType !== ComplianceType.Non_Compliant || !previous.Annotation?.startsWith(NON_COMPLIANT_LEAD)) return undefined;
    const since = this.nonCompliantSince(guardrailArn, now);
    return since === 'unknown' ? undefined : Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000));
  }
}

/** "(since 2026-03-01T10:00Z)": minutes are precise enough for a time counted in hours or days. */
function sinceText(since: Since): string {
  return since === 'unknown' ? '(since unknown)' : `(since ${since.toISOString().slice(0, 16)}Z)`;
}
