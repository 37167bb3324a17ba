import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, aws_bedrock as bedrock } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ENV, MANDATORY_TAGS } from './synth';
import {
  GuardrailComplianceDashboard,
  GuardrailEncryptionConfigRule,
  GuardrailEncryptionConfigRuleProps,
  GuardrailFindingsHub,
  GuardrailGovernanceBaseline,
  GuardrailKeyMonitoring,
  GuardrailKeyRemediationAspect,
  SecureGuardrail,
} from '../../src';

/**
 * One stack with every construct of the library used as the README shows it, and the user's own
 * function, synthesized into a cloud assembly: what compliance packs and Control Tower judge.
 */
export function everyConstruct(
  configure: (app: App) => void = () => undefined,
  extend: (stack: Stack) => void = () => undefined,
  configRuleProps: (stack: Stack) => GuardrailEncryptionConfigRuleProps = () => ({}),
): { app: App; stack: Stack; templatePath: string; assistant: lambda.Function } {
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'every-construct-')),
    // Validation plugins report here instead of failing the synthesis (and jest's exit code).
    context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
  });
  configure(app);
  const stack = new Stack(app, 'Everything', { env: ENV });

  const guardrail = new SecureGuardrail(stack, 'Guardrail', { guardrailName: 'everything', mandatoryTags: MANDATORY_TAGS });
  guardrail.createVersion('Baseline');
  const assistant = new lambda.Function(stack, 'Assistant', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  guardrail.grantApply(assistant);

  new bedrock.CfnGuardrail(stack, 'Legacy', { name: 'legacy', blockedInputMessaging: 'No.', blockedOutputsMessaging: 'No.' });
  GuardrailKeyRemediationAspect.applyTo(stack, { mandatoryTags: MANDATORY_TAGS });

  const keyMonitoring = new GuardrailKeyMonitoring(stack, 'KeyMonitoring', { keys: [guardrail.encryptionKey], guardrails: [guardrail] });
  const ruleProps = configRuleProps(stack);
  const rule = new GuardrailEncryptionConfigRule(stack, 'EncryptionRule', { alarmTopic: keyMonitoring.topic, ...ruleProps });
  guardrail.grantRead(rule);
  new GuardrailComplianceDashboard(stack, 'Dashboard', { configRule: rule, keyMonitoring, guardrails: [guardrail] });
  // What each account of an organization gets, and the security account's hub (one stack here, for the packs).
  const hub = new GuardrailFindingsHub(stack, 'FindingsHub', { organization: { organizationId: 'o-a1b2c3d4e5' } });
  new GuardrailGovernanceBaseline(stack, 'Baseline', {
    findingsEventBusArn: hub.eventBus.eventBusArn,
    configRule: { ...ruleProps, configRuleName: 'baseline-guardrail-encryption' },
    // The account's access-log bucket: without one, Control Tower's CT.S3.PR.2 (not acknowledgeable) reports the hook's log bucket.
    deploymentHookProps: { serverAccessLogsBucket: s3.Bucket.fromBucketName(stack, 'AccessLogs', 'access-logs-111111111111') },
  });
  extend(stack);

  // CDK prints the validation report to standard error.
  const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  let assembly;
  try {
    assembly = app.synth();
  } finally {
    consoleError.mockRestore();
  }
  return { app, stack, templatePath: path.join(assembly.directory, stack.templateFile), assistant };
}
