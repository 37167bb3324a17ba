/*
 * The remediation function's settings, passed by `GuardrailEncryptionConfigRule` through the
 * function's environment: the names are shared by the construct and the function, which is bundled
 * without aws-cdk-lib.
 */

/** Environment variables of the remediation function. */
export const REMEDIATION_ENV = {
  partition: 'KEY_PARTITION',
  account: 'KEY_ACCOUNT',
  urlSuffix: 'KEY_URL_SUFFIX',
  ownRoleArn: 'OWN_ROLE_ARN',
  evaluatorRoleArn: 'EVALUATOR_ROLE_ARN',
  keyArn: 'REMEDIATION_KEY_ARN',
  keyAdminArns: 'KEY_ADMIN_ARNS',
  keyUserArns: 'KEY_USER_ARNS',
  keyUserTag: 'KEY_USER_PRINCIPAL_TAG',
  rotationDays: 'KEY_ROTATION_DAYS',
  tags: 'OWNERSHIP_TAGS',
  publishVersion: 'PUBLISH_VERSION',
  configRuleName: 'CONFIG_RULE_NAME',
} as const;

/**
 * The tag on a key the remediation created, with the ARN of the guardrail it was created for: how a
 * run that stopped half-way finds its key again instead of creating a second one.
 */
export const REMEDIATION_TAG = 'BedrockGuardrailRemediation';

/** The ownership tags of the standard (`MandatoryTags`), by tag key. */
export const OWNERSHIP_TAG_KEYS = ['Owner', 'Workload', 'DataSensitivity'] as const;

export interface RemediationSettings {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly urlSuffix: string;
  /** The function's own role: it puts the key on the guardrail, so it is the key's deployer. */
  readonly ownRoleArn: string;
  /** The Config rule's function role: it must still read the guardrail (Decrypt through Bedrock) and audit the key. */
  readonly evaluatorRoleArn?: string;
  /** A key to use instead of creating one. */
  readonly keyArn?: string;
  readonly keyAdminArns: readonly string[];
  readonly keyUserArns: readonly string[];
  readonly keyUserTag?: { readonly key: string; readonly value: string };
  readonly rotationDays: number;
  /** Ownership tags for a guardrail that carries none of its own. */
  readonly tags: { readonly [key: string]: string };
  readonly publishVersion: boolean;
  readonly configRuleName?: string;
}

const list = (value: string | undefined) => (value ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');

/** Milliseconds per unit, by the unit's label as aws-cdk-lib's Duration writes it. */
const UNIT_MILLIS: { [label: string]: number } = { millis: 1, seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

/**
 * A rotation period in whole days: a number of days, or `<amount> <unit>`, which the construct
 * writes for a period whose amount was a token at synth.
 */
function days(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)(?:\s+(millis|seconds|minutes|hours|days))?\s*$/.exec(text);
  const value = match ? Number(match[1]) * UNIT_MILLIS[match[2] ?? 'days'] / UNIT_MILLIS.days : NaN;
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`The remediation function's ${REMEDIATION_ENV.rotationDays} is ${JSON.stringify(text)}, not a whole number of days: nothing was changed.`);
  }
  return value;
}

export function remediationSettingsFromEnvironment(env: { [name: string]: string | undefined }): RemediationSettings {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`The remediation function's environment lacks ${name}: nothing was changed.`);
    return value;
  };
  const tag = env[REMEDIATION_ENV.keyUserTag];
  return {
    partition: required(REMEDIATION_ENV.partition),
    region: required('AWS_REGION'),
    account: required(REMEDIATION_ENV.account),
    urlSuffix: required(REMEDIATION_ENV.urlSuffix),
    ownRoleArn: required(REMEDIATION_ENV.ownRoleArn),
    evaluatorRoleArn: env[REMEDIATION_ENV.evaluatorRoleArn] || undefined,
    keyArn: env[REMEDIATION_ENV.keyArn] || undefined,
    keyAdminArns: list(env[REMEDIATION_ENV.keyAdminArns]),
    keyUserArns: list(env[REMEDIATION_ENV.keyUserArns]),
    // JSON: tag keys and values may hold '=' and ','.
    keyUserTag: tag ? JSON.parse(tag) : undefined,
    rotationDays: days(required(REMEDIATION_ENV.rotationDays)),
    tags: JSON.parse(env[REMEDIATION_ENV.tags] || '{}'),
    publishVersion: env[REMEDIATION_ENV.publishVersion] === 'true',
    configRuleName: env[REMEDIATION_ENV.configRuleName] || undefined,
  };
}
