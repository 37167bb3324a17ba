import * as crypto from 'crypto';
import { aws_bedrock as bedrock, CfnResource, Lazy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validateVersionProperties } from './private/validate-content';
import { renderedResource } from '../core/cdk-internals';
import { originOf } from '../core/errors';

/**
 * Properties of a `GuardrailVersion`.
 */
export interface GuardrailVersionProps {
  /**
   * The guardrail to snapshot.
   */
  readonly guardrail: bedrock.CfnGuardrail;

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
    const properties: bedrock.CfnGuardrailVersionProps = {
      guardrailIdentifier: props.guardrail.attrGuardrailId,
      description: props.description,
    };
    validateVersionProperties(originOf('GuardrailVersion', this), properties);
    this.resource = new bedrock.CfnGuardrailVersion(this, 'Resource', properties);
    this.version = this.resource.attrVersion;

    const stack = Stack.of(this);
    const baseLogicalId = stack.resolve(this.resource.logicalId) as string;
    this.resource.overrideLogicalId(Lazy.uncachedString({
      produce: () => `${baseLogicalId}${configurationHash(props.guardrail, props.description)}`,
    }));
  }
}

/** A hash of what a guardrail version captures: the resolved configuration and the description. */
function configurationHash(guardrail: CfnResource, description: string | undefined): string {
  const stack = Stack.of(guardrail);
  const rendered = stack.resolve(renderedResource(guardrail)) as { Properties?: { [key: string]: unknown } };
  const { Tags: _tags, ...configuration } = rendered.Properties ?? {};
  return crypto.createHash('sha256')
    .update(stableStringify({ configuration, description: description ?? null }))
    .digest('hex')
    .slice(0, 8)
    .toUpperCase();
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
