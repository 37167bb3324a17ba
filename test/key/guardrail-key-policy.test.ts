import { App, Aws, BootstraplessSynthesizer, CliCredentialsStackSynthesizer, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardrailEncryptionConfigRule, GuardrailKeyPolicy, SecureGuardrail } from '../../src';
import { Caller, KeyPolicyEvaluator, PolicyStatementJson } from '../../src/core/policy-evaluator';
import {
  ACCOUNT, ALL_KEY_ACTIONS, allowedActions, CALLERS, CONTEXTS, CRYPTO_ACTIONS, DEPLOYER_ARN, grantedCaller, MANDATORY_TAGS,
  newStack, OTHER_ACCOUNT, REGION, roleCaller, synthesizedKey, SynthesizedKey,
} from '../helpers/synth';

const ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:DeleteAlias', 'kms:DescribeKey', 'kms:DisableKey',
  'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus',
  'kms:ListGrants', 'kms:ListKeyPolicies', 'kms:ListKeyRotations', 'kms:ListResourceTags',
  'kms:PutKeyPolicy', 'kms:RevokeGrant', 'kms:RotateKeyOnDemand', 'kms:ScheduleKeyDeletion', 'kms:TagResource',
  'kms:UntagResource', 'kms:UpdateAlias', 'kms:UpdateKeyDescription',
];
const ADMIN_ACTIONS_PROTECTED = ADMIN_ACTIONS.filter((a) => a !== 'kms:ScheduleKeyDeletion');

/** A stack with one guardrail whose key is granted to an application role. */
function guardrailStack(stack: Stack = newStack(), props: Partial<ConstructorParameters<typeof SecureGuardrail>[2]> = {}) {
  const guardrail = new SecureGuardrail(stack, 'Guardrail', { guardrailName: 'payments', mandatoryTags: MANDATORY_TAGS, ...props });
  const appRole = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  guardrail.grantApply(appRole);
  const key = synthesizedKey(stack);
  return { stack, guardrail, key, appRole: grantedCaller(key, stack.getLogicalId(appRole.node.defaultChild as iam.CfnRole)) };
}

/** An evaluator of a policy written by hand, for the key's account. */
class KeyPolicyEvaluatorFor extends KeyPolicyEvaluator {
  constructor(statements: PolicyStatementJson[]) {
    super({ Statement: statements });
  }
}

/** A caller of the key's account with the given IAM permissions on the key. */
function callerOf(name: string, identityAllows: string[] = ['*'], more: Partial<Caller> = {}): Caller {
  return { arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, account: ACCOUNT, identityAllows, ...more };
}

describe.each([
  ['an environment-specific stack', () => newStack()],
  ['an environment-agnostic stack', () => newStack({})],
])('the key policy of a SecureGuardrail in %s', (_name, makeStack) => {
  let key: SynthesizedKey;
  let appRole: ReturnType<typeof roleCaller>;
  beforeAll(() => ({ key, appRole } = guardrailStack(makeStack())));

  test('1. no statement allows kms:*, *, a wildcard action, or the anonymous principal', () => {
    const allows = key.policy.Statement.filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => s.Sid)).toEqual(['KeyAdministration', 'GuardrailDeploymentThroughBedrock', 'GuardrailDeploymentGrantsForAwsResources', 'GuardrailUseThroughBedrock']);
    for (const statement of allows) {
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
    const deployment = ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'];
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
    expect(appRole.identityAllows).toEqual(['kms:Decrypt']);
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
  const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
  const viaBedrock = { 'kms:ViaService': `bedrock.${REGION}.amazonaws.com` };

  test('are exactly the documented standard', () => {
    const { key, appRole } = guardrailStack();
    expect(key.policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'KeyAdministration', Effect: 'Allow', Resource: '*', Action: ADMIN_ACTIONS, Principal: { AWS: ROOT } },
        {
          Sid: 'GuardrailDeploymentThroughBedrock',
          Effect: 'Allow',
          Resource: '*',
          Principal: { AWS: ROOT },
          Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
          Condition: { StringEquals: viaBedrock, ArnLike: { 'aws:PrincipalArn': [DEPLOYER_ARN] } },
        },
        {
          Sid: 'GuardrailDeploymentGrantsForAwsResources',
          Effect: 'Allow',
          Resource: '*',
          Principal: { AWS: ROOT },
          Action: 'kms:CreateGrant',
          Condition: { StringEquals: viaBedrock, Bool: { 'kms:GrantIsForAWSResource': 'true' }, ArnLike: { 'aws:PrincipalArn': [DEPLOYER_ARN] } },
        },
        {
          Sid: 'DenyGrantsExceptForAwsResources',
          Effect: 'Deny',
          Resource: '*',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        },
        { Sid: 'DenyKeyDeletion', Effect: 'Deny', Resource: '*', Principal: { AWS: '*' }, Action: 'kms:ScheduleKeyDeletion' },
        {
          Sid: 'GuardrailUseThroughBedrock',
          Effect: 'Allow',
          Resource: '*',
          Principal: { AWS: ROOT },
          Action: 'kms:Decrypt',
          Condition: { StringEquals: viaBedrock, ArnLike: { 'aws:PrincipalArn': [appRole.arn] } },
        },
      ],
    });
  });

  test('explicit keyAdmins replace the account\'s IAM as administrators; the deployer stays one', () => {
    const stack = newStack();
    const admin = iam.Role.fromRoleArn(stack, 'KeyAdmin', `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`);
    const { key } = guardrailStack(stack, { keyAdmins: [admin] });
    const keyAdmin = callerOf('KeyAdmin', ['kms:*']);
    expect(allowedActions(key, keyAdmin, CONTEXTS.direct)).toEqual(ADMIN_ACTIONS_PROTECTED);
    expect(allowedActions(key, CALLERS.iamAdmin, CONTEXTS.direct)).toEqual([]);
    expect(key.policy.Statement[0]).toEqual({
      Sid: 'KeyAdministration',
      Effect: 'Allow',
      Resource: '*',
      Action: ADMIN_ACTIONS,
      Principal: { AWS: ROOT },
      Condition: { ArnLike: { 'aws:PrincipalArn': [keyAdmin.arn, DEPLOYER_ARN] } },
    });
    // The trade-off of naming roles by aws:PrincipalArn: their own IAM policies must allow the actions.
    expect(allowedActions(key, callerOf('KeyAdmin', []), CONTEXTS.direct)).toEqual([]);
  });

  test('several deployers can each deploy, and none can use the key outside Bedrock', () => {
    const stack = new Stack(new App(), 'Cli', { env: { account: ACCOUNT, region: REGION }, synthesizer: new CliCredentialsStackSynthesizer() });
    const roles = ['CdkDeployRoleArn', 'PipelineCloudFormation', 'AWSCloudFormationStackSetExecutionRole', 'ServiceCatalogLaunch'];
    const { key } = guardrailStack(stack, { deploymentPrincipals: roles.map((name) => iam.Role.fromRoleArn(stack, name, `arn:aws:iam::${ACCOUNT}:role/${name}`)) });
    for (const name of roles) {
      const deployer = callerOf(name);
      expect(allowedActions(key, deployer, CONTEXTS.viaBedrockHere, CRYPTO_ACTIONS)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant']);
      expect(key.evaluator.isAllowed(deployer, 'kms:PutKeyPolicy')).toBe(true);
      for (const context of [CONTEXTS.direct, CONTEXTS.viaBedrockElsewhere, CONTEXTS.viaOtherService]) {
        expect(allowedActions(key, deployer, context, CRYPTO_ACTIONS)).toEqual([]);
      }
    }
    expect(key.evaluator.isAllowed(CALLERS.deployer, 'kms:Decrypt', CONTEXTS.viaBedrockHere)).toBe(false);
  });

  test('StackSets\' service-managed execution roles can be named with a wildcard', () => {
    const stack = newStack();
    const stackSets = new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/stacksets-exec-*`);
    const { key } = guardrailStack(stack, { deploymentPrincipals: [stackSets] });
    expect(key.evaluator.isAllowed(callerOf('stacksets-exec-0123abcd'), 'kms:GenerateDataKey', CONTEXTS.viaBedrockHere)).toBe(true);
    expect(key.evaluator.isAllowed(callerOf('other-exec-0123abcd'), 'kms:GenerateDataKey', CONTEXTS.viaBedrockHere)).toBe(false);
  });

  test('a key in a nested stack is deployed by the top-level stack\'s role, with no extra property', () => {
    const parent = newStack();
    const nested = new NestedStack(parent, 'Tenants');
    new SecureGuardrail(nested, 'Guardrail', { guardrailName: 'payments', mandatoryTags: MANDATORY_TAGS });
    const key = synthesizedKey(nested);
    expect(allowedActions(key, CALLERS.deployer, CONTEXTS.viaBedrockHere, CRYPTO_ACTIONS)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant']);
    expect(allowedActions(key, CALLERS.deployer, CONTEXTS.direct, CRYPTO_ACTIONS)).toEqual([]);
  });

  test('roles deleted and re-created with the same name keep their access; a role named as a principal would not', () => {
    const stack = newStack();
    const admin = iam.Role.fromRoleArn(stack, 'KeyAdmin', `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`);
    const { key, appRole } = guardrailStack(stack, { keyAdmins: [admin] });
    const recreated = { recreated: true };
    expect(allowedActions(key, { ...appRole, ...recreated }, CONTEXTS.viaBedrockHere)).toEqual(['kms:Decrypt']);
    expect(allowedActions(key, callerOf('KeyAdmin', ['kms:*'], recreated), CONTEXTS.direct)).toEqual(ADMIN_ACTIONS_PROTECTED);
    expect(key.evaluator.isAllowed({ ...CALLERS.deployer, ...recreated }, 'kms:GenerateDataKey', CONTEXTS.viaBedrockHere)).toBe(true);

    const pinned = new KeyPolicyEvaluatorFor([{ Effect: 'Allow', Principal: { AWS: appRole.arn }, Action: 'kms:Decrypt', Resource: '*' }]);
    expect(pinned.isAllowed(appRole, 'kms:Decrypt')).toBe(true);
    expect(pinned.isAllowed({ ...appRole, ...recreated }, 'kms:Decrypt')).toBe(false);
  });

  test('the Config rule audits a key with explicit admins once given grantRead, and still cannot decrypt outside Bedrock', () => {
    const audited = (grant: boolean) => {
      const stack = newStack();
      const admin = iam.Role.fromRoleArn(stack, 'KeyAdmin', `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`);
      const guardrail = new SecureGuardrail(stack, 'Guardrail', { guardrailName: 'payments', mandatoryTags: MANDATORY_TAGS, keyAdmins: [admin] });
      const rule = new GuardrailEncryptionConfigRule(stack, 'Rule');
      if (grant) guardrail.grantRead(rule);
      const key = synthesizedKey(stack, guardrail.encryptionKey);
      return { key, auditor: grantedCaller(key, stack.getLogicalId(rule.role.node.defaultChild as iam.CfnRole)) };
    };
    const before = audited(false);
    expect(before.auditor.identityAllows).toEqual(['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus']);
    expect(allowedActions(before.key, before.auditor, CONTEXTS.direct)).toEqual([]);

    const { key, auditor } = audited(true);
    expect(allowedActions(key, auditor, CONTEXTS.direct)).toEqual(['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags']);
    expect(allowedActions(key, auditor, CONTEXTS.viaBedrockHere, CRYPTO_ACTIONS)).toEqual(['kms:Decrypt']);
    for (const context of [CONTEXTS.direct, CONTEXTS.viaBedrockElsewhere, CONTEXTS.viaOtherService]) {
      expect(allowedActions(key, auditor, context, CRYPTO_ACTIONS)).toEqual([]);
    }
  });

  test('Bedrock\'s service principal is allowed only when switched on, and only for guardrails of this account and Region', () => {
    const bedrock: Caller = { arn: 'bedrock.amazonaws.com', account: ACCOUNT, identityAllows: [], service: 'bedrock.amazonaws.com' };
    const ownGuardrail = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/abc123` };
    const off = guardrailStack().key;
    expect(allowedActions(off, bedrock, ownGuardrail)).toEqual([]);

    const on = guardrailStack(newStack(), { bedrockServicePrincipal: true }).key;
    expect(allowedActions(on, bedrock, ownGuardrail)).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']);
    expect(allowedActions(on, bedrock, { ...ownGuardrail, 'aws:SourceAccount': OTHER_ACCOUNT })).toEqual([]);
    expect(allowedActions(on, bedrock, { ...ownGuardrail, 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/abc123` })).toEqual([]);
    expect(allowedActions(on, bedrock, {})).toEqual([]);
    for (const someone of [CALLERS.iamAdmin, CALLERS.foreignAdmin]) {
      expect(allowedActions(on, someone, ownGuardrail, CRYPTO_ACTIONS)).toEqual([]);
    }
  });

  test('grants are only for AWS resources or AWS services (AWS Control Tower CT.KMS.PR.3), whoever asks', () => {
    const { key } = guardrailStack();
    const everyone = { ...CALLERS.iamAdmin, arn: `arn:aws:iam::${ACCOUNT}:root` };
    const { 'kms:GrantIsForAWSResource': _omitted, ...notForAwsResource } = CONTEXTS.viaBedrockHere;
    for (const who of [CALLERS.deployer, CALLERS.iamAdmin, everyone]) {
      expect(key.evaluator.isAllowed(who, 'kms:CreateGrant', notForAwsResource)).toBe(false);
      expect(key.evaluator.isAllowed(who, 'kms:CreateGrant', { ...notForAwsResource, 'kms:GrantIsForAWSResource': 'false' })).toBe(false);
    }
    expect(key.evaluator.isAllowed(CALLERS.deployer, 'kms:CreateGrant', CONTEXTS.viaBedrockHere)).toBe(true);
  });

  test('BootstraplessSynthesizer\'s execution role is the default deployer', () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/PipelineExecution`;
    const stack = new Stack(new App(), 'Bootstrapless', {
      env: { account: ACCOUNT, region: REGION },
      synthesizer: new BootstraplessSynthesizer({ cloudFormationExecutionRoleArn: roleArn }),
    });
    const { key } = guardrailStack(stack);
    const deployer = { arn: roleArn, account: ACCOUNT, identityAllows: ['*'] };
    expect(allowedActions(key, deployer, CONTEXTS.viaBedrockHere, CRYPTO_ACTIONS)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant']);
    expect(key.evaluator.isAllowed(deployer, 'kms:PutKeyPolicy')).toBe(true);
  });

  test('a synthesizer without an execution role requires deploymentPrincipals', () => {
    const stack = new Stack(new App(), 'Cli', { synthesizer: new CliCredentialsStackSynthesizer() });
    expect(() => new SecureGuardrail(stack, 'G', { guardrailName: 'g', mandatoryTags: MANDATORY_TAGS }))
      .toThrow(/deploymentPrincipals is required for stack 'Cli': its synthesizer \(CliCredentialsStackSynthesizer\) has no CloudFormation execution role/);
    expect(() => new SecureGuardrail(stack, 'Empty', { guardrailName: 'g', mandatoryTags: MANDATORY_TAGS, deploymentPrincipals: [] }))
      .toThrow(/deploymentPrincipals must name at least one principal; received an empty list/);
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

  test('every grantee shares one key-use statement, and every auditor one audit statement', () => {
    const stack = newStack();
    const guardrail = new SecureGuardrail(stack, 'Guardrail', { guardrailName: 'payments', mandatoryTags: MANDATORY_TAGS });
    const roles = ['First', 'Second'].map((id) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    guardrail.grantApply(roles[0]);
    guardrail.grantApply(roles[1]);
    guardrail.grantRead(roles[1]);
    guardrail.grantApply(roles[1]);
    const key = synthesizedKey(stack);
    const arns = roles.map((role) => roleCaller(stack.getLogicalId(role.node.defaultChild as iam.CfnRole)).arn);
    const statements = (sid: string) => key.policy.Statement.filter((s) => s.Sid === sid);
    expect(statements('GuardrailUseThroughBedrock').map((s) => s.Condition?.ArnLike)).toEqual([{ 'aws:PrincipalArn': arns }]);
    expect(statements('GuardrailKeyAudit').map((s) => s.Condition?.ArnLike)).toEqual([{ 'aws:PrincipalArn': [arns[1]] }]);
  });

  test('grantee must be an IAM role or user of the key\'s account', () => {
    const { stack, guardrail } = guardrailStack();
    expect(() => guardrail.grantApply(new iam.ServicePrincipal('lambda.amazonaws.com')))
      .toThrow(/\[TestStack\/Guardrail\] SecureGuardrail.grantApply: invalid grantee: received the Service principal lambda.amazonaws.com; allowed: IAM roles or users of the key's account \(/);
    expect(() => guardrail.grantApply(new iam.AccountRootPrincipal()))
      .toThrow(/SecureGuardrail.grantApply: invalid grantee: received the account root arn:\$\{AWS::Partition\}:iam::111111111111:root, which would let every IAM principal of the account in; allowed: IAM roles or users/);
    expect(() => guardrail.grantRead(new iam.ArnPrincipal(`arn:aws:sts::${ACCOUNT}:assumed-role/App/session`)))
      .toThrow(new RegExp(`SecureGuardrail.grantRead: invalid grantee: received arn:aws:sts::${ACCOUNT}:assumed-role/App/session; allowed: IAM roles or users`));
    expect(() => guardrail.grantApply(new iam.PrincipalWithConditions(iam.Role.fromRoleArn(stack, 'C', `arn:aws:iam::${ACCOUNT}:role/C`), { Bool: { 'aws:SecureTransport': 'true' } })))
      .toThrow(/invalid grantee: received a principal with conditions \{"Bool":\{"aws:SecureTransport":"true"\}\}; allowed: IAM roles or users/);
  });
});

describe('GuardrailKeyPolicy for teams that bring their own key', () => {
  test('documentFor gives a new kms.Key the same standard, key users included', () => {
    const stack = newStack();
    const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
    new kms.Key(stack, 'Key', { policy: GuardrailKeyPolicy.documentFor(stack, { keyUsers: [user] }) });
    const key = synthesizedKey(stack);
    const userLogicalId = stack.getLogicalId(user.node.defaultChild as iam.CfnRole);
    expect(allowedActions(key, roleCaller(userLogicalId, ['kms:Decrypt']), CONTEXTS.viaBedrockHere)).toEqual(['kms:Decrypt']);
    // Without grantApply, the user's own IAM policy must allow kms:Decrypt as well.
    expect(allowedActions(key, roleCaller(userLogicalId), CONTEXTS.viaBedrockHere)).toEqual([]);
    expect(allowedActions(key, CALLERS.iamAdmin, CONTEXTS.viaBedrockHere, CRYPTO_ACTIONS)).toEqual([]);
    expect(key.evaluator.isAllowed(CALLERS.iamAdmin, 'kms:ScheduleKeyDeletion')).toBe(false);
  });

  test('documentFor without deletion protection has no deny', () => {
    const stack = newStack();
    const doc = stack.resolve(GuardrailKeyPolicy.documentFor(stack, { deletionProtection: false }).toJSON());
    expect(doc.Statement.map((s: any) => s.Sid)).toEqual([
      'KeyAdministration', 'GuardrailDeploymentThroughBedrock', 'GuardrailDeploymentGrantsForAwsResources', 'DenyGrantsExceptForAwsResources',
    ]);
  });

  test('keyUseStatement and keyAuditStatement need at least one principal', () => {
    expect(() => GuardrailKeyPolicy.keyUseStatement(newStack(), [])).toThrow(/keyUsers must name at least one principal; received an empty list/);
    expect(() => GuardrailKeyPolicy.keyAuditStatement(newStack(), [])).toThrow(/keyAuditors must name at least one principal; received an empty list/);
  });

  test('documentFor with auditors lets them read the key, not use it', () => {
    const stack = newStack();
    const auditor = new iam.Role(stack, 'Auditor', { assumedBy: new iam.AccountRootPrincipal() });
    new kms.Key(stack, 'Key', { policy: GuardrailKeyPolicy.documentFor(stack, { keyAuditors: [auditor], keyAdmins: [iam.Role.fromRoleArn(stack, 'A', `arn:aws:iam::${ACCOUNT}:role/A`)] }) });
    const key = synthesizedKey(stack);
    const reader = roleCaller(stack.getLogicalId(auditor.node.defaultChild as iam.CfnRole), ['kms:*']);
    expect(allowedActions(key, reader, CONTEXTS.direct)).toEqual(['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags']);
    for (const context of Object.values(CONTEXTS)) expect(allowedActions(key, reader, context, CRYPTO_ACTIONS)).toEqual([]);
  });

  test.each([
    ['keyAdmins[0]', (stack: Stack) => GuardrailKeyPolicy.documentFor(stack, { keyAdmins: [new iam.AccountPrincipal(OTHER_ACCOUNT)] })],
    ['deploymentPrincipals[0]', (stack: Stack) => GuardrailKeyPolicy.documentFor(stack, { deploymentPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${OTHER_ACCOUNT}:role/Deployer`)] })],
    ['keyUsers[0]', (stack: Stack) => GuardrailKeyPolicy.keyUseStatement(stack, [new iam.ArnPrincipal(`arn:aws:iam::${OTHER_ACCOUNT}:role/App`)])],
    // The partition as CDK writes it (a token) must not hide the account.
    ['deploymentPrincipals[0]', (stack: Stack) => GuardrailKeyPolicy.documentFor(stack, { deploymentPrincipals: [new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${OTHER_ACCOUNT}:role/Deployer`)] })],
  ])('refuses %s of another account', (property, build) => {
    expect(() => build(newStack())).toThrow(new RegExp(
      `invalid ${property.replace(/[[\]]/g, '\\$&')}: received a principal of account ${OTHER_ACCOUNT}, but the key is in account ${ACCOUNT}; allowed: principals of the key's own account`));
  });

  test('refuses the anonymous principal', () => {
    expect(() => GuardrailKeyPolicy.keyUseStatement(newStack(), [new iam.AnyPrincipal()]))
      .toThrow(/invalid keyUsers\[0\]: received the anonymous principal "\*"; allowed: IAM principals of the key's account/);
    expect(() => GuardrailKeyPolicy.documentFor(newStack(), { keyAdmins: [new iam.StarPrincipal()] })).toThrow(/invalid keyAdmins\[0\]: received the anonymous principal/);
  });

  test('a principal whose account is a token is accepted, and named', () => {
    const stack = newStack({});
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    const statements = [
      GuardrailKeyPolicy.keyUseStatement(stack, [role]),
      GuardrailKeyPolicy.keyUseStatement(stack, [iam.Role.fromRoleName(stack, 'N', 'named')]),
    ];
    expect(stack.resolve(statements.map((statement) => statement.toStatementJson().Condition.ArnLike))).toEqual([
      { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] }] },
      { 'aws:PrincipalArn': [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/named']] }] },
    ]);
  });

  test('the account root administers, but never uses, the key', () => {
    const stack = newStack();
    new kms.Key(stack, 'Key', { policy: GuardrailKeyPolicy.documentFor(stack, { keyAdmins: [new iam.AccountRootPrincipal()] }) });
    // The account root as keyAdmins is the default: the account's IAM administers the key.
    expect(allowedActions(synthesizedKey(stack), CALLERS.iamAdmin, CONTEXTS.direct)).toEqual(ADMIN_ACTIONS_PROTECTED);
    expect(() => GuardrailKeyPolicy.keyUseStatement(newStack(), [new iam.AccountRootPrincipal()]))
      .toThrow(/invalid keyUsers\[0\]: received the account root arn:\$\{AWS::Partition\}:iam::111111111111:root, which would let every IAM principal of the account in/);
    expect(() => GuardrailKeyPolicy.documentFor(newStack(), { deploymentPrincipals: [new iam.AccountPrincipal(ACCOUNT)] }))
      .toThrow(/invalid deploymentPrincipals\[0\]: received the account root/);
  });

  test('the ViaService condition names Bedrock in the stack Region with its URL suffix', () => {
    const stack = newStack();
    expect(stack.resolve(GuardrailKeyPolicy.viaBedrockCondition(stack))).toEqual({
      'kms:ViaService': { 'Fn::Join': ['', [`bedrock.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] },
    });
  });

  test('every action the policy names exists in KMS', () => {
    const { key } = guardrailStack();
    expect(key.policy.Statement).toHaveLength(6);
    for (const statement of key.policy.Statement) {
      for (const action of ([] as string[]).concat(statement.Action)) expect(ALL_KEY_ACTIONS).toContain(action);
    }
  });
});

describe('GuardrailKeyPolicy checking its principals', () => {
  /** A deployment role that counts how often it is read. */
  class CountedPrincipal extends iam.ArnPrincipal {
    public reads = 0;
    public get policyFragment(): iam.PrincipalPolicyFragment {
      this.reads++;
      return super.policyFragment;
    }
  }

  test('documentFor checks each principal once, though three statements name the deployers', () => {
    const stack = newStack();
    const deployer = new CountedPrincipal(`arn:aws:iam::${ACCOUNT}:role/Deployer`);
    GuardrailKeyPolicy.documentFor(stack, { deploymentPrincipals: [deployer] });
    expect(deployer.reads).toBe(1);
    // Once per document: a later document checks it again.
    GuardrailKeyPolicy.documentFor(stack, { deploymentPrincipals: [deployer] });
    expect(deployer.reads).toBe(2);
  });

  test('the keys of a stack share one default deployment role; another stack has its own', () => {
    const app = new App();
    const synthesizer = new BootstraplessSynthesizer({ cloudFormationExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/Deployer` });
    const stack = new Stack(app, 'A', { env: { account: ACCOUNT, region: REGION }, synthesizer });
    const other = new Stack(app, 'B', { env: { account: OTHER_ACCOUNT, region: REGION } });
    const deployer = GuardrailKeyPolicy.defaultDeploymentPrincipal(stack);
    expect(GuardrailKeyPolicy.defaultDeploymentPrincipal(new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() }))).toBe(deployer);
    expect(GuardrailKeyPolicy.defaultDeploymentPrincipal(other)).not.toBe(deployer);
    // Shared, and checked once in its own stack: in another account's stack it is still refused.
    GuardrailKeyPolicy.documentFor(stack);
    expect(() => GuardrailKeyPolicy.documentFor(other, { deploymentPrincipals: [deployer] }))
      .toThrow(new RegExp(`invalid deploymentPrincipals\\[0\\]: received a principal of account ${ACCOUNT}, but the key is in account ${OTHER_ACCOUNT}`));
  });
});
