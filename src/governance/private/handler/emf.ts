import { KPI, OCCASIONAL_KPI, RULE_DIMENSION } from '../kpi';

/** The KPIs of one evaluation run. */
export interface KpiCounts {
  readonly total: number;
  readonly encryptedWithCmk: number;
  readonly nonCompliant: number;
  readonly notEvaluated: number;
  /** Seconds each guardrail remediated in this run took, when the rule's history could be read. */
  readonly secondsToRemediate?: readonly number[];
  /** Orphaned keys and their monthly cost, when they could be counted. */
  readonly orphanedKeys?: { readonly count: number; readonly monthlyCostUsd: number };
}

/**
 * One CloudWatch embedded-metric-format record holding the run's KPIs. Lambda ships stdout to
 * CloudWatch Logs, which extracts the metrics: no PutMetricData call, so no cloudwatch permission.
 * What was not measured is left out rather than written as zero; several remediation times are one
 * metric with several values.
 */
export function kpiRecord(namespace: string, ruleName: string, counts: KpiCounts, timestamp: Date): Record<string, unknown> {
  const values: Record<string, number | number[]> = {
    [KPI.total]: counts.total,
    [KPI.encryptedWithCmk]: counts.encryptedWithCmk,
    [KPI.nonCompliant]: counts.nonCompliant,
    [KPI.notEvaluated]: counts.notEvaluated,
  };
  const metrics: Array<{ Name: string; Unit: string }> = Object.values(KPI).map((Name) => ({ Name, Unit: 'Count' }));
  if (counts.secondsToRemediate && counts.secondsToRemediate.length > 0) {
    values[OCCASIONAL_KPI.timeToRemediate] = [...counts.secondsToRemediate];
    metrics.push({ Name: OCCASIONAL_KPI.timeToRemediate, Unit: 'Seconds' });
  }
  if (counts.orphanedKeys) {
    values[OCCASIONAL_KPI.orphanedKeys] = counts.orphanedKeys.count;
    values[OCCASIONAL_KPI.orphanedKeysMonthlyCost] = counts.orphanedKeys.monthlyCostUsd;
    metrics.push({ Name: OCCASIONAL_KPI.orphanedKeys, Unit: 'Count' }, { Name: OCCASIONAL_KPI.orphanedKeysMonthlyCost, Unit: 'None' });
  }
  return {
    _aws: {
      Timestamp: timestamp.getTime(),
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[RULE_DIMENSION]], Metrics: metrics }],
    },
    [RULE_DIMENSION]: ruleName,
    ...values,
  };
}
