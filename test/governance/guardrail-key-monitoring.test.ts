import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { documentedEvent, keyArnOf } from './helpers/documented-events';
import { matchesPattern } from './helpers/event-pattern';
import { ACCOUNT, newStack, only, partitionArn, REGION } from './helpers/stack';
import { SecureGuardrail } from '../../src';
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
  partitionArn(`:events:${REGION}:${ACCOUNT}:rule/TestStack-Monitoring-D1616409-Guardrails`),
];
const ALARM_ARN = partitionArn(`:cloudwatch:${REGION}:${ACCOUNT}:alarm:TestStack-Monitoring-D1616409-AlertDeliveryFailure`);
const ROOT = { AWS: partitionArn(`:iam::${ACCOUNT}:root`) };

describe('GuardrailKeyMonitoring with defaults', () => {
  const { template, monitoring, stack } = build();
  const topic = only(template, 'AWS::SNS::Topic');
  const alertsKey = only(template, 'AWS::KMS::Key');
  const queue = only(template, 'AWS::SQS::Queue');
  const target = { Id: 'Target0', Arn: { Ref: topic.id }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue.id, 'Arn'] } } };

  test('creates an encrypted topic and a rotated key that is deleted with the stack', () => {
    expect(topic.resource.Properties).toEqual({
      TopicName: 'TestStack-Monitoring-D1616409',
      DisplayName: 'Bedrock guardrail key alerts',
      KmsMasterKeyId: { 'Fn::GetAtt': [alertsKey.id, 'Arn'] },
    });
    expect(alertsKey.resource).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(alertsKey.resource.Properties.EnableKeyRotation).toBe(true);
    expect(stack.resolve(monitoring.topicEncryptionKey!.keyArn)).toEqual(stack.resolve(monitoring.encryptionKey.keyArn));
  });

  test("the key's policy lets the account administer it, only these rules' deliveries and the alarm use it, and the account read undelivered alerts through SQS", () => {
    expect(alertsKey.resource.Properties.KeyPolicy.Statement).toEqual([
      {
        Sid: 'KeyAdministration',
        Effect: 'Allow',
        Principal: ROOT,
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
        // No aws:SourceArn: KMS does not receive it from EventBridge for encrypted topics (SNS developer guide).
        Sid: 'AllowEventBridgeToPublishAlerts',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': partitionArn(`:sns:${REGION}:${ACCOUNT}:TestStack-Monitoring-D1616409`) } },
      },
      {
        Sid: 'AllowCloudWatchToPublishDeliveryFailures',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { ArnEquals: { 'aws:SourceArn': ALARM_ARN } },
      },
      {
        // The queue policy admits these rules only.
        Sid: 'AllowEventBridgeToKeepUndeliveredAlerts',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
      },
      {
        Sid: 'AllowAccountThroughSqs',
        Effect: 'Allow',
        Principal: ROOT,
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', [`sqs.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] }, 'kms:CallerAccount': ACCOUNT } },
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

  test('the key grants no cryptographic use to the account outside SQS (no kms:* and no Encrypt/Decrypt for IAM)', () => {
    const rootStatements = alertsKey.resource.Properties.KeyPolicy.Statement.filter((s: any) => s.Principal?.AWS && s.Effect === 'Allow');
    expect(rootStatements.map((s: any) => s.Sid)).toEqual(['KeyAdministration', 'AllowAccountThroughSqs']);
    expect(rootStatements[0].Action.filter((a: string) => /Encrypt|Decrypt|GenerateDataKey|CreateGrant|\*/.test(a))).toEqual([]);
  });

  test('the topic policy lets EventBridge publish only for these rules, CloudWatch only for the alarm, and refuses plain HTTP', () => {
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
      {
        Sid: 'AllowGuardrailKeyAlertDeliveryFailures',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic.id },
        Condition: { ArnEquals: { 'aws:SourceArn': ALARM_ARN } },
      },
    ]);
  });

  test('the dead-letter queue is encrypted with the key, keeps undelivered alerts 14 days and takes them only from these rules', () => {
    expect(queue.resource.Properties).toEqual({
      KmsMasterKeyId: { 'Fn::GetAtt': [alertsKey.id, 'Arn'] },
      MessageRetentionPeriod: 1209600,
      RedriveAllowPolicy: { redrivePermission: 'allowAll' },
    });
    expect(only(template, 'AWS::SQS::QueuePolicy').resource.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      {
        Sid: 'AllowUndeliveredGuardrailKeyAlerts',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [queue.id, 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARNS } },
      },
    ]);
    expect(stack.resolve(monitoring.deadLetterQueue.queueArn)).toEqual({ 'Fn::GetAtt': [queue.id, 'Arn'] });
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
            {
              eventName: ['DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'PutKeyPolicy', 'DisableKeyRotation', 'RevokeGrant',
                'ImportKeyMaterial', 'DeleteImportedKeyMaterial', 'ReplicateKey', 'UpdatePrimaryRegion', 'TagResource', 'UntagResource'],
            },
            { eventName: ['CreateGrant', 'RetireGrant'], userIdentity: { invokedBy: [{ exists: false }] } },
            { eventName: ['CreateGrant', 'RetireGrant'], userIdentity: { invokedBy: [{ 'anything-but': { prefix: 'bedrock.' } }] } },
            { eventName: ['EnableKeyRotation'], requestParameters: { rotationPeriodInDays: [{ exists: true }] } },
          ],
        },
      },
      Targets: [target],
    });
  });

  test("the deletion rule matches KMS's own deletion and material-expiration events of the watched keys", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'TestStack-Monitoring-D1616409-KeyDeletion',
      EventPattern: { 'source': ['aws.kms'], 'detail-type': ['KMS CMK Deletion', 'KMS Imported Key Material Expiration'], 'resources': [KEY_ARN] },
      Targets: [target],
    });
    // No guardrail is watched: no guardrail rule.
    template.resourceCountIs('AWS::Events::Rule', 2);
    expect(monitoring.guardrailChangeRule).toBeUndefined();
  });

  test('an alarm notifies the topic of any failed delivery', () => {
    expect(only(template, 'AWS::CloudWatch::Alarm').resource.Properties).toMatchObject({
      AlarmName: 'TestStack-Monitoring-D1616409-AlertDeliveryFailure',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic.id }],
      Metrics: expect.arrayContaining([expect.objectContaining({ Expression: 'FILL(failedInvocationsActivity, 0) + FILL(failedInvocationsDeletion, 0) + FILL(failedInvocationsGuardrail, 0)' })]),
    });
  });

  test('creates no IAM role: EventBridge publishes under the topic policy', () => {
    template.resourceCountIs('AWS::IAM::Role', 0);
  });
});

/** A monitoring in the account and Region of a documented event, watching `keyArn` and `guardrailArn`. */
function patternsFor(keyArn: string, guardrailArn?: string) {
  const [, , , region, account] = keyArn.split(':');
  const stack = new Stack(new App(), 'Documented', { env: { account, region } });
  const monitoring = new GuardrailKeyMonitoring(stack, 'Monitoring', { keys: [kms.Key.fromKeyArn(stack, 'Key', keyArn)] });
  if (guardrailArn) monitoring.addGuardrail(SecureGuardrail.fromGuardrailAttributes(stack, 'Guardrail', { guardrailArn }));
  const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map((r) => r.Properties);
  // Every rule is there, so that "no rule matches" cannot come from a missing rule.
  expect(rules.map((r) => r.Name.split('-').pop())).toEqual(['KeyActivity', 'KeyDeletion', ...(guardrailArn ? ['Guardrails'] : [])]);
  const pattern = (suffix: string) => rules.find((r) => r.Name.endsWith(suffix))?.EventPattern;
  return { activity: pattern('KeyActivity'), deletion: pattern('KeyDeletion'), guardrail: pattern('Guardrails') };
}

/** Every rule that matches the event. */
function matchingRules(patterns: Record<string, any>, event: unknown): string[] {
  return Object.entries(patterns).filter(([, p]) => p && matchesPattern(p, event)).map(([name]) => name);
}

describe('what the rules alert on, with the sample events of AWS documentation', () => {
  const OTHER = 'arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';

  test.each([
    'DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'PutKeyPolicy', 'DisableKeyRotation', 'RevokeGrant',
    'ImportKeyMaterial', 'DeleteImportedKeyMaterial', 'ReplicateKey', 'UpdatePrimaryRegion', 'TagResource', 'UntagResource',
    'CreateGrant', 'RetireGrant', 'EnableKeyRotation',
  ])('%s on a watched key alerts (activity rule only); on another key it does not', (eventName) => {
    const event = documentedEvent(`kms-${eventName}`);
    const keyArn = keyArnOf(event);
    expect(matchingRules(patternsFor(keyArn), event)).toEqual(['activity']);
    const [, , , region] = keyArn.split(':');
    expect(matchingRules(patternsFor(OTHER.replace('us-west-2', region)), event)).toEqual([]);
  });

  test.each(['KMS-CMK-Deletion', 'KMS-Imported-Key-Material-Expiration'])('KMS\'s %s event of a watched key alerts (deletion rule only)', (name) => {
    const event = documentedEvent(`kms-${name}`);
    expect(matchingRules(patternsFor(keyArnOf(event)), event)).toEqual(['deletion']);
    expect(matchingRules(patternsFor(OTHER), event)).toEqual([]);
  });

  test.each(['kms-KMS-CMK-Rotation', 'bedrock-InvokeModel'])('%s (a rotation, everyday use) does not alert', (name) => {
    const event = documentedEvent(name);
    const keyArn = name.startsWith('kms-') ? keyArnOf(event) : OTHER;
    expect(matchingRules(patternsFor(keyArn, 'arn:aws:bedrock:us-west-2:111122223333:guardrail/abcdefghijkl'), event)).toEqual([]);
  });

  test('EnableKeyRotation without a period (rotation turned on at KMS\'s default) does not alert (the documented sample, its period removed)', () => {
    const event = documentedEvent('kms-EnableKeyRotation');
    delete event.detail.requestParameters.rotationPeriodInDays;
    expect(matchingRules(patternsFor(keyArnOf(event)), event)).toEqual([]);
  });

  test('the UpdatePrimaryRegion record of the new primary Region has no resources: that Region\'s rule does not see it (documented limit)', () => {
    const event = documentedEvent('kms-UpdatePrimaryRegion-newPrimaryRegion');
    expect(matchingRules(patternsFor(event.detail.requestParameters.keyId), event)).toEqual([]);
  });

  test('a grant Bedrock makes on the caller\'s behalf does not alert (no documented sample: the shape of the documented CreateGrant with invokedBy)', () => {
    const event = documentedEvent('kms-CreateGrant');
    event.detail.userIdentity = { ...event.detail.userIdentity, invokedBy: 'bedrock.amazonaws.com' };
    expect(matchingRules(patternsFor(keyArnOf(event)), event)).toEqual([]);
    event.detail.userIdentity.invokedBy = 'lambda.amazonaws.com';
    expect(matchingRules(patternsFor(keyArnOf(event)), event)).toEqual(['activity']);
  });

  describe.each(['UpdateGuardrail', 'DeleteGuardrail'])('Bedrock %s (sample of a published detection rule; AWS documents none)', (eventName) => {
    const event = documentedEvent(`bedrock-${eventName}`);
    const guardrailArn = `arn:aws:bedrock:${event.region}:${event.account}:guardrail/${event.detail.requestParameters.guardrailIdentifier}`;
    const keyArn = `arn:aws:kms:${event.region}:${event.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

    test('on a watched guardrail, named by id, alerts (guardrail rule only)', () => {
      expect(matchingRules(patternsFor(keyArn, guardrailArn), event)).toEqual(['guardrail']);
    });

    test('on a watched guardrail named by ARN (Bedrock accepts both) alerts too', () => {
      const requestParameters = { ...event.detail.requestParameters, guardrailIdentifier: guardrailArn };
      const byArn = { ...event, detail: { ...event.detail, requestParameters } };
      expect(matchingRules(patternsFor(keyArn, guardrailArn), byArn)).toEqual(['guardrail']);
    });

    test('on another guardrail does not', () => {
      expect(matchingRules(patternsFor(keyArn, guardrailArn.replace(/guardrail\/.*/, 'guardrail/zzzzzzzzzzzz')), event)).toEqual([]);
    });
  });
});

describe('names', () => {
  test('rule names stay within EventBridge\'s 64 characters, and the alarm\'s within 255, however long the construct path', () => {
    const stack = new Stack(new App(), 'A-stack-name-that-is-rather-long-for-a-team', { env: { account: ACCOUNT, region: REGION } });
    const deep = new Construct(new Construct(stack, 'Platform-governance-layer'), 'Tenant-specific-monitoring');
    const monitoring = new GuardrailKeyMonitoring(deep, 'Guardrail-key-monitoring-for-everything', { keys: [importedKey(stack)] });
    monitoring.addGuardrail(SecureGuardrail.fromGuardrailAttributes(stack, 'G', { guardrailArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/abcdefghijkl` }));
    const template = Template.fromStack(stack);
    const names = Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties.Name as string);
    expect(names).toHaveLength(3);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(64);
    expect(only(template, 'AWS::CloudWatch::Alarm').resource.Properties.AlarmName.length).toBeLessThanOrEqual(255);
  });
});

describe('guardrails', () => {
  test('addGuardrail creates the guardrail rule once, with the id and ARN of each watched guardrail', () => {
    const stack = newStack();
    const monitoring = new GuardrailKeyMonitoring(stack, 'Monitoring', { keys: [importedKey(stack)] });
    const guardrail = new SecureGuardrail(stack, 'Guardrail', { guardrailName: 'payments', mandatoryTags: { owner: 'o', workload: 'w', dataSensitivity: 'c' } });
    monitoring.addGuardrail(guardrail);
    monitoring.addGuardrail(guardrail);
    monitoring.addGuardrail(SecureGuardrail.fromGuardrailAttributes(stack, 'Imported', { guardrailArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/abcdefghijkl` }));
    const template = Template.fromStack(stack);
    const id = stack.getLogicalId(guardrail.guardrail);
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'TestStack-Monitoring-D1616409-Guardrails',
      EventPattern: {
        'source': ['aws.bedrock'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['bedrock.amazonaws.com'],
          eventName: ['UpdateGuardrail', 'DeleteGuardrail'],
          requestParameters: {
            guardrailIdentifier: [
              { 'Fn::GetAtt': [id, 'GuardrailId'] }, { 'Fn::GetAtt': [id, 'GuardrailArn'] },
              'abcdefghijkl', `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/abcdefghijkl`,
            ],
          },
        },
      },
    });
    template.resourceCountIs('AWS::Events::Rule', 3);
    const [ruleId] = Object.keys(template.findResources('AWS::Events::Rule', { Properties: { Name: 'TestStack-Monitoring-D1616409-Guardrails' } }));
    expect(stack.resolve(monitoring.guardrailChangeRule?.ruleName)).toEqual({ Ref: ruleId });
  });

  test('a guardrail of another Region is refused', () => {
    const stack = newStack();
    const far = SecureGuardrail.fromGuardrailAttributes(stack, 'Far', { guardrailArn: `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/abcdefghijkl` });
    expect(() => new GuardrailKeyMonitoring(stack, 'Monitoring', { keys: [importedKey(stack)], guardrails: [far] }))
      .toThrow(/GuardrailKeyMonitoring: invalid guardrails\[0\]: received "TestStack\/Far \(account 111111111111, Region us-east-1\)".*; allowed: a guardrail of account 111111111111 and Region eu-west-1: EventBridge only receives the CloudTrail events of its own account and Region/);
  });

  test(`at most ${GuardrailKeyMonitoring.MAX_GUARDRAILS} guardrails, which keeps the pattern within EventBridge's 2,048 characters`, () => {
    const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: 'us-gov-west-1' } });
    const monitoring = new GuardrailKeyMonitoring(stack, 'Monitoring', { keys: [kms.Key.fromKeyArn(stack, 'K', `arn:aws-us-gov:kms:us-gov-west-1:${ACCOUNT}:key/k`)] });
    const guardrail = (i: number) => SecureGuardrail.fromGuardrailAttributes(stack, `G${i}`, { guardrailArn: `arn:aws-us-gov:bedrock:us-gov-west-1:${ACCOUNT}:guardrail/${i.toString(36).padStart(12, 'g')}` });
    for (let i = 0; i < GuardrailKeyMonitoring.MAX_GUARDRAILS; i++) monitoring.addGuardrail(guardrail(i));
    const rule = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).find((r) => r.Properties.Name.endsWith('Guardrails'))!;
    // Each guardrail by id and by ARN: none was dropped to make the pattern fit.
    expect(rule.Properties.EventPattern.detail.requestParameters.guardrailIdentifier).toHaveLength(2 * GuardrailKeyMonitoring.MAX_GUARDRAILS);
    expect(JSON.stringify(rule.Properties.EventPattern).length).toBeLessThanOrEqual(2048);
    expect(() => monitoring.addGuardrail(guardrail(99))).toThrow(/invalid addGuardrail\(guardrail\): received "TestStack\/G99 \(guardrail number 16\)".*; allowed: at most 15 guardrails/);
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
    const patterns = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map((rule) => rule.Properties.EventPattern);
    // Both rules, each naming every key: none was dropped to make the patterns fit.
    expect(patterns.map((pattern) => pattern.detail?.resources?.ARN ?? pattern.resources)).toEqual([arns, arns]);
    for (const pattern of patterns) expect(JSON.stringify(pattern).length).toBeLessThanOrEqual(2048);
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

  test.each([
    ['stacks without an environment', undefined],
    ['stacks of one environment', { account: ACCOUNT, region: REGION }],
  ])('keys whose ARN is only known at deploy time are accepted (%s)', (_name, env) => {
    // Both stacks alike, so that CDK can reference one's key from the other.
    const app = new App();
    const stack = new Stack(app, 'TestStack', { env });
    const otherStack = new Stack(app, 'Other', { env });
    const key = new kms.Key(otherStack, 'Key');
    new GuardrailKeyMonitoring(stack, 'Monitoring', { keys: [key, kms.Key.fromKeyArn(stack, 'P', `arn:aws:kms:${REGION}:${ACCOUNT}:key/x`)] });
    // Both are watched, none dropped: the other stack's key through its export, the literal ARN as it is.
    const exported = { 'Fn::ImportValue': Match.stringLikeRegexp(`^Other:ExportsOutputFnGetAtt${otherStack.getLogicalId(key.node.defaultChild as kms.CfnKey)}Arn`) };
    const watched = [exported, `arn:aws:kms:${REGION}:${ACCOUNT}:key/x`];
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: { resources: { ARN: watched } } } });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { resources: watched } });
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
    const topicRef = { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [{
          Sid: 'AllowGuardrailKeyAlerts',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: topicRef,
          Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARNS } },
        }, {
          Sid: 'AllowGuardrailKeyAlertDeliveryFailures',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: topicRef,
          Condition: { ArnEquals: { 'aws:SourceArn': ALARM_ARN } },
        }],
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'AllowEventBridgeToPublishGuardrailKeyAlerts',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: '*',
          // Any topic of the account and Region: naming this one would be a cycle (topic → key → topic).
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': partitionArn(`:sns:${REGION}:${ACCOUNT}:*`) } },
        }, {
          Sid: 'AllowCloudWatchToPublishGuardrailKeyAlertDeliveryFailures',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: '*',
          Condition: { ArnEquals: { 'aws:SourceArn': ALARM_ARN } },
        }]),
      },
    });
    // The monitoring's own key encrypts only its dead-letter queue.
    expect(Object.values(template.findResources('AWS::KMS::Key')).map((k) => k.Properties.KeyPolicy.Statement.map((st: any) => st.Sid)))
      .toContainEqual(['KeyAdministration', 'AllowEventBridgeToKeepUndeliveredAlerts', 'AllowAccountThroughSqs', 'DenyGrantsExceptForAwsResources']);
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
  test('alerts and failed deliveries sum the three rules (the guardrail rule before it exists), zero-filled, over 5 minutes by default', () => {
    const { stack, monitoring } = build();
    const names = ['KeyActivity', 'KeyDeletion', 'Guardrails'].map((suffix) => `TestStack-Monitoring-D1616409-${suffix}`);
    expect(stack.resolve([monitoring.keyActivityRule.ruleName, monitoring.keyDeletionRule.ruleName]).map((n: any) => n.Ref))
      .toEqual([expect.stringMatching(/^MonitoringKeyActivityRule/), expect.stringMatching(/^MonitoringKeyDeletionRule/)]);
    const alerts = stack.resolve((monitoring.metricKeyActivityAlerts() as any).toMetricConfig().mathExpression);
    expect(alerts.expression).toBe('FILL(matchedEventsActivity, 0) + FILL(matchedEventsDeletion, 0) + FILL(matchedEventsGuardrail, 0)');
    expect(alerts.period).toBe(300);
    expect(Object.values(alerts.usingMetrics).map((m: any) => [m.namespace, m.metricName, m.dimensions.RuleName, m.statistic]))
      .toEqual(names.map((name) => ['AWS/Events', 'MatchedEvents', name, 'Sum']));
    const failed = stack.resolve((monitoring.metricFailedAlertDeliveries({ period: Duration.hours(1) }) as any).toMetricConfig().mathExpression);
    expect(failed.expression).toBe('FILL(failedInvocationsActivity, 0) + FILL(failedInvocationsDeletion, 0) + FILL(failedInvocationsGuardrail, 0)');
    expect(failed.period).toBe(3600);
  });
});
