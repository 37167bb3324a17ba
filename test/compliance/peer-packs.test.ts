import * as fs from 'fs';
import * as path from 'path';
import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { GuardrailEncryptionConfigRule, GuardrailEncryptionConfigRuleProps } from '../../src';
import { everyConstruct } from '../helpers/every-construct';
import { registerPeerChecks } from '../helpers/peer-packs';

/** Construct paths of resources the user wrote in `everyConstruct`, not the library. */
const USER_RESOURCES = [/^Everything\/Assistant\//, /^Everything\/Legacy$/, /^Everything\/Network\//, /^Everything\/UserGrant/];

/** `<plugin>: <rule>` → construct paths of library resources the packs report as errors. */
function peerErrors(
  extend?: (stack: Stack) => void,
  configRuleProps?: (stack: Stack) => GuardrailEncryptionConfigRuleProps,
): Record<string, string[]> {
  const { app } = everyConstruct(registerPeerChecks, extend, configRuleProps);
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf-8'));
  const errors: Record<string, string[]> = {};
  for (const plugin of report.pluginReports) {
    for (const violation of plugin.violations) {
      if (violation.severity !== 'error' && violation.severity !== 'fatal') continue;
      const paths = (violation.violatingConstructs as any[])
        .map((c) => c.constructPath as string)
        .filter((p) => !USER_RESOURCES.some((re) => re.test(p)));
      if (paths.length > 0) (errors[`${plugin.pluginName}: ${violation.ruleName}`] ??= []).push(...paths);
    }
  }
  return errors;
}

/** The constructs the library creates in `everyConstruct` (aws-cdk-lib acknowledges some rules of its own on the stack). */
const LIBRARY_CONSTRUCTS = /^Everything\/(Guardrail|LegacyKey|KeyMonitoring|EncryptionRule|Dashboard)(\/|$)/;

/** Every acknowledgement the library recorded in the tree: construct path → rule id → reason. */
function acknowledgements(root: IConstruct): Record<string, Record<string, string>> {
  const found: Record<string, Record<string, string>> = {};
  for (const node of root.node.findAll().filter((n) => LIBRARY_CONSTRUCTS.test(n.node.path))) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        (found[node.node.path] ??= {})[id.replace(/^annotation::/i, '')] = reason;
      }
    }
  }
  return found;
}

const withVpc = (stack: Stack) => ({ vpc: new ec2.Vpc(stack, 'Network', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }) });

describe('peer compliance packs on every construct of the library', () => {
  test('AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS and Serverless report no unacknowledged error; Control Tower only CT.LAMBDA.PR.3 without a VPC', () => {
    expect(peerErrors()).toEqual({
      'cdk-validator-cfnguard: lambda_inside_vpc_check': ['Everything/EncryptionRule/Function/Resource', 'Everything/Baseline/EncryptionRule/Function/Resource'],
    });
  });

  test('with a VPC for the Config rule\'s function, Control Tower reports nothing either', () => {
    expect(peerErrors(undefined, withVpc)).toEqual({});
  });

  test('a wildcard granted to the rule later is still reported, even "*": the acknowledgements are on a policy grants never reach', () => {
    const errors = peerErrors((stack) => {
      const rule = stack.node.findChild('EncryptionRule') as GuardrailEncryptionConfigRule;
      iam.Grant.addToPrincipal({ grantee: rule, actions: ['s3:GetObject'], resourceArns: ['arn:aws:s3:::reports/*'] });
      iam.Grant.addToPrincipal({ grantee: rule, actions: ['s3:ListAllMyBuckets'], resourceArns: ['*'] });
    });
    expect(errors['AwsSolutions: AwsSolutions-IAM5[Resource::*]']).toEqual(['Everything/EncryptionRule/GrantsPolicy/Resource']);
    expect(errors['AwsSolutions: AwsSolutions-IAM5[Resource::arn:aws:s3:::reports/*]']).toEqual(['Everything/EncryptionRule/GrantsPolicy/Resource']);
  });

  test('grants to the rule land in its customer-managed policy: the role has no inline policy', () => {
    const { stack } = everyConstruct();
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => id.startsWith('EncryptionRule'))).toEqual([]);
    const policies = Object.keys(template.findResources('AWS::IAM::ManagedPolicy')).filter((id) => id.startsWith('EncryptionRule'));
    expect(policies).toEqual([
      expect.stringMatching(/^EncryptionRulePolicy/), expect.stringMatching(/^EncryptionRuleGrantsPolicy/), expect.stringMatching(/^EncryptionRuleOwnResultsPolicy/),
      expect.stringMatching(/^EncryptionRuleContinuationPolicy/),
    ]);
  });

  test('every acknowledgement is on a library resource, with a reason, and listed in the README', () => {
    const { stack } = everyConstruct(undefined, undefined, withVpc);
    const { stack: withoutVpc } = everyConstruct();
    const found = { ...acknowledgements(withoutVpc), ...acknowledgements(stack) };
    expect(found).toEqual({
      'Everything/EncryptionRule/DeadLetterQueue': { 'Serverless-SQSRedrivePolicy': expect.stringMatching(/dead-letter queue of the rule's function/) },
      'Everything/EncryptionRule/Function': Object.fromEntries(
        ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'].map((id) => [id, expect.stringMatching(/pass `vpc`/)])),
      'Everything/EncryptionRule/Policy': {
        'AwsSolutions-IAM5[Resource::*]': expect.stringMatching(/no resource-level permissions.*AWSLambdaVPCAccessExecutionRole/),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:eu-west-1:111111111111:guardrail/*]': expect.stringMatching(/every guardrail/),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:eu-west-1:111111111111:key/*]': expect.stringMatching(/No cryptographic action/),
      },
      'Everything/KeyMonitoring/DeadLetterQueue': {
        'Serverless-SQSRedrivePolicy': expect.stringMatching(/dead-letter queue of the guardrail key alert rules/),
        'AwsSolutions-SQS3': expect.stringMatching(/EventBridge DeadLetterConfig/),
      },
    });
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf-8');
    for (const rules of Object.values(found)) {
      for (const id of Object.keys(rules)) {
        expect(readme).toContain(`\`${id.replace(/\[Resource::arn:.*:(guardrail|key)\/\*\]$/, '[Resource::arn:…:$1/*]')}\``);
      }
    }
  });
});

describe('peer compliance packs with the Config rule\'s remediation', () => {
  const remediation = (stack: Stack): GuardrailEncryptionConfigRuleProps => ({
    remediation: { automatic: true, keyUserArns: [`arn:aws:iam::${stack.account}:role/apps/*`], publishVersion: true },
  });

  test('the remediation adds nothing the packs report but its function outside a VPC (Control Tower)', () => {
    expect(peerErrors(undefined, remediation)).toEqual({
      'cdk-validator-cfnguard: lambda_inside_vpc_check': [
        'Everything/EncryptionRule/Function/Resource', 'Everything/EncryptionRule/RemediationFunction/Resource',
        'Everything/Baseline/EncryptionRule/Function/Resource', 'Everything/Baseline/EncryptionRule/RemediationFunction/Resource',
      ],
    });
  });

  test('with the rule\'s VPC, the remediation function runs in it too, and Control Tower reports nothing', () => {
    expect(peerErrors(undefined, (stack) => ({ ...withVpc(stack), ...remediation(stack) }))).toEqual({});
  });

  test('its acknowledgements are on its own resources, with a reason, and listed in the README', () => {
    const { stack: plain } = everyConstruct();
    const { stack } = everyConstruct(undefined, undefined, remediation);
    const before = acknowledgements(plain);
    const added = Object.fromEntries(Object.entries(acknowledgements(stack)).filter(([node]) => !(node in before)));
    expect(added).toEqual({
      'Everything/EncryptionRule/RemediationPolicy': {
        'AwsSolutions-IAM5[Resource::*]': expect.stringMatching(/no resource-level permissions.*remediation tag/),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:eu-west-1:111111111111:guardrail/*]': expect.stringMatching(/found non-compliant/),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:eu-west-1:111111111111:key/*]': expect.stringMatching(/customer managed.*remediation tag/),
      },
      'Everything/EncryptionRule/RemediatedGuardrailsPolicy': {
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:eu-west-1:111111111111:key/*]': expect.stringMatching(/through Bedrock only/),
      },
      'Everything/EncryptionRule/RemediationFunction': Object.fromEntries(
        ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'].map((id) => [id, expect.stringMatching(/pass `vpc`/)])),
    });
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf-8');
    for (const [node, rules] of Object.entries(added)) {
      expect(readme).toContain(`\`${node.replace(/^Everything\//, '')}\``);
      for (const id of Object.keys(rules)) {
        expect(readme).toContain(`\`${id.replace(/\[Resource::arn:.*:(guardrail|key)\/\*\]$/, '[Resource::arn:…:$1/*]')}\``);
      }
    }
  });
});
