import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { flattenIntrinsic } from '../../core/cfn-values';

/*
 * The findings of cdk-nag's packs (and checkov) that resources of the governance constructs have by design, each
 * acknowledged on the one resource it concerns (cdk-nag reads acknowledgements from the resource and
 * its ancestors), with the reason a reviewer reads in the validation report. The README lists them.
 */

/** The rule ids of the packs that want every Lambda function in a VPC. */
export const LAMBDA_INSIDE_VPC_RULES = ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'];

export const LAMBDA_OUTSIDE_VPC_REASON =
  'The function only calls AWS APIs (Bedrock, KMS, AWS Config) and holds no network-reachable data; ' +
  'pass `vpc` to run it in a VPC (with endpoints or NAT for those APIs).';

export const ENVIRONMENT_REASON =
  'The environment holds no secret (the allow-listed key ARNs and the metric namespace), and Lambda encrypts it at rest ' +
  'with its AWS managed key; a customer-managed key would need the deployer to hold kms:Encrypt on it.';

export const REMEDIATION_ENVIRONMENT_REASON =
  'The environment holds no secret (role and key ARNs, ownership tags, the rule\'s name), and Lambda encrypts it at rest ' +
  'with its AWS managed key; a customer-managed key would need the deployer to hold kms:Encrypt on it.';

export const EVENT_BUS_POLICY_REASON =
  'Only principals of the organization (aws:PrincipalOrgID or aws:PrincipalOrgPaths) may put events on the bus, ' +
  'the EventBridge user guide\'s pattern for an organization; the rule reads a deprecated property and fails where jsii deprecations are errors.';

export const WILDCARD_REASONS = {
  listGuardrails: 'bedrock:ListGuardrails, config:PutEvaluations and tag:GetResources support no resource-level permissions (Service Authorization Reference); bedrock:ListEnforcedGuardrailsConfiguration lists the Region\'s enforced configurations and names no resource.',
  everyGuardrail: 'The rule reads every guardrail of its account and Region, including those created outside CDK: their ids are not known in advance.',
  everyKey: 'The rule reads the metadata, rotation and policy of whichever key a guardrail names: keys are not known in advance. No cryptographic action is allowed.',
  remediatedKeys: 'kms:Decrypt through Bedrock only, and only on keys carrying the tag of the keys the remediation created, whose ids are not known in advance.',
  remediationAnyResource: 'tag:GetResources, bedrock:ListGuardrails, bedrock:ListEnforcedGuardrailsConfiguration and kms:CreateKey support no resource-level permissions (Service Authorization Reference), and KMS authorizes the tags of CreateKey as kms:TagResource on every key (KMS Developer Guide, Controlling access to tags); kms:CreateKey and kms:TagResource only with the remediation tag and the tags it writes.',
  remediationEveryGuardrail: 'The remediation re-keys whichever guardrail of the account and Region the Config rule found non-compliant, including those created outside CDK.',
  remediationEveryKey: 'kms:DescribeKey tells whether a guardrail\'s key is customer managed (to leave it alone); every other key action is limited to keys carrying the remediation tag, and cryptographic ones to Bedrock.',
  networkInterfaces: 'The actions of the AWS managed policy AWSLambdaVPCAccessExecutionRole: ec2:DescribeNetworkInterfaces supports no resource-level permissions and the function\'s interfaces are created by Lambda at run time.',
} as const;

/**
 * Skips checkov checks on one resource with the reason, in the resource's `Metadata.checkov.skip`,
 * where checkov reads in-template suppressions of CloudFormation resources.
 */
export function skipCheckovChecks(resource: CfnResource, reasons: Record<string, string>): void {
  const metadata = resource.getMetadata('checkov') as { skip?: Array<{ id: string; comment: string }> } | undefined;
  const skip = [...(metadata?.skip ?? []), ...Object.entries(reasons).map(([id, comment]) => ({ id, comment }))];
  resource.addMetadata('checkov', { skip });
}

/** Acknowledges rules on one construct (and the resources under it) with a reason. */
export function acknowledge(scope: IConstruct, ruleIds: readonly string[], reason: string): void {
  Validations.of(scope).acknowledge(...ruleIds.map((id) => ({ id, reason })));
}

/**
 * Acknowledges AwsSolutions-IAM5 for exactly the wildcard resources given, as cdk-nag names its
 * finding (`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:…]`), so that a wildcard added later by
 * a grant is still reported.
 *
 * `Validations.acknowledge` refuses an id holding `::` more than once, which every such finding on
 * an ARN with a pseudo parameter does (cdklabs/cdk-nag issues 2351 and 2359): the metadata entry it
 * would record, the one cdk-nag reads, is recorded directly.
 */
export function acknowledgeWildcardResources(scope: IConstruct, resources: readonly string[], reason: string): void {
  const stack = Stack.of(scope);
  for (const resource of resources) {
    const finding = `AwsSolutions-IAM5[Resource::${flattenIntrinsic(stack.resolve(resource)).replace(/\$\{/g, '<').replace(/\}/g, '>')}]`;
    scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [finding]: reason });
  }
}
