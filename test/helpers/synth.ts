import { App, CfnElement, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { arnAttributes, resolveIntrinsics } from './intrinsics';
import { KEY_POLICY_ACTIONS } from '../../src/core/kms-actions';
import { Caller, KeyPolicyEvaluator, PolicyStatementJson } from '../../src/core/policy-evaluator';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const OTHER_ACCOUNT = '222222222222';
export const ENV = { account: ACCOUNT, region: REGION };

export const MANDATORY_TAGS = { owner: 'team-payments', workload: 'payments-assistant', dataSensitivity: 'confidential' };

export function newStack(props: StackProps = { env: ENV }): Stack {
  return new Stack(new App(), 'TestStack', props);
}

/** The deployment role of CDK's default synthesizer in the test environment. */
export const DEPLOYER_ARN = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;

export const CALLERS = {
  /** An IAM administrator of the account who is not a key user (identity policy allows `*` on `*`). */
  iamAdmin: { arn: `arn:aws:iam::${ACCOUNT}:role/Admin`, account: ACCOUNT, identityAllows: ['*'] },
  /** A data scientist whose IAM policy allows every KMS action. */
  dataScientist: { arn: `arn:aws:iam::${ACCOUNT}:role/DataScientist`, account: ACCOUNT, identityAllows: ['kms:*'] },
  /** CloudFormation's execution role (AdministratorAccess, as CDK bootstraps it). */
  deployer: { arn: DEPLOYER_ARN, account: ACCOUNT, identityAllows: ['*'] },
  /** An administrator of another account. */
  foreignAdmin: { arn: `arn:aws:iam::${OTHER_ACCOUNT}:role/Admin`, account: OTHER_ACCOUNT, identityAllows: ['*'] },
  /** The account root of another account. */
  foreignRoot: { arn: `arn:aws:iam::${OTHER_ACCOUNT}:root`, account: OTHER_ACCOUNT, identityAllows: ['*'] },
} satisfies Record<string, Caller>;

/** A role of the template, as KMS would see it calling. */
export function roleCaller(logicalId: string, identityAllows: string[] = []): Caller {
  return { arn: `arn:aws:iam::${ACCOUNT}:role/${logicalId}`, account: ACCOUNT, identityAllows };
}

/**
 * A role of the template with what its identity policies in the template allow on the key (their
 * conditions aside: the key policy repeats those that matter), as KMS would see it calling.
 */
export function grantedCaller(key: SynthesizedKey, roleLogicalId: string): Caller {
  const onKey = (resource: unknown) => ([] as unknown[]).concat(resource).some((r) =>
    JSON.stringify(r) === JSON.stringify({ 'Fn::GetAtt': [key.logicalId, 'Arn'] }) || (typeof r === 'string' && /:kms:.*:key\/\*$/.test(r)));
  const actions = Object.values(key.template.Resources as Record<string, any>)
    .filter((r) => ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type) && JSON.stringify(r.Properties.Roles).includes(`"${roleLogicalId}"`))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as any[])
    .filter((statement) => statement.Effect === 'Allow' && onKey(resolveKeyArnPattern(statement.Resource)))
    .flatMap((statement) => ([] as string[]).concat(statement.Action));
  return roleCaller(roleLogicalId, [...new Set(actions)]);
}

/** A `kms:…:key/*` resource written with pseudo parameters, as text. */
function resolveKeyArnPattern(resource: unknown): unknown {
  const env = { partition: 'aws', region: REGION, account: ACCOUNT, urlSuffix: 'amazonaws.com', attributes: {} };
  return ([] as unknown[]).concat(resource).map((r) => (typeof r === 'object' && r !== null && 'Fn::Join' in r ? resolveIntrinsics(r, env) : r));
}

export const CONTEXTS = {
  direct: {},
  viaBedrockHere: { 'kms:ViaService': `bedrock.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT, 'kms:GrantIsForAWSResource': 'true' },
  viaBedrockElsewhere: { 'kms:ViaService': 'bedrock.us-east-1.amazonaws.com', 'kms:CallerAccount': ACCOUNT, 'kms:GrantIsForAWSResource': 'true' },
  viaOtherService: { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT, 'kms:GrantIsForAWSResource': 'true' },
} as const;

/** Every action KMS authorizes on a key through its key policy. */
export const ALL_KEY_ACTIONS = KEY_POLICY_ACTIONS;

export const CRYPTO_ACTIONS = [
  'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:GenerateDataKeyWithoutPlaintext',
  'kms:CreateGrant',
];

/** A statement of a synthesized key policy, as the tests read it. */
export interface SynthesizedStatement extends PolicyStatementJson {
  readonly Action: string | string[];
  readonly Condition?: Record<string, Record<string, any>>;
}

export interface SynthesizedKey {
  readonly template: any;
  readonly logicalId: string;
  readonly policy: { readonly Statement: SynthesizedStatement[] };
  readonly evaluator: KeyPolicyEvaluator;
}

/** The stack's only KMS key, with its policy resolved as it would be in account ACCOUNT, Region REGION. */
export function synthesizedKey(stack: Stack, key?: IConstruct): SynthesizedKey {
  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, any> };
  const wanted = key ? stack.getLogicalId(key.node.defaultChild as CfnElement) : undefined;
  const keys = Object.entries(template.Resources as Record<string, any>).filter(([id, r]) => r.Type === 'AWS::KMS::Key' && (wanted === undefined || id === wanted));
  if (keys.length !== 1) throw new Error(`expected one key, found ${keys.length}`);
  const env = { partition: 'aws', region: REGION, account: ACCOUNT, urlSuffix: 'amazonaws.com' };
  const policy = resolveIntrinsics(keys[0][1].Properties.KeyPolicy, { ...env, attributes: arnAttributes(template, env) });
  return { template, logicalId: keys[0][0], policy, evaluator: new KeyPolicyEvaluator(policy) };
}

/** The actions among `actions` that `caller` may perform in `context`. */
export function allowedActions(key: SynthesizedKey, caller: Caller, context: Record<string, string>, actions = ALL_KEY_ACTIONS): string[] {
  return actions.filter((action) => key.evaluator.isAllowed(caller, action, context));
}
