import { CfnResource, Stack } from 'aws-cdk-lib';
import { PropertyResolver } from './property-resolver';
import { Placement, stackPlacement } from '../../core/cfn-values';

/**
 * What the inspector reads of a stack, read once per stack: its property resolver, its Region and
 * account, its resources by logical id.
 */
export class StackFacts {
  private readonly resolvers = new Map<Stack, PropertyResolver>();
  private readonly placements = new Map<Stack, Placement>();
  private readonly logicalIds = new Map<Stack, Map<string, CfnResource>>();

  public resolverOf(stack: Stack): PropertyResolver {
    let resolver = this.resolvers.get(stack);
    if (!resolver) {
      resolver = new PropertyResolver(stack);
      this.resolvers.set(stack, resolver);
    }
    return resolver;
  }

  public placementOf(stack: Stack): Placement {
    let placement = this.placements.get(stack);
    if (!placement) {
      placement = stackPlacement(stack);
      this.placements.set(stack, placement);
    }
    return placement;
  }

  public resourceByLogicalId(stack: Stack, logicalId: string): CfnResource | undefined {
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
