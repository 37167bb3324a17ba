import { KEY_REQUIREMENTS } from '../../../core/key-requirements';
import { ROTATION_DAYS } from '../../../core/kms-limits';
import { DEFAULT_METRIC_NAMESPACE, ENV } from '../kpi';

/** What the rule checks against. */
export interface EvaluationSettings {
  /** The Region the handler runs in: guardrails must use a key of this Region. */
  readonly region: string;
  /** Key ARNs allowed to encrypt guardrails; `undefined` allows any compliant customer-managed key. */
  readonly allowedKeyArns?: ReadonlySet<string>;
  readonly metricNamespace: string;
  /** The longest automatic rotation period accepted, in days (the pack's `maxRotationDays`). */
  readonly maxRotationDays: number;
}

/** Reads the handler's settings from its environment (set by `GuardrailEncryptionConfigRule`). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): EvaluationSettings {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set: cannot tell which Region guardrail keys must be in');
  const allowed = (env[ENV.allowedKeyArns] ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const maxRotationDays = Number(env[ENV.maxRotationDays] || KEY_REQUIREMENTS.maxRotationDays);
  if (!Number.isInteger(maxRotationDays) || maxRotationDays < ROTATION_DAYS.min || maxRotationDays > ROTATION_DAYS.max) {
    throw new Error(`${ENV.maxRotationDays} is ${env[ENV.maxRotationDays]}: expected a whole number of days from ${ROTATION_DAYS.min} to ${ROTATION_DAYS.max}`);
  }
  return {
    region,
    allowedKeyArns: allowed.length > 0 ? new Set(allowed) : undefined,
    metricNamespace: env[ENV.metricNamespace] || DEFAULT_METRIC_NAMESPACE,
    maxRotationDays,
  };
}
