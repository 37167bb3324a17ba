import { CfnResource, IResolvable, Reference, Token, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { wholeToken } from './property-resolver';
import { cfnPropertiesOf, rawOverridesOf } from '../../core/cdk-internals';

/*
 * Values as a resource was given them, before resolution, and the keys of the app they refer to.
 */

export const KEY_TYPE = 'AWS::KMS::Key';

export function isKey(target: IConstruct): target is CfnResource {
  return CfnResource.isCfnResource(target) && target.cfnResourceType === KEY_TYPE;
}

export function isKeyReference(token: IResolvable): token is Reference & { target: CfnResource } {
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

/** The tokens a value holds: the value itself when it is one, or those embedded in a string. */
export function referencedTokens(value: unknown): IResolvable[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    return Token.isUnresolved(value) ? Tokenization.reverseString(value).tokens : [];
  }
  const token = Tokenization.reverse(value);
  return token ? [token] : [];
}

/**
 * The value a property was given, before resolution: from the overrides when the property is
 * overridden (or deleted), else from the L1's properties (camelCase) or a raw CfnResource's (as given).
 */
export function rawProperty(node: CfnResource, cfnName: string, l1Name: string): unknown {
  const overrides = rawOverridesOf(node).Properties;
  if (overrides && cfnName in overrides) return overrides[cfnName];
  // An L1 has a public getter for each property; `cfnProperties` builds them all (tags rendered).
  if (l1Name in node) return (node as unknown as Record<string, unknown>)[l1Name];
  const properties = cfnPropertiesOf(node);
  return properties[l1Name] ?? properties[cfnName];
}
