import { CfnResource } from 'aws-cdk-lib';

/*
 * Every read of an aws-cdk-lib member that is not public API, in one place. The detection core needs
 * them to see what a template will hold (property overrides, deletion overrides, raw CfnResources),
 * and a release that changes one of them would make the checks silently stop seeing overrides: a
 * false negative in a security check. So each read checks the member's shape and throws, naming the
 * member, when it changed; test/core/cdk-internals.test.ts exercises them on the aws-cdk-lib under test.
 */

/** The overrides of a resource (`addOverride`, `addPropertyOverride`, their deletions), as CloudFormation names them. */
export interface RawOverrides {
  readonly Properties?: { readonly [name: string]: unknown };
  readonly DeletionPolicy?: unknown;
  readonly UpdateReplacePolicy?: unknown;
  readonly [key: string]: unknown;
}

/** `CfnResource.rawOverrides` (protected): the overrides, as an object. */
export function rawOverridesOf(node: CfnResource): RawOverrides {
  const overrides = (node as unknown as { rawOverrides?: unknown }).rawOverrides;
  if (!isObject(overrides)) changed('CfnResource.rawOverrides', 'an object', overrides);
  return overrides as RawOverrides;
}

/**
 * `CfnResource.cfnProperties` (protected getter): the properties an L1 was given, by their L1
 * (camelCase) names, or a raw CfnResource's, as given.
 */
export function cfnPropertiesOf(node: CfnResource): { readonly [name: string]: unknown } {
  const properties = (node as unknown as { cfnProperties?: unknown }).cfnProperties;
  if (!isObject(properties)) changed('CfnResource.cfnProperties', 'an object', properties);
  return properties as { readonly [name: string]: unknown };
}

/** `CfnResource._toCloudFormation()` (internal): the resource as its stack's template will hold it, unresolved. */
export function renderedResource(node: CfnResource): { readonly Properties?: { readonly [name: string]: unknown } } {
  const render = (node as unknown as { _toCloudFormation?: unknown })._toCloudFormation;
  if (typeof render !== 'function') changed('CfnResource._toCloudFormation', 'a method', render);
  const template = render.call(node) as { Resources?: { [id: string]: unknown } };
  const resources = isObject(template) && isObject(template.Resources) ? Object.values(template.Resources) : [];
  if (resources.length !== 1 || !isObject(resources[0])) {
    changed('CfnResource._toCloudFormation()', 'a template fragment with one resource', template);
  }
  return resources[0] as { readonly Properties?: { readonly [name: string]: unknown } };
}

/**
 * Whether aws-cdk-lib applies a plugin-qualified acknowledgement (`<plugin>::<rule>`) only to the
 * resources under the scope it was given on. Before 2.271.0 it applied it to every resource of the
 * rule in the app (aws/aws-cdk#38495), so the library never writes one for the user there.
 */
export function pluginAcknowledgementsAreScoped(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const version = (require('aws-cdk-lib/package.json') as { version?: unknown }).version;
  const parts = typeof version === 'string' ? /^(\d+)\.(\d+)\./.exec(version) : null;
  if (!parts) changed('package.json version', 'a semantic version', version);
  const [major, minor] = [Number(parts[1]), Number(parts[2])];
  return major > 2 || (major === 2 && minor >= 271);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function changed(member: string, expected: string, received: unknown): never {
  throw new Error(`cdk-secure-guardrail reads aws-cdk-lib's ${member}, expecting ${expected}, and received ${received === undefined ? 'nothing' : typeof received}: `
    + 'this aws-cdk-lib changed it, and the checks could no longer see what templates hold. Use a version of aws-cdk-lib the library supports (README, "Supported aws-cdk-lib versions") and report it.');
}
