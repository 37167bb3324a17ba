import {
  Annotations,
  Arn,
  ArnFormat,
  aws_bedrock as bedrock,
  Duration,
  IResolvable,
  IResource,
  RemovalPolicy,
  Resource,
  Stack,
  TagManager,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GuardrailVersion } from './guardrail-version';
import {
  DEFAULT_BLOCKED_INPUT_MESSAGING,
  DEFAULT_BLOCKED_OUTPUTS_MESSAGING,
  DEFAULT_CONTENT_POLICY,
} from './private/defaults';
import { grantGuardrailAccess } from './private/grant-apply';
import { ensureDeploymentStatements } from './private/key-statements';
import { fail, unresolved } from './private/validate';
import { GUARDRAIL_PROFILE_ARN, validateGuardrailContent } from './private/validate-content';
import {
  checkPendingWindow,
  checkRotationPeriod,
  checkTagKey,
  checkTagValue,
  normalizeAlias,
  retains,
} from './private/validate-key';
import { checkCustomerManagedKey } from '../detection/customer-managed-key';
import { stackPlacement } from '../detection/key-arn';
import { GuardrailKeyMonitoring } from '../governance/guardrail-key-monitoring';
import { GuardrailKeyPolicy } from '../key-policy/guardrail-key-policy';

/**
 * Ownership tags every guardrail and its key must carry. They are applied as the tags `Owner`,
 * `Workload` and `DataSensitivity` to both.
 */
export interface MandatoryTags {
  /**
   * The team or person accountable for the guardrail and its key (tag `Owner`).
   */
  readonly owner: string;

  /**
   * The application or workload the guardrail protects (tag `Workload`).
   */
  readonly workload: string;

  /**
   * The classification of the data the guardrail's policies describe, for example `confidential`
   * (tag `DataSensitivity`).
   */
  readonly dataSensitivity: string;
}

/**
 * A Bedrock guardrail, created here or imported.
 */
export interface ISecureGuardrail extends IResource {
  /**
   * The guardrail's id.
   *
   * @attribute
   */
  readonly guardrailId: string;

  /**
   * The guardrail's ARN.
   *
   * @attribute
   */
  readonly guardrailArn: string;

  /**
   * The guardrail version callers should use: `DRAFT` until a version is created.
   */
  readonly guardrailVersion: string;

  /**
   * Lets `grantee` apply the guardrail: `bedrock:ApplyGuardrail` on it (and on the guardrail
   * profile in every destination Region when it uses cross-Region inference) and `kms:Decrypt` on its
   * key, only through Bedrock in the key's Region.
   */
  grantApply(grantee: iam.IGrantable): iam.Grant;

  /**
   * Lets `grantee` read the guardrail's configuration: `bedrock:GetGuardrail` on it and
   * `kms:Decrypt` on its key, only through Bedrock in the key's Region. Meant for auditors and
   * compliance checks; applications need `grantApply` only.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/**
 * How to refer to a guardrail defined outside this construct.
 */
export interface SecureGuardrailAttributes {
  /**
   * The guardrail's ARN, `arn:<partition>:bedrock:<region>:<account>:guardrail/<id>`.
   */
  readonly guardrailArn: string;

  /**
   * The version to use.
   *
   * @default 'DRAFT'
   */
  readonly guardrailVersion?: string;

  /**
   * The key that encrypts the guardrail. Without it, `grantApply` grants no `kms:Decrypt` and
   * callers of a guardrail encrypted with a customer-managed key are refused.
   *
   * @default - unknown
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Properties of a `SecureGuardrail`.
 *
 * Where the key comes from:
 *
 * | `encryptionKey` | Key used                                   | Key policy                                     |
 * |-----------------|--------------------------------------------|------------------------------------------------|
 * | not set         | a new key in this stack (`Key`)            | `GuardrailKeyPolicy` with the key options here |
 * | a `kms.Key` of this app | that key                           | the deployment statements are added to it     |
 * | an imported key | that key                                   | unchanged: a warning lists what its admins must add |
 */
export interface SecureGuardrailProps {
  /**
   * The guardrail's name: 1-50 characters of 0-9, a-z, A-Z, `-` and `_`.
   */
  readonly guardrailName: string;

  /**
   * The guardrail's description (1-200 characters).
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * The message returned when the guardrail blocks a prompt (1-500 characters).
   *
   * @default 'Sorry, this request cannot be processed because it goes against our usage policy.'
   */
  readonly blockedInputMessaging?: string;

  /**
   * The message returned when the guardrail blocks a model response (1-500 characters).
   *
   * @default 'Sorry, the response was blocked because it goes against our usage policy.'
   */
  readonly blockedOutputsMessaging?: string;

  /**
   * Content filters. Actions are BLOCK or NONE; a PROMPT_ATTACK filter must have output strength NONE.
   *
   * @default - SEXUAL, VIOLENCE, HATE, INSULTS and MISCONDUCT at HIGH strength on input and output,
   * and PROMPT_ATTACK at HIGH on input, all with action BLOCK
   */
  readonly contentPolicyConfig?: bedrock.CfnGuardrail.ContentPolicyConfigProperty | IResolvable;

  /**
   * Denied topics: at most 30; names of 1-100 characters of 0-9, a-z, A-Z, space and `- _ ! ? .`;
   * actions BLOCK or NONE.
   *
   * @default - no denied topics
   */
  readonly topicPolicyConfig?: bedrock.CfnGuardrail.TopicPolicyConfigProperty | IResolvable;

  /**
   * Word filters (actions BLOCK or NONE).
   *
   * @default - no word filters
   */
  readonly wordPolicyConfig?: bedrock.CfnGuardrail.WordPolicyConfigProperty | IResolvable;

  /**
   * PII and regex filters (actions BLOCK, ANONYMIZE or NONE).
   *
   * @default - no sensitive information filters
   */
  readonly sensitiveInformationPolicyConfig?: bedrock.CfnGuardrail.SensitiveInformationPolicyConfigProperty | IResolvable;

  /**
   * Contextual grounding filters (thresholds 0 <= t < 1, actions BLOCK or NONE).
   *
   * @default - no contextual grounding checks
   */
  readonly contextualGroundingPolicyConfig?: bedrock.CfnGuardrail.ContextualGroundingPolicyConfigProperty | IResolvable;

  /**
   * Automated Reasoning checks.
   *
   * @default - no Automated Reasoning checks
   */
  readonly automatedReasoningPolicyConfig?: bedrock.CfnGuardrail.AutomatedReasoningPolicyConfigProperty | IResolvable;

  /**
   * Cross-Region inference through a guardrail profile. `grantApply` then also grants
   * `bedrock:ApplyGuardrail` on that profile in every destination Region.
   *
   * @default - the guardrail runs in its own Region only
   */
  readonly crossRegionConfig?: bedrock.CfnGuardrail.GuardrailCrossRegionConfigProperty | IResolvable;

  /**
   * Ownership tags applied to the guardrail and its key (values 1-256 characters).
   */
  readonly mandatoryTags: MandatoryTags;

  /**
   * More tags for the guardrail and its key (keys 1-128 characters, values 0-256).
   *
   * @default - only the mandatory tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * Bring your own customer-managed key instead of creating one. It must be a symmetric key of this
   * stack's account and Region; aliases (and so AWS managed keys) are refused. The key options below
   * cannot be combined with it.
   *
   * @default - a new key with the `GuardrailKeyPolicy` standard
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Administrators of the created key (management only, no cryptographic operation).
   *
   * @default - the account root, which lets IAM policies of the account grant administration
   */
  readonly keyAdmins?: iam.IPrincipal[];

  /**
   * The principal that deploys this stack, allowed to use the key through Bedrock while
   * CloudFormation creates, updates and deletes the guardrail.
   *
   * @default - the CloudFormation execution role of the stack's synthesizer
   */
  readonly deploymentPrincipal?: iam.IPrincipal;

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

  /**
   * Key-activity alerts: the guardrail's key is added to this monitoring. One monitoring (and its
   * alerts topic) watches the keys of up to `GuardrailKeyMonitoring.MAX_KEYS` guardrails.
   *
   * @default - the key is not monitored
   */
  readonly keyMonitoring?: GuardrailKeyMonitoring;
}

/** Properties that configure the key this construct creates, so they conflict with `encryptionKey`. */
const CREATED_KEY_OPTIONS = [
  'keyAdmins', 'keyAlias', 'keyRotationPeriod', 'keyPendingWindow', 'removalPolicy', 'deletionProtection',
] as const;

/** The priority `Tags.of(scope).add` uses by default. */
const TAG_PRIORITY = 100;

const MANDATORY_TAG_KEYS: { [K in keyof MandatoryTags]: string } = {
  owner: 'Owner',
  workload: 'Workload',
  dataSensitivity: 'DataSensitivity',
};

/**
 * A Bedrock guardrail encrypted with a customer-managed KMS key that only the application's roles
 * can use: rotated, deletion-protected, tagged for ownership and in the guardrail's own Region and
 * account.
 *
 * @example
 * const guardrail = new SecureGuardrail(this, 'Guardrail', {
 *   guardrailName: 'support-assistant',
 *   mandatoryTags: { owner: 'team-support', workload: 'support-assistant', dataSensitivity: 'confidential' },
 * });
 * declare const handlerRole: iam.IRole;
 * guardrail.grantApply(handlerRole);
 */
export class SecureGuardrail extends Resource implements ISecureGuardrail {
  /**
   * Refers to a guardrail defined elsewhere.
   */
  public static fromGuardrailAttributes(scope: Construct, id: string, attrs: SecureGuardrailAttributes): ISecureGuardrail {
    if (!unresolved(attrs.guardrailArn) && !/^arn:[^:]+:bedrock:[^:]+:[0-9]{12}:guardrail\/[a-z0-9]+$/.test(attrs.guardrailArn)) {
      fail('SecureGuardrail.fromGuardrailAttributes', 'guardrailArn', attrs.guardrailArn,
        'a guardrail ARN, arn:<partition>:bedrock:<region>:<account>:guardrail/<id>');
    }
    class Import extends Resource implements ISecureGuardrail {
      public readonly guardrailArn = attrs.guardrailArn;
      public readonly guardrailId = Arn.split(attrs.guardrailArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
      public readonly guardrailVersion = attrs.guardrailVersion ?? 'DRAFT';

      public grantApply(grantee: iam.IGrantable): iam.Grant {
        return this.grant(grantee, 'bedrock:ApplyGuardrail');
      }

      public grantRead(grantee: iam.IGrantable): iam.Grant {
        return this.grant(grantee, 'bedrock:GetGuardrail');
      }

      private grant(grantee: iam.IGrantable, action: string): iam.Grant {
        return grantGuardrailAccess({
          scope: this, grantee, actions: [action], guardrailResourceArns: [this.guardrailArn], encryptionKey: attrs.encryptionKey,
        });
      }
    }
    return new Import(scope, id, { environmentFromArn: attrs.guardrailArn });
  }

  /**
   * @attribute
   */
  public readonly guardrailId: string;

  /**
   * @attribute
   */
  public readonly guardrailArn: string;

  /**
   * The customer-managed key that encrypts the guardrail: the created key, or `encryptionKey`.
   */
  public readonly encryptionKey: kms.IKey;

  /**
   * The underlying CloudFormation guardrail.
   */
  public readonly guardrail: bedrock.CfnGuardrail;

  private readonly crossRegionProfileArn?: string;
  private readonly versions: GuardrailVersion[] = [];

  constructor(scope: Construct, id: string, props: SecureGuardrailProps) {
    super(scope, id);

    const blockedInputMessaging = props.blockedInputMessaging ?? DEFAULT_BLOCKED_INPUT_MESSAGING;
    const blockedOutputsMessaging = props.blockedOutputsMessaging ?? DEFAULT_BLOCKED_OUTPUTS_MESSAGING;
    validateGuardrailContent({ ...props, blockedInputMessaging, blockedOutputsMessaging });
    const tags = validatedTags(props);

    this.encryptionKey = props.encryptionKey
      ? this.adoptKey(props)
      : this.createKey(props);

    props.keyMonitoring?.addKey(this.encryptionKey);

    this.guardrail = new bedrock.CfnGuardrail(this, 'Resource', {
      name: props.guardrailName,
      description: props.description,
      blockedInputMessaging,
      blockedOutputsMessaging,
      contentPolicyConfig: props.contentPolicyConfig ?? DEFAULT_CONTENT_POLICY,
      topicPolicyConfig: props.topicPolicyConfig,
      wordPolicyConfig: props.wordPolicyConfig,
      sensitiveInformationPolicyConfig: props.sensitiveInformationPolicyConfig,
      contextualGroundingPolicyConfig: props.contextualGroundingPolicyConfig,
      automatedReasoningPolicyConfig: props.automatedReasoningPolicyConfig,
      crossRegionConfig: props.crossRegionConfig,
      kmsKeyArn: this.encryptionKey.keyArn,
    });
    this.guardrailId = this.guardrail.attrGuardrailId;
    this.guardrailArn = this.guardrail.attrGuardrailArn;
    this.crossRegionProfileArn = unresolved(props.crossRegionConfig)
      ? undefined
      : (props.crossRegionConfig as bedrock.CfnGuardrail.GuardrailCrossRegionConfigProperty | undefined)?.guardrailProfileArn;

    // Set on the L1s directly (as Tags.of would, at the same priority) so checks that read the tree
    // before synthesis see them too.
    const taggable = [this.guardrail, ...(props.encryptionKey ? [] : [this.encryptionKey.node.defaultChild as kms.CfnKey])];
    for (const [key, value] of Object.entries(tags)) {
      for (const resource of taggable) TagManager.of(resource)!.setTag(key, value, TAG_PRIORITY);
    }
  }

  /**
   * The newest version created with `createVersion`, or `DRAFT`.
   */
  public get guardrailVersion(): string {
    const latest = this.versions[this.versions.length - 1];
    return latest ? latest.version : 'DRAFT';
  }

  /**
   * Lets `grantee` apply the guardrail: `bedrock:ApplyGuardrail` on it (and on its guardrail profile
   * in every destination Region with cross-Region inference), and exactly `kms:Decrypt` on its key,
   * only through Bedrock in this Region, in both the grantee's policy and the key policy.
   */
  public grantApply(grantee: iam.IGrantable): iam.Grant {
    return grantGuardrailAccess({
      scope: this,
      grantee,
      actions: ['bedrock:ApplyGuardrail'],
      guardrailResourceArns: [this.guardrailArn, ...this.guardrailProfileArns()],
      encryptionKey: this.encryptionKey,
    });
  }

  /**
   * Lets `grantee` read the guardrail's configuration (`bedrock:GetGuardrail`), with exactly
   * `kms:Decrypt` on its key through Bedrock in this Region. For auditors and compliance checks such
   * as `GuardrailEncryptionConfigRule`; applications need `grantApply` only.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return grantGuardrailAccess({
      scope: this,
      grantee,
      actions: ['bedrock:GetGuardrail'],
      guardrailResourceArns: [this.guardrailArn],
      encryptionKey: this.encryptionKey,
    });
  }

  /**
   * Creates an immutable version of the guardrail. Its logical id is derived from the resolved
   * guardrail configuration and the description, so CloudFormation creates a new version exactly
   * when one of them changes, and keeps the version otherwise.
   *
   * @param description the version's description (1-200 characters)
   * @default - no description
   */
  public createVersion(description?: string): GuardrailVersion {
    const id = this.versions.length === 0 ? 'Version' : `Version${this.versions.length + 1}`;
    const version = new GuardrailVersion(this, id, { guardrail: this.guardrail, description });
    this.versions.push(version);
    return version;
  }

  /**
   * The guardrail-profile ARNs a caller needs with cross-Region inference: the profile in every
   * Region (the profile's destination Regions vary and grow; the profile id pins the set).
   */
  private guardrailProfileArns(): string[] {
    const arn = this.crossRegionProfileArn;
    if (arn === undefined) return [];
    if (unresolved(arn) || !GUARDRAIL_PROFILE_ARN.test(arn)) return [arn];
    const parts = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
    return [Arn.format({ ...parts, region: '*' })];
  }

  private createKey(props: SecureGuardrailProps): kms.IKey {
    checkRotationPeriod(props.keyRotationPeriod);
    checkPendingWindow(props.keyPendingWindow);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.deletionProtection === true && !retains(removalPolicy)) {
      fail('SecureGuardrail', 'deletionProtection', true,
        `false with removalPolicy ${removalPolicy} (deletion protection needs RemovalPolicy.RETAIN or RETAIN_ON_UPDATE_OR_DELETE)`);
    }
    const alias = normalizeAlias(props.keyAlias ?? `alias/bedrock-guardrail/${props.guardrailName}`);

    const rotationPeriod = props.keyRotationPeriod ?? Duration.days(365);
    const pendingWindow = props.keyPendingWindow ?? Duration.days(30);
    const key = new kms.Key(this, 'Key', {
      description: `Customer-managed key of the Bedrock guardrail ${props.guardrailName}`,
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      enableKeyRotation: true,
      // kms.Key range-checks these even when they are tokens: tokens are set on the L1 below instead.
      rotationPeriod: rotationPeriod.isUnresolved() ? undefined : rotationPeriod,
      pendingWindow: pendingWindow.isUnresolved() ? undefined : pendingWindow,
      removalPolicy,
      alias,
      policy: GuardrailKeyPolicy.documentFor(this, {
        keyAdmins: props.keyAdmins,
        deploymentPrincipal: props.deploymentPrincipal,
        deletionProtection: props.deletionProtection ?? retains(removalPolicy),
      }),
    });
    const cfnKey = key.node.defaultChild as kms.CfnKey;
    if (rotationPeriod.isUnresolved()) cfnKey.rotationPeriodInDays = rotationPeriod.toDays();
    if (pendingWindow.isUnresolved()) cfnKey.pendingWindowInDays = pendingWindow.toDays();
    return key;
  }

  private adoptKey(props: SecureGuardrailProps): kms.IKey {
    const key = props.encryptionKey!;
    const conflicting = CREATED_KEY_OPTIONS.filter((option) => props[option] !== undefined);
    if (conflicting.length > 0) {
      throw new Error(
        `SecureGuardrail: ${conflicting.join(', ')} cannot be combined with encryptionKey: they configure the key ` +
        'this construct creates; configure your own key directly instead.',
      );
    }
    this.checkKeyPlacement(key);

    if (!ensureDeploymentStatements(this, key, props.deploymentPrincipal)) {
      const required = [
        GuardrailKeyPolicy.administrationStatement(this, undefined, props.deploymentPrincipal),
        ...GuardrailKeyPolicy.deploymentStatements(this, props.deploymentPrincipal),
      ].map((statement) => statement.toStatementJson());
      Annotations.of(this).addWarningV2(
        'cdk-secure-guardrail:importedKeyPolicy',
        'encryptionKey is imported, so its key policy cannot be changed here. Its administrators must make sure ' +
        'it holds these statements (and no statement that lets the account root or "*" use the key): ' +
        JSON.stringify(Stack.of(this).resolve(required)),
      );
    }
    return key;
  }

  /** Refuses aliases and keys of another Region or account; warns where that cannot be known yet. */
  private checkKeyPlacement(key: kms.IKey): void {
    const { analysis, unverified } = checkCustomerManagedKey(this, 'SecureGuardrail', 'encryptionKey', key,
      'Bedrock reads the guardrail with it on every call');
    if (analysis.kind === 'lookup-dummy') {
      Annotations.of(this).addWarningV2('cdk-secure-guardrail:keyNotLookedUp',
        'encryptionKey is the placeholder of kms.Key.fromLookup: the key has not been looked up yet, so it is not verified.');
      return;
    }
    if (analysis.kind !== 'key-arn') return;
    const own = stackPlacement(Stack.of(this));
    for (const part of unverified) {
      Annotations.of(this).addWarningV2(`cdk-secure-guardrail:keyPlacementUnknown${part}`,
        `encryptionKey ${analysis.text}: its ${part} cannot be compared with the stack's (${part === 'Region' ? own.region : own.account}) at synth; ` +
        `set the stack's env to verify it is the guardrail's ${part}.`);
    }
  }
}

function validatedTags(props: SecureGuardrailProps): { [key: string]: string } {
  const tags: { [key: string]: string } = {};
  for (const [key, value] of Object.entries(props.tags ?? {})) {
    if (Object.values(MANDATORY_TAG_KEYS).includes(key)) {
      fail('SecureGuardrail', `tags.${key}`, value, `a key other than ${Object.values(MANDATORY_TAG_KEYS).join(', ')} (set them with mandatoryTags)`);
    }
    checkTagKey(`tags key "${key}"`, key);
    checkTagValue(`tags.${key}`, value, false);
    tags[key] = value;
  }
  for (const [field, key] of Object.entries(MANDATORY_TAG_KEYS) as Array<[keyof MandatoryTags, string]>) {
    const value = props.mandatoryTags?.[field];
    if (value === undefined) {
      fail('SecureGuardrail', `mandatoryTags.${field}`, value, 'a non-empty tag value of at most 256 characters');
    }
    checkTagValue(`mandatoryTags.${field}`, value, true);
    tags[key] = value;
  }
  return tags;
}
