import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { buildExampleApp } from '../examples/tenant-guardrails';
import { GuardrailEncryptionChecks } from '../src';

describe('the example app', () => {
  const app = new App();
  const { tenants: stack, legacy, platform } = buildExampleApp(app);
  // The example registers the pack and the report, which print during synthesis.
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const template = Template.fromStack(stack);
  stderr.mockRestore();
  consoleError.mockRestore();

  test('gives each tenant its own guardrail and its own key', () => {
    template.resourceCountIs('AWS::Bedrock::Guardrail', 2);
    // Two guardrail keys, the key of the alerts and the key of the Config rule's log and dead-letter queue.
    template.resourceCountIs('AWS::KMS::Key', 4);
    const keyArns = stack.guardrails.map((g) => stack.resolve(g.guardrail.kmsKeyArn));
    expect(keyArns).toEqual(stack.guardrails.map((g) => ({ 'Fn::GetAtt': [stack.getLogicalId(g.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] })));
    expect(new Set(keyArns.map((a) => JSON.stringify(a))).size).toBe(2);
  });

  test('migrates the legacy guardrail onto a key of its own, and the whole app passes the checks', () => {
    const legacyTemplate = Template.fromStack(legacy);
    const [keyId] = Object.keys(legacyTemplate.findResources('AWS::KMS::Key'));
    legacyTemplate.hasResourceProperties('AWS::Bedrock::Guardrail', { KmsKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    const errors = app.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:error'));
    expect(errors).toEqual([]);
    expect(new GuardrailEncryptionChecks().validateScope(app).violations).toEqual([]);
  });

  test('switches runtime governance on: alerts on both tenant keys and guardrails, the Config rule allowed to read both guardrails, the dashboard', () => {
    const keyArns = stack.guardrails.map((g) => ({ 'Fn::GetAtt': [stack.getLogicalId(g.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] }));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.kms'], 'detail-type': ['KMS CMK Deletion', 'KMS Imported Key Material Expiration'], 'resources': keyArns },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.bedrock'], detail: Match.objectLike({ requestParameters: { guardrailIdentifier: stack.guardrails.flatMap((g) => stack.resolve([g.guardrailId, g.guardrailArn])) } }) }),
    });
    template.resourceCountIs('AWS::Config::ConfigRule', 1);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const ruleRoles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('EncryptionRuleRole'));
    expect(ruleRoles).toHaveLength(1);
    const rule = { 'Fn::GetAtt': [ruleRoles[0], 'Arn'] };
    // Each tenant's key by its logical id, so that a key missing from the template fails rather than being skipped.
    const tenantKeys = stack.guardrails.map((g) => stack.getLogicalId(g.encryptionKey.node.defaultChild as kms.CfnKey));
    expect(tenantKeys).toHaveLength(2);
    const resources = template.toJSON().Resources;
    const principalsOf = (keyId: string, sid: string) => {
      const statement = resources[keyId].Properties.KeyPolicy.Statement.find((st: any) => st.Sid === sid);
      expect(statement).toMatchObject({ Effect: 'Allow' });
      return statement.Condition.ArnLike['aws:PrincipalArn'];
    };
    expect(tenantKeys.map((keyId) => [principalsOf(keyId, 'GuardrailUseThroughBedrock'), principalsOf(keyId, 'GuardrailKeyAudit')]))
      .toEqual(tenantKeys.map(() => [expect.arrayContaining([rule]), [rule]]));
  });

  test("lets each tenant's assistant decrypt its own tenant's key only (and the Config rule read both)", () => {
    const keys = template.findResources('AWS::KMS::Key');
    const users = Object.values(keys)
      .map((key) => key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'GuardrailUseThroughBedrock'))
      .filter((statement) => statement !== undefined)
      .map((statement) => statement.Condition.ArnLike['aws:PrincipalArn'].map((p: any) => p['Fn::GetAtt'][0]));
    expect(users).toEqual([
      [expect.stringMatching(/^acmeassistantServiceRole/), expect.stringMatching(/^EncryptionRuleRole/)],
      [expect.stringMatching(/^globexassistantServiceRole/), expect.stringMatching(/^EncryptionRuleRole/)],
    ]);
  });

  test('deploys the Guard hook that refuses guardrails without a customer-managed key, beside the tenants', () => {
    Template.fromStack(platform).hasResourceProperties('AWS::CloudFormation::GuardHook', {
      FailureMode: 'FAIL',
      TargetOperations: ['RESOURCE', 'CLOUD_CONTROL'],
      StackFilters: { FilteringCriteria: 'ALL', StackNames: { Exclude: ['sandbox-experiments'] } },
    });
    expect(platform.hook.node.path).toBe('GuardrailDeploymentHook/GuardrailHook');
  });
});
