import { KPI, RULE_DIMENSION } from '../kpi';

/** The KPIs of one evaluation run. */
export interface KpiCounts {
  readonly total: number;
  readonly encryptedWithCmk: number;
  readonly nonCompliant: number;
  readonly notEvaluated: number;
}

/**
 * One CloudWatch embedded-metric-format record holding the run's KPIs. Lambda ships stdout to
 * CloudWatch Logs, which extracts the metrics: no PutMetricData call, so no cloudwatch permission.
 */
export function kpiRecord(namespace: string, ruleName: string, counts: KpiCounts, timestamp: Date): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp.getTime(),
      CloudWatchMetrics: [{
        Namespace: namespace,
        Dimensions: [[RULE_DIMENSION]],
        Metrics: Object.values(KPI).map((Name) => ({ Name, Unit: 'Count' })),
      }],
    },
    [RULE_DIMENSION]: ruleName,
    [KPI.total]: counts.total,
    [KPI.encryptedWithCmk]: counts.encryptedWithCmk,
    [KPI.nonCompliant]: counts.nonCompliant,
    [KPI.notEvaluated]: counts.notEvaluated,
  };
}
