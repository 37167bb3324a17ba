import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { everyConstruct } from '../helpers/every-construct';

/**
 * The AWS Control Tower proactive controls (the cfn-guard rules of @cdklabs/cdk-validator-cfnguard, run
 * as CDK validates the app) that the app's templates fail, by rule, with the failing resources of
 * `resourceType`.
 */
function controlTowerFailures(build: (stack: Stack) => void, resourceType: string): { failures: Record<string, string[]>; checked: number } {
  const { app, templatePath } = everyConstruct((a) => Validations.of(a).addPlugins(new CfnGuardValidator({ controlTowerRulesEnabled: true })), build);
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf-8'));
  const guard = report.pluginReports.find((r: any) => r.pluginName === 'cdk-validator-cfnguard');
  expect(guard).toBeDefined();
  const failures: Record<string, string[]> = {};
  for (const violation of guard.violations) {
    const ids = (violation.violatingConstructs as any[])
      .map((c) => c.cloudFormationResource.logicalId)
      .filter((id) => template.Resources[id]?.Type === resourceType);
    if (ids.length > 0) failures[violation.ruleName] = ids.sort();
  }
  return { failures, checked: Object.values(template.Resources).filter((r: any) => r.Type === resourceType).length };
}

describe('AWS Control Tower proactive controls (@cdklabs/cdk-validator-cfnguard)', () => {
  test('pass on every key the library creates, CT.KMS.PR.3 included', () => {
    // The guardrail's key, the remediated guardrail's key, the alerts key, the Config rule's key, and the
    // organization baseline's (its rule's, its hook log's and its forwarding's) and the findings hub's.
    expect(controlTowerFailures(() => undefined, 'AWS::KMS::Key')).toEqual({ failures: {}, checked: 8 });
  });

  test('fail CT.KMS.PR.3 on a key without the statement, so the check above can fail', () => {
    const { failures } = controlTowerFailures((stack) => new kms.Key(stack, 'PlainKey', { enableKeyRotation: true }), 'AWS::KMS::Key');
    expect(failures).toEqual({ kms_create_grant_aws_service_check: [expect.stringMatching(/^PlainKey/)] });
  });
});
