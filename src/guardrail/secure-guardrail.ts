import {
  Annotations,
  Arn,
  ArnFormat,
  aws_bedrock as bedrock,
  CfnResource,
  IResolvable,
  Stack,
} from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ISecureGuardrail, SecureGuardrailAttributes } from './guardrail-reference';
import { GuardrailVersion } from './guardrail-version';
import {
  DEFAULT_BLOCKED_INPUT_MESSAGING,
  DEFAULT_BLOCKED_OUTPUTS_MESSAGING,
  DEFAULT_CONTENT_POLICY,
} from './private/defaults';
import { GuardrailBase } from './private/guardrail-base';
import { validateCreatedKeyPolicy } from './private/key-policy-validation';
import { ensureDeploymentStatements } from './private/key-statements';
import { validateUniqueNames } from './private/name-validation';
import {
  GuardrailContent, GUARDRAIL_PROFILE_ARN, validateGuardrailContent, validateGuardrailKeyArn, validateGuardrailTags, validateSynthesizedTags,
} from './private/validate-content';
import { isGuardrailArn } from '../core/arns';
import { stackPlacement } from '../core/cfn-values';
import { fail, Origin, originOf, refuse } from '../core/errors';
import { unresolved } from '../core/validation';
import { checkCustomerManagedKey } from '../detection/customer-managed-key';
import { CREATED_KEY_OPTIONS, GuardrailKeyChoices, GuardrailKeyFactory } from '../key/guardrail-key-factory';
import { GuardrailKeyPolicy } from '../key/guardrail-key-policy';
import { applyGuardrailTags, GuardrailTags, guardrailTags } from '../key/guardrail-tags';
import { MandatoryTags } from '../key/mandatory-tags';

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
export interface SecureGuardrailProps extends GuardrailKeyChoices {
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
   * Content filters: 1-6, one per type; actions BLOCK or NONE; a PROMPT_ATTACK filter must have output
   * strength NONE; the STANDARD tier needs `crossRegionConfig`. Every value is checked against the
   * guardrail's CloudFormation schema at construction (docs/validation.md).
   *
   * @default - SEXUAL, VIOLENCE, HATE, INSULTS and MISCONDUCT at HIGH strength on input and output,
   * and PROMPT_ATTACK at HIGH on input, all with action BLOCK
   */
  readonly contentPolicyConfig?: bedrock.CfnGuardrail.ContentPolicyConfigProperty | IResolvable;

  /**
   * Denied topics: 1-30; names of 1-100 characters of 0-9, a-z, A-Z, space and `- _ ! ? .`;
   * definitions of 1-200 characters on the CLASSIC tier (the default), 1000 on STANDARD (which needs
   * `crossRegionConfig`); actions BLOCK or NONE.
   *
   * @default - no denied topics
   */
  readonly topicPolicyConfig?: bedrock.CfnGuardrail.TopicPolicyConfigProperty | IResolvable;

  /**
   * Word filters: words of 1-100 characters, actions BLOCK or NONE.
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
   * Contextual grounding filters: one per type, thresholds 0 <= t <= 1, actions BLOCK or NONE.
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
   * Ownership tags applied to the guardrail and its key, the created one or a `kms.Key` of this app given
   * as `encryptionKey` (values 1-256 characters, ASCII as for `tags`).
   */
  readonly mandatoryTags: MandatoryTags;

  /**
   * More tags for the guardrail and its key (keys 1-128 characters, values 0-256, ASCII: the
   * guardrail's tags take a-z, A-Z, 0-9, white space and `_ . : / = + @ -`).
   *
   * The guardrail takes 200 tags, the mandatory ones included; a key takes 50 (KMS), and a key this
   * construct creates also carries the `BedrockGuardrail` tag, so then at most 46 here. Tags added with
   * `Tags.of` count too: they are checked at synthesis.
   *
   * @default - only the mandatory tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * Bring your own customer-managed key instead of creating one. It must be a symmetric key of this
   * stack's account and Region; aliases (and so AWS managed keys) are refused. The key options below
   * cannot be combined with it. A key of this app gets the deployment statements and the mandatory tags
   * (and `tags`) it does not carry yet; an imported key is used as is (a warning lists what its
   * administrators must add, and its tags are theirs to set).
   *
   * @default - a new key with the `GuardrailKeyPolicy` standard
   */
  readonly encryptionKey?: kms.IKey;
}

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
export class SecureGuardrail extends GuardrailBase {
  /**
   * Refers to a guardrail defined elsewhere.
   */
  public static fromGuardrailAttributes(scope: Construct, id: string, attrs: SecureGuardrailAttributes): ISecureGuardrail {
    if (!unresolved(attrs.guardrailArn) && !isGuardrailArn(attrs.guardrailArn)) {
      fail(originOf('SecureGuardrail.fromGuardrailAttributes', scope, id), 'guardrailArn', attrs.guardrailArn,
        'a guardrail ARN, arn:<partition>:bedrock:<region>:<account>:guardrail/<id>');
    }
    class Import extends GuardrailBase {
      public readonly guardrailArn = attrs.guardrailArn;
      public readonly guardrailId = Arn.split(attrs.guardrailArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
      public readonly guardrailVersion = attrs.guardrailVersion ?? 'DRAFT';
      protected readonly _grantedKey = attrs.encryptionKey;
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
  private readonly reasoningPolicyArns: string[];
  private readonly versions: GuardrailVersion[] = [];

  constructor(scope: Construct, id: string, props: SecureGuardrailProps) {
    super(scope, id);
    const origin = originOf('SecureGuardrail', this);
    const content = guardrailContent(origin, props);
    const tags = guardrailTags(origin, props.mandatoryTags, props.tags);
    validateGuardrailTags(origin, tags);

    if (props.encryptionKey) {
      this.encryptionKey = this.adoptKey(origin, props.encryptionKey, props, tags);
    } else {
      const key = new GuardrailKeyFactory(origin, tags, props).createKey(this, 'Key', props.guardrailName, { defaultAlias: true });
      validateCreatedKeyPolicy(this, key);
      this.encryptionKey = key;
    }

    validateGuardrailKeyArn(origin, this.encryptionKey.keyArn);
    this.guardrail = new bedrock.CfnGuardrail(this, 'Resource', { ...content, kmsKeyArn: this.encryptionKey.keyArn });
    applyGuardrailTags(this.guardrail, tags);
    validateUniqueNames(this, this.guardrail);
    validateSynthesizedTags(this, this.guardrail, cfnKeyOf(this.encryptionKey));
    this.guardrailId = this.guardrail.attrGuardrailId;
    this.guardrailArn = this.guardrail.attrGuardrailArn;
    this.crossRegionProfileArn = unresolved(content.crossRegionConfig)
      ? undefined
      : (content.crossRegionConfig as bedrock.CfnGuardrail.GuardrailCrossRegionConfigProperty | undefined)?.guardrailProfileArn;
    this.reasoningPolicyArns = this.automatedReasoningPolicies(content.automatedReasoningPolicyConfig);
  }

  /**
   * The newest version created with `createVersion`, or `DRAFT`.
   */
  public get guardrailVersion(): string {
    const latest = this.versions[this.versions.length - 1];
    return latest ? latest.version : 'DRAFT';
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

  /** @internal */
  protected get _grantedKey(): kms.IKey {
    return this.encryptionKey;
  }

  /**
   * The guardrail-profile ARNs a caller needs with cross-Region inference: the profile in every
   * Region (the profile's destination Regions vary and grow; the profile id pins the set).
   *
   * @internal
   */
  protected _guardrailProfileArns(): string[] {
    const arn = this.crossRegionProfileArn;
    if (arn === undefined) return [];
    if (unresolved(arn) || !GUARDRAIL_PROFILE_ARN.test(arn)) return [arn];
    const parts = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
    return [Arn.format({ ...parts, region: '*' })];
  }

  /** @internal */
  protected _automatedReasoningPolicyArns(): string[] {
    return this.reasoningPolicyArns;
  }

  /** The policy ARNs `grantApply` lets grantees invoke; a warning when they are only known at deploy time. */
  private automatedReasoningPolicies(config: GuardrailContent['automatedReasoningPolicyConfig']): string[] {
    if (config === undefined) return [];
    const policies = unresolved(config) ? undefined : (config as bedrock.CfnGuardrail.AutomatedReasoningPolicyConfigProperty).policies;
    if (policies === undefined || unresolved(policies)) {
      Annotations.of(this).addWarningV2('cdk-secure-guardrail:automatedReasoningPoliciesUnknown',
        'automatedReasoningPolicyConfig (or its policies) is only known at deploy time, so grantApply cannot grant ' +
        'bedrock:InvokeAutomatedReasoningPolicy on the policies: grant it to the guardrail\'s callers yourself.');
      return [];
    }
    return [...policies];
  }

  /**
   * A key brought by the team: refused where it cannot work, given the deployment statements and the
   * mandatory tags it lacks where it can.
   */
  private adoptKey(origin: Origin, key: kms.IKey, props: SecureGuardrailProps, tags: GuardrailTags): kms.IKey {
    const conflicting = CREATED_KEY_OPTIONS.filter((option) => props[option] !== undefined);
    if (conflicting.length > 0) {
      refuse(origin,
        `${conflicting.join(', ')} cannot be combined with encryptionKey: they configure the key this construct creates ` +
        '(received both); allowed: encryptionKey alone, with your own key configured directly, or these options without it.');
    }
    this.checkKeyPlacement(origin, key);

    const cfnKey = cfnKeyOf(key);
    // Tags the key already carries stay: a key shared by several guardrails keeps its first owner.
    if (cfnKey) applyGuardrailTags(cfnKey, tags, true);

    if (!ensureDeploymentStatements(this, key, props.deploymentPrincipals)) {
      const required = [
        GuardrailKeyPolicy.administrationStatement(this, undefined, props.deploymentPrincipals),
        ...GuardrailKeyPolicy.deploymentStatements(this, props.deploymentPrincipals),
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
  private checkKeyPlacement(origin: Origin, key: kms.IKey): void {
    const { analysis, unverified } = checkCustomerManagedKey(origin, this, 'encryptionKey', key,
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

/** The `AWS::KMS::Key` behind a key of this app (`new kms.Key`, `kms.Key.fromCfnKey`); none for an imported key. */
function cfnKeyOf(key: kms.IKey): CfnResource | undefined {
  const candidate = key.node.defaultChild ?? key.node.scope;
  return candidate && CfnResource.isCfnResource(candidate) && candidate.cfnResourceType === kms.CfnKey.CFN_RESOURCE_TYPE_NAME ? candidate : undefined;
}

/** The guardrail's CloudFormation properties with the defaults applied, refused where Bedrock would refuse them. */
function guardrailContent(origin: Origin, props: SecureGuardrailProps): GuardrailContent {
  const content: GuardrailContent = {
    name: props.guardrailName,
    description: props.description,
    blockedInputMessaging: props.blockedInputMessaging ?? DEFAULT_BLOCKED_INPUT_MESSAGING,
    blockedOutputsMessaging: props.blockedOutputsMessaging ?? DEFAULT_BLOCKED_OUTPUTS_MESSAGING,
    contentPolicyConfig: props.contentPolicyConfig ?? DEFAULT_CONTENT_POLICY,
    topicPolicyConfig: props.topicPolicyConfig,
    wordPolicyConfig: props.wordPolicyConfig,
    sensitiveInformationPolicyConfig: props.sensitiveInformationPolicyConfig,
    contextualGroundingPolicyConfig: props.contextualGroundingPolicyConfig,
    automatedReasoningPolicyConfig: props.automatedReasoningPolicyConfig,
    crossRegionConfig: props.crossRegionConfig,
  };
  validateGuardrailContent(origin, content);
  return content;
}
