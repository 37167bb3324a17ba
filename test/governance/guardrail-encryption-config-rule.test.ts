import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as config from 'aws-cdk-lib/aws-config';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ACCOUNT, newStack, only, partitionArn, REGION } from './helpers/stack';
import { GuardrailKeyMonitoring, SecureGuardrail } from '../../src';
import { GuardrailEncryptionConfigRule, GuardrailEncryptionConfigRuleProps } from '../../src/governance';

const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1111aaaa-1111-1111-1111-111111111111`;

function build(props: GuardrailEncryptionConfigRuleProps = {}, stack: Stack = newStack()) {
  const rule = new GuardrailEncryptionConfigRule(stack, 'Rule', props);
  return { stack, rule, template: Template.fromStack(stack) };
}

describe('GuardrailEncryptionConfigRule with defaults', () => {
  const { stack, rule, template } = build();
  const role = only(template, 'AWS::IAM::Role');
  const fn = only(template, 'AWS::Lambda::Function');
  const configRule = only(template, 'AWS::Config::ConfigRule');
  const permission = only(template, 'AWS::Lambda::Permission');
  const logGroup = only(template, 'AWS::Logs::LogGroup');
  const queue = only(template, 'AWS::SQS::Queue');
  const key = only(template, 'AWS::KMS::Key');

  test('a periodic custom Lambda rule, every 24 hours, created after Config may invoke the function', () => {
    expect(configRule.resource.Properties).toEqual({
      Description: 'Bedrock guardrails must be encrypted with an enabled, rotated customer-managed KMS key of their own account and Region',
      MaximumExecutionFrequency: 'TwentyFour_Hours',
      Source: {
        Owner: 'CUSTOM_LAMBDA',
        SourceIdentifier: { 'Fn::GetAtt': [fn.id, 'Arn'] },
        SourceDetails: [{ EventSource: 'aws.config', MessageType: 'ScheduledNotification', MaximumExecutionFrequency: 'TwentyFour_Hours' }],
      },
    });
    expect(configRule.resource.DependsOn).toEqual([permission.id]);
    expect(stack.resolve(rule.configRuleName)).toEqual({ Ref: configRule.id });
    expect(stack.resolve(rule.configRuleArn)).toEqual({ 'Fn::GetAtt': [configRule.id, 'Arn'] });
  });

  test('only Config, from this account, may invoke the function', () => {
    expect(permission.resource.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fn.id, 'Arn'] },
      Principal: 'config.amazonaws.com',
      SourceAccount: ACCOUNT,
    });
  });

  test('the bundled handler runs on the newest Node.js runtime aws-cdk-lib offers, with its settings in the environment', () => {
    const newest = lambda.Runtime.ALL.map((r) => r.name).filter((name) => /^nodejs\d+\.x$/.test(name))
      .sort((a, b) => parseInt(b.slice(6), 10) - parseInt(a.slice(6), 10))[0];
    expect(fn.resource.Properties).toMatchObject({
      Runtime: newest,
      Handler: 'index.handler',
      Timeout: 300,
      MemorySize: 1024,
      ReservedConcurrentExecutions: 1,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queue.id, 'Arn'] } },
      Role: { 'Fn::GetAtt': [role.id, 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: logGroup.id } },
      Environment: { Variables: { ALLOWED_KEY_ARNS: '', METRIC_NAMESPACE: 'SecureGuardrail', MAX_ROTATION_DAYS: '365', AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' } },
    });
    expect(fn.resource.Properties.VpcConfig).toBeUndefined();
  });

  test('checkov\'s findings that are inherent are skipped in the template with the reason', () => {
    expect(fn.resource.Metadata.checkov.skip).toEqual([
      { id: 'CKV_AWS_117', comment: expect.stringMatching(/pass `vpc`/) },
      { id: 'CKV_AWS_173', comment: expect.stringMatching(/^The environment holds no secret/) },
    ]);
  });

  test('the log and the dead-letter queue are encrypted with a rotated key of their own, kept with the log', () => {
    expect(logGroup.resource.Properties).toEqual({ RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [key.id, 'Arn'] } });
    expect(queue.resource.Properties).toEqual({
      KmsMasterKeyId: { 'Fn::GetAtt': [key.id, 'Arn'] },
      MessageRetentionPeriod: 1209600,
      RedriveAllowPolicy: { redrivePermission: 'allowAll' },
    });
    expect(key.resource).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    expect(stack.resolve(rule.encryptionKey.keyArn)).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
    expect(stack.resolve(rule.deadLetterQueue.queueArn)).toEqual({ 'Fn::GetAtt': [queue.id, 'Arn'] });
  });

  test("the key's policy: the account administers it, CloudWatch Logs and principals through SQS use it, grants only for AWS resources", () => {
    expect(key.resource.Properties.KeyPolicy.Statement.map((s: any) => s.Sid)).toEqual([
      'KeyAdministration', 'AllowCloudWatchLogs', 'AllowAccountThroughSqs', 'DenyGrantsExceptForAwsResources',
    ]);
    const [admin, logsUse, sqsUse] = key.resource.Properties.KeyPolicy.Statement;
    expect(admin.Action).not.toContain('kms:Decrypt');
    expect(logsUse).toEqual({
      Sid: 'AllowCloudWatchLogs',
      Effect: 'Allow',
      Principal: { Service: { 'Fn::Join': ['', [`logs.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] } },
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair',
        'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': partitionArn(`:logs:${REGION}:${ACCOUNT}:log-group:*`) } },
    });
    expect(sqsUse).toEqual({
      Sid: 'AllowAccountThroughSqs',
      Effect: 'Allow',
      Principal: { AWS: partitionArn(`:iam::${ACCOUNT}:root`) },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', [`sqs.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] }, 'kms:CallerAccount': ACCOUNT } },
    });
  });

  test('the role is assumed by Lambda only and has no AWS managed policy (no AWSConfigRulesExecutionRole) and no inline policy', () => {
    expect(role.resource.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    expect(role.resource.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.resource.Properties.Policies).toBeUndefined();
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
    expect(stack.resolve(rule.grantPrincipal.policyFragment.principalJson)).toEqual(stack.resolve(rule.role.policyFragment.principalJson));
  });

  test('the role may do exactly what the handler does, in customer-managed policies scoped to this account and Region where IAM allows', () => {
    const policies = template.findResources('AWS::IAM::ManagedPolicy');
    expect(Object.values(policies).map((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      [
        { Sid: 'ListGuardrails', Effect: 'Allow', Action: ['bedrock:ListGuardrails', 'bedrock:ListEnforcedGuardrailsConfiguration'], Resource: '*' },
        { Sid: 'ReadGuardrails', Effect: 'Allow', Action: ['bedrock:GetGuardrail', 'bedrock:GetResourcePolicy'], Resource: partitionArn(`:bedrock:${REGION}:${ACCOUNT}:guardrail/*`) },
        { Sid: 'ReadKeyMetadata', Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus'], Resource: partitionArn(`:kms:${REGION}:${ACCOUNT}:key/*`) },
        { Sid: 'ReportEvaluations', Effect: 'Allow', Action: 'config:PutEvaluations', Resource: '*' },
        { Sid: 'FindGuardrailKeys', Effect: 'Allow', Action: 'tag:GetResources', Resource: '*' },
      ],
      [
        // What is granted to the rule, its own log and dead-letter queue first.
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup.id, 'Arn'] } },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue.id, 'Arn'] } },
        { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [key.id, 'Arn'] } },
      ],
      [
        { Sid: 'ReadOwnResults', Effect: 'Allow', Action: 'config:GetComplianceDetailsByConfigRule', Resource: { 'Fn::GetAtt': [configRule.id, 'Arn'] } },
      ],
      [
        // A run that runs out of time goes on in an asynchronous invocation of the function by itself, and of nothing else.
        { Sid: 'ContinueRun', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [fn.id, 'Arn'] } },
      ],
    ]);
    for (const policy of Object.values(policies)) expect(policy.Properties.Roles).toEqual([{ Ref: role.id }]);
  });

  test('no bedrock write and no wildcard action; kms:Decrypt only on its own key', () => {
    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions.filter((a: string) => a.includes('*') || /bedrock:(Create|Update|Delete)/.test(a))).toEqual([]);
    expect(statements.filter((s: any) => [s.Action].flat().includes('kms:Decrypt')).map((s: any) => s.Resource)).toEqual([{ 'Fn::GetAtt': [key.id, 'Arn'] }]);
  });

  test('the function waits for its permissions (Lambda checks the dead-letter queue and network permissions) but not for the policy naming the rule (a cycle)', () => {
    const [policy, grants, ownResults, continuation] = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
    expect([policy, grants, ownResults, continuation]).toEqual([
      expect.stringMatching(/^RulePolicy/), expect.stringMatching(/^RuleGrantsPolicy/), expect.stringMatching(/^RuleOwnResultsPolicy/),
      expect.stringMatching(/^RuleContinuationPolicy/),
    ]);
    expect(fn.resource.DependsOn).toEqual(expect.arrayContaining([policy, grants]));
    expect(fn.resource.DependsOn).not.toContain(ownResults);
    expect(fn.resource.DependsOn).not.toContain(continuation);
  });

  test('grants to the rule land in GrantsPolicy, never in the role\'s inline policy nor in the acknowledged Policy', () => {
    const stack2 = newStack();
    const rule2 = new GuardrailEncryptionConfigRule(stack2, 'Rule');
    iam.Grant.addToPrincipal({ grantee: rule2, actions: ['s3:GetObject'], resourceArns: ['arn:aws:s3:::reports/*'] });
    const policies = Template.fromStack(stack2).findResources('AWS::IAM::ManagedPolicy');
    const holding = Object.entries(policies).filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('s3:GetObject')).map(([id]) => id);
    expect(holding).toEqual([expect.stringMatching(/^RuleGrantsPolicy/)]);
    expect(Template.fromStack(stack2).findResources('AWS::IAM::Policy')).toEqual({});
  });
});

describe('the alarm on evaluations AWS Config refused', () => {
  test('without alarmTopic there is no alarm (the packs refuse one without an action), only the metric', () => {
    const { template, rule, stack } = build();
    expect(template.findResources('AWS::CloudWatch::Alarm')).toEqual({});
    expect(rule.refusedEvaluationsAlarm).toBeUndefined();
    expect(stack.resolve(rule.metricEvaluationsRefused().metricName)).toBe('EvaluationsRefused');
    expect(stack.resolve(rule.metricGuardrailsLeft().metricName)).toBe('GuardrailsLeft');
  });

  test('with alarmTopic it goes off on one refused evaluation in 5 minutes, notifies the topic, and misses no run for lack of data', () => {
    const stack = newStack();
    const { template, rule } = build({ alarmTopic: new sns.Topic(stack, 'Alarms') }, stack);
    const alarm = only(template, 'AWS::CloudWatch::Alarm');
    const configRule = only(template, 'AWS::Config::ConfigRule');
    expect(alarm.resource.Properties).toEqual({
      AlarmName: expect.stringMatching(/^TestStack-Rule-[0-9A-F]{8}-EvaluationsRefused$/),
      AlarmDescription: expect.stringMatching(/^AWS Config refused evaluations of TestStack\/Rule after they were re-sent/),
      Metrics: [{
        Id: 'm1',
        Label: 'Evaluations refused by AWS Config',
        MetricStat: {
          Metric: { Namespace: 'SecureGuardrail', MetricName: 'EvaluationsRefused', Dimensions: [{ Name: 'ConfigRuleName', Value: { Ref: configRule.id } }] },
          Period: 300,
          Stat: 'Sum',
        },
        ReturnData: true,
      }],
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: only(template, 'AWS::SNS::Topic').id }],
    });
    expect(stack.resolve(rule.refusedEvaluationsAlarm!.alarmArn)).toEqual({ 'Fn::GetAtt': [alarm.id, 'Arn'] });
  });

  test("alarmTopic: the key monitoring's topic is notified, and its policy and its key's let CloudWatch publish for this alarm only", () => {
    const stack = newStack();
    const monitoring = new GuardrailKeyMonitoring(stack, 'KeyMonitoring', { keys: [kms.Key.fromKeyArn(stack, 'Watched', KEY_ARN)] });
    new GuardrailEncryptionConfigRule(stack, 'Rule', { alarmTopic: monitoring.topic });
    const template = Template.fromStack(stack);
    const topic = only(template, 'AWS::SNS::Topic');
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const alarm = alarms.find((a) => a.AlarmName.endsWith('-EvaluationsRefused'));
    expect(alarm).toMatchObject({ AlarmActions: [{ Ref: topic.id }] });
    const alarmArn = partitionArn(`:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarm.AlarmName}`);
    const topicStatements = only(template, 'AWS::SNS::TopicPolicy').resource.Properties.PolicyDocument.Statement;
    expect(topicStatements).toContainEqual({
      Sid: expect.stringMatching(/^AllowRefusedEvaluationsAlarm[0-9A-F]{8}$/),
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: { Ref: topic.id },
      Condition: { ArnEquals: { 'aws:SourceArn': alarmArn } },
    });
    const alertsKey = Object.values(template.findResources('AWS::KMS::Key'))
      .find((k) => k.Properties.Description.startsWith('Encrypts the guardrail key alerts'))!;
    expect(alertsKey.Properties.KeyPolicy.Statement).toContainEqual({
      Sid: expect.stringMatching(/^AllowCloudWatchToPublishRefusedEvaluations[0-9A-F]{8}$/),
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { ArnEquals: { 'aws:SourceArn': alarmArn } },
    });
  });
});

describe('deployment options', () => {
  test('vpc puts the function in the private subnets with a security group and lets it manage its network interfaces', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const { template } = build({ vpc }, stack);
    const fn = only(template, 'AWS::Lambda::Function');
    expect(fn.resource.Properties.VpcConfig).toEqual({
      SubnetIds: [{ Ref: expect.stringMatching(/^VpcisolatedSubnet1/) }, { Ref: expect.stringMatching(/^VpcisolatedSubnet2/) }],
      SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^RuleFunctionSecurityGroup/), 'GroupId'] }],
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'ManageNetworkInterfaces',
          Effect: 'Allow',
          Action: ['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface',
            'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:UnassignPrivateIpAddresses'],
          Resource: '*',
        }]),
      },
    });
    // The role gets no AWS managed policy for it (AwsSolutions-IAM4).
    expect(only(template, 'AWS::IAM::Role').resource.Properties.ManagedPolicyArns).toBeUndefined();
    expect(fn.resource.Metadata.checkov.skip.map((skip: any) => skip.id)).toEqual(['CKV_AWS_173']);
  });

  test('reserveConcurrency: false leaves the function on the account\'s unreserved concurrency', () => {
    const { template } = build({ reserveConcurrency: false });
    expect(only(template, 'AWS::Lambda::Function').resource.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  test.each([
    ['vpcSubnets', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }],
    ['securityGroups', { securityGroups: [] }],
  ])('refuses %s without vpc', (property, props) => {
    expect(() => build(props)).toThrow(`[TestStack/Rule] GuardrailEncryptionConfigRule: ${property} is given without vpc; allowed: ${property} only together with vpc.`);
  });
});

describe('allow-list', () => {
  test('allowedKeys and addAllowedKey fill ALLOWED_KEY_ARNS, without duplicates', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'GuardrailKey');
    const rule = new GuardrailEncryptionConfigRule(stack, 'Rule', { allowedKeys: [key] });
    rule.addAllowedKey(kms.Key.fromKeyArn(stack, 'Imported', KEY_ARN));
    rule.addAllowedKey(key);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ALLOWED_KEY_ARNS: { 'Fn::Join': [',', [{ 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] }, KEY_ARN]] } } },
    });
  });

  test.each([
    ['an alias', (s: Stack) => kms.Alias.fromAliasName(s, 'A', 'alias/guardrail'), /GuardrailEncryptionConfigRule: invalid allowedKeys\[0\]: received .*alias\/guardrail.*; allowed: a customer-managed key given by key ARN or as a kms.Key/],
    ['a key of another Region', (s: Stack) => kms.Key.fromKeyArn(s, 'F', `arn:aws:kms:us-east-1:${ACCOUNT}:key/abc`), /invalid allowedKeys\[0\]: received \"arn:aws:kms:us-east-1:111111111111:key\/abc\" \(42 characters\); allowed: a key in the stack's own Region \(eu-west-1\), because the rule requires guardrail keys of its own account and Region/],
  ])('refuses %s', (_name, makeKey, message) => {
    const stack = newStack();
    expect(() => new GuardrailEncryptionConfigRule(stack, 'Rule', { allowedKeys: [makeKey(stack)] })).toThrow(message);
  });

  test('addAllowedKey names itself in errors', () => {
    const { rule, stack } = build();
    expect(() => rule.addAllowedKey(kms.Key.fromKeyArn(stack, 'F', `arn:aws:kms:${REGION}:222222222222:key/abc`))).toThrow(/invalid addAllowedKey\(key\): received \"arn:aws:kms:eu-west-1:222222222222:key\/abc\".*allowed: a key in the stack's own account \(111111111111\)/);
  });
});

describe('options', () => {
  test('name, frequency, namespace, timeout and log retention', () => {
    const { template, rule, stack } = build({
      configRuleName: 'guardrail-encryption',
      maximumExecutionFrequency: config.MaximumExecutionFrequency.SIX_HOURS,
      metricNamespace: 'Team/Guardrails',
      timeout: Duration.minutes(10),
      logRetention: logs.RetentionDays.THREE_MONTHS,
    });
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      ConfigRuleName: 'guardrail-encryption',
      MaximumExecutionFrequency: 'Six_Hours',
      Source: { SourceDetails: [{ MaximumExecutionFrequency: 'Six_Hours' }] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 600, Environment: { Variables: { METRIC_NAMESPACE: 'Team/Guardrails' } } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    expect(rule.metricNamespace).toBe('Team/Guardrails');
    expect(stack.resolve(rule.metricGuardrailsTotal().period.toSeconds())).toBe(6 * 3600);
  });

  test.each([
    [{ configRuleName: '' }, /GuardrailEncryptionConfigRule: invalid configRuleName: received \"\" \(0 characters\); allowed: 1-128 characters, not all blank\./],
    [{ configRuleName: '   ' }, /invalid configRuleName: received \"   \" \(3 characters\)/],
    [{ configRuleName: 'x'.repeat(129) }, /invalid configRuleName: received \"x+\" \(129 characters\)/],
    [{ metricNamespace: 'AWS/Guardrails' }, /GuardrailEncryptionConfigRule: invalid metricNamespace: received \"AWS\/Guardrails\" \(14 characters\); allowed: 1-255 letters, digits, spaces and \. - _ \/ # :, not starting with 'AWS\/'\./],
    [{ metricNamespace: 'bad$name' }, /invalid metricNamespace: received \"bad\$name\"/],
    [{ metricNamespace: '' }, /invalid metricNamespace: received \"\"/],
    [{ timeout: Duration.minutes(16) }, /GuardrailEncryptionConfigRule: invalid timeout: received \"16 minutes\" \(10 characters\); allowed: from 1 second to 15 minutes \(Lambda's limits\)\./],
    [{ timeout: Duration.millis(500) }, /invalid timeout: received \"500 millis\"/],
  ])('refuses %j', (props, message) => {
    expect(() => build(props as GuardrailEncryptionConfigRuleProps)).toThrow(message);
  });

  test('tokens are never refused', () => {
    const stack = newStack();
    expect(() => build({
      configRuleName: Token.asString({ Ref: 'RuleName' }),
      metricNamespace: Token.asString({ Ref: 'Namespace' }),
      maxRotationDays: Token.asNumber({ Ref: 'Days' }),
    }, stack)).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MAX_ROTATION_DAYS: { Ref: 'Days' }, METRIC_NAMESPACE: { Ref: 'Namespace' } }) },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Config::ConfigRule', { ConfigRuleName: { Ref: 'RuleName' } });
  });

  test('maxRotationDays reaches the handler; outside KMS\'s 90-2560 days it is refused', () => {
    const { template } = build({ maxRotationDays: 180 });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MAX_ROTATION_DAYS: '180' }) } });
    expect(() => build({ maxRotationDays: 30 })).toThrow('[TestStack/Rule] GuardrailEncryptionConfigRule: invalid maxRotationDays: received 30; allowed: a whole number of days from 90 to 2560.');
  });
});

describe('reading CMK guardrails', () => {
  test("secureGuardrail.grantRead(rule) gives the rule's role GetGuardrail and kms:Decrypt through Bedrock", () => {
    const stack = newStack();
    const guardrail = new SecureGuardrail(stack, 'Guardrail', {
      guardrailName: 'payments', mandatoryTags: { owner: 'o', workload: 'w', dataSensitivity: 'c' },
    });
    const rule = new GuardrailEncryptionConfigRule(stack, 'Rule');
    guardrail.grantRead(rule);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: stack.getLogicalId(rule.role.node.defaultChild as any) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'bedrock:GetGuardrail', Resource: { 'Fn::GetAtt': [stack.getLogicalId(guardrail.guardrail), 'GuardrailArn'] } }),
          Match.objectLike({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [stack.getLogicalId(guardrail.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] } }),
        ]),
      },
    });
  });
});

describe('KPI metrics', () => {
  const { stack, rule } = build();
  const ruleRef = { Ref: stack.getLogicalId(rule.node.defaultChild as config.CfnConfigRule) };

  test.each([
    ['metricGuardrailsTotal', 'GuardrailsTotal', 'Guardrails'],
    ['metricGuardrailsEncryptedWithCmk', 'GuardrailsEncryptedWithCmk', 'Encrypted with a customer-managed key'],
    ['metricGuardrailsNonCompliant', 'GuardrailsNonCompliant', 'Non-compliant'],
    ['metricGuardrailsNotEvaluated', 'GuardrailsNotEvaluated', 'Not evaluated'],
  ] as const)('%s reads %s of this rule, the maximum over a day', (method, metricName, label) => {
    const metric: cloudwatch.Metric = (rule as any)[method]();
    const seen = {
      ns: metric.namespace,
      name: metric.metricName,
      dims: metric.dimensions,
      stat: metric.statistic,
      period: metric.period.toSeconds(),
      label: metric.label,
    };
    expect(stack.resolve(seen))
      .toEqual({ ns: 'SecureGuardrail', name: metricName, dims: { ConfigRuleName: ruleRef }, stat: 'Maximum', period: 86400, label });
  });

  test('the orphaned keys and their monthly cost: the maximum over a day', () => {
    for (const [metric, name] of [[rule.metricOrphanedKeys(), 'OrphanedGuardrailKeys'], [rule.metricOrphanedKeysMonthlyCost(), 'OrphanedGuardrailKeysMonthlyCostUsd']] as const) {
      expect(stack.resolve([metric.metricName, metric.dimensions, metric.statistic, metric.period.toSeconds()]))
        .toEqual([name, { ConfigRuleName: ruleRef }, 'Maximum', 86400]);
    }
  });

  test('the mean time to remediate: TimeToRemediate averaged over 7 days', () => {
    const mttr = rule.metricTimeToRemediate();
    expect(stack.resolve([mttr.metricName, mttr.dimensions, mttr.statistic, mttr.period.toSeconds(), mttr.label]))
      .toEqual(['TimeToRemediate', { ConfigRuleName: ruleRef }, 'Average', 604800, 'Mean time to remediate (seconds)']);
  });

  test('the compliance score is 100 * (total - non-compliant) / total, and 100 with no guardrail', () => {
    const score = stack.resolve((rule.metricComplianceScore() as any).toMetricConfig().mathExpression);
    expect(score.expression).toBe('IF(total > 0, 100 * (total - nonCompliant) / total, 100)');
    expect(Object.values(score.usingMetrics).map((m: any) => m.metricName)).toEqual(['GuardrailsTotal', 'GuardrailsNonCompliant']);
  });

  test('metric options override the defaults', () => {
    expect(rule.metricGuardrailsNonCompliant({ period: Duration.hours(1), statistic: 'Minimum' })).toMatchObject({ statistic: 'Minimum' });
  });

  test('the CMK share is 100 * encrypted / total, and 100 with no guardrail', () => {
    const share = stack.resolve((rule.metricCmkEncryptedShare() as any).toMetricConfig().mathExpression);
    expect(share.expression).toBe('IF(total > 0, 100 * cmk / total, 100)');
    expect(share.period).toBe(86400);
    expect(Object.keys(share.usingMetrics)).toEqual(['total', 'cmk']);
    expect(share.usingMetrics.cmk.metricName).toBe('GuardrailsEncryptedWithCmk');
  });
});
