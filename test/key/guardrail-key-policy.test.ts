import { App, BootstraplessSynthesizer, CliCredentialsStackSynthesizer, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardrailKeyPolicy, SecureGuardrail } from '../../src';
import {
  ACCOUNT, ALL_KEY_ACTIONS, allowedActions, CALLERS, CONTEXTS, CRYPTO_ACTIONS, DEPLOYER_ARN, MANDATORY_TAGS,
  newStack, OTHER_ACCOUNT, REGION, roleCaller, synthesizedKey, SynthesizedKey,
} from '../helpers/synth';

const ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:DeleteAlias', 'kms:DescribeKey', 'kms:DisableKey',
  'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus',
  'kms:ListAliases', 'kms:ListGrants', 'kms:ListKeyPolicies', 'kms:ListKeyRotations', 'kms:ListResourceTags',
  'kms:PutKeyPolicy', 'kms:RevokeGrant', 'kms:RotateKeyOnDemand', 'kms:ScheduleKeyDeletion', 'kms:TagResource',
  'kms:UntagResource', 'kms:UpdateAlias', 'kms:UpdateKeyDescription',
];
const ADMIN_ACTIONS_PROTECTED = ADMIN_ACTIONS.filter((a) => a !== 'kms:ScheduleKeyDeletion');

/** A stack with one guardrail whose key is granted to an application role. */
function guardrailStack(stack: Stack = newStack(), props: Partial<ConstructorParameters<typeof SecureGuardrail>[2]> = {}) {
  const guardrail = new SecureGuardrail(stack, 'Guardrail', { guardrailName: 'payments', mandatoryTags: MANDATORY_TAGS, ...props });
  const appRole = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  guardrail.grantApply(appRole);
  return { stack, guardrail, key: synthesizedKey(stack), appRole: roleCaller(stack.getLogicalId(appRole.node.defaultChild as iam.CfnRole)) };
}

describe.each([
  ['an environment-specific stack', () => newStack()],
  ['an environment-agnostic stack', () => newStack({})],
])('the key policy of a SecureGuardrail in %s', (_name, makeStack) => {
  let key: SynthesizedKey;
  let appRole: ReturnType<typeof roleCaller>;
  beforeAll(() => ({ key, appRole } = guardrailStack(makeStack())));

  test('1. no statement allows kms:*, *, a wildcard action, or the anonymous principal', () => {
    for (const statement of key.policy.Statement.filter((s) => s.Effect === 'Allow')) {
      const actions = ([] as string[]).concat(statement.Action);
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      expect(statement.Principal).not.toEqual('*');
      expect(([] as string[]).concat((statement.Principal as { AWS: string | string[] }).AWS)).not.toContain('*');
    }
  });

  test('2. key administrators (the account root, through IAM) manage the key but cannot use it', () => {
    for (const admin of [CALLERS.iamAdmin, CALLERS.dataScientist]) {
      const allowed = allowedActions(key, admin, CONTEXTS.direct);
      expect(allowed).toEqual(ADMIN_ACTIONS_PROTECTED);
      for (const context of Object.values(CONTEXTS)) {
        expect(allowedActions(key, admin, context, CRYPTO_ACTIONS)).toEqual([]);
      }
    }
    expect(allowedActions(key, CALLERS.iamAdmin, CONTEXTS.direct, ['kms:PutKeyPolicy'])).toEqual(['kms:PutKeyPolicy']);
  });

  test('3. an IAM administrator who is not a key user cannot decrypt, directly or through Bedrock', () => {
    for (const context of Object.values(CONTEXTS)) {
      expect(key.evaluator.isAllowed(CALLERS.iamAdmin, 'kms:Decrypt', context)).toBe(false);
      expect(key.evaluator.isAllowed(CALLERS.dataScientist, 'kms:Decrypt', context)).toBe(false);
    }
  });

  test('4. the deployer does what Bedrock\'s CloudFormation handlers need, only through Bedrock here', () => {
    const deployment = ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:RetireGrant'];
    expect(allowedActions(key, CALLERS.deployer, CONTEXTS.viaBedrockHere, deployment)).toEqual(deployment);
    for (const context of [CONTEXTS.direct, CONTEXTS.viaBedrockElsewhere, CONTEXTS.viaOtherService]) {
      expect(allowedActions(key, CALLERS.deployer, context, ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant', 'kms:Encrypt'])).toEqual([]);
    }
    const { 'kms:GrantIsForAWSResource': _omitted, ...notForAwsResource } = CONTEXTS.viaBedrockHere;
    expect(key.evaluator.isAllowed(CALLERS.deployer, 'kms:CreateGrant', notForAwsResource)).toBe(false);
    // It keeps kms:PutKeyPolicy, which KMS's lockout safety check demands of the caller that sets the policy.
    expect(key.evaluator.isAllowed(CALLERS.deployer, 'kms:PutKeyPolicy', CONTEXTS.direct)).toBe(true);
  });

  test('5. a role given grantApply can decrypt through Bedrock in this Region, and nothing else', () => {
    expect(allowedActions(key, appRole, CONTEXTS.viaBedrockHere)).toEqual(['kms:Decrypt']);
    for (const context of [CONTEXTS.direct, CONTEXTS.viaBedrockElsewhere, CONTEXTS.viaOtherService]) {
      expect(allowedActions(key, appRole, context)).toEqual([]);
    }
  });

  test('6. no principal of another account can use or manage the key', () => {
    for (const caller of [CALLERS.foreignAdmin, CALLERS.foreignRoot]) {
      for (const context of Object.values(CONTEXTS)) {
        expect(allowedActions(key, caller, context)).toEqual([]);
      }
    }
  });

  test('7. kms:ScheduleKeyDeletion is denied to every principal', () => {
    for (const caller of [CALLERS.iamAdmin, CALLERS.deployer, appRole, { arn: `arn:aws:iam::${ACCOUNT}:root`, account: ACCOUNT, identityAllows: ['*'] }]) {
      for (const context of Object.values(CONTEXTS)) {
        expect(key.evaluator.isAllowed(caller, 'kms:ScheduleKeyDeletion', context)).toBe(false);
      }
    }
  });
});

describe('the key policy statements', () => {
  test('are exactly the documented standard', () => {
    const { key, appRole } = guardrailStack();
    const viaBedrock = { StringEquals: { 'kms:ViaService': `bedrock.${REGION}.amazonaws.com` } };
    expect(key.policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'KeyAdministration',
          Effect: 'Allow',
          Resource: '*',
          Action: ADMIN_ACTIONS,
          Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`, DEPLOYER_ARN] },
        },
        {
          Sid: 'GuardrailDeploymentThroughBedrock',
          Effect: 'Allow',
          Resource: '*',
          Principal: { AWS: DEPLOYER_ARN },
          Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:RetireGrant'],
          Condition: viaBedrock,
        },
        {
          Sid: 'GuardrailDeploymentGrantsForAwsResources',
          Effect: 'Allow',
          Resource: '*',
          Principal: { AWS: DEPLOYER_ARN },
          Action: 'kms:CreateGrant',
          Condition: { ...viaBedrock, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        },
        { Sid: 'DenyKeyDeletion', Effect: 'Deny', Resource: '*', Principal: { AWS: '*' }, Action: 'kms:ScheduleKeyDeletion' },
        {
          Sid: 'GuardrailUseThroughBedrock',
          Effect: 'Allow',
          Resource: '*',
          Principal: { AWS: appRole.arn },
          Action: 'kms:Decrypt',
          Condition: viaBedrock,
        },
      ],
    });
  });

  test('explicit keyAdmins replace the account root; the deployer stays an administrator', () => {
    const stack = newStack();
    const admin = iam.Role.fromRoleArn(stack, 'KeyAdmin', `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`);
    const { key } = guardrailStack(stack, { keyAdmins: [admin] });
    const keyAdmin = { arn: `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`, account: ACCOUNT, identityAllows: [] };
    expect(allowedActions(key, keyAdmin, CONTEXTS.direct)).toEqual(ADMIN_ACTIONS_PROTECTED);
    expect(allowedActions(key, CALLERS.iamAdmin, CONTEXTS.direct)).toEqual([]);
    expect(key.policy.Statement[0].Principal).toEqual({ AWS: [keyAdmin.arn, DEPLOYER_ARN] });
  });

  test('a custom deploymentPrincipal replaces the synthesizer role', () => {
    const stack = new Stack(new App(), 'Cli', { env: { account: ACCOUNT, region: REGION }, synthesizer: new CliCredentialsStackSynthesizer() });
    const deployer = iam.Role.fromRoleArn(stack, 'Deployer', `arn:aws:iam::${ACCOUNT}:role/Pipeline`);
    const { key } = guardrailStack(stack, { deploymentPrincipal: deployer });
    const pipeline = { arn: `arn:aws:iam::${ACCOUNT}:role/Pipeline`, account: ACCOUNT, identityAllows: [] };
    expect(allowedActions(key, pipeline, CONTEXTS.viaBedrockHere, CRYPTO_ACTIONS)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant']);
    expect(key.evaluator.isAllowed(CALLERS.deployer, 'kms:Decrypt', CONTEXTS.viaBedrockHere)).toBe(false);
  });

  test('BootstraplessSynthesizer\'s execution role is the default deployer', () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/PipelineExecution`;
    const stack = new Stack(new App(), 'Bootstrapless', {
      env: { account: ACCOUNT, region: REGION },
      synthesizer: new BootstraplessSynthesizer({ cloudFormationExecutionRoleArn: roleArn }),
    });
    const { key } = guardrailStack(stack);
    const deployer = { arn: roleArn, account: ACCOUNT, identityAllows: [] };
    expect(allowedActions(key, deployer, CONTEXTS.viaBedrockHere, CRYPTO_ACTIONS)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant']);
    expect(key.evaluator.isAllowed(deployer, 'kms:PutKeyPolicy')).toBe(true);
  });

  test('a synthesizer without an execution role requires deploymentPrincipal', () => {
    const stack = new Stack(new App(), 'Cli', { synthesizer: new CliCredentialsStackSynthesizer() });
    expect(() => new SecureGuardrail(stack, 'G', { guardrailName: 'g', mandatoryTags: MANDATORY_TAGS }))
      .toThrow(/deploymentPrincipal is required for stack 'Cli': its synthesizer \(CliCredentialsStackSynthesizer\) has no CloudFormation execution role/);
  });

  test('without deletion protection, administrators may schedule deletion', () => {
    const { key } = guardrailStack(newStack(), { deletionProtection: false });
    expect(key.evaluator.isAllowed(CALLERS.iamAdmin, 'kms:ScheduleKeyDeletion')).toBe(true);
    expect(key.policy.Statement.map((s) => s.Sid)).not.toContain('DenyKeyDeletion');
  });

  test('a non-retaining removal policy drops deletion protection by default', () => {
    const { key } = guardrailStack(newStack(), { removalPolicy: RemovalPolicy.DESTROY });
    expect(key.evaluator.isAllowed(CALLERS.iamAdmin, 'kms:ScheduleKeyDeletion')).toBe(true);
  });

  test('every grantee shares one key-use statement', () => {
    const stack = newStack();
    const guardrail = new SecureGuardrail(stack, 'Guardrail', { guardrailName: 'payments', mandatoryTags: MANDATORY_TAGS });
    const roles = ['First', 'Second'].map((id) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    guardrail.grantApply(roles[0]);
    guardrail.grantApply(roles[1]);
    guardrail.grantRead(roles[1]);
    const key = synthesizedKey(stack);
    const use = key.policy.Statement.filter((s) => s.Sid === 'GuardrailUseThroughBedrock');
    expect(use).toHaveLength(1);
    expect(use[0].Principal).toEqual({ AWS: roles.map((role) => roleCaller(stack.getLogicalId(role.node.defaultChild as iam.CfnRole)).arn) });
  });
});

describe('GuardrailKeyPolicy for teams that bring their own key', () => {
  test('documentFor gives a new kms.Key the same standard, key users included', () => {
    const stack = newStack();
    const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
    new kms.Key(stack, 'Key', { policy: GuardrailKeyPolicy.documentFor(stack, { keyUsers: [user] }) });
    const key = synthesizedKey(stack);
    const userLogicalId = stack.getLogicalId(user.node.defaultChild as iam.CfnRole);
    expect(allowedActions(key, roleCaller(userLogicalId), CONTEXTS.viaBedrockHere)).toEqual(['kms:Decrypt']);
    expect(allowedActions(key, CALLERS.iamAdmin, CONTEXTS.viaBedrockHere, CRYPTO_ACTIONS)).toEqual([]);
    expect(key.evaluator.isAllowed(CALLERS.iamAdmin, 'kms:ScheduleKeyDeletion')).toBe(false);
  });

  test('documentFor without deletion protection has no deny', () => {
    const stack = newStack();
    const doc = stack.resolve(GuardrailKeyPolicy.documentFor(stack, { deletionProtection: false }).toJSON());
    expect(doc.Statement.map((s: any) => s.Sid)).toEqual([
      'KeyAdministration', 'GuardrailDeploymentThroughBedrock', 'GuardrailDeploymentGrantsForAwsResources',
    ]);
  });

  test('keyUseStatement needs at least one principal', () => {
    expect(() => GuardrailKeyPolicy.keyUseStatement(newStack(), [])).toThrow(/keyUsers must name at least one principal; received an empty list/);
  });

  test.each([
    ['keyAdmins[0]', (stack: Stack) => GuardrailKeyPolicy.documentFor(stack, { keyAdmins: [new iam.AccountPrincipal(OTHER_ACCOUNT)] })],
    ['deploymentPrincipal', (stack: Stack) => GuardrailKeyPolicy.documentFor(stack, { deploymentPrincipal: new iam.ArnPrincipal(`arn:aws:iam::${OTHER_ACCOUNT}:role/Deployer`) })],
    ['keyUsers[0]', (stack: Stack) => GuardrailKeyPolicy.keyUseStatement(stack, [new iam.ArnPrincipal(`arn:aws:iam::${OTHER_ACCOUNT}:role/App`)])],
  ])('refuses %s of another account', (property, build) => {
    expect(() => build(newStack())).toThrow(new RegExp(
      `${property.replace(/[[\]]/g, '\\$&')} belongs to account ${OTHER_ACCOUNT}, but the key is in account ${ACCOUNT}; allowed: principals of the key's own account`));
  });

  test('refuses the anonymous principal', () => {
    expect(() => GuardrailKeyPolicy.keyUseStatement(newStack(), [new iam.AnyPrincipal()]))
      .toThrow(/keyUsers\[0\] is the anonymous principal '\*'; allowed: IAM principals of the key's account/);
    expect(() => GuardrailKeyPolicy.documentFor(newStack(), { keyAdmins: [new iam.StarPrincipal()] })).toThrow(/keyAdmins\[0\] is the anonymous principal/);
  });

  test('a principal whose account is a token is accepted', () => {
    const stack = newStack({});
    expect(() => GuardrailKeyPolicy.keyUseStatement(stack, [new iam.AccountRootPrincipal()])).not.toThrow();
  });

  test('the ViaService condition names Bedrock in the stack Region with its URL suffix', () => {
    const stack = newStack();
    expect(stack.resolve(GuardrailKeyPolicy.viaBedrockCondition(stack))).toEqual({
      'kms:ViaService': { 'Fn::Join': ['', [`bedrock.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] },
    });
  });

  test('every action the policy names exists in KMS', () => {
    const { key } = guardrailStack();
    for (const statement of key.policy.Statement) {
      for (const action of ([] as string[]).concat(statement.Action)) expect(ALL_KEY_ACTIONS).toContain(action);
    }
  });
});
