import { CfnResource, Reference, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EffectiveResource, KeyFacts, SelectedEffectiveResource } from './effective-resource';
import { analyzeKeyArn, KeyArnAnalysis } from './key-arn';
import { NameClash, NameClashIndex } from './name-clash-index';
import { isKey, isKeyReference, keyReferencedBy, rawProperty, referencedTokens } from './private/given-values';
import { CUSTOM_RESOURCE_PROPERTIES, isCustomResource, readGuardrailCall } from './private/guardrail-sdk-call';
import { KeyPolicyReader } from './private/key-policy-reading';
import { StackFacts } from './private/stack-facts';
import { comparePlacement, flattenIntrinsic, Placement, PlacementMatch } from '../core/cfn-values';
import { KeyPolicyAnalysis, WideUse } from '../core/key-policy-analysis';

/**
 * The one place that decides what a guardrail is encrypted with. The nag rules, the aspects and the
 * compliance report all read a guardrail through here, so they cannot disagree.
 */

export const GUARDRAIL_TYPE = 'AWS::Bedrock::Guardrail';

/**
 * The resources that widen who must use a guardrail's key, and the property naming the guardrail:
 * enforcement in the account makes every caller of the account apply it; a resource policy shares it
 * (with the organization, for organization-level enforcement).
 */
const WIDENING_RESOURCES: ReadonlyArray<{ type: string; cfnName: string; l1Name: string; wideUse: WideUse }> = [
  { type: 'AWS::Bedrock::EnforcedGuardrailConfiguration', cfnName: 'GuardrailIdentifier', l1Name: 'guardrailIdentifier', wideUse: 'account' },
  { type: 'AWS::Bedrock::ResourcePolicy', cfnName: 'ResourceArn', l1Name: 'resourceArn', wideUse: 'organization' },
];

/** The properties the rules read, by resource kind. */
const GUARDRAIL_PROPERTIES = ['Name', 'KmsKeyArn', 'Tags'];
const KEY_PROPERTIES = ['KeySpec', 'KeyUsage', 'EnableKeyRotation', 'RotationPeriodInDays', 'PendingWindowInDays', 'Enabled', 'KeyPolicy', 'Tags'];

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

const synthesisInspectors = new WeakMap<IConstruct, { inspector: GuardrailInspector }>();

/**
 * Reads guardrails and their keys. Effective resources are cached per inspector: create one per
 * validation pass, after the tree stops changing.
 */
export class GuardrailInspector implements KeyFacts {
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

  /** Effective resources by node, then by the properties selected (`selectionKey`). */
  private readonly effective = new Map<CfnResource, Map<string, EffectiveResource>>();
  private readonly inspections = new Map<CfnResource, GuardrailInspection | undefined>();
  private readonly keyPolicies = new Map<CfnResource, KeyPolicyAnalysis>();
  private readonly wideUses = new Map<IConstruct, Map<CfnResource, WideUse>>();
  private readonly aliasClashes = new Map<CfnResource, NameClash[]>();
  private readonly clashIndexes = new Map<IConstruct, NameClashIndex>();
  private readonly stacks = new StackFacts();
  private readonly keyPolicyReader = new KeyPolicyReader(this.stacks);

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
    let selections = this.effective.get(node);
    if (!selections) {
      selections = new Map();
      this.effective.set(node, selections);
    }
    const selection = selectionKey(names, resolvedOnRead);
    let resource = selections.get(selection);
    if (!resource) {
      const stack = Stack.of(node);
      resource = new SelectedEffectiveResource(node, stack, this.stacks.resolverOf(stack), names, resolvedOnRead, this);
      selections.set(selection, resource);
    }
    return resource;
  }

  /** Who may use a key of the app, from its policy as the template will hold it. */
  public keyPolicyOf(key: CfnResource): KeyPolicyAnalysis {
    let analysis = this.keyPolicies.get(key);
    if (!analysis) {
      const { stack, properties } = this.effectiveResource(key);
      analysis = this.keyPolicyReader.analyze(stack, properties.KeyPolicy);
      // Only a key whose policy opens more than the standard needs to know whether its guardrail is enforced or shared.
      const wideUse = analysis.exposures.length > 0 ? this.wideUseOf(key) : undefined;
      if (wideUse) analysis = this.keyPolicyReader.analyze(stack, properties.KeyPolicy, wideUse);
      this.keyPolicies.set(key, analysis);
    }
    return analysis;
  }

  /**
   * Whose use through Bedrock the key's guardrails widen: `organization` when the app gives one of
   * them a resource policy (`AWS::Bedrock::ResourcePolicy`), else `account` when it enforces one
   * (`AWS::Bedrock::EnforcedGuardrailConfiguration`), each naming the guardrail by reference.
   */
  public wideUseOf(key: CfnResource): WideUse | undefined {
    const root = key.node.root;
    let index = this.wideUses.get(root);
    if (!index) {
      index = new Map();
      for (const node of root.node.findAll()) {
        if (!CfnResource.isCfnResource(node)) continue;
        const widening = WIDENING_RESOURCES.find((candidate) => candidate.type === node.cfnResourceType);
        if (!widening) continue;
        for (const token of referencedTokens(rawProperty(node, widening.cfnName, widening.l1Name))) {
          const target = Reference.isReference(token) ? token.target : undefined;
          const guardrailKey = target && isGuardrail(target) ? this.inspect(target)?.key?.node : undefined;
          if (guardrailKey && index.get(guardrailKey) !== 'organization') index.set(guardrailKey, widening.wideUse);
        }
      }
      this.wideUses.set(root, index);
    }
    return index.get(key);
  }

  public aliasClashesOf(key: CfnResource): readonly NameClash[] {
    let clashes = this.aliasClashes.get(key);
    if (!clashes) {
      clashes = this.clashIndex(key).aliasClashes(key);
      this.aliasClashes.set(key, clashes);
    }
    return clashes;
  }

  /**
   * The other guardrails of the app (Stages and nested stacks included, any kind) with the same
   * literal name where they would deploy: Bedrock refuses a second guardrail of a name in an account
   * and Region.
   */
  public guardrailNameClashes(guardrail: GuardrailInspection): NameClash[] {
    if (guardrail.name === undefined || !guardrail.creates) return [];
    return this.clashIndex(guardrail.node).guardrailClashes(guardrail.node, guardrail.name, (node) => this.inspect(node)!.environment);
  }

  /**
   * The aliases of a key of the app that another key of the app also takes where they would deploy:
   * KMS refuses an alias name twice in an account and Region.
   */
  public keyAliasClashes(key: EffectiveResource): NameClash[] {
    return this.clashIndex(key.node).aliasClashes(key.node);
  }

  private inspectResource(node: CfnResource): GuardrailInspection {
    // A key of the app given as `key.keyArn` is a reference in any stack, so its classification is
    // known without resolving it, which (as it computes the key's logical id) is the costliest read
    // of a guardrail. The value is resolved if something reads it.
    const given = keyReferencedBy(rawProperty(node, 'KmsKeyArn', 'kmsKeyArn'));
    const referencedKey = given?.attribute === 'Arn' ? given.key : undefined;
    const guardrail = this.effectiveResource(node, GUARDRAIL_PROPERTIES, referencedKey ? ['KmsKeyArn'] : []);
    const name = typeof guardrail.properties.Name === 'string' ? guardrail.properties.Name : undefined;
    const facts: GuardrailFacts = { kind: 'resource', node, properties: guardrail.properties, name, creates: true };
    if (referencedKey) return this.describe(facts, new ReferencedKeyArn(guardrail), referencedKey);
    const keyArn = analyzeKeyArn(flattenIntrinsic(guardrail.properties.KmsKeyArn, this.stacks.placementOf(guardrail.stack)));
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
    const target = this.stacks.resourceByLogicalId(guardrail.stack, logicalId);
    return target && isKey(target) ? target : undefined;
  }

  private inspectCustomResource(node: CfnResource): GuardrailInspection | undefined {
    if (!isCustomResource(node)) return undefined;
    const properties = this.effectiveResource(node, CUSTOM_RESOURCE_PROPERTIES).properties;
    const call = readGuardrailCall(properties, () => this.stacks.placementOf(Stack.of(node)));
    if (!call) return undefined;
    const { parameters, name, creates, environment } = call;
    // A key id or ARN in an SDK call cannot be followed to a resource of the app.
    return this.describe({ kind: 'custom-resource', node, properties: parameters, name, creates, environment }, analyzeKeyArn(call.keyValue), undefined);
  }

  private describe(guardrail: GuardrailFacts, keyArn: KeyArnAnalysis, keyNode: CfnResource | undefined): GuardrailInspection {
    const { kind } = guardrail;
    const stack = Stack.of(guardrail.node);
    const environment = guardrail.environment ?? this.stacks.placementOf(stack);
    const key = keyNode ? this.effectiveResource(keyNode) : undefined;
    const keyPlacement = key ? this.stacks.placementOf(key.stack) : { region: keyArn.region, account: keyArn.account };
    const hasKey = key !== undefined || keyArn.kind === 'key-arn' || keyArn.kind === 'reference' || keyArn.kind === 'lookup-dummy';
    const customerManagedKey = keyArn.kind === 'key-arn' || keyArn.kind === 'reference'
      || (kind === 'custom-resource' && keyArn.kind === 'malformed');
    return new InspectedGuardrail(guardrail, (inspection) => this.guardrailNameClashes(inspection), {
      stack,
      keyArn,
      keySource: key ? 'in-app' : hasKey ? 'outside-app' : 'none',
      customerManagedKey,
      key,
      environment,
      placement: {
        region: comparePlacement(keyPlacement.region, environment.region),
        account: comparePlacement(keyPlacement.account, environment.account),
      },
    });
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
      const target = this.stacks.resourceByLogicalId(guardrail.stack, getAtt[0]);
      if (target && isKey(target)) return target;
    }
    return undefined;
  }

  /** The app's index of guardrail names and key aliases, built when first asked. */
  private clashIndex(node: IConstruct): NameClashIndex {
    const root = node.node.root;
    let index = this.clashIndexes.get(root);
    if (!index) {
      index = new NameClashIndex(root, this.stacks, (child) => {
        const inspection = mayCreateGuardrail(child) ? this.inspect(child) : undefined;
        return inspection?.creates ? inspection.name : undefined;
      });
      this.clashIndexes.set(root, index);
    }
    return index;
  }
}

/** Tells selections of properties apart: the names read, and those resolved only when read. */
function selectionKey(names: readonly string[], resolvedOnRead: readonly string[]): string {
  return resolvedOnRead.length === 0 ? names.join(',') : `${names.join(',')}|${resolvedOnRead.join(',')}`;
}

/** What `describe` needs to know of a guardrail besides its key. */
interface GuardrailFacts {
  readonly kind: GuardrailInspection['kind'];
  readonly node: CfnResource;
  readonly properties: Record<string, any>;
  readonly name: string | undefined;
  readonly creates: boolean;
  /** Where the guardrail is, when not where its stack is. */
  readonly environment?: Placement;
  /** The key of the app whose key id the guardrail names where its ARN belongs. */
  readonly keyIdOf?: CfnResource;
}

/** What `describe` found of a guardrail's key and place. */
type KeyFindings = Pick<GuardrailInspection, 'stack' | 'keyArn' | 'keySource' | 'customerManagedKey' | 'key' | 'environment' | 'placement'>;

/** A guardrail as inspected; its name clashes are looked up when first read. */
class InspectedGuardrail implements GuardrailInspection {
  public readonly kind: GuardrailInspection['kind'];
  public readonly node: CfnResource;
  public readonly stack: Stack;
  public readonly properties: Record<string, any>;
  public readonly name?: string;
  public readonly creates: boolean;
  public readonly keyArn: KeyArnAnalysis;
  public readonly keySource: KeySource;
  public readonly customerManagedKey: boolean;
  public readonly key?: EffectiveResource;
  public readonly keyIdOf?: CfnResource;
  public readonly environment: Placement;
  public readonly placement: { readonly region: PlacementMatch; readonly account: PlacementMatch };
  private clashes?: readonly NameClash[];

  constructor(
    facts: GuardrailFacts, private readonly findNameClashes: (inspection: GuardrailInspection) => readonly NameClash[], findings: KeyFindings,
  ) {
    ({ kind: this.kind, node: this.node, properties: this.properties, name: this.name, creates: this.creates, keyIdOf: this.keyIdOf } = facts);
    ({
      stack: this.stack, keyArn: this.keyArn, keySource: this.keySource, customerManagedKey: this.customerManagedKey,
      key: this.key, environment: this.environment, placement: this.placement,
    } = findings);
  }

  public get nameClashes(): readonly NameClash[] {
    this.clashes ??= this.findNameClashes(this);
    return this.clashes;
  }
}

/** A reference, as resolving would classify it; its text is worked out only if it is read. */
class ReferencedKeyArn implements KeyArnAnalysis {
  public readonly kind = 'reference';
  private resolvedText?: string;

  constructor(private readonly guardrail: EffectiveResource) {}

  public get text(): string {
    this.resolvedText ??= analyzeKeyArn(this.guardrail.properties.KmsKeyArn).text;
    return this.resolvedText;
  }
}
