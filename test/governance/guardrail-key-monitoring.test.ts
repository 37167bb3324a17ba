import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { matchesPattern } from './helpers/event-pattern';
import { BEDROCK_ON_BEHALF, cloudTrailKmsEvent, kmsKeyDeletionEvent } from './helpers/events';
import { ACCOUNT, newStack, only, partitionArn, REGION } from './helpers/stack';
import { GuardrailKeyMonitoring } from '../../src/governance';

const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1111aaaa-1111-1111-1111-111111111111`;
const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/9999ffff-9999-9999-9999-999999999999`;

function importedKey(stack: Stack, arn = KEY_ARN, id = 'WatchedKey'): kms.IKey {
  return kms.Key.fromKeyArn(stack, id, arn);
}

function build(props: { keyArns?: string[] } = {}) {
  const stack = newStack();
  const keys = (props.keyArns ?? [KEY_ARN]).map((arn, i) => importedKey(stack, arn, `Key${i}`));
  const monitoring = new GuardrailKeyMonitoring(stack, 'Monitoring', { keys });
  return { stack, monitoring, template: Template.fromStack(stack) };
}

const RULE_ARNS = [
  partitionArn(`:events:${REGION}:${ACCOUNT}:rule/TestStack-Monitoring-D1616409-KeyActivity`),
  partitionArn(`:events:${REGION}:${ACCOUNT}:rule/TestStack-Monitoring-D1616409-KeyDeletion`),
];

describe('GuardrailKeyMonitoring with defaults', () => {
  const { template } = build();
  const topic = only(template, 'AWS::SNS::Topic');
  const topicKey = only(template, 'AWS::KMS::Key');

  test('creates an encrypted topic and a rotated key that is deleted with the stack', () => {
    expect(topic.resource.Properties).toEqual({
      TopicName: 'TestStack-Monitoring-D1616409',
      DisplayName: 'Bedrock guardrail key alerts',
      KmsMasterKeyId: { 'Fn::GetAtt': [topicKey.id, 'Arn'] },
    });
    expect(topicKey.resource).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(topicKey.resource.Properties.EnableKeyRotation).toBe(true);
  });

  test("the topic key's policy lets the account administer it and only these rules' deliveries use it", () => {
    expect(topicKey.resource.Properties.KeyPolicy.Statement).toEqual([
      {
        Sid: 'KeyAdministration',
        Effect: 'Allow',
        Principal: { AWS: partitionArn(`:iam::${ACCOUNT}:root`) },
        Action: [
          'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:DeleteAlias', 'kms:DescribeKey', 'kms:DisableKey',
          'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus',
          'kms:ListGrants', 'kms:ListKeyPolicies', 'kms:ListKeyRotations', 'kms:ListResourceTags',
          'kms:PutKeyPolicy', 'kms:RevokeGrant', 'kms:RotateKeyOnDemand', 'kms:ScheduleKeyDeletion', 'kms:TagResource',
          'kms:UntagResource', 'kms:UpdateAlias', 'kms:UpdateKeyDescription',
        ],
        Resource: '*',
      },
      {
        Sid: 'AllowEventBridgeToPublishAlerts',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: {
          ArnEquals: { 'aws:SourceArn': RULE_ARNS },
          StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': partitionArn(`:sns:${REGION}:${ACCOUNT}:TestStack-Monitoring-D1616409`) },
        },
      },
      {
        Sid: 'DenyGrantsExceptForAwsResources',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      },
    ]);
  });

  test('the key grants no cryptographic use to the account (no kms:* and no Encrypt/Decrypt for IAM)', () => {
    const rootStatement = topicKey.resource.Properties.KeyPolicy.Statement[0];
    expect(rootStatement.Action).not.toContain('kms:*');
    expect(rootStatement.Action.filter((a: string) => /Encrypt|Decrypt|GenerateDataKey|CreateGrant/.test(a))).toEqual([]);
  });

  test('the topic policy lets EventBridge publish only for these rules and refuses plain HTTP', () => {
    expect(only(template, 'AWS::SNS::TopicPolicy').resource.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: topic.id },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'AllowGuardrailKeyAlerts',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic.id },
        Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARNS } },
      },
    ]);
  });

  test('the activity rule matches CloudTrail KMS events on the watched keys by resources[].ARN', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'TestStack-Monitoring-D1616409-KeyActivity',
      State: 'ENABLED',
      EventPattern: {
        'source': ['aws.kms'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['kms.amazonaws.com'],
          resources: { ARN: [KEY_ARN] },
          $or: [
            { eventName: ['DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'PutKeyPolicy', 'DisableKeyRotation', 'RevokeGrant'] },
            { eventName: ['CreateGrant', 'RetireGrant'], userIdentity: { invokedBy: [{ exists: false }] } },
            { eventName: ['CreateGrant', 'RetireGrant'], userIdentity: { invokedBy: [{ 'anything-but': { prefix: 'bedrock.' } }] } },
          ],
        },
      },
      Targets: [{ Id: 'Target0', Arn: { Ref: topic.id } }],
    });
  });

  test("the deletion rule matches KMS's own KMS CMK Deletion events of the watched keys", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'TestStack-Monitoring-D1616409-KeyDeletion',
      EventPattern: { 'source': ['aws.kms'], 'detail-type': ['KMS CMK Deletion'], 'resources': [KEY_ARN] },
      Targets: [{ Id: 'Target0', Arn: { Ref: topic.id } }],
    });
    template.resourceCountIs('AWS::Events::Rule', 2);
  });

  test('creates no IAM role: EventBridge publishes under the topic policy', () => {
    template.resourceCountIs('AWS::IAM::Role', 0);
  });
});

describe('what the rules alert on', () => {
  const { template } = build();
  const rules = Object.values(template.findResources('AWS::Events::Rule'));
  const activity = rules.find((r) => r.Properties.Name.endsWith('KeyActivity'))!.Properties.EventPattern;
  const deletion = rules.find((r) => r.Properties.Name.endsWith('KeyDeletion'))!.Properties.EventPattern;

  test.each(['DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'PutKeyPolicy', 'DisableKeyRotation', 'RevokeGrant'])(
    '%s on a watched key, by anyone (Bedrock included)', (eventName) => {
      expect(matchesPattern(activity, cloudTrailKmsEvent(eventName, KEY_ARN))).toBe(true);
      expect(matchesPattern(activity, cloudTrailKmsEvent(eventName, KEY_ARN, BEDROCK_ON_BEHALF))).toBe(true);
    });

  test.each(['CreateGrant', 'RetireGrant'])('%s by a person or another service, not by Bedrock', (eventName) => {
    expect(matchesPattern(activity, cloudTrailKmsEvent(eventName, KEY_ARN))).toBe(true);
    expect(matchesPattern(activity, cloudTrailKmsEvent(eventName, KEY_ARN, { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' }))).toBe(true);
    expect(matchesPattern(activity, cloudTrailKmsEvent(eventName, KEY_ARN, BEDROCK_ON_BEHALF))).toBe(false);
    expect(matchesPattern(activity, cloudTrailKmsEvent(eventName, KEY_ARN, { type: 'AWSService', invokedBy: 'bedrock.amazonaws.com' }))).toBe(false);
  });

  test('nothing about other keys', () => {
    expect(matchesPattern(activity, cloudTrailKmsEvent('DisableKey', OTHER_KEY_ARN))).toBe(false);
    expect(matchesPattern(deletion, kmsKeyDeletionEvent(OTHER_KEY_ARN))).toBe(false);
  });

  test('not the everyday use of the key', () => {
    for (const eventName of ['Decrypt', 'GenerateDataKey', 'DescribeKey', 'EnableKeyRotation']) {
      expect(matchesPattern(activity, cloudTrailKmsEvent(eventName, KEY_ARN))).toBe(false);
    }
  });

  test('the deletion of a watched key, and only by the deletion rule', () => {
    expect(matchesPattern(deletion, kmsKeyDeletionEvent(KEY_ARN))).toBe(true);
    expect(matchesPattern(activity, kmsKeyDeletionEvent(KEY_ARN))).toBe(false);
    expect(matchesPattern(deletion, cloudTrailKmsEvent('ScheduleKeyDeletion', KEY_ARN))).toBe(false);
  });
});

describe('keys', () => {
  test('addKey watches one more key; a key already watched is not added twice', () => {
    const stack = newStack();
    const first = importedKey(stack);
    const monitoring = new GuardrailKeyMonitoring(stack, 'Monitoring', { keys: [first] });
    monitoring.addKey(importedKey(stack, OTHER_KEY_ARN, 'Other'));
    monitoring.addKey(first);
    monitoring.addKey(importedKey(stack, KEY_ARN, 'SameArn'));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: { resources: { ARN: [KEY_ARN, OTHER_KEY_ARN] } } } });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { resources: [KEY_ARN, OTHER_KEY_ARN] } });
  });

  test('a key of this app is referenced by its ARN attribute', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'GuardrailKey');
    new GuardrailKeyMonitoring(stack, 'Monitoring', { keys: [key] });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { resources: [{ 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] }] },
    });
  });

  test('without any key, synthesis fails and says what to do', () => {
    const stack = newStack();
    new GuardrailKeyMonitoring(stack, 'Monitoring');
    expect(() => Template.fromStack(stack)).toThrow(/GuardrailKeyMonitoring watches no key: pass `keys` or call addKey\(key\)/);
  });

  test(`at most ${GuardrailKeyMonitoring.MAX_KEYS} keys, which keeps both patterns within EventBridge's 2,048 characters`, () => {
    // The longest key ARNs there are: GovCloud partition and Region, multi-Region key ids.
    const arns = Array.from({ length: GuardrailKeyMonitoring.MAX_KEYS }, (_, i) =>
      `arn:aws-us-gov:kms:us-gov-west-1:${ACCOUNT}:key/mrk-${i.toString(16).padStart(32, 'a')}`);
    const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: 'us-gov-west-1' } });
    const monitoring = new GuardrailKeyMonitoring(stack, 'Monitoring', { keys: arns.map((arn, i) => kms.Key.fromKeyArn(stack, `K${i}`, arn)) });
    for (const rule of Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'))) {
      expect(JSON.stringify(rule.Properties.EventPattern).length).toBeLessThanOrEqual(2048);
    }
    expect(() => monitoring.addKey(kms.Key.fromKeyArn(stack, 'OneTooMany', `arn:aws-us-gov:kms:us-gov-west-1:${ACCOUNT}:key/extra`)))
      .toThrow(/GuardrailKeyMonitoring: invalid addKey\(key\): received \"TestStack\/OneTooMany \(key number 16\)\" \(.*\); allowed: at most 15 keys, which fit EventBridge's default 2,048-character event pattern/);
  });
});

describe('keys that can never match are refused', () => {
  test.each([
    ['an alias construct', (s: Stack) => new kms.Alias(s, 'Alias', { aliasName: 'alias/guardrail', targetKey: new kms.Key(s, 'K') }),
      /GuardrailKeyMonitoring: invalid keys\[0\]: received .*alias\/guardrail.*allowed: a customer-managed key given by key ARN or as a kms.Key/],
    ['an alias ARN', (s: Stack) => kms.Key.fromKeyArn(s, 'AliasArn', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/guardrail`),
      /invalid keys\[0\]: received \"arn:aws:kms:eu-west-1:111111111111:alias\/guardrail\" \(50 characters\); allowed: a customer-managed key/],
    ['a key of another Region', (s: Stack) => kms.Key.fromKeyArn(s, 'Far', `arn:aws:kms:us-east-1:${ACCOUNT}:key/abc`),
      /invalid keys\[0\]: received \"arn:aws:kms:us-east-1:111111111111:key\/abc\" \(42 characters\); allowed: a key in the stack's own Region \(eu-west-1\), because EventBridge only receives the CloudTrail events of its own account and Region/],
    ['a key of another account', (s: Stack) => kms.Key.fromKeyArn(s, 'Foreign', `arn:aws:kms:${REGION}:222222222222:key/abc`),
      /invalid keys\[0\]: received \"arn:aws:kms:eu-west-1:222222222222:key\/abc\" \(42 characters\); allowed: a key in the stack's own account \(111111111111\)/],
  ])('%s', (_name, makeKey, message) => {
    const stack = newStack();
    expect(() => new GuardrailKeyMonitoring(stack, 'Monitoring', { keys: [makeKey(stack)] })).toThrow(message);
  });

  test('keys whose ARN is only known at deploy time are accepted', () => {
    const stack = newStack(undefined);
    const otherStack = new Stack(stack.node.scope as App, 'Other');
    const key = new kms.Key(otherStack, 'Key');
    expect(() => new GuardrailKeyMonitoring(stack, 'Monitoring', { keys: [key, kms.Key.fromKeyArn(stack, 'P', `arn:aws:kms:${REGION}:${ACCOUNT}:key/x`)] })).not.toThrow();
  });
});

describe('a topic passed in', () => {
  test('a topic of this app encrypted with a key of this app: both policies get a statement for these rules only', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'TeamKey');
    const topic = new sns.Topic(stack, 'TeamTopic', { masterKey: key });
    const monitoring = new GuardrailKeyMonitoring(stack, 'Monitoring', { topic, keys: [importedKey(stack)] });
    const template = Template.fromStack(stack);

    expect(monitoring.topic).toBe(topic);
    expect(monitoring.topicEncryptionKey).toBeUndefined();
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [{
          Sid: 'AllowGuardrailKeyAlerts',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) },
          Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARNS } },
        }],
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'AllowEventBridgeToPublishGuardrailKeyAlerts',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: '*',
          Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARNS } },
        }]),
      },
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('an unencrypted topic of this app is used, with a warning', () => {
    const stack = newStack();
    new GuardrailKeyMonitoring(stack, 'Monitoring', { topic: new sns.Topic(stack, 'Plain'), keys: [importedKey(stack)] });
    Annotations.fromStack(stack).hasWarning('/TestStack/Monitoring',
      Match.stringLikeRegexp('TestStack/Plain has no customer-managed key: alerts about guardrail keys are stored unencrypted'));
  });

  test('an imported topic is used as it is, with a warning naming what its policy must allow', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Shared', `arn:aws:sns:${REGION}:${ACCOUNT}:security-alerts`);
    new GuardrailKeyMonitoring(stack, 'Monitoring', { topic, keys: [importedKey(stack)] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::Events::Rule', { Targets: [{ Arn: `arn:aws:sns:${REGION}:${ACCOUNT}:security-alerts` }] });
    Annotations.fromStack(stack).hasWarning('/TestStack/Monitoring',
      Match.stringLikeRegexp('security-alerts is imported: its policy must let events.amazonaws.com sns:Publish with aws:SourceArn'));
  });

  test('a topic of this app whose key is imported gets the topic statement and a warning for the key', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'TeamTopic', { masterKey: kms.Key.fromKeyArn(stack, 'TopicKey', `arn:aws:kms:${REGION}:${ACCOUNT}:key/topic`) });
    new GuardrailKeyMonitoring(stack, 'Monitoring', { topic, keys: [importedKey(stack)] });
    Template.fromStack(stack).resourceCountIs('AWS::SNS::TopicPolicy', 1);
    Annotations.fromStack(stack).hasWarning('/TestStack/Monitoring',
      Match.stringLikeRegexp('The key of the topic TestStack/TeamTopic is imported: its policy must let events.amazonaws.com kms:GenerateDataKey and kms:Decrypt'));
  });

  test('a FIFO topic is refused', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Fifo', { fifo: true, topicName: 'alerts' });
    expect(() => new GuardrailKeyMonitoring(stack, 'Monitoring', { topic, keys: [importedKey(stack)] }))
      .toThrow(/GuardrailKeyMonitoring: invalid topic: received \"TestStack\/Fifo \(a FIFO topic\)\" \(.*\); allowed: a standard topic: EventBridge rules publish to standard topics only/);
  });
});

describe('metrics', () => {
  test('alerts and failed deliveries sum both rules, zero-filled, over 5 minutes by default', () => {
    const { stack, monitoring } = build();
    const rules = [monitoring.keyActivityRule, monitoring.keyDeletionRule].map((r) => stack.getLogicalId(r.node.defaultChild as any));
    const alerts = stack.resolve((monitoring.metricKeyActivityAlerts() as any).toMetricConfig().mathExpression);
    expect(alerts.expression).toBe('FILL(matchedEventsActivity, 0) + FILL(matchedEventsDeletion, 0)');
    expect(alerts.period).toBe(300);
    expect(Object.values(alerts.usingMetrics).map((m: any) => [m.namespace, m.metricName, m.dimensions.RuleName.Ref, m.statistic]))
      .toEqual([['AWS/Events', 'MatchedEvents', rules[0], 'Sum'], ['AWS/Events', 'MatchedEvents', rules[1], 'Sum']]);
    const failed = stack.resolve((monitoring.metricFailedAlertDeliveries({ period: Duration.hours(1) }) as any).toMetricConfig().mathExpression);
    expect(failed.expression).toBe('FILL(failedInvocationsActivity, 0) + FILL(failedInvocationsDeletion, 0)');
    expect(failed.period).toBe(3600);
  });
});
