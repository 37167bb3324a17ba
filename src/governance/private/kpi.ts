/*
 * Names shared by the Config rule's handler (which writes the KPIs) and the constructs that read them
 * (the rule's metric methods and the dashboard). Not exported from the package.
 */

/** The CloudWatch namespace the KPIs are written to unless the rule is given another. */
export const DEFAULT_METRIC_NAMESPACE = 'SecureGuardrail';

/** The dimension that tells the KPIs of two rules (two Regions' or two teams' rules) apart. */
export const RULE_DIMENSION = 'ConfigRuleName';

export const KPI = {
  /** Guardrails the rule listed in the Region. */
  total: 'GuardrailsTotal',
  /** Guardrails whose key DescribeKey confirmed as customer managed, whatever else is wrong with it. */
  encryptedWithCmk: 'GuardrailsEncryptedWithCmk',
  /** Guardrails reported NON_COMPLIANT, those it could not evaluate included. */
  nonCompliant: 'GuardrailsNonCompliant',
  /** Guardrails it could not evaluate (access denied, errors after retries). */
  notEvaluated: 'GuardrailsNotEvaluated',
} as const;

/** KPIs a run writes only when it measured them. */
export const OCCASIONAL_KPI = {
  /** Seconds from a guardrail's first NON_COMPLIANT evaluation to its first COMPLIANT one, one value per guardrail remediated in the run. */
  timeToRemediate: 'TimeToRemediate',
  /** Keys under the library's alias prefix that no guardrail of the Region uses (counted when the aliases could be listed). */
  orphanedKeys: 'OrphanedGuardrailKeys',
  /** Their monthly cost at the KMS list price, in US dollars. */
  orphanedKeysMonthlyCost: 'OrphanedGuardrailKeysMonthlyCostUsd',
} as const;

/** What each invocation writes after delivering its evaluations. */
export const DELIVERY_KPI = {
  /** Evaluations AWS Config still refused (PutEvaluations' FailedEvaluations) after they were re-sent: the invocation failed. */
  refused: 'EvaluationsRefused',
  /** Guardrails an invocation that ran out of time left to a follow-up invocation or the next run. */
  left: 'GuardrailsLeft',
} as const;

/** Environment variables of the handler. */
export const ENV = {
  allowedKeyArns: 'ALLOWED_KEY_ARNS',
  metricNamespace: 'METRIC_NAMESPACE',
  maxRotationDays: 'MAX_ROTATION_DAYS',
} as const;

/**
 * The Config resource type of the evaluations. Config lists `AWS::Bedrock::Guardrail` among its
 * resource types, and periodic rules may report on resources the recorder does not record.
 */
export const EVALUATED_RESOURCE_TYPE = 'AWS::Bedrock::Guardrail';
