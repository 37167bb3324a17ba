import { CfnResource, IResolvable, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { analyzeKeyArn, KeyArnAnalysis } from './key-arn';
import { PropertyResolver, wholeToken } from './private/property-resolver';
import { accountOfArn } from '../core/arns';
import { cfnPropertiesOf, rawOverridesOf } from '../core/cdk-internals';
import { comparePlacement, flattenIntrinsic, isLiteral, Placement, PlacementMatch, stackPlacement } from '../core/cfn-values';
import { analyzeKeyPolicy, KeyPolicyAnalysis } from '../core/key-policy-analysis';

/**
 * The one place that decides what a guardrail is encrypted with. The nag rules, the aspects and the
 * compliance report all read a guardrail through here, so they cannot disagree.
 */

export const GUARDRAIL_TYPE = 'AWS::Bedrock::Guardrail';
export const KEY_TYPE = 'AWS::KMS::Key';
const ALIAS_TYPE = 'AWS::KMS::Alias';

/** IAM resources a key policy may name by reference, and the kind of ARN each has. */
const IDENTITY_TYPES: { readonly [type: string]: string } = { 'AWS::IAM::Role': 'role', 'AWS::IAM::User': 'user' };

/** The properties the rules read, by resource kind. */
const GUARDRAIL_PROPERTIES = ['Name', 'KmsKeyArn', 'Tags'];
const KEY_PROPERTIES = ['KeySpec', 'KeyUsage', 'EnableKeyRotation', 'RotationPeriodInDays', 'PendingWindowInDays', 'Enabled', 'KeyPolicy', 'Tags'];
const CUSTOM_RESOURCE_PROPERTIES = ['Create', 'Update'];

/** What the template will hold of a resource: overrides and deletion overrides applied. */
export interface EffectiveResource {
  readonly node: CfnResource;
  readonly stack: Stack;
  readonly logicalId: string;
  readonly properties: { readonly [name: string]: any };
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
  /**
   * For a key: who may use it, decided by evaluating its policy as the template will hold it (KMS's
   * default policy when it has none). Worked out when first read.
   */
  readonly keyPolicy?: KeyPolicyAnalysis;
  /** For a key: its aliases that another key of the app also takes where they deploy. Worked out when first read. */
  readonly aliasClashes?: readonly NameClash[];
}

/**
 * Another resource of the app that would take the same name (a guardrail's, a key alias) where it
 * deploys: `certain` when both are in stacks of the same literal account and Region, otherwise
 * (an environment-agnostic stack) they may deploy apart.
 */
export interface NameClash {
  readonly name: string;
  readonly other: CfnResource;
  readonly certain: boolean;
}

/** Where a guardrail's key was found. */
export type KeySource =
  /** A `AWS::KMS::Key` of this app, reached by following the reference. */
  | 'in-app'
  /** Not in the app: a literal ARN, a parameter, an import, a lookup. */
  | 'outside-app'
  /** No key, an alias or a malformed value: there is no key to inspect. */
  | 'none';

export interface GuardrailInspection {
  /** How the guardrail is created: an `AWS::Bedrock::Guardrail` or an SDK call of a custom resource. */
  readonly kind: 'resource' | 'custom-resource';
  readonly node: CfnResource;
  readonly stack: Stack;
  /** The effective properties (for a custom resource, the SDK call's parameters). */
  readonly properties: { readonly [name: string]: any };
  /** The guardrail's name, when it is a literal. */
  readonly name?: string;
  /** Whether this resource creates the guardrail (not an SDK call that updates one created elsewhere). */
  readonly creates: boolean;
  /** The key value, classified. */
  readonly keyArn: KeyArnAnalysis;
  readonly keySource: KeySource;
  /**
   * Whether the guardrail names a customer-managed key: a key ARN or a reference, not an alias (and
   * so not an AWS managed key), not the lookup placeholder; an SDK call may also name it by key id.
   */
  readonly customerManagedKey: boolean;
  /** The key, when it is part of the app. */
  readonly key?: EffectiveResource;
  /**
   * The key of the app whose key id, not ARN, `KmsKeyArn` holds (`Ref` of the key, `key.keyId`):
   * CloudFormation refuses it. `keyArn` is then `malformed`.
   */
  readonly keyIdOf?: CfnResource;
  /**
   * The guardrail's own Region and account, literal or as `${AWS::Region}`-style placeholders: its
   * stack's, or for an SDK call the call's `region` and the account of its `assumedRoleArn`.
   */
  readonly environment: { readonly region: string; readonly account: string };
  /** Region and account of the key compared with the guardrail's. */
  readonly placement: { readonly region: PlacementMatch; readonly account: PlacementMatch };
  /** Other guardrails of the app with the same name where they deploy. Worked out when first read. */
  readonly nameClashes: readonly NameClash[];
}

export function isGuardrail(node: IConstruct): node is CfnResource {
  return CfnResource.isCfnResource(node) && node.cfnResourceType === GUARDRAIL_TYPE;
}

/** Whether the inspector may find a guardrail in this node: a guardrail or a custom resource. */
export function mayCreateGuardrail(node: IConstruct): node is CfnResource {
  return CfnResource.isCfnResource(node) && (node.cfnResourceType === GUARDRAIL_TYPE || isCustomResource(node));
}

function isCustomResource(node: CfnResource): boolean {
  return node.cfnResourceType.startsWith('Custom::') || node.cfnResourceType === 'AWS::CloudFormation::CustomResource';
}

const synthesisInspectors = new WeakMap<IConstruct, { inspector: GuardrailInspector }>();

/**
 * Reads guardrails and their keys. Effective resources are cached per inspector: create one per
 * validation pass, after the tree stops changing.
 */
export class GuardrailInspector {
  /**
   * The inspector shared by everything that checks the app containing `scope` during its
   * synthesis (the aspect's validation, the report, the pack as a validation plugin). They all run
   * after aspects and preparation, once the tree no longer changes, so a guardrail is read once.
   */
  public static forSynthesis(scope: IConstruct): GuardrailInspector {
    const root = scope.node.root;
    let current = synthesisInspectors.get(root);
    if (!current) {
      const entry = { inspector: new GuardrailInspector() };
      // CDK validates the root before anything below it, so every later synthesis of the app (after
      // the tree changed) starts with a fresh inspector rather than what an earlier one read.
      root.node.addValidation({
        validate: () => {
          entry.inspector = new GuardrailInspector();
          return [];
        },
      });
      synthesisInspectors.set(root, entry);
      current = entry;
    }
    return current.inspector;
  }

  private readonly effective = new Map<CfnResource, EffectiveResource>();
  private readonly inspections = new Map<CfnResource, GuardrailInspection | undefined>();
  private readonly logicalIds = new Map<Stack, Map<string, CfnResource>>();
  private readonly placements = new Map<Stack, { region: string; account: string }>();
  private readonly resolvers = new Map<Stack, PropertyResolver>();
  private readonly identities = new Map<Stack, Map<string, string>>();
  private readonly namesByRoot = new Map<IConstruct, AppNames>();

  /**
   * Inspects a guardrail resource or a custom resource that creates or updates a guardrail through
   * the Bedrock API; undefined for anything else.
   */
  public inspect(node: IConstruct): GuardrailInspection | undefined {
    if (!CfnResource.isCfnResource(node)) return undefined;
    if (!this.inspections.has(node)) {
      this.inspections.set(node, isGuardrail(node) ? this.inspectResource(node) : this.inspectCustomResource(node));
    }
    return this.inspections.get(node);
  }

  /**
   * The given properties (by their CloudFormation names) of a resource as its template will hold
   * them: the value it was given, with property overrides and deletion overrides applied, resolved
   * in its own stack. Reading only what the rules need keeps the checks cheap at scale.
   *
   * @param names the properties to read
   * @param resolvedOnRead those of `names` that are resolved only when something reads them
   */
  public effectiveResource(node: CfnResource, names: readonly string[] = KEY_PROPERTIES, resolvedOnRead: readonly string[] = []): EffectiveResource {
    let resource = this.effective.get(node);
    if (!resource) {
      const stack = Stack.of(node);
      const resolver = this.resolverOf(stack);
      const given = cfnPropertiesOf(node);
      const overrides = rawOverridesOf(node);
      const selected: Record<string, unknown> = {};
      const deferred: Record<string, unknown> = {};
      for (const name of names) {
        let value = given[lowerFirst(name)] ?? given[name];
        if (overrides.Properties && name in overrides.Properties) value = override(value, overrides.Properties[name]);
        if (value !== undefined) (resolvedOnRead.includes(name) ? deferred : selected)[name] = value;
      }
      const properties = (resolver.resolve(selected) ?? {}) as Record<string, any>;
      for (const [name, value] of Object.entries(deferred)) {
        let resolved: unknown;
        Object.defineProperty(properties, name, {
          enumerable: true,
          get: () => (resolved ??= resolver.resolve(value)),
        });
      }
      const deletionPolicy = ('DeletionPolicy' in overrides ? overrides.DeletionPolicy : node.cfnOptions.deletionPolicy) as string | undefined;
      const updateReplacePolicy = ('UpdateReplacePolicy' in overrides ? overrides.UpdateReplacePolicy : node.cfnOptions.updateReplacePolicy) as string | undefined;
      let logicalId: string | undefined;
      let keyPolicy: KeyPolicyAnalysis | undefined;
      let aliasClashes: NameClash[] | undefined;
      const analyzePolicy = () => this.analyzeKeyPolicy(stack, properties.KeyPolicy);
      const findAliasClashes = () => this.keyAliasClashes(resource!);
      resource = {
        node,
        stack,
        // Computing a logical id hashes the construct path: only the report asks for it.
        get logicalId() {
          logicalId ??= stack.resolve(node.logicalId) as string;
          return logicalId;
        },
        properties,
        deletionPolicy,
        updateReplacePolicy,
        get keyPolicy() {
          if (node.cfnResourceType !== KEY_TYPE) return undefined;
          keyPolicy ??= analyzePolicy();
          return keyPolicy;
        },
        get aliasClashes() {
          if (node.cfnResourceType !== KEY_TYPE) return undefined;
          aliasClashes ??= findAliasClashes();
          return aliasClashes;
        },
      };
      this.effective.set(node, resource);
    }
    return resource;
  }

  /**
   * Who may use a key of `stack` with this policy. Roles and users of the stack, which the policy
   * names by reference, are written as ARNs of the stack's account, so that the analysis can place
   * them; any other reference keeps it from deciding.
   */
  private analyzeKeyPolicy(stack: Stack, policy: unknown): KeyPolicyAnalysis {
    const placement = this.placementOf(stack);
    const document = policy ?? {
      // KMS's default key policy: the account may do everything, through IAM.
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${placement.account}:root` }, Action: 'kms:*', Resource: '*' }],
    };
    const identities = this.identitiesOf(stack);
    const flattened = flattenValues(document, placement, (text) => (!text.includes('${GetAtt:') ? text
      : text.replace(/\$\{GetAtt:([^.}]+)\.Arn\}/g, (whole, logicalId: string) => identities.get(logicalId) ?? whole)));
    return analyzeKeyPolicy(flattened, placement);
  }

  /** The IAM roles and users of a stack, by logical id, as ARNs of the stack's account. */
  private identitiesOf(stack: Stack): Map<string, string> {
    let identities = this.identities.get(stack);
    if (!identities) {
      identities = new Map();
      const { account } = this.placementOf(stack);
      for (const child of stack.node.findAll()) {
        if (!CfnResource.isCfnResource(child) || Stack.of(child) !== stack) continue;
        const kind = IDENTITY_TYPES[child.cfnResourceType];
        if (kind) {
          const logicalId = stack.resolve(child.logicalId) as string;
          identities.set(logicalId, `arn:aws:iam::${account}:${kind}/${logicalId}`);
        }
      }
      this.identities.set(stack, identities);
    }
    return identities;
  }

  private inspectResource(node: CfnResource): GuardrailInspection {
    // A key of the app given as `key.keyArn` is a reference in any stack, so its classification is
    // known without resolving it, which (as it computes the key's logical id) is the costliest read
    // of a guardrail. The value is resolved if something reads it.
    const given = keyReferencedBy(rawProperty(node, 'KmsKeyArn', 'kmsKeyArn'));
    const referencedKey = given?.attribute === 'Arn' ? given.key : undefined;
    const guardrail = this.effectiveResource(node, GUARDRAIL_PROPERTIES, referencedKey ? ['KmsKeyArn'] : []);
    const facts: GuardrailFacts = { kind: 'resource', node, properties: guardrail.properties, name: literal(guardrail.properties.Name), creates: true };
    if (referencedKey) return this.describe(facts, referenceAnalysis(guardrail), referencedKey);
    const keyArn = analyzeKeyArn(flattenIntrinsic(guardrail.properties.KmsKeyArn, this.placementOf(guardrail.stack)));
    // KmsKeyArn's schema takes an ARN: CloudFormation refuses a key id (`Ref` of a key, `key.keyId`).
    const keyIdOf = given?.key ?? this.keyIdGivenLiterally(guardrail);
    if (keyIdOf) return this.describe({ ...facts, keyIdOf }, { kind: 'malformed', text: keyArn.text }, undefined);
    const keyNode = ['reference', 'key-arn'].includes(keyArn.kind) ? this.findKey(node, guardrail) : undefined;
    return this.describe(facts, keyArn, keyNode);
  }

  /** The key of the guardrail's stack whose id an override names with a literal `Ref` or `Fn::GetAtt <key>.KeyId`. */
  private keyIdGivenLiterally(guardrail: EffectiveResource): CfnResource | undefined {
    const value = guardrail.properties.KmsKeyArn;
    if (value === null || typeof value !== 'object' || Object.keys(value).length !== 1) return undefined;
    const [logicalId, attribute] = 'Ref' in value ? [value.Ref, 'Ref'] : Array.isArray(value['Fn::GetAtt']) ? value['Fn::GetAtt'] : [];
    if (typeof logicalId !== 'string' || attribute === 'Arn') return undefined;
    const target = this.resourceByLogicalId(guardrail.stack, logicalId);
    return target && isKey(target) ? target : undefined;
  }

  private inspectCustomResource(node: CfnResource): GuardrailInspection | undefined {
    if (!isCustomResource(node)) return undefined;
    const properties = this.effectiveResource(node, CUSTOM_RESOURCE_PROPERTIES).properties;
    const calls = [properties.Create, properties.Update].map(parseSdkCall).filter(isGuardrailCall);
    if (calls.length === 0) return undefined;
    const call = calls[0];
    const parameters = call.parameters ?? {};
    const unkeyed = calls.find((each) => !each.parameters?.kmsKeyId);
    const keyValue = (unkeyed ?? call).parameters?.kmsKeyId;
    const keyArn = analyzeKeyArn(keyValue);
    const stack = this.placementOf(Stack.of(node));
    const environment = {
      region: typeof call.region === 'string' ? call.region : stack.region,
      // A call made with an assumed role acts in that role's account.
      account: call.assumedRoleArn === undefined ? stack.account : accountOfAssumedRole(call.assumedRoleArn),
    };
    // AwsCustomResource runs its update call on create when it has no create call: only CreateGuardrail creates.
    const creates = properties.Create !== undefined && guardrailAction(parseSdkCall(properties.Create)) === 'createguardrail';
    // A key id or ARN in an SDK call cannot be followed to a resource of the app.
    return this.describe({ kind: 'custom-resource', node, properties: parameters, name: literal(parameters.name), creates, environment }, keyArn, undefined);
  }

  private describe(guardrail: GuardrailFacts, keyArn: KeyArnAnalysis, keyNode: CfnResource | undefined): GuardrailInspection {
    const { kind, node, properties, name, creates, keyIdOf } = guardrail;
    const stack = Stack.of(node);
    const own = guardrail.environment ?? this.placementOf(stack);
    const key = keyNode ? this.effectiveResource(keyNode) : undefined;
    const keyPlacement = key ? this.placementOf(key.stack) : { region: keyArn.region, account: keyArn.account };
    const hasKey = key !== undefined || keyArn.kind === 'key-arn' || keyArn.kind === 'reference' || keyArn.kind === 'lookup-dummy';
    const customerManagedKey = keyArn.kind === 'key-arn' || keyArn.kind === 'reference'
      || (kind === 'custom-resource' && keyArn.kind === 'malformed');
    let nameClashes: NameClash[] | undefined;
    const findNameClashes = (inspection: GuardrailInspection) => this.guardrailNameClashes(inspection);
    return {
      kind,
      node,
      stack,
      properties,
      name,
      creates,
      keyArn,
      keySource: key ? 'in-app' : hasKey ? 'outside-app' : 'none',
      customerManagedKey,
      key,
      keyIdOf,
      environment: own,
      placement: {
        region: comparePlacement(keyPlacement.region, own.region),
        account: comparePlacement(keyPlacement.account, own.account),
      },
      get nameClashes() {
        nameClashes ??= findNameClashes(this);
        return nameClashes;
      },
    };
  }

  /**
   * Follows the guardrail's `KmsKeyArn` to an `AWS::KMS::Key` of the app: through the token it was
   * given (same stack, another stack, a nested stack's parent), else by logical id in its stack (an
   * override written as `Fn::GetAtt`).
   */
  private findKey(node: CfnResource, guardrail: EffectiveResource): CfnResource | undefined {
    for (const token of referencedTokens(rawProperty(node, 'KmsKeyArn', 'kmsKeyArn'))) {
      if (isKeyReference(token)) return token.target;
    }
    const getAtt = guardrail.properties.KmsKeyArn?.['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
      const target = this.resourceByLogicalId(guardrail.stack, getAtt[0]);
      if (target && isKey(target)) return target;
    }
    return undefined;
  }

  /**
   * The other guardrails of the app (Stages and nested stacks included, any kind) with the same
   * literal name where they would deploy: Bedrock refuses a second guardrail of a name in an account
   * and Region.
   */
  public guardrailNameClashes(guardrail: GuardrailInspection): NameClash[] {
    if (guardrail.name === undefined || !guardrail.creates) return [];
    const named = this.appNames(guardrail.node).guardrails.get(guardrail.name) ?? [];
    return this.clashes(guardrail.node, guardrail.name, named, (node) => this.inspect(node)!.environment);
  }

  /**
   * The aliases of a key of the app that another key of the app also takes where they would deploy:
   * KMS refuses an alias name twice in an account and Region.
   */
  public keyAliasClashes(key: EffectiveResource): NameClash[] {
    const names = this.appNames(key.node);
    // The key's own aliases, not every alias of the app: each key asks, so that would grow with the square of the keys.
    const own = [...(names.aliasesOf.get(key.node) ?? [])]
      .sort((a, b) => names.aliasOrder.get(names.aliasNames.get(a)!)! - names.aliasOrder.get(names.aliasNames.get(b)!)!);
    return own.flatMap((alias) => {
      const aliasName = names.aliasNames.get(alias)!;
      const others = names.aliases.get(aliasName)!.filter((other) => names.aliasTargets.get(other) !== key.node);
      return this.clashes(alias, aliasName, others, (node) => this.placementOf(Stack.of(node)));
    });
  }

  /** `others` (minus `node`) that deploy, or may deploy, to `node`'s account and Region. */
  private clashes(
    node: CfnResource, name: string, others: readonly CfnResource[], placeOf: (node: CfnResource) => { region: string; account: string },
  ): NameClash[] {
    const here = placeOf(node);
    return others.filter((other) => other !== node).flatMap((other) => {
      const there = placeOf(other);
      const sides = [comparePlacement(there.region, here.region), comparePlacement(there.account, here.account)];
      if (sides.includes('different')) return [];
      const certain = sides.every((side) => side === 'same') && isLiteral(here.region) && isLiteral(here.account);
      return [{ name, other, certain }];
    });
  }

  /** Guardrails by literal name and key aliases by literal name, across the app, read once. */
  private appNames(node: IConstruct): AppNames {
    const root = node.node.root;
    let names = this.namesByRoot.get(root);
    if (!names) {
      names = {
        guardrails: new Map(), aliases: new Map(), aliasNames: new Map(), aliasOrder: new Map(), aliasTargets: new Map(), aliasesOf: new Map(),
      };
      for (const child of root.node.findAll()) {
        if (!CfnResource.isCfnResource(child)) continue;
        if (child.cfnResourceType !== ALIAS_TYPE) {
          const inspection = mayCreateGuardrail(child) ? this.inspect(child) : undefined;
          const name = inspection?.creates ? inspection.name : undefined;
          if (name !== undefined) append(names.guardrails, name, child);
        } else {
          const aliasName = literal(this.resolverOf(Stack.of(child)).resolve(rawProperty(child, 'AliasName', 'aliasName')));
          if (aliasName === undefined) continue;
          if (!names.aliasOrder.has(aliasName)) names.aliasOrder.set(aliasName, names.aliasOrder.size);
          append(names.aliases, aliasName, child);
          names.aliasNames.set(child, aliasName);
          const target = referencedTokens(rawProperty(child, 'TargetKeyId', 'targetKeyId')).find(isKeyReference)?.target;
          if (target) {
            names.aliasTargets.set(child, target);
            append(names.aliasesOf, target, child);
          }
        }
      }
      this.namesByRoot.set(root, names);
    }
    return names;
  }

  private resolverOf(stack: Stack): PropertyResolver {
    let resolver = this.resolvers.get(stack);
    if (!resolver) {
      resolver = new PropertyResolver(stack);
      this.resolvers.set(stack, resolver);
    }
    return resolver;
  }

  private placementOf(stack: Stack): { region: string; account: string } {
    let placement = this.placements.get(stack);
    if (!placement) {
      placement = stackPlacement(stack);
      this.placements.set(stack, placement);
    }
    return placement;
  }

  private resourceByLogicalId(stack: Stack, logicalId: string): CfnResource | undefined {
    let index = this.logicalIds.get(stack);
    if (!index) {
      index = new Map();
      for (const child of stack.node.findAll()) {
        if (CfnResource.isCfnResource(child) && Stack.of(child) === stack) {
          index.set(stack.resolve(child.logicalId), child);
        }
      }
      this.logicalIds.set(stack, index);
    }
    return index.get(logicalId);
  }
}

interface AppNames {
  readonly guardrails: Map<string, CfnResource[]>;
  readonly aliases: Map<string, CfnResource[]>;
  /** The literal name of each alias of `aliases`. */
  readonly aliasNames: Map<CfnResource, string>;
  /** Alias names in the order the tree first gives them, in which a key's clashes are listed. */
  readonly aliasOrder: Map<string, number>;
  /** The key of the app each alias points to, when it refers to one. */
  readonly aliasTargets: Map<CfnResource, CfnResource>;
  /** The aliases of `aliases` that point to each key of the app. */
  readonly aliasesOf: Map<CfnResource, CfnResource[]>;
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const values = map.get(key);
  if (values) values.push(value);
  else map.set(key, [value]);
}

function isKeyReference(token: IResolvable): token is Reference & { target: CfnResource } {
  return Reference.isReference(token) && isKey(token.target);
}

/**
 * The key of the app a value names when the value is nothing but a reference to one, and what of
 * the key it takes: `Arn`, or its id (`Ref`, `KeyId`).
 */
export function keyReferencedBy(value: unknown): { key: CfnResource; attribute: string } | undefined {
  const token = typeof value === 'string' ? wholeToken(value) : Tokenization.reverse(value);
  return token && isKeyReference(token) ? { key: token.target, attribute: token.displayName } : undefined;
}

/** A reference, as resolving would classify it; its text is worked out only if it is read. */
function referenceAnalysis(guardrail: EffectiveResource): KeyArnAnalysis {
  let text: string | undefined;
  return {
    kind: 'reference',
    get text() {
      text ??= analyzeKeyArn(guardrail.properties.KmsKeyArn).text;
      return text;
    },
  };
}

function isKey(target: IConstruct): target is CfnResource {
  return CfnResource.isCfnResource(target) && target.cfnResourceType === KEY_TYPE;
}

function literal(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The value a property was given, before resolution: from the overrides when the property is
 * overridden (or deleted), else from the L1's properties (camelCase) or a raw CfnResource's (as given).
 */
function rawProperty(node: CfnResource, cfnName: string, l1Name: string): unknown {
  const overrides = rawOverridesOf(node).Properties;
  if (overrides && cfnName in overrides) return overrides[cfnName];
  // An L1 has a public getter for each property; `cfnProperties` builds them all (tags rendered).
  if (l1Name in node) return (node as unknown as Record<string, unknown>)[l1Name];
  const properties = cfnPropertiesOf(node);
  return properties[l1Name] ?? properties[cfnName];
}

/** The tokens a value holds: the value itself when it is one, or those embedded in a string. */
function referencedTokens(value: unknown): IResolvable[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    return Token.isUnresolved(value) ? Tokenization.reverseString(value).tokens : [];
  }
  const token = Tokenization.reverse(value);
  return token ? [token] : [];
}

interface SdkCall {
  readonly service?: string;
  readonly action?: string;
  readonly parameters?: Record<string, any>;
  /** The Region the call is made in (the function's own when not set). */
  readonly region?: unknown;
  /** The role the call assumes, whose account it then acts in. */
  readonly assumedRoleArn?: unknown;
}

/** What `describe` needs to know of a guardrail besides its key. */
interface GuardrailFacts {
  readonly kind: GuardrailInspection['kind'];
  readonly node: CfnResource;
  readonly properties: Record<string, any>;
  readonly name: string | undefined;
  readonly creates: boolean;
  /** Where the guardrail is, when not where its stack is. */
  readonly environment?: { readonly region: string; readonly account: string };
  /** The key of the app whose key id the guardrail names where its ARN belongs. */
  readonly keyIdOf?: CfnResource;
}

/** An AwsCustomResource call, stored as a JSON string (with tokens flattened into it). */
function parseSdkCall(value: unknown): SdkCall | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : flattenIntrinsic(value);
  try {
    const call = JSON.parse(text);
    return call && typeof call === 'object' ? call : undefined;
  } catch {
    return undefined;
  }
}

function isGuardrailCall(call: SdkCall | undefined): call is SdkCall {
  return guardrailAction(call) !== undefined;
}

/** The account field of an ARN; a placeholder that matches no account when it is not a literal ARN. */
function accountOfAssumedRole(arn: unknown): string {
  return (typeof arn === 'string' ? accountOfArn(arn) : undefined) ?? '${?}';
}

/** The Bedrock guardrail action of an SDK call, lower case without `Command`; undefined for any other call. */
function guardrailAction(call: SdkCall | undefined): 'createguardrail' | 'updateguardrail' | undefined {
  if (!call || typeof call.service !== 'string' || typeof call.action !== 'string') return undefined;
  const service = call.service.toLowerCase().replace(/^@aws-sdk\/client-/, '');
  const action = call.action.toLowerCase().replace(/command$/, '');
  return service === 'bedrock' && (action === 'createguardrail' || action === 'updateguardrail') ? action : undefined;
}

/**
 * Tags of an effective resource, as a map (values that are tokens count as present). Tags given to
 * an L1 are `{ key, value }`; raw properties and overrides are `{ Key, Value }`.
 */
export function effectiveTags(properties: { readonly [name: string]: any }): Map<string, unknown> {
  const tags = new Map<string, unknown>();
  for (const tag of Array.isArray(properties.Tags) ? properties.Tags : []) {
    const key = tag?.Key ?? tag?.key;
    if (typeof key === 'string') tags.set(key, tag.Value ?? tag.value);
  }
  return tags;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/**
 * A property override on top of the value the property was given, merged as CloudFormation
 * overrides are: objects key by key, anything else replaced, `undefined` deleted.
 */
function override(base: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch) || Tokenization.isResolvable(patch)) return patch;
  const merged: Record<string, unknown> = base !== null && typeof base === 'object' && !Array.isArray(base) && !Tokenization.isResolvable(base)
    ? { ...(base as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete merged[key];
    else merged[key] = override(merged[key], value);
  }
  return merged;
}

/**
 * A resolved value with every intrinsic in it flattened to text (`flattenIntrinsic`, pseudo
 * parameters read in `environment`), and each string then passed through `rewrite`.
 */
function flattenValues(value: unknown, environment: Placement, rewrite: (text: string) => string): unknown {
  if (typeof value === 'string') return rewrite(value);
  if (Array.isArray(value)) return value.map((item) => flattenValues(item, environment, rewrite));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return rewrite(flattenIntrinsic(value, environment));
  // Every key of every key policy passes here once per synthesis: a plain loop, not entries and fromEntries.
  const flattened: Record<string, unknown> = Object.create(null);
  for (const key of keys) flattened[key] = flattenValues((value as Record<string, unknown>)[key], environment, rewrite);
  return flattened;
}
