import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildOrganizationExample, EXAMPLE_ORGANIZATION } from '../examples/organization';

describe('the organization example (examples/organization.ts)', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'organization-')) });
  const { admin, findings } = buildOrganizationExample(app, EXAMPLE_ORGANIZATION);
  const assembly = app.synth();
  const adminTemplate = Template.fromStack(admin);

  test('one service-managed StackSet, deployed from the delegated administrator to every account of the units, new ones included', () => {
    adminTemplate.resourceCountIs('AWS::CloudFormation::StackSet', 1);
    adminTemplate.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'bedrock-guardrail-governance',
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_IAM'],
      StackInstancesGroup: [{
        DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-11111111'], AccountFilterType: 'NONE' },
        Regions: ['eu-central-1', 'us-east-1'],
      }],
      TemplateURL: Match.anyValue(),
    });
  });

  test('the template the StackSet deploys holds the baseline: the guardrail rule and the forwarding to the hub\'s bus', () => {
    const templateFile = fs.readdirSync(assembly.directory).find((f) => /MemberGovernance.*\.template\.json$/.test(f) || /stackset-.*\.json$/.test(f));
    expect(templateFile).toBeDefined();
    const member = Template.fromJSON(JSON.parse(fs.readFileSync(path.join(assembly.directory, templateFile!), 'utf-8')));
    member.resourceCountIs('AWS::Config::ConfigRule', 1);
    member.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: 'arn:aws:events:eu-central-1:444455556666:event-bus/bedrock-guardrail-findings' })],
    });
    // The deploy-time hook, its rule read from the same per-Region asset bucket (as a .zip, which cdk-stacksets copies).
    member.hasResourceProperties('AWS::CloudFormation::GuardHook', {
      FailureMode: 'WARN',
      RuleLocation: { Uri: { 'Fn::Join': ['', ['s3://', { 'Fn::Join': ['-', ['guardrail-governance-assets', { Ref: 'AWS::Region' }]] }, Match.stringLikeRegexp('^/[0-9a-f]{64}\\.zip$')]] } },
    });
    // The rule's function code is an asset: cdk-stacksets serves it from the per-Region asset buckets.
    member.hasResourceProperties('AWS::Lambda::Function', {
      Code: { S3Bucket: { 'Fn::Join': ['-', ['guardrail-governance-assets', { Ref: 'AWS::Region' }]] } },
    });
  });

  test('the hub in the security account lets the organization send to its bus', () => {
    Template.fromStack(findings).hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
    });
  });
});
