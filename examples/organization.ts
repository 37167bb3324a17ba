#!/usr/bin/env node
/*
 * Guardrail governance in every account of an organization (docs/organization.md):
 *
 * - the security account holds the findings hub (an encrypted event bus the organization may send to, and an
 *   AWS Config organization aggregator);
 * - the delegated administrator of CloudFormation StackSets deploys the baseline (the guardrail rule, the
 *   deploy-time Guard hook and the forwarding of findings) to every account of the organizational units, new accounts included, with a
 *   service-managed StackSet built by cdk-stacksets.
 *
 * Synthesize it with
 *   npx cdk synth --app "npx ts-node --transpile-only -P tsconfig.dev.json examples/organization.ts" --no-notices
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Capability, DeploymentType, StackSet, StackSetStack, StackSetTarget, StackSetTemplate } from 'cdk-stacksets';
import { Construct } from 'constructs';
import { GuardrailFindingsHub, GuardrailGovernanceBaseline } from '../src';

/** What one organization deploys: its id, the units to govern, the Regions, and where the findings go. */
export interface OrganizationSettings {
  readonly organizationId: string;
  readonly organizationalUnits: string[];
  readonly regions: string[];
  readonly securityAccount: string;
  readonly delegatedAdminAccount: string;
  readonly findingsRegion: string;
  /**
   * The prefix of the asset buckets cdk-stacksets copies the baseline's assets to (the rule's function code):
   * one bucket `<prefix>-<region>` per Region, in the delegated administrator account, readable by the
   * organization (docs/organization.md shows its policy).
   */
  readonly assetBucketPrefix: string;
}

/** The security account: where every account's findings arrive. */
export class GuardrailFindingsStack extends Stack {
  public readonly hub: GuardrailFindingsHub;

  constructor(scope: Construct, id: string, settings: OrganizationSettings, props?: StackProps) {
    super(scope, id, props);
    this.hub = new GuardrailFindingsHub(this, 'Hub', { organization: { organizationId: settings.organizationId } });
  }
}

/** The delegated administrator: one StackSet that puts the baseline in every account of the units. */
export class GuardrailGovernanceStackSetStack extends Stack {
  constructor(scope: Construct, id: string, settings: OrganizationSettings, props?: StackProps) {
    super(scope, id, props);
    const assetBuckets = settings.regions.map((region) =>
      s3.Bucket.fromBucketName(this, `AssetBucket-${region}`, `${settings.assetBucketPrefix}-${region}`));
    const member = new StackSetStack(this, 'MemberGovernance', { assetBuckets, assetBucketPrefix: settings.assetBucketPrefix });
    new GuardrailGovernanceBaseline(member, 'Baseline', {
      // The hub's bus, named by ARN: it lives in another account.
      findingsEventBusArn: `arn:aws:events:${settings.findingsRegion}:${settings.securityAccount}:event-bus/${GuardrailFindingsHub.DEFAULT_EVENT_BUS_NAME}`,
      // Roll the deploy-time hook out warning first; switch to FAIL once the accounts' guardrails comply.
      deploymentHookProps: { failureMode: 'WARN' },
    });
    new StackSet(this, 'GuardrailGovernance', {
      stackSetName: 'bedrock-guardrail-governance',
      description: 'Bedrock guardrail governance: the guardrail rule and the forwarding of its findings',
      target: StackSetTarget.fromOrganizationalUnits({ regions: settings.regions, organizationalUnits: settings.organizationalUnits }),
      // Accounts that join the units later get the baseline too; accounts that leave lose it.
      deploymentType: DeploymentType.serviceManaged({ delegatedAdmin: true, autoDeployEnabled: true, autoDeployRetainStacks: false }),
      template: StackSetTemplate.fromStackSetStack(member),
      capabilities: [Capability.IAM],
    });
  }
}

/** Builds the organization example into `app` (used by this file and by the tests). */
export function buildOrganizationExample(
  app: App,
  settings: OrganizationSettings,
): { findings: GuardrailFindingsStack; admin: GuardrailGovernanceStackSetStack } {
  const findings = new GuardrailFindingsStack(app, 'GuardrailFindings', settings, {
    env: { account: settings.securityAccount, region: settings.findingsRegion },
  });
  const admin = new GuardrailGovernanceStackSetStack(app, 'GuardrailGovernanceStackSet', settings, {
    env: { account: settings.delegatedAdminAccount, region: settings.findingsRegion },
  });
  return { findings, admin };
}

export const EXAMPLE_ORGANIZATION: OrganizationSettings = {
  organizationId: 'o-a1b2c3d4e5',
  organizationalUnits: ['ou-ab12-11111111'],
  regions: ['eu-central-1', 'us-east-1'],
  securityAccount: '444455556666',
  delegatedAdminAccount: '777788889999',
  findingsRegion: 'eu-central-1',
  assetBucketPrefix: 'guardrail-governance-assets',
};

if (require.main === module) {
  const app = new App();
  buildOrganizationExample(app, EXAMPLE_ORGANIZATION);
  app.synth();
}
