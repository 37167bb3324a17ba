import { DELIVERY_KPI, KPI, OCCASIONAL_KPI, RULE_DIMENSION } from '../kpi';

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

/** The embedded metric format takes at most 100 values per metric in one record. */
const MAX_VALUES = 100;

/**
 * CloudWatch embedded-metric-format records holding the run's KPIs. Lambda ships stdout to
 * CloudWatch Logs, which extracts the metrics: no PutMetricData call, so no cloudwatch permission.
 * What was not measured is left out rather than written as zero; remediation times are one metric
 * with several values, spread over further records beyond 100.
 */
export function kpiRecords(namespace: string, ruleName: string, counts: KpiCounts, timestamp: Date): Array<Record<string, unknown>> {
  const times = counts.secondsToRemediate ?? [];
  return [
    kpiRecord(namespace, ruleName, { ...counts, secondsToRemediate: times.slice(0, MAX_VALUES) }, timestamp),
    ...remediationRecords(namespace, ruleName, times.slice(MAX_VALUES), timestamp),
  ];
}

/** Times to remediate alone, 100 values per record: what an invocation that does not finish its run measured. */
export function remediationRecords(
  namespace: string, ruleName: string, secondsToRemediate: readonly number[], timestamp: Date,
): Array<Record<string, unknown>> {
  const records: Array<Record<string, unknown>> = [];
  for (let i = 0; i < secondsToRemediate.length; i += MAX_VALUES) {
    records.push(emfRecord(namespace, ruleName, timestamp, [{ Name: OCCASIONAL_KPI.timeToRemediate, Unit: 'Seconds' }],
      { [OCCASIONAL_KPI.timeToRemediate]: secondsToRemediate.slice(i, i + MAX_VALUES) }));
  }
  return records;
}

/**
 * What an invocation could not deliver and what it left, written after its last PutEvaluations so that
 * the refused count is the final one (after the re-sends).
 */
export function deliveryRecord(
  namespace: string, ruleName: string, delivery: { refused: number; left: number }, timestamp: Date,
): Record<string, unknown> {
  return emfRecord(namespace, ruleName, timestamp,
    [{ Name: DELIVERY_KPI.refused, Unit: 'Count' }, { Name: DELIVERY_KPI.left, Unit: 'Count' }],
    { [DELIVERY_KPI.refused]: delivery.refused, [DELIVERY_KPI.left]: delivery.left });
}

function kpiRecord(namespace: string, ruleName: string, counts: KpiCounts, timestamp: Date): Record<string, unknown> {
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
  return emfRecord(namespace, ruleName, timestamp, metrics, values);
}

function emfRecord(
  namespace: string, ruleName: string, timestamp: Date, metrics: Array<{ Name: string; Unit: string }>, values: Record<string, number | number[]>,
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp.getTime(),
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[RULE_DIMENSION]], Metrics: metrics }],
    },
    [RULE_DIMENSION]: ruleName,
    ...values,
  };
}
