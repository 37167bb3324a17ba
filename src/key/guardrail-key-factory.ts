import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GuardrailKeyPolicy } from './guardrail-key-policy';
import { applyGuardrailTags, checkKeyTagCount, GuardrailTags } from './guardrail-tags';
import { fail, Origin } from '../core/errors';
import { KEY_REQUIREMENTS } from '../core/key-requirements';
import { PENDING_WINDOW_DAYS, ROTATION_DAYS } from '../core/kms-limits';
import { checkDays, checkString, unresolved } from '../core/validation';

/** The standard's choices where the caller makes none. */
export const CREATED_KEY_DEFAULTS = {
  rotationDays: KEY_REQUIREMENTS.maxRotationDays,
  pendingWindowDays: KEY_REQUIREMENTS.minPendingWindowDays,
  removalPolicy: RemovalPolicy.RETAIN,
  aliasPrefix: KEY_REQUIREMENTS.aliasPrefix,
} as const;

/**
 * What a caller may choose about a guardrail key; everything else (a symmetric encryption key, rotation
 * on, `GuardrailKeyPolicy`) is fixed. `SecureGuardrailProps` extends it, so errors name the property
 * the user set. Not exported from the package: jsii documents these on `SecureGuardrailProps`.
 *
 * @internal
 */
export interface GuardrailKeyChoices {
  /**
   * Administrators of the created key (management only, no cryptographic operation).
   *
   * @default - the account root, which lets IAM policies of the account grant administration
   */
  readonly keyAdmins?: iam.IPrincipal[];

  /**
   * The roles that deploy this stack, allowed to use the key through Bedrock while CloudFormation
   * creates, updates and deletes the guardrail, and to administer the key: the role given to
   * `cdk deploy --role-arn`, a pipeline's CloudFormation action role, StackSets' execution role, a
   * Service Catalog launch role (see the README's recipes). Their IAM policies must allow what they do
   * with the key.
   *
   * @default - the CloudFormation execution role of the stack's synthesizer (the top-level stack's
   * for a nested stack)
   */
  readonly deploymentPrincipals?: iam.IPrincipal[];

  /**
   * Also allow Bedrock's service principal to use the created key for guardrails of this account
   * and Region only (`aws:SourceAccount`, `aws:SourceArn`). AWS's guardrail documentation does not
   * ask for it; turn it on only if a deployment is refused without it.
   *
   * @default false
   */
  readonly bedrockServicePrincipal?: boolean;

  /**
   * The created key's alias (`alias/` is prepended when missing; `alias/aws/` is reserved).
   *
   * @default - `alias/bedrock-guardrail/<guardrailName>`
   */
  readonly keyAlias?: string;

  /**
   * How often KMS rotates the created key (90-2560 days).
   *
   * @default Duration.days(365)
   */
  readonly keyRotationPeriod?: Duration;

  /**
   * How long KMS waits before deleting the created key once deletion is scheduled (7-30 days).
   *
   * @default Duration.days(30)
   */
  readonly keyPendingWindow?: Duration;

  /**
   * What CloudFormation does with the created key when it leaves the stack. The guardrail itself
   * is always deleted with the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Deny `kms:ScheduleKeyDeletion` on the created key to every principal. Requires a retaining
   * `removalPolicy`.
   *
   * @default - true when the removal policy retains the key, false otherwise
   */
  readonly deletionProtection?: boolean;
}

/** The options that configure a created key, so that they conflict with a key the caller brings. */
export const CREATED_KEY_OPTIONS: ReadonlyArray<keyof GuardrailKeyChoices> = [
  'keyAdmins', 'keyAlias', 'keyRotationPeriod', 'keyPendingWindow', 'removalPolicy', 'deletionProtection', 'bedrockServicePrincipal',
];

/**
 * The one factory of guardrail keys, used by `SecureGuardrail` and `GuardrailKeyRemediationAspect` so
 * that their keys cannot drift apart. The choices are validated once, when the standard is made.
 */
export class GuardrailKeyFactory {
  private readonly alias?: string;
  private readonly rotationPeriod: Duration;
  private readonly pendingWindow: Duration;
  private readonly removalPolicy: RemovalPolicy;
  private readonly deletionProtection: boolean;

  constructor(origin: Origin, private readonly tags: GuardrailTags, private readonly choices: GuardrailKeyChoices = {}) {
    checkKeyTagCount(origin, { ...tags, [KEY_REQUIREMENTS.guardrailTag]: '' } as GuardrailTags, [KEY_REQUIREMENTS.guardrailTag]);
    checkDays(origin, 'keyRotationPeriod', choices.keyRotationPeriod, ROTATION_DAYS);
    checkDays(origin, 'keyPendingWindow', choices.keyPendingWindow, PENDING_WINDOW_DAYS);
    this.removalPolicy = choices.removalPolicy ?? CREATED_KEY_DEFAULTS.removalPolicy;
    if (choices.deletionProtection === true && !retains(this.removalPolicy)) {
      fail(origin, 'deletionProtection', true,
        `false with removalPolicy ${this.removalPolicy} (deletion protection needs RemovalPolicy.RETAIN or RETAIN_ON_UPDATE_OR_DELETE)`);
    }
    this.deletionProtection = choices.deletionProtection ?? retains(this.removalPolicy);
    this.alias = choices.keyAlias === undefined ? undefined : normalizeAlias(origin, choices.keyAlias);
    this.rotationPeriod = choices.keyRotationPeriod ?? Duration.days(CREATED_KEY_DEFAULTS.rotationDays);
    this.pendingWindow = choices.keyPendingWindow ?? Duration.days(CREATED_KEY_DEFAULTS.pendingWindowDays);
  }

  /**
   * A new key of the standard in `scope`: symmetric, rotated, with the pending window, removal
   * policy, policy and tags chosen.
   *
   * @param name what the key encrypts, for its description and its default alias (when given)
   */
  public createKey(scope: Construct, id: string, name: string, options: KeyCreationOptions = {}): kms.Key {
    const { rotationPeriod, pendingWindow } = this;
    const key = new kms.Key(scope, id, {
      description: `Customer-managed key of the Bedrock guardrail ${name}`,
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      enableKeyRotation: true,
      // kms.Key range-checks these even when they are tokens: tokens are set on the L1 below instead.
      rotationPeriod: rotationPeriod.isUnresolved() ? undefined : rotationPeriod,
      pendingWindow: pendingWindow.isUnresolved() ? undefined : pendingWindow,
      removalPolicy: this.removalPolicy,
      alias: this.alias ?? (options.defaultAlias ? `${CREATED_KEY_DEFAULTS.aliasPrefix}${name}` : undefined),
      policy: GuardrailKeyPolicy.documentFor(scope, {
        keyAdmins: this.choices.keyAdmins,
        deploymentPrincipals: this.choices.deploymentPrincipals,
        deletionProtection: this.deletionProtection,
        bedrockServicePrincipal: this.choices.bedrockServicePrincipal,
      }),
    });
    const cfnKey = key.node.defaultChild as kms.CfnKey;
    if (rotationPeriod.isUnresolved()) cfnKey.rotationPeriodInDays = rotationPeriod.toDays();
    if (pendingWindow.isUnresolved()) cfnKey.pendingWindowInDays = pendingWindow.toDays();
    applyGuardrailTags(cfnKey, { ...this.tags, [KEY_REQUIREMENTS.guardrailTag]: options.guardrailName ?? name } as GuardrailTags);
    return key;
  }
}

/** How `GuardrailKeyFactory.createKey` names and labels a key. */
interface KeyCreationOptions {
  /** Give the key `alias/bedrock-guardrail/<name>` unless an alias was chosen. */
  readonly defaultAlias?: boolean;
  /** The guardrail's name, for the `BedrockGuardrail` tag (default: the key's `name`). */
  readonly guardrailName?: string;
}

/** Keys are retained (and may be deletion-protected) only under these removal policies. */
function retains(policy: RemovalPolicy): boolean {
  return policy === RemovalPolicy.RETAIN || policy === RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
}

/** Accepts `alias/name` or `name`; returns the full alias name. */
function normalizeAlias(origin: Origin, value: string): string {
  if (unresolved(value)) return value;
  const alias = value.startsWith('alias/') ? value : `alias/${value}`;
  if (alias.startsWith('alias/aws/')) {
    fail(origin, 'keyAlias', value, 'an alias outside the reserved alias/aws/ prefix');
  }
  checkString(origin, 'keyAlias', alias, {
    min: 7, max: 256, pattern: /^alias\/[a-zA-Z0-9:/_-]+$/, patternText: "'alias/' followed by a-z, A-Z, 0-9, : / _ -",
  });
  return alias;
}
