import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { isKeyReference, rawProperty, referencedTokens } from './private/given-values';
import { StackFacts } from './private/stack-facts';
import { comparePlacement, isLiteral, Placement } from '../core/cfn-values';

const ALIAS_TYPE = 'AWS::KMS::Alias';

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

/**
 * Guardrails by literal name and key aliases by literal name across an app (Stages and nested
 * stacks included), read once: Bedrock refuses a second guardrail of a name, and KMS an alias
 * name twice, in an account and Region.
 */
export class NameClashIndex {
  private readonly guardrails = new Map<string, CfnResource[]>();
  private readonly aliases = new Map<string, CfnResource[]>();
  /** The literal name of each alias of `aliases`. */
  private readonly aliasNames = new Map<CfnResource, string>();
  /** Alias names in the order the tree first gives them, in which a key's clashes are listed. */
  private readonly aliasOrder = new Map<string, number>();
  /** The key of the app each alias points to, when it refers to one. */
  private readonly aliasTargets = new Map<CfnResource, CfnResource>();
  /** The aliases of `aliases` that point to each key of the app. */
  private readonly aliasesOf = new Map<CfnResource, CfnResource[]>();

  /**
   * @param createdGuardrailName the literal name of the guardrail a resource creates; undefined
   * when it creates none or its name is not a literal
   */
  constructor(root: IConstruct, private readonly stacks: StackFacts, createdGuardrailName: (node: CfnResource) => string | undefined) {
    for (const child of root.node.findAll()) {
      if (!CfnResource.isCfnResource(child)) continue;
      if (child.cfnResourceType !== ALIAS_TYPE) {
        const name = createdGuardrailName(child);
        if (name !== undefined) append(this.guardrails, name, child);
      } else {
        const aliasName = this.stacks.resolverOf(Stack.of(child)).resolve(rawProperty(child, 'AliasName', 'aliasName'));
        if (typeof aliasName !== 'string') continue;
        if (!this.aliasOrder.has(aliasName)) this.aliasOrder.set(aliasName, this.aliasOrder.size);
        append(this.aliases, aliasName, child);
        this.aliasNames.set(child, aliasName);
        const target = referencedTokens(rawProperty(child, 'TargetKeyId', 'targetKeyId')).find(isKeyReference)?.target;
        if (target) {
          this.aliasTargets.set(child, target);
          append(this.aliasesOf, target, child);
        }
      }
    }
  }

  /** The other guardrails of the app created with this name where they would deploy. */
  public guardrailClashes(guardrail: CfnResource, name: string, environmentOf: (node: CfnResource) => Placement): NameClash[] {
    return clashes(guardrail, name, this.guardrails.get(name) ?? [], environmentOf);
  }

  /** The aliases of a key of the app that another key of the app also takes where they would deploy. */
  public aliasClashes(key: CfnResource): NameClash[] {
    // The key's own aliases, not every alias of the app: each key asks, so that would grow with the square of the keys.
    const own = [...(this.aliasesOf.get(key) ?? [])]
      .sort((a, b) => this.aliasOrder.get(this.aliasNames.get(a)!)! - this.aliasOrder.get(this.aliasNames.get(b)!)!);
    return own.flatMap((alias) => {
      const aliasName = this.aliasNames.get(alias)!;
      const others = this.aliases.get(aliasName)!.filter((other) => this.aliasTargets.get(other) !== key);
      return clashes(alias, aliasName, others, (node) => this.stacks.placementOf(Stack.of(node)));
    });
  }
}

/** `others` (minus `node`) that deploy, or may deploy, to `node`'s account and Region. */
function clashes(node: CfnResource, name: string, others: readonly CfnResource[], placeOf: (node: CfnResource) => Placement): NameClash[] {
  const here = placeOf(node);
  return others.filter((other) => other !== node).flatMap((other) => {
    const there = placeOf(other);
    const sides = [comparePlacement(there.region, here.region), comparePlacement(there.account, here.account)];
    if (sides.includes('different')) return [];
    const certain = sides.every((side) => side === 'same') && isLiteral(here.region) && isLiteral(here.account);
    return [{ name, other, certain }];
  });
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const values = map.get(key);
  if (values) values.push(value);
  else map.set(key, [value]);
}
