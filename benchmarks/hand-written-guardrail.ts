/**
 * The resources of a default `SecureGuardrail`, written by hand with aws-cdk-lib alone: what a team
 * would write without the library. `npx projen bench` measures the construct against it, and
 * test/benchmarks/hand-written-guardrail.test.ts holds both to the same template, so the comparison
 * stays honest when the construct's output changes.
 *
 * Tags are set on the L1s' tag managers, as `SecureGuardrail` sets them, rather than through
 * `Tags.of(...)`, whose aspects would make the hand-written side slower than it need be.
 */
import { Aws, aws_bedrock as bedrock, CfnResource, Duration, RemovalPolicy, Stack, TagManager } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

const HARMFUL_CATEGORIES = ['SEXUAL', 'VIOLENCE', 'HATE', 'INSULTS', 'MISCONDUCT'];

const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:DeleteAlias', 'kms:DescribeKey', 'kms:DisableKey',
  'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus',
  'kms:ListGrants', 'kms:ListKeyPolicies', 'kms:ListKeyRotations', 'kms:ListResourceTags', 'kms:PutKeyPolicy',
  'kms:RevokeGrant', 'kms:RotateKeyOnDemand', 'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:UntagResource',
  'kms:UpdateAlias', 'kms:UpdateKeyDescription',
];

export interface HandWrittenGuardrailProps {
  readonly guardrailName: string;
  readonly owner: string;
  readonly workload: string;
  readonly dataSensitivity: string;
}

/**
 * A guardrail encrypted with a customer-managed key: the key (rotated every 365 days, a 30-day
 * pending window, retained, the least-privilege key policy), its alias and the ownership tags, with
 * the construct ids of `SecureGuardrail` so the logical ids match too.
 */
export function handWrittenGuardrail(scope: Construct, id: string, props: HandWrittenGuardrailProps): bedrock.CfnGuardrail {
  const stack = Stack.of(scope);
  const node = new Construct(scope, id);
  const root = new iam.AccountRootPrincipal();
  const viaBedrock = { 'kms:ViaService': `bedrock.${stack.region}.${stack.urlSuffix}` };
  const deployer = { 'aws:PrincipalArn': [`arn:${Aws.PARTITION}:iam::${stack.account}:role/cdk-hnb659fds-cfn-exec-role-${stack.account}-${stack.region}`] };
  const statement = (statementProps: iam.PolicyStatementProps) => new iam.PolicyStatement({ resources: ['*'], ...statementProps });

  const key = new kms.Key(node, 'Key', {
    description: `Customer-managed key of the Bedrock guardrail ${props.guardrailName}`,
    keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
    keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
    alias: `alias/bedrock-guardrail/${props.guardrailName}`,
    policy: new iam.PolicyDocument({
      statements: [
        statement({ sid: 'KeyAdministration', principals: [root], actions: KEY_ADMIN_ACTIONS }),
        statement({
          sid: 'GuardrailDeploymentThroughBedrock',
          principals: [root],
          actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
          conditions: { StringEquals: viaBedrock, ArnLike: deployer },
        }),
        statement({
          sid: 'GuardrailDeploymentGrantsForAwsResources',
          principals: [root],
          actions: ['kms:CreateGrant'],
          conditions: { StringEquals: viaBedrock, Bool: { 'kms:GrantIsForAWSResource': 'true' }, ArnLike: deployer },
        }),
        statement({
          sid: 'DenyGrantsExceptForAwsResources',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:CreateGrant'],
          conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        }),
        statement({ sid: 'DenyKeyDeletion', effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['kms:ScheduleKeyDeletion'] }),
      ],
    }),
  });

  const guardrail = new bedrock.CfnGuardrail(node, 'Resource', {
    name: props.guardrailName,
    blockedInputMessaging: 'Sorry, this request cannot be processed because it goes against our usage policy.',
    blockedOutputsMessaging: 'Sorry, the response was blocked because it goes against our usage policy.',
    contentPolicyConfig: {
      filtersConfig: [
        ...HARMFUL_CATEGORIES.map((type) => ({ type, inputStrength: 'HIGH', outputStrength: 'HIGH', inputAction: 'BLOCK', outputAction: 'BLOCK' })),
        { type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE', inputAction: 'BLOCK' },
      ],
    },
    kmsKeyArn: key.keyArn,
  });

  const tags = { Owner: props.owner, Workload: props.workload, DataSensitivity: props.dataSensitivity };
  setTags(guardrail, tags);
  setTags(key.node.defaultChild as CfnResource, { ...tags, BedrockGuardrail: props.guardrailName });
  return guardrail;
}

function setTags(resource: CfnResource, tags: { [key: string]: string }): void {
  for (const [key, value] of Object.entries(tags)) TagManager.of(resource)!.setTag(key, value);
}
