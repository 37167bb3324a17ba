import * as crypto from 'crypto';
import { aws_bedrock as bedrock, CfnResource, Lazy, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { ISecureGuardrail } from './guardrail-reference';
import { validateVersionProperties } from './private/validate-content';
import { renderedResource } from '../core/cdk-internals';
import { fail, Origin, originOf } from '../core/errors';

/**
 * Properties of a `GuardrailVersion`.
 */
export interface GuardrailVersionProps {
  /**
   * The guardrail to snapshot: a `SecureGuardrail` (or another construct whose default child is an
   * `AWS::Bedrock::Guardrail`), the L1 `CfnGuardrail`, or a guardrail imported with
   * `SecureGuardrail.fromGuardrailAttributes`, of this stack's Region and account.
   *
   * A version created here does not become a `SecureGuardrail`'s `guardrailVersion`:
   * `SecureGuardrail.createVersion` does.
   */
  readonly guardrail: bedrock.CfnGuardrail | ISecureGuardrail;

  /**
   * The version's description (1-200 characters).
   *
   * @default - no description
   */
  readonly description?: string;
}

/**
 * An immutable version of a guardrail.
 *
 * CloudFormation creates a version when its logical id is new. The logical id here ends with a hash
 * of the guardrail's resolved configuration (every property but its tags, with overrides applied)
 * and of the description, computed at synthesis: a filter change yields a new version, and anything
 * that leaves the configuration as it was keeps the existing one.
 *
 * An imported guardrail's configuration is not in the app: its hash covers the guardrail's ARN and
 * the description instead, so a new version is created when either changes. Change the description
 * to snapshot the guardrail's current configuration.
 */
export class GuardrailVersion extends Construct {
  /**
   * The version number, for example `1`.
   */
  public readonly version: string;

  /**
   * The underlying CloudFormation guardrail version.
   */
  public readonly resource: bedrock.CfnGuardrailVersion;

  constructor(scope: Construct, id: string, props: GuardrailVersionProps) {
    super(scope, id);
    const origin = originOf('GuardrailVersion', this);
    const target = versionTarget(this, origin, props);
    const properties: bedrock.CfnGuardrailVersionProps = {
      guardrailIdentifier: target.identifier,
      description: props.description,
    };
    validateVersionProperties(origin, properties);
    this.resource = new bedrock.CfnGuardrailVersion(this, 'Resource', properties);
    this.version = this.resource.attrVersion;

    const stack = Stack.of(this);
    const baseLogicalId = stack.resolve(this.resource.logicalId) as string;
    this.resource.overrideLogicalId(Lazy.uncachedString({
      produce: () => `${baseLogicalId}${target.hash()}`,
    }));
  }
}

/** What a version names its guardrail by, and the hash its logical id ends with. */
interface VersionTarget {
  readonly identifier: string;
  hash(): string;
}

/**
 * A guardrail the app defines is named by its id and hashed by its configuration, as
 * `SecureGuardrail.createVersion` always did; an imported one by its ARN, which holds its Region.
 */
function versionTarget(scope: Construct, origin: Origin, props: GuardrailVersionProps): VersionTarget {
  const definition = definitionOf(props.guardrail);
  if (definition) {
    return { identifier: definition.attrGuardrailId, hash: () => configurationHash(definition, props.description) };
  }
  const imported = props.guardrail as ISecureGuardrail;
  const stack = Stack.of(scope);
  if (Token.compareStrings(imported.env.region, stack.region) === TokenComparison.DIFFERENT) {
    fail(origin, 'guardrail', imported.guardrailArn,
      `a guardrail of this stack's Region ${stack.region}: CloudFormation creates the version in the stack's Region`);
  }
  if (Token.compareStrings(imported.env.account, stack.account) === TokenComparison.DIFFERENT) {
    fail(origin, 'guardrail', imported.guardrailArn,
      `a guardrail of this stack's account ${stack.account}: a version is created by the guardrail's own account`);
  }
  return { identifier: imported.guardrailArn, hash: () => importHash(stack.resolve(imported.guardrailArn), props.description) };
}

/**
 * The guardrail's resource when the app defines it (the L1 itself, or the default child of a
 * `SecureGuardrail`): what the version's configuration hash is computed from. Checked by resource type
 * rather than `instanceof`, which fails across copies of aws-cdk-lib.
 */
function definitionOf(guardrail: bedrock.CfnGuardrail | ISecureGuardrail): bedrock.CfnGuardrail | undefined {
  const isDefinition = (node: IConstruct | undefined): node is bedrock.CfnGuardrail =>
    node !== undefined && CfnResource.isCfnResource(node) && node.cfnResourceType === bedrock.CfnGuardrail.CFN_RESOURCE_TYPE_NAME;
  if (isDefinition(guardrail)) return guardrail;
  const child = guardrail.node.defaultChild;
  return isDefinition(child) ? child : undefined;
}

/** A hash of what a guardrail version captures: the resolved configuration and the description. */
function configurationHash(guardrail: CfnResource, description: string | undefined): string {
  const stack = Stack.of(guardrail);
  const rendered = stack.resolve(renderedResource(guardrail)) as { Properties?: { [key: string]: unknown } };
  const { Tags: _tags, ...configuration } = rendered.Properties ?? {};
  return hash({ configuration, description: description ?? null });
}

function hash(value: unknown): string {
  return crypto.createHash('sha256')
    .update(stableStringify(value))
    .digest('hex')
    .slice(0, 8)
    .toUpperCase();
}

/** A hash of what identifies a version of a guardrail the app does not define: its ARN and the description. */
function importHash(guardrailArn: unknown, description: string | undefined): string {
  return hash({ guardrail: guardrailArn, description: description ?? null });
}

/** JSON with object keys sorted, so the hash does not depend on the order properties were set in. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as { [key: string]: unknown })
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
