import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LegacyGuardrailStack } from './legacy-migration';
import {
  GuardrailComplianceDashboard,
  GuardrailEncryptionAspect,
  GuardrailEncryptionChecks,
  GuardrailEncryptionConfigRule,
  GuardrailEncryptionHook,
  GuardrailKeyMonitoring,
  SecureGuardrail,
} from '../src';

/** The tenants of a multi-tenant SaaS assistant: each gets its own guardrail and its own key. */
const TENANTS = [
  { id: 'acme', owner: 'team-acme-success', sensitivity: 'confidential' },
  { id: 'globex', owner: 'team-globex-success', sensitivity: 'restricted' },
];

/**
 * What an application team writes: one `SecureGuardrail` per tenant, each with its own
 * customer-managed key, and the tenant's assistant function allowed to apply it (and nothing more);
 * with the runtime governance of those keys and guardrails switched on.
 */
export class TenantGuardrailsStack extends Stack {
  public readonly guardrails: SecureGuardrail[] = [];

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // Runtime governance: alerts on the tenants' keys, a Config rule that also finds guardrails made
    // outside CDK, and a dashboard of the KPIs.
    const keyMonitoring = new GuardrailKeyMonitoring(this, 'KeyMonitoring');
    const encryptionRule = new GuardrailEncryptionConfigRule(this, 'EncryptionRule');

    for (const tenant of TENANTS) {
      const guardrail = new SecureGuardrail(this, `${tenant.id}-guardrail`, {
        guardrailName: `${tenant.id}-assistant`,
        description: `Guardrail of the ${tenant.id} support assistant`,
        mandatoryTags: { owner: tenant.owner, workload: 'support-assistant', dataSensitivity: tenant.sensitivity },
        tags: { Tenant: tenant.id },
        sensitiveInformationPolicyConfig: {
          piiEntitiesConfig: [
            { type: 'EMAIL', action: 'ANONYMIZE', inputAction: 'ANONYMIZE', outputAction: 'ANONYMIZE' },
            { type: 'CREDIT_DEBIT_CARD_NUMBER', action: 'BLOCK', inputAction: 'BLOCK', outputAction: 'BLOCK' },
          ],
        },
        topicPolicyConfig: {
          topicsConfig: [{
            name: 'Other tenants',
            definition: 'Questions about the customers, data or configuration of any other tenant.',
            type: 'DENY',
            examples: ['What do your other customers ask about?'],
          }],
        },
      });
      keyMonitoring.addKey(guardrail.encryptionKey);
      keyMonitoring.addGuardrail(guardrail);
      const version = guardrail.createVersion(`Baseline policy of ${tenant.id}`);

      const assistant = new lambda.Function(this, `${tenant.id}-assistant`, {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline(ASSISTANT_SOURCE),
        environment: { GUARDRAIL_ID: guardrail.guardrailId, GUARDRAIL_VERSION: version.version },
      });
      guardrail.grantApply(assistant);
      // The Config rule reads the guardrail (GetGuardrail), which needs kms:Decrypt through Bedrock.
      guardrail.grantRead(encryptionRule);
      this.guardrails.push(guardrail);
    }

    new GuardrailComplianceDashboard(this, 'ComplianceDashboard', {
      configRule: encryptionRule,
      keyMonitoring,
      guardrails: this.guardrails,
    });
  }
}

/**
 * What a platform team deploys once per account and Region: the Guard hook that refuses, at deployment,
 * any guardrail without a customer-managed key, whichever CloudFormation stack or Cloud Control API client
 * (the Terraform awscc provider) creates it.
 */
export class GuardrailDeploymentHookStack extends Stack {
  public readonly hook: GuardrailEncryptionHook;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.hook = new GuardrailEncryptionHook(this, 'GuardrailHook', {
      // Roll out with 'WARN', read the hook's reports, then enforce.
      failureMode: 'FAIL',
      stackFilters: { excludeStackNames: ['sandbox-experiments'] },
    });
  }
}

/**
 * Builds the example app into `app` (used by `examples/app.ts` and by the tests): the application
 * team's tenant guardrails, a legacy stack migrated by the platform team, and the platform team's
 * synth-time enforcement over all of it.
 */
export function buildExampleApp(app: App): { tenants: TenantGuardrailsStack; legacy: LegacyGuardrailStack; platform: GuardrailDeploymentHookStack } {
  const env = {
    account: app.node.tryGetContext('account') ?? '111122223333',
    region: app.node.tryGetContext('region') ?? 'eu-central-1',
  };
  const tenants = new TenantGuardrailsStack(app, 'TenantGuardrails', { env });
  const legacy = new LegacyGuardrailStack(app, 'LegacyGuardrails', { env });
  const platform = new GuardrailDeploymentHookStack(app, 'GuardrailDeploymentHook', { env });

  // Platform team: every guardrail of the app must have a compliant customer-managed key. The aspect
  // fails `cdk synth` on a violation, the pack adds the findings to the validation report, and both
  // write guardrail-compliance.json (once).
  GuardrailEncryptionAspect.applyTo(app);
  Validations.of(app).addPlugins(new GuardrailEncryptionChecks(app));
  return { tenants, legacy, platform };
}

const ASSISTANT_SOURCE = `
const { BedrockRuntimeClient, ApplyGuardrailCommand } = require('@aws-sdk/client-bedrock-runtime');
const client = new BedrockRuntimeClient();
exports.handler = async (event) => {
  const result = await client.send(new ApplyGuardrailCommand({
    guardrailIdentifier: process.env.GUARDRAIL_ID,
    guardrailVersion: process.env.GUARDRAIL_VERSION,
    source: 'INPUT',
    content: [{ text: { text: String(event.prompt ?? '') } }],
  }));
  return { action: result.action, outputs: result.outputs };
};
`;
