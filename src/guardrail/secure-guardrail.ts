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
import { Construct, IConstruct } from 'constructs';
import { ISecureGuardrail, SecureGuardrailAttributes } from './guardrail-reference';
import { GuardrailVersion } from './guardrail-version';
import {
  DEFAULT_BLOCKED_INPUT_MESSAGING,
  DEFAULT_BLOCKED_OUTPUTS_MESSAGING,
  DEFAULT_CONTENT_POLICY,
} from './private/defaults';
import { GuardrailBase } from './private/guardrail-base';
import { validateCreatedKeyPolicy } from './private/key-policy-validation';
import { ensureDeploymentStatements, ensureWideUseStatement } from './private/key-statements';
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
import { GuardrailOrganizationScope, organizationCondition } from '../key/organization-scope';

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
 * Options of `SecureGuardrail.enforceInAccount`.
 */
export interface EnforceInAccountOptions {
  /**
   * The models the enforcement covers or leaves out.
   *
   * @default - every model
   */
  readonly modelEnforcement?: bedrock.CfnEnforcedGuardrailConfiguration.ModelEnforcementProperty;

  /**
   * Which parts of the messages and the system prompt the enforced guardrail evaluates.
   *
   * @default - Bedrock's default for enforced guardrails
   */
  readonly selectiveContentGuarding?: bedrock.CfnEnforcedGuardrailConfiguration.SelectiveContentGuardingProperty;
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
  /** Whether this construct created the key, so that it may add any statement to its policy. */
  private readonly keyCreated: boolean;
  private readonly automatedReasoning?: bedrock.CfnGuardrail.AutomatedReasoningPolicyConfigProperty | IResolvable;
  private resourcePolicy?: bedrock.CfnResourcePolicy;

  constructor(scope: Construct, id: string, props: SecureGuardrailProps) {
    super(scope, id);
    const origin = originOf('SecureGuardrail', this);
    const content = guardrailContent(origin, props);
    const tags = guardrailTags(origin, props.mandatoryTags, props.tags);
    validateGuardrailTags(origin, tags);

    this.keyCreated = props.encryptionKey === undefined;
    this.automatedReasoning = props.automatedReasoningPolicyConfig;
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

  /**
   * Enforces a numbered version of the guardrail on every Bedrock inference call of the stack's
   * account and Region (`AWS::Bedrock::EnforcedGuardrailConfiguration`), and lets every caller of the
   * account decrypt the guardrail through Bedrock in the key's Region.
   *
   * **This widens who must use the key.** Bedrock applies an enforced guardrail to every `Invoke` and
   * `Converse` call of the account with the caller's own permissions, and a caller who cannot apply
   * it (with a customer-managed key: decrypt it) gets AccessDenied. So the key policy gains a
   * statement (`EnforcedGuardrailUseThroughBedrock`) allowing `kms:Decrypt` to every principal of the
   * account, only through Bedrock in the key's Region (`kms:ViaService`, `kms:CallerAccount`); a key
   * only named roles could decrypt would take down every other Bedrock workload of the account.
   * The key policy alone allows it (a principal of the key's account needs no IAM permission on the
   * key); nobody gains a decrypt directly or through another service. The rules accept this statement
   * on the key of an enforced or shared guardrail only (docs/enforced-guardrails.md).
   *
   * **It also widens who can read the guardrail's configuration** (its filters, denied topics, words
   * and messages): Bedrock decrypts it with the caller's identity, so every principal of the account
   * whose IAM policies allow `bedrock:GetGuardrail` on it reads it, not only the roles given
   * `grantRead`. Keep `bedrock:GetGuardrail` out of broad roles of an account where a guardrail is
   * enforced.
   *
   * One enforcement per account and Region: Bedrock keeps one account-level enforced configuration
   * per account and Region (API reference of ListEnforcedGuardrailsConfiguration), so a second call,
   * or a second guardrail enforcing in the same stack or in the same account and Region of the app
   * (when both are literal), is refused at synth. An enforcement made outside the app is not seen.
   *
   * An imported `encryptionKey` cannot be changed here: a warning gives the statement its
   * administrators must add.
   *
   * @param version the version number to enforce, for example `guardrail.createVersion().version`;
   * `DRAFT` is refused (Bedrock enforces numbered versions only)
   * @param options which models and content the enforcement covers
   * @default - options: every model, Bedrock's default content guarding
   */
  public enforceInAccount(version: string, options: EnforceInAccountOptions = {}): bedrock.CfnEnforcedGuardrailConfiguration {
    const id = 'Enforcement';
    const origin = originOf('SecureGuardrail.enforceInAccount', this, id);
    checkNumberedVersion(origin, version, 'the enforced configuration');
    claimAccountEnforcement(this, origin);
    const enforcement = new bedrock.CfnEnforcedGuardrailConfiguration(this, id, {
      guardrailIdentifier: this.guardrailArn,
      guardrailVersion: version,
      modelEnforcement: options.modelEnforcement,
      selectiveContentGuarding: options.selectiveContentGuarding,
    });
    const statement = GuardrailKeyPolicy.accountUseThroughBedrockStatement(this);
    if (!ensureWideUseStatement(this.encryptionKey, statement)) {
      Annotations.of(this).addWarningV2('cdk-secure-guardrail:enforcedImportedKey',
        'encryptionKey is imported, so its key policy cannot be changed here. Once the guardrail is enforced, every Bedrock ' +
        'caller of the account must be able to decrypt it through Bedrock; its administrators must add this statement: ' +
        JSON.stringify(Stack.of(this).resolve(statement.toStatementJson())));
    }
    return enforcement;
  }

  /**
   * Shares the guardrail with an organization (or some of its organizational units), as
   * organization-level enforcement (an AWS Organizations Bedrock policy naming a numbered version of
   * this guardrail) requires: a resource-based policy (`AWS::Bedrock::ResourcePolicy`) letting their
   * principals apply the guardrail, and a key policy statement (`SharedGuardrailUseThroughBedrock`)
   * letting them decrypt it, only through Bedrock in the key's Region (`kms:ViaService`,
   * `aws:PrincipalOrgID` or `aws:PrincipalOrgPaths`).
   *
   * **This widens who must use the key** to every principal of the organization (or units): with
   * organization-level enforcement, a member's call fails with AccessDenied unless its caller can
   * apply, and so decrypt, the guardrail. Other accounts therefore use the key, through Bedrock in its
   * Region; they still cannot read the configuration with `GetGuardrail`, which the resource policy
   * does not allow, nor decrypt outside Bedrock, but `ApplyGuardrail`'s assessments show which of its
   * filters, topics and words a text matched. The Bedrock policy itself is not created here.
   *
   * The guardrail's resource policy allows `bedrock:ApplyGuardrail` only (not `GetGuardrail`, which
   * would show its configuration to the organization). Refused for a guardrail with Automated
   * Reasoning (AWS Organizations refuses it for enforcement) and for a guardrail whose key this
   * construct did not create (the statements could not be added to the key's policy). Callers of a
   * guardrail with cross-Region inference also need `ApplyGuardrail` on the guardrail profile in each
   * destination Region, whose resource policies are not created here.
   *
   * @param organization the organization id, or the organizational unit paths
   */
  public shareWithOrganization(organization: GuardrailOrganizationScope): bedrock.CfnResourcePolicy {
    const origin = originOf('SecureGuardrail.shareWithOrganization', this, 'ResourcePolicy');
    if (this.resourcePolicy) {
      refuse(origin, 'the guardrail is already shared (a guardrail has one resource policy); received a second call; allowed: one call, ' +
        'with organizationalUnitPaths listing every unit.');
    }
    if (!this.keyCreated) {
      fail(origin, 'encryptionKey', this.encryptionKey.keyArn,
        'no encryptionKey (a key this construct creates): sharing adds organization statements to the key policy, which the library can only ' +
        'guarantee on a key it created; share a guardrail with its own key, or let the key\'s administrators add them');
    }
    if (this.automatedReasoning !== undefined && !unresolved(this.automatedReasoning)) {
      fail(origin, 'automatedReasoningPolicyConfig', this.automatedReasoning,
        'none for a guardrail shared for organization-level enforcement (AWS Organizations refuses a guardrail with an Automated Reasoning policy)');
    }
    if (unresolved(this.automatedReasoning)) {
      Annotations.of(this).addWarningV2('cdk-secure-guardrail:sharedAutomatedReasoningUnknown',
        'automatedReasoningPolicyConfig is only known at deploy time: AWS Organizations refuses a guardrail with an Automated Reasoning ' +
        'policy for organization-level enforcement, so make sure it resolves to none.');
    }
    const membership = organizationCondition(origin, organization);
    const policy = new bedrock.CfnResourcePolicy(this, 'ResourcePolicy', {
      resourceArn: this.guardrailArn,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'ApplyGuardrailInOrganization',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'bedrock:ApplyGuardrail',
          Resource: this.guardrailArn,
          Condition: membership,
        }],
      },
    });
    this.resourcePolicy = policy;
    ensureWideUseStatement(this.encryptionKey, GuardrailKeyPolicy.organizationUseThroughBedrockStatement(this, organization));
    if (this.crossRegionProfileArn !== undefined) {
      Annotations.of(this).addWarningV2('cdk-secure-guardrail:sharedProfiles',
        'the guardrail uses cross-Region inference: its callers also need bedrock:ApplyGuardrail on the guardrail profile in every ' +
        'destination Region, and each profile a resource-based policy allowing them; neither is created here.');
    }
    return policy;
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

/** Bedrock enforces and shares numbered versions only: `DRAFT` and anything but a version number are refused. */
function checkNumberedVersion(origin: Origin, version: string, what: string): void {
  if (unresolved(version) || /^[1-9][0-9]*$/.test(version)) return;
  fail(origin, 'version', version,
    `a numbered guardrail version such as "1" (guardrail.createVersion().version): ${what} applies an immutable version, ` +
    'never DRAFT, which changes with every update of the guardrail');
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

/**
 * The enforcements of an app: by stack, and by account and Region when both are literal, with the
 * path of the guardrail that enforces there.
 */
const accountEnforcements = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Bedrock keeps one account-level enforced configuration per account and Region (the API reference of
 * ListEnforcedGuardrailsConfiguration: "Fixed number of 1 item"; PutEnforcedGuardrailConfiguration
 * "sets the account-level enforced guardrail configuration"): a second one in the same stack, or in the
 * same literal account and Region of the app, would replace the first or fail at deployment.
 */
function claimAccountEnforcement(guardrail: SecureGuardrail, origin: Origin): void {
  const stack = Stack.of(guardrail);
  let claimed = accountEnforcements.get(guardrail.node.root);
  if (!claimed) {
    claimed = new Map();
    accountEnforcements.set(guardrail.node.root, claimed);
  }
  const literal = !unresolved(stack.account) && !unresolved(stack.region);
  const places: Array<[string, string]> = [[`stack ${stack.node.path}`, `stack ${stack.node.path}`]];
  if (literal) places.push([`env ${stack.account}/${stack.region}`, `account ${stack.account} and Region ${stack.region}`]);
  for (const [key, where] of places) {
    const first = claimed.get(key);
    if (first !== undefined) {
      refuse(origin, `${first} already enforces a guardrail version in ${where}; received a second enforcement there; allowed: one ` +
        'enforcement per account and Region (Bedrock keeps one account-level enforced configuration per account and Region, so a second ' +
        'would replace the first or fail at deployment): enforce one guardrail, listing in modelEnforcement the models it covers.');
    }
  }
  for (const [key] of places) claimed.set(key, guardrail.node.path);
}
