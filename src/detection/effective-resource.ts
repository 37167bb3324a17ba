import { CfnResource, Stack, Tokenization } from 'aws-cdk-lib';
import { NameClash } from './name-clash-index';
import { KEY_TYPE } from './private/given-values';
import { PropertyResolver } from './private/property-resolver';
import { cfnPropertiesOf, rawOverridesOf } from '../core/cdk-internals';
import { KeyPolicyAnalysis } from '../core/key-policy-analysis';

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

/** What is known of a key of the app as a whole, whichever of its properties a reader selected; worked out once per key. */
export interface KeyFacts {
  keyPolicyOf(key: CfnResource): KeyPolicyAnalysis;
  aliasClashesOf(key: CfnResource): readonly NameClash[];
}

/** An effective resource holding the properties a reader selected. */
export class SelectedEffectiveResource implements EffectiveResource {
  public readonly properties: { readonly [name: string]: any };
  public readonly deletionPolicy?: string;
  public readonly updateReplacePolicy?: string;
  private resolvedLogicalId?: string;

  /**
   * @param names the properties to read, by their CloudFormation names
   * @param resolvedOnRead those of `names` that are resolved only when something reads them
   */
  constructor(
    public readonly node: CfnResource, public readonly stack: Stack, resolver: PropertyResolver,
    names: readonly string[], resolvedOnRead: readonly string[], private readonly keyFacts: KeyFacts,
  ) {
    const overrides = rawOverridesOf(node);
    this.properties = effectiveProperties(node, resolver, names, resolvedOnRead);
    this.deletionPolicy = ('DeletionPolicy' in overrides ? overrides.DeletionPolicy : node.cfnOptions.deletionPolicy) as string | undefined;
    this.updateReplacePolicy = ('UpdateReplacePolicy' in overrides ? overrides.UpdateReplacePolicy : node.cfnOptions.updateReplacePolicy) as string | undefined;
  }

  /** Computing a logical id hashes the construct path: only the report asks for it. */
  public get logicalId(): string {
    this.resolvedLogicalId ??= this.stack.resolve(this.node.logicalId) as string;
    return this.resolvedLogicalId;
  }

  public get keyPolicy(): KeyPolicyAnalysis | undefined {
    return this.node.cfnResourceType === KEY_TYPE ? this.keyFacts.keyPolicyOf(this.node) : undefined;
  }

  public get aliasClashes(): readonly NameClash[] | undefined {
    return this.node.cfnResourceType === KEY_TYPE ? this.keyFacts.aliasClashesOf(this.node) : undefined;
  }
}

/**
 * The given properties of a resource as its template will hold them: the value each was given,
 * with property overrides and deletion overrides applied, resolved in its own stack.
 */
function effectiveProperties(
  node: CfnResource, resolver: PropertyResolver, names: readonly string[], resolvedOnRead: readonly string[],
): Record<string, any> {
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
  return properties;
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
