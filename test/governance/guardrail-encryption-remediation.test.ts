import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ACCOUNT, newStack, only, partitionArn, REGION } from './helpers/stack';
import { GuardrailEncryptionConfigRule, GuardrailEncryptionRemediationProps } from '../../src';

const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1111aaaa-1111-1111-1111-111111111111`;
const APPS = `arn:aws:iam::${ACCOUNT}:role/apps/*`;
const EVERY_GUARDRAIL = partitionArn(`:bedrock:${REGION}:${ACCOUNT}:guardrail/*`);
const EVERY_KEY = partitionArn(`:kms:${REGION}:${ACCOUNT}:key/*`);
const VIA_BEDROCK = { 'kms:ViaService': { 'Fn::Join': ['', [`bedrock.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] } };
const CREATED_KEYS = { StringLike: { 'aws:ResourceTag/BedrockGuardrailRemediation': EVERY_GUARDRAIL } };
const TAGS_WRITTEN = {
  'StringLike': { 'aws:RequestTag/BedrockGuardrailRemediation': EVERY_GUARDRAIL },
  'ForAllValues:StringEquals': { 'aws:TagKeys': ['Owner', 'Workload', 'DataSensitivity', 'BedrockGuardrail', 'BedrockGuardrailRemediation'] },
};

function build(remediation: GuardrailEncryptionRemediationProps, stack: Stack = newStack()) {
  const rule = new GuardrailEncryptionConfigRule(stack, 'Rule', { remediation });
  const template = Template.fromStack(stack);
  const byId = (prefix: string) => {
    const found = Object.entries(template.toJSON().Resources as Record<string, any>).filter(([id]) => id.startsWith(prefix));
    if (found.length !== 1) throw new Error(`expected one resource ${prefix}, found ${found.length}`);
    return { id: found[0][0], resource: found[0][1] };
  };
  return { stack, rule, template, byId };
}

function refusal(remediation: GuardrailEncryptionRemediationProps, stack: Stack = newStack()): string {
  try {
    new GuardrailEncryptionConfigRule(stack, 'Rule', { remediation });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('not refused');
}

describe('the remediation, manual (the default)', () => {
  const { template, byId, rule, stack } = build({ keyUserArns: [APPS], tags: { owner: 'platform', workload: 'support', dataSensitivity: 'internal' } });
  const configRule = only(template, 'AWS::Config::ConfigRule');
  const document = only(template, 'AWS::SSM::Document');
  const fn = byId('RuleRemediationFunction');
  const role = byId('RuleRemediationRole');
  const automationRole = byId('RuleAutomationRole');

  test('a Config remediation of the rule\'s guardrails through the SSM document, manual, the guardrail\'s ARN as parameter', () => {
    expect(only(template, 'AWS::Config::RemediationConfiguration').resource.Properties).toEqual({
      ConfigRuleName: { Ref: configRule.id },
      TargetType: 'SSM_DOCUMENT',
      TargetId: { Ref: document.id },
      ResourceType: 'AWS::Bedrock::Guardrail',
      Parameters: {
        AutomationAssumeRole: { StaticValue: { Values: [{ 'Fn::GetAtt': [automationRole.id, 'Arn'] }] } },
        GuardrailArn: { ResourceValue: { Value: 'RESOURCE_ID' } },
      },
      Automatic: false,
    });
  });

  test('the document invokes the function once with the guardrail\'s ARN, refusing any other parameter shape', () => {
    expect(document.resource.Properties.DocumentType).toBe('Automation');
    const content = document.resource.Properties.Content;
    expect(content.assumeRole).toBe('{{ AutomationAssumeRole }}');
    expect(content.parameters.GuardrailArn.allowedPattern).toBe('^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:[0-9]{12}:guardrail/[a-z0-9]+$');
    expect(new RegExp(content.parameters.GuardrailArn.allowedPattern).test(`arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/abc123`)).toBe(true);
    expect(new RegExp(content.parameters.GuardrailArn.allowedPattern).test('abc123", "x": "y')).toBe(false);
    expect(content.mainSteps).toEqual([{
      name: 'PutGuardrailOnCustomerManagedKey',
      action: 'aws:invokeLambdaFunction',
      maxAttempts: 1,
      timeoutSeconds: 180,
      onFailure: 'Abort',
      inputs: { FunctionName: { 'Fn::GetAtt': [fn.id, 'Arn'] }, InvocationType: 'RequestResponse', Payload: '{"guardrailArn": "{{ GuardrailArn }}"}' },
    }]);
    expect(content.outputs).toEqual(['PutGuardrailOnCustomerManagedKey.Payload']);
  });

  test('the automation role is assumed by SSM of this account only and may only invoke the function', () => {
    expect(automationRole.resource.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow', Principal: { Service: 'ssm.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    }]);
    expect(byId('RuleAutomationPolicy').resource.Properties).toMatchObject({
      Roles: [{ Ref: automationRole.id }],
      PolicyDocument: { Statement: [{ Sid: 'InvokeRemediationFunction', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [fn.id, 'Arn'] } }] },
    });
  });

  test('the function\'s role may do exactly what a created key needs: tagged keys only, cryptography through Bedrock only', () => {
    expect(byId('RuleRemediationPolicy').resource.Properties.Roles).toEqual([{ Ref: role.id }]);
    expect(byId('RuleRemediationPolicy').resource.Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'ReadGuardrails', Effect: 'Allow', Action: ['bedrock:GetGuardrail', 'bedrock:ListTagsForResource', 'bedrock:GetResourcePolicy'], Resource: EVERY_GUARDRAIL },
      { Sid: 'UpdateGuardrails', Effect: 'Allow', Action: 'bedrock:UpdateGuardrail', Resource: EVERY_GUARDRAIL },
      { Sid: 'ListEnforcedGuardrails', Effect: 'Allow', Action: 'bedrock:ListEnforcedGuardrailsConfiguration', Resource: '*' },
      { Sid: 'FindRemediationKeys', Effect: 'Allow', Action: 'tag:GetResources', Resource: '*' },
      { Sid: 'DescribeGuardrailKeys', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: EVERY_KEY },
      {
        // Symmetric encryption keys only, with exactly the tags the remediation writes.
        Sid: 'CreateTaggedKeys',
        Effect: 'Allow',
        Action: 'kms:CreateKey',
        Resource: '*',
        Condition: {
          ...TAGS_WRITTEN,
          StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'kms:KeyUsage': 'ENCRYPT_DECRYPT' },
        },
      },
      // No kms:TagResource without the remediation tag of a guardrail, nor with any other tag key.
      { Sid: 'TagKeysAtCreation', Effect: 'Allow', Action: 'kms:TagResource', Resource: '*', Condition: TAGS_WRITTEN },
      {
        Sid: 'DenyPolicyLockoutBypass',
        Effect: 'Deny',
        Action: ['kms:CreateKey', 'kms:PutKeyPolicy'],
        Resource: '*',
        Condition: { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } },
      },
      { Sid: 'RotateCreatedKeys', Effect: 'Allow', Action: 'kms:EnableKeyRotation', Resource: EVERY_KEY, Condition: CREATED_KEYS },
      { Sid: 'ReadCreatedKeys', Effect: 'Allow', Action: ['kms:GetKeyPolicy', 'kms:GetKeyRotationStatus'], Resource: EVERY_KEY, Condition: CREATED_KEYS },
      {
        Sid: 'UseKeysThroughBedrock',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
        Resource: EVERY_KEY,
        Condition: { ...CREATED_KEYS, StringEquals: VIA_BEDROCK },
      },
      {
        Sid: 'GrantsForBedrock',
        Effect: 'Allow',
        Action: 'kms:CreateGrant',
        Resource: EVERY_KEY,
        Condition: { ...CREATED_KEYS, StringEquals: VIA_BEDROCK, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
      { Sid: 'EvaluateAgain', Effect: 'Allow', Action: 'config:StartConfigRulesEvaluation', Resource: { 'Fn::GetAtt': [configRule.id, 'Arn'] } },
    ]);
    expect(byId('RuleRemediationGrantsPolicy').resource.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [byId('RuleRemediationLogGroup').id, 'Arn'] } },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [only(template, 'AWS::SQS::Queue').id, 'Arn'] } },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [only(template, 'AWS::KMS::Key').id, 'Arn'] } },
    ]);
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
  });

  test('the rule may still read a guardrail the remediation re-keyed: kms:Decrypt through Bedrock on tagged keys only', () => {
    expect(byId('RuleRemediatedGuardrailsPolicy').resource.Properties.PolicyDocument.Statement).toEqual([{
      Sid: 'ReadRemediatedGuardrails',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: EVERY_KEY,
      Condition: { StringEquals: VIA_BEDROCK, ...CREATED_KEYS },
    }]);
  });

  test('the function gets its settings in its environment, runs one at a time, and is exposed with its role', () => {
    const env = fn.resource.Properties.Environment.Variables;
    expect(env).toMatchObject({
      KEY_PARTITION: { Ref: 'AWS::Partition' },
      KEY_ACCOUNT: ACCOUNT,
      KEY_URL_SUFFIX: { Ref: 'AWS::URLSuffix' },
      OWN_ROLE_ARN: { 'Fn::GetAtt': [role.id, 'Arn'] },
      EVALUATOR_ROLE_ARN: { 'Fn::GetAtt': [byId('RuleRole').id, 'Arn'] },
      REMEDIATION_KEY_ARN: '',
      KEY_ADMIN_ARNS: '',
      KEY_USER_ARNS: APPS,
      KEY_USER_PRINCIPAL_TAG: '',
      KEY_ROTATION_DAYS: '365',
      OWNERSHIP_TAGS: '{"Owner":"platform","Workload":"support","DataSensitivity":"internal"}',
      PUBLISH_VERSION: 'false',
      CONFIG_RULE_NAME: { Ref: configRule.id },
    });
    expect(fn.resource.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(stack.resolve(rule.remediationFunction!.functionArn)).toEqual({ 'Fn::GetAtt': [fn.id, 'Arn'] });
    expect(stack.resolve(rule.remediationRole!.roleArn)).toEqual({ 'Fn::GetAtt': [role.id, 'Arn'] });
  });
});

describe('the remediation, automatic', () => {
  test('retries as asked; publishing versions adds ListGuardrails and CreateGuardrailVersion', () => {
    const { template, byId } = build({
      automatic: true,
      keyUserPrincipalTag: { key: 'team', value: 'support' },
      maximumAutomaticAttempts: 3,
      retryAttemptInterval: Duration.minutes(10),
      publishVersion: true,
    });
    expect(only(template, 'AWS::Config::RemediationConfiguration').resource.Properties).toMatchObject({
      Automatic: true, MaximumAutomaticAttempts: 3, RetryAttemptSeconds: 600,
    });
    const statements = byId('RuleRemediationPolicy').resource.Properties.PolicyDocument.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      { Sid: 'UpdateGuardrails', Effect: 'Allow', Action: ['bedrock:UpdateGuardrail', 'bedrock:CreateGuardrailVersion'], Resource: EVERY_GUARDRAIL },
      { Sid: 'ListGuardrailVersions', Effect: 'Allow', Action: 'bedrock:ListGuardrails', Resource: '*' },
    ]));
    expect(byId('RuleRemediationFunction').resource.Properties.Environment.Variables).toMatchObject({
      KEY_USER_PRINCIPAL_TAG: '{"key":"team","value":"support"}', PUBLISH_VERSION: 'true',
    });
  });

  test('defaults to 5 attempts within a minute', () => {
    const { template } = build({ automatic: true, keyUserArns: [APPS] });
    expect(only(template, 'AWS::Config::RemediationConfiguration').resource.Properties).toMatchObject({ Automatic: true, MaximumAutomaticAttempts: 5, RetryAttemptSeconds: 60 });
  });

  test('a named key: its ARN only, no key creation, and the rule grants nothing on tagged keys', () => {
    const { byId, template } = build({ automatic: true, key: kms.Key.fromKeyArn(newStack(), 'K', KEY_ARN) });
    const statements = byId('RuleRemediationPolicy').resource.Properties.PolicyDocument.Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual(['ReadGuardrails', 'UpdateGuardrails', 'ListEnforcedGuardrails', 'FindRemediationKeys', 'DescribeGuardrailKeys', 'UseKeysThroughBedrock', 'GrantsForBedrock', 'EvaluateAgain']);
    expect(statements[5]).toEqual({
      Sid: 'UseKeysThroughBedrock', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'], Resource: KEY_ARN, Condition: { StringEquals: VIA_BEDROCK },
    });
    expect(byId('RuleRemediationFunction').resource.Properties.Environment.Variables.REMEDIATION_KEY_ARN).toBe(KEY_ARN);
    expect(Object.keys(template.findResources('AWS::IAM::ManagedPolicy')).filter((id) => id.startsWith('RuleRemediatedGuardrailsPolicy'))).toEqual([]);
  });

  test('with the rule\'s VPC, the remediation function runs in it and may manage its network interfaces', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Network', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new GuardrailEncryptionConfigRule(stack, 'Rule', { vpc, remediation: { keyUserArns: [APPS] } });
    const template = Template.fromStack(stack);
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
    const remediation = functions.find(([id]) => id.startsWith('RuleRemediationFunction'))![1];
    expect(remediation.Properties.VpcConfig.SubnetIds).toHaveLength(2);
    expect(remediation.Metadata.checkov.skip.map((s: any) => s.id)).toEqual(['CKV_AWS_173']);
    const policy = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).find(([id]) => id.startsWith('RuleRemediationPolicy'))![1];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
      Sid: 'ManageNetworkInterfaces',
      Effect: 'Allow',
      Action: [
        'ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface',
        'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    });
  });

  test('tokens are not refused for their shape', () => {
    const stack = newStack();
    expect(() => build({
      automatic: true,
      keyUserArns: [Token.asString({ Ref: 'AppRoleArn' })],
      keyAdminArns: [Token.asString({ Ref: 'AdminArn' })],
      maximumAutomaticAttempts: Token.asNumber({ Ref: 'Attempts' }),
    }, stack)).not.toThrow();
  });

  test('an unresolved rotation period is passed to the function as it resolves, in days or with its unit', () => {
    const days = build({ keyUserArns: [APPS], keyRotationPeriod: Duration.days(Token.asNumber({ Ref: 'RotationDays' })) });
    expect(days.byId('RuleRemediationFunction').resource.Properties.Environment.Variables.KEY_ROTATION_DAYS).toEqual({ 'Fn::Join': ['', [{ Ref: 'RotationDays' }, ' days']] });
    const hours = build({ keyUserArns: [APPS], keyRotationPeriod: Duration.hours(Token.asNumber({ Ref: 'RotationHours' })) });
    expect(hours.byId('RuleRemediationFunction').resource.Properties.Environment.Variables.KEY_ROTATION_DAYS)
      .toEqual({ 'Fn::Join': ['', [{ Ref: 'RotationHours' }, ' hours']] });
  });

  test('principals that keep a created key least-privilege are accepted: a path wildcard, a principal tag, admins (management only)', () => {
    expect(() => build({
      keyUserArns: [APPS, `arn:aws:iam::${ACCOUNT}:user/ops`], keyUserPrincipalTag: { key: 'team', value: 'support' }, keyAdminArns: [`arn:aws:iam::${ACCOUNT}:role/*`],
    })).not.toThrow();
    // An environment-agnostic stack: the ARNs' account is the key's.
    expect(() => build({ keyUserArns: [APPS] }, new Stack())).not.toThrow();
  });
});

describe('bad remediation settings are refused at synth, naming the construct, the property, the value and what is allowed', () => {
  test('automatic mode without the guardrails\' callers', () => {
    expect(refusal({ automatic: true })).toMatch(/^\[TestStack\/Rule\] GuardrailEncryptionConfigRule: remediation\.automatic is true but neither remediation\.keyUserArns nor remediation\.keyUserPrincipalTag names the callers of the guardrails; received none\. A key created without them lets no caller decrypt the guardrail, so every application applying it would fail at once\. Allowed: /);
    expect(refusal({ automatic: true, keyUserArns: [] })).toMatch(/remediation\.automatic is true but neither/);
  });

  test('a named key of another Region or account, or an alias', () => {
    expect(refusal({ key: kms.Key.fromKeyArn(newStack(), 'K', KEY_ARN.replace(REGION, 'us-east-1')) }))
      .toMatch(/^\[TestStack\/Rule\] GuardrailEncryptionConfigRule: invalid remediation\.key: received "arn:aws:kms:us-east-1:.*; allowed: a key in the stack's own Region \(eu-west-1\), because a guardrail can only be encrypted/);
    expect(refusal({ key: kms.Key.fromKeyArn(newStack(), 'K', KEY_ARN.replace(ACCOUNT, '222222222222')) }))
      .toMatch(/invalid remediation\.key: received "arn:aws:kms:eu-west-1:222222222222:.*; allowed: a key in the stack's own account \(111111111111\)/);
    expect(refusal({ key: kms.Alias.fromAliasName(newStack(), 'A', 'alias/aws/bedrock') })).toMatch(/invalid remediation\.key: .*aliases, and so AWS managed keys/);
  });

  test('key settings beside a named key', () => {
    expect(refusal({ key: kms.Key.fromKeyArn(newStack(), 'K', KEY_ARN), keyUserArns: [APPS] }))
      .toMatch(/remediation\.keyUserArns is given with remediation\.key; allowed: keyUserArns only when the remediation creates the keys/);
  });

  test('principals that are not IAM roles or users of the rule\'s account', () => {
    expect(refusal({ keyUserArns: ['arn:aws:iam::222222222222:role/app'] }))
      .toMatch(/invalid remediation\.keyUserArns\[0\]: received "arn:aws:iam::222222222222:role\/app" \(34 characters\); allowed: an IAM role or user ARN .* of the rule's account \(111111111111\)\./);
    expect(refusal({ keyAdminArns: ['admin'] })).toMatch(/invalid remediation\.keyAdminArns\[0\]: received "admin"/);
    expect(refusal({ keyUserPrincipalTag: { key: '', value: 'x' } })).toMatch(/invalid remediation\.keyUserPrincipalTag\.key: received "" \(0 characters\); allowed: 1-128 characters/);
  });

  test('principals that would make a created key fail the rule\'s own KeyPolicyLeastPrivilege', () => {
    expect(refusal({ keyUserArns: [`arn:aws:iam::${ACCOUNT}:role/*`] })).toMatch(new RegExp(
      '^\\[TestStack/Rule\\] GuardrailEncryptionConfigRule: invalid remediation\\.keyUserArns: received a list of 1; allowed: principals that keep the keys the remediation creates least-privilege, '
      + 'as its rule\'s KeyPolicyLeastPrivilege requires .*; the created key\'s policy would be flagged: statement GuardrailUseThroughBedrock lets .* call kms:Decrypt'));
    expect(refusal({ keyUserArns: [`arn:aws:iam::${ACCOUNT}:role/*`] }, new Stack())).toMatch(/invalid remediation\.keyUserArns: .*would be flagged/);
  });

  test('retries without automatic mode, or outside Config\'s limits', () => {
    expect(refusal({ maximumAutomaticAttempts: 3 })).toMatch(/remediation\.maximumAutomaticAttempts is given without remediation\.automatic; allowed: retries only in automatic mode/);
    expect(refusal({ retryAttemptInterval: Duration.minutes(1) })).toMatch(/remediation\.retryAttemptInterval is given without remediation\.automatic/);
    expect(refusal({ automatic: true, keyUserArns: [APPS], maximumAutomaticAttempts: 26 })).toMatch(/invalid remediation\.maximumAutomaticAttempts: received 26; allowed: a whole number of attempts from 1 to 25/);
    expect(refusal({ automatic: true, keyUserArns: [APPS], retryAttemptInterval: Duration.millis(500) }))
      .toMatch(/invalid remediation\.retryAttemptInterval: received "500 millis".*allowed: a whole number of seconds from 1 to 2678000/);
  });

  test('a rotation period the rule itself would find non-compliant', () => {
    expect(refusal({ keyRotationPeriod: Duration.days(400) })).toMatch(/invalid remediation\.keyRotationPeriod: received .*400.*; allowed: .*90 to 365/);
  });
});
