import { CfnResource } from 'aws-cdk-lib';
import { accountOfArn } from '../../core/arns';
import { flattenIntrinsic, Placement } from '../../core/cfn-values';

/** The properties of a custom resource that hold its SDK calls (`AwsCustomResource`). */
export const CUSTOM_RESOURCE_PROPERTIES = ['Create', 'Update'];

/** What a custom resource's SDK calls say of the guardrail they create or update. */
export interface GuardrailCall {
  /** The call's parameters. */
  readonly parameters: Record<string, any>;
  /** The guardrail's name, when it is a literal. */
  readonly name: string | undefined;
  /** Whether the resource creates the guardrail (a CreateGuardrail call on create). */
  readonly creates: boolean;
  /** The call's Region and account: the stack's unless the call names others. */
  readonly environment: Placement;
  /** The `kmsKeyId` the guardrail ends up with, as given. */
  readonly keyValue: unknown;
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

export function isCustomResource(node: CfnResource): boolean {
  return node.cfnResourceType.startsWith('Custom::') || node.cfnResourceType === 'AWS::CloudFormation::CustomResource';
}

/**
 * The guardrail a custom resource's effective `Create` and `Update` create or update through the
 * Bedrock API; undefined when neither is such a call.
 *
 * @param stackPlacement the Region and account of the custom resource's stack, read only for a guardrail call
 */
export function readGuardrailCall(properties: { readonly [name: string]: any }, stackPlacement: () => Placement): GuardrailCall | undefined {
  const calls = [properties.Create, properties.Update].map(parseSdkCall).filter(isGuardrailCall);
  if (calls.length === 0) return undefined;
  const call = calls[0];
  const parameters = call.parameters ?? {};
  const unkeyed = calls.find((each) => !each.parameters?.kmsKeyId);
  const stack = stackPlacement();
  const environment = {
    region: typeof call.region === 'string' ? call.region : stack.region,
    // A call made with an assumed role acts in that role's account.
    account: call.assumedRoleArn === undefined ? stack.account : accountOfAssumedRole(call.assumedRoleArn),
  };
  // AwsCustomResource runs its update call on create when it has no create call: only CreateGuardrail creates.
  const creates = properties.Create !== undefined && guardrailAction(parseSdkCall(properties.Create)) === 'createguardrail';
  const name = typeof parameters.name === 'string' ? parameters.name : undefined;
  return { parameters, name, creates, environment, keyValue: (unkeyed ?? call).parameters?.kmsKeyId };
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
