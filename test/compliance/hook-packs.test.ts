import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { GuardrailEncryptionHook, GuardrailEncryptionHookProps } from '../../src';
import { registerPeerChecks } from '../helpers/peer-packs';
import { ENV } from '../helpers/synth';

/** `<plugin>: <rule>` → construct paths the packs report as errors on a stack holding only the hook. */
function packErrors(props: (stack: Stack) => GuardrailEncryptionHookProps = () => ({})): Record<string, string[]> {
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'hook-packs-')),
    context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
  });
  registerPeerChecks(app);
  const stack = new Stack(app, 'Governance', { env: ENV });
  new GuardrailEncryptionHook(stack, 'GuardHook', props(stack));
  const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    app.synth();
  } finally {
    consoleError.mockRestore();
  }
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf-8'));
  const errors: Record<string, string[]> = {};
  for (const plugin of report.pluginReports) {
    for (const violation of plugin.violations) {
      if (violation.severity !== 'error' && violation.severity !== 'fatal') continue;
      const paths = (violation.violatingConstructs as any[]).map((c) => c.constructPath as string);
      (errors[`${plugin.pluginName}: ${violation.ruleName}`] ??= []).push(...paths);
    }
  }
  return errors;
}

describe('the packs the other governance constructs pass, on GuardrailEncryptionHook', () => {
  test('report nothing but Control Tower\'s server access logging (CT.S3.PR.2), which cannot be acknowledged, without serverAccessLogsBucket', () => {
    expect(packErrors()).toEqual({
      'cdk-validator-cfnguard: s3_bucket_logging_enabled_check': ['Governance/GuardHook/LogBucket/Resource'],
    });
  });

  test('report nothing with serverAccessLogsBucket', () => {
    expect(packErrors((stack) => ({ serverAccessLogsBucket: s3.Bucket.fromBucketName(stack, 'AccessLogs', 'access-logs-111111111111') }))).toEqual({});
  });
});
