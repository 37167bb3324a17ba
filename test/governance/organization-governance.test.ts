import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { documentedEvent } from './helpers/documented-events';
import { matchesPattern } from './helpers/event-pattern';
import { ACCOUNT, newStack, only, REGION } from './helpers/stack';
import { GuardrailFindingsHub, GuardrailGovernanceBaseline } from '../../src';

const SECURITY_ACCOUNT = '999999999999';
const BUS_ARN = `arn:aws:events:us-east-1:${SECURITY_ACCOUNT}:event-bus/bedrock-guardrail-findings`;
const ORG_ID = 'o-a1b2c3d4e5';

/** A compliance change as AWS Config sends it to EventBridge (AWS Config developer guide, "Example AWS Config events"). */
function complianceChange(configRuleName: string) {
  return {
    'version': '0',
    'detail-type': 'Config Rules Compliance Change',
    'source': 'aws.config',
    'account': ACCOUNT,
    'region': REGION,
    'resources': [],
    'detail': {
      resourceId: 'abcdefgh1234',
      awsRegion: REGION,
      awsAccountId: ACCOUNT,
      configRuleName,
      recordVersion: '1.0',
      messageType: 'ComplianceChangeNotification',
      resourceType: 'AWS::Bedrock::Guardrail',
      newEvaluationResult: { complianceType: 'NON_COMPLIANT' },
    },
  };
}

describe('GuardrailGovernanceBaseline', () => {
  test('without a findings bus: nothing forwarded', () => {
    const stack = newStack();
    const baseline = new GuardrailGovernanceBaseline(stack, 'Baseline');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Config::ConfigRule', 1);
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(baseline.forwardingRule).toBeUndefined();
    expect(baseline.deadLetterQueue).toBeUndefined();
  });

  test('includes the deploy-time Guard hook by default, with the settings given', () => {
    const stack = newStack();
    const baseline = new GuardrailGovernanceBaseline(stack, 'Baseline', { deploymentHookProps: { failureMode: 'WARN' } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudFormation::GuardHook', 1);
    template.hasResourceProperties('AWS::CloudFormation::GuardHook', { FailureMode: 'WARN', TargetOperations: ['RESOURCE', 'CLOUD_CONTROL'] });
    expect(baseline.deploymentHook).toBeDefined();
  });

  test('leaves the hook out on request, and refuses settings for the hook it leaves out', () => {
    const stack = newStack();
    const baseline = new GuardrailGovernanceBaseline(stack, 'Baseline', { deploymentHook: false });
    Template.fromStack(stack).resourceCountIs('AWS::CloudFormation::GuardHook', 0);
    expect(baseline.deploymentHook).toBeUndefined();
    expect(() => new GuardrailGovernanceBaseline(newStack(), 'Baseline', { deploymentHook: false, deploymentHookProps: { failureMode: 'WARN' } }))
      .toThrow('[TestStack/Baseline] GuardrailGovernanceBaseline: deploymentHookProps is set but deploymentHook is false');
  });

  test('passes the rule its settings', () => {
    const stack = newStack();
    new GuardrailGovernanceBaseline(stack, 'Baseline', { configRule: { configRuleName: 'guardrail-cmk' } });
    Template.fromStack(stack).hasResourceProperties('AWS::Config::ConfigRule', { ConfigRuleName: 'guardrail-cmk' });
  });

  describe('with the organization\'s findings bus', () => {
    const stack = newStack();
    const baseline = new GuardrailGovernanceBaseline(stack, 'Baseline', { findingsEventBusArn: BUS_ARN });
    const template = Template.fromStack(stack);
    const rule = only(template, 'AWS::Events::Rule');
    const queueId = rule.resource.Properties.Targets[0].DeadLetterConfig.Arn['Fn::GetAtt'][0];
    const queue = { id: queueId, resource: template.findResources('AWS::SQS::Queue')[queueId] };
    const configRule = only(template, 'AWS::Config::ConfigRule');

    test('forwards to the bus through a role that may only put events on it, with a dead-letter queue', () => {
      const role = Object.entries(template.findResources('AWS::IAM::Role', {
        Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } })] } },
      }));
      expect(role).toHaveLength(1);
      expect(rule.resource.Properties.Targets).toEqual([{
        Id: 'Target0',
        Arn: BUS_ARN,
        RoleArn: { 'Fn::GetAtt': [role[0][0], 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue.id, 'Arn'] } },
      }]);
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS_ARN }] },
        Roles: [{ Ref: role[0][0] }],
      });
      // No inline policy on the forwarding role: the packs refuse it.
      expect(Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => JSON.stringify(p.Properties.Roles).includes(role[0][0]))).toEqual([]);
    });

    test('the dead-letter queue is encrypted with a rotated key EventBridge may use', () => {
      const keys = template.findResources('AWS::KMS::Key');
      const keyId = queue.resource.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
      expect(keys[keyId].Properties.EnableKeyRotation).toBe(true);
      expect(keys[keyId].Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining([
        expect.objectContaining({ Sid: 'AllowEventBridgeToKeepUnforwardedFindings', Principal: { Service: 'events.amazonaws.com' } }),
      ]));
    });

    const pattern = stack.resolve(rule.resource.Properties.EventPattern);
    const ruleName = configRule.resource.Properties.ConfigRuleName ?? { Ref: configRule.id };

    test('matches the rule\'s compliance changes and guardrail changes, and nothing else', () => {
      expect(pattern.detail.$or[0]).toEqual({ configRuleName: [ruleName] });
      // The rule's name is a token in the template: match the sample against the name it resolves to.
      const concrete = { ...pattern, detail: { $or: [{ configRuleName: ['the-rule'] }, ...pattern.detail.$or.slice(1)] } };
      expect(matchesPattern(concrete, complianceChange('the-rule'))).toBe(true);
      expect(matchesPattern(concrete, complianceChange('another-rule'))).toBe(false);
      expect(matchesPattern(concrete, documentedEvent('bedrock-UpdateGuardrail'))).toBe(true);
      expect(matchesPattern(concrete, documentedEvent('bedrock-DeleteGuardrail'))).toBe(true);
      expect(matchesPattern(concrete, documentedEvent('bedrock-InvokeModel'))).toBe(false);
    });

    test('matches the changes that threaten any key of the account, as GuardrailKeyMonitoring alerts on them, and not Bedrock\'s own grants', () => {
      const concrete = { ...pattern, detail: { $or: [{ configRuleName: ['the-rule'] }, ...pattern.detail.$or.slice(1)] } };
      for (const name of ['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy', 'DisableKeyRotation', 'ImportKeyMaterial', 'ReplicateKey']) {
        expect([name, matchesPattern(concrete, documentedEvent(`kms-${name}`))]).toEqual([name, true]);
      }
      expect(matchesPattern(concrete, documentedEvent('kms-CreateGrant'))).toBe(false);
      expect(matchesPattern(concrete, documentedEvent('kms-KMS-CMK-Rotation'))).toBe(false);
    });

    test('exposes what it created', () => {
      expect(baseline.forwardingRule).toBeDefined();
      expect(baseline.deadLetterQueue).toBeDefined();
      expect(stack.resolve(baseline.configRule.configRuleName)).toEqual(ruleName);
    });
  });

  test.each([
    ['not an ARN', 'bedrock-guardrail-findings'],
    ['a rule ARN', `arn:aws:events:us-east-1:${SECURITY_ACCOUNT}:rule/findings`],
    ['a short account', 'arn:aws:events:us-east-1:9999:event-bus/findings'],
  ])('refuses a findings bus that is %s', (_, arn) => {
    expect(() => new GuardrailGovernanceBaseline(newStack(), 'Baseline', { findingsEventBusArn: arn }))
      .toThrow(`[TestStack/Baseline] GuardrailGovernanceBaseline: invalid findingsEventBusArn: received "${arn}" (${arn.length} characters); allowed: an event bus ARN, arn:<partition>:events:<region>:<account>:event-bus/<name>.`);
  });

  test('accepts a bus ARN that is a token', () => {
    const stack = newStack();
    const arn = stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'findings' });
    expect(() => new GuardrailGovernanceBaseline(stack, 'Baseline', { findingsEventBusArn: arn })).not.toThrow();
  });
});

describe('GuardrailFindingsHub', () => {
  const stack = newStack({ account: SECURITY_ACCOUNT, region: 'us-east-1' });
  const hub = new GuardrailFindingsHub(stack, 'Hub', { organization: { organizationId: ORG_ID } });
  const template = Template.fromStack(stack);
  const bus = only(template, 'AWS::Events::EventBus');
  const key = only(template, 'AWS::KMS::Key');

  test('an event bus encrypted with a rotated, retained key', () => {
    expect(bus.resource.Properties).toMatchObject({
      Name: 'bedrock-guardrail-findings',
      KmsKeyIdentifier: { 'Fn::GetAtt': [key.id, 'Arn'] },
    });
    expect(key.resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(key.resource.Properties.EnableKeyRotation).toBe(true);
  });

  test('only accounts of the organization may put events on it', () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: bus.id },
      Statement: {
        // CDK prefixes the statement id of an event bus policy with 'cdk-'.
        Sid: 'cdk-AllowOrganizationToSendGuardrailFindings',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [bus.id, 'Arn'] },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } },
      },
    });
  });

  test('or of organizational units, by path', () => {
    const s = newStack();
    const path = `${ORG_ID}/r-ab12/ou-ab12-11111111/*`;
    new GuardrailFindingsHub(s, 'Hub', { organization: { organizationalUnitPaths: [path] } });
    Template.fromStack(s).hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({ Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [path] } } }),
    });
  });

  test('an organization aggregator over every Region, through a role with the read actions it needs only', () => {
    const aggregator = only(template, 'AWS::Config::ConfigurationAggregator');
    const role = only(template, 'AWS::IAM::Role');
    expect(aggregator.resource.Properties).toEqual({
      OrganizationAggregationSource: { RoleArn: { 'Fn::GetAtt': [role.id, 'Arn'] }, AllAwsRegions: true },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['organizations:DescribeOrganization', 'organizations:ListAWSServiceAccessForOrganization', 'organizations:ListAccounts', 'organizations:ListDelegatedAdministrators'],
          Resource: '*',
        }],
      },
      Roles: [{ Ref: role.id }],
    });
    expect(role.resource.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'config.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': SECURITY_ACCOUNT } } },
    ]);
    expect(hub.aggregator).toBeDefined();
  });

  test('without the aggregator', () => {
    const s = newStack();
    const h = new GuardrailFindingsHub(s, 'Hub', { organization: { organizationId: ORG_ID }, organizationAggregator: false });
    Template.fromStack(s).resourceCountIs('AWS::Config::ConfigurationAggregator', 0);
    expect(h.aggregator).toBeUndefined();
  });

  test('its findings pattern matches what a baseline forwards', () => {
    const s = newStack();
    new events.Rule(s, 'Alerts', { eventPattern: hub.findingsPattern });
    const pattern = s.resolve(only(Template.fromStack(s), 'AWS::Events::Rule').resource.Properties.EventPattern);
    expect(matchesPattern(pattern, complianceChange('any'))).toBe(true);
    expect(matchesPattern(pattern, documentedEvent('bedrock-UpdateGuardrail'))).toBe(true);
    expect(matchesPattern(pattern, documentedEvent('kms-DisableKey'))).toBe(true);
    expect(matchesPattern(pattern, documentedEvent('bedrock-InvokeModel'))).toBe(false);
  });

  test.each([
    ['organizationId', { organization: { organizationId: 'o-short' } }, 'invalid organizationId: received "o-short" (7 characters)'],
    ['eventBusName', { organization: { organizationId: ORG_ID }, eventBusName: 'default' }, 'invalid eventBusName: received "default" (7 characters)'],
  ])('refuses a bad %s', (_, props, message) => {
    expect(() => new GuardrailFindingsHub(newStack(), 'Hub', props)).toThrow(`[TestStack/Hub] GuardrailFindingsHub: ${message}`);
  });
});
