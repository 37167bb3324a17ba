import { BedrockClient, GetGuardrailCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, guardrailArn, invocation, keyArn, NOTIFICATION_TIME, REGION, RULE_NAME, mockedClientDependencies } from './handler-fixtures';
import { evaluateGuardrailEncryption } from '../../src/governance/private/handler/evaluate';
import { keyPolicyJson } from '../../src/key/key-policy-statements';

/*
 * Time to remediate is measured by the rule (`TimeToRemediate`: from a guardrail's first NON_COMPLIANT
 * result to its first COMPLIANT one, published by the run that finds it COMPLIANT). The remediation
 * asks the rule to evaluate as soon as it has re-keyed a guardrail (StartConfigRulesEvaluation, see
 * remediation-handler.test.ts), so that run is the one right after the remediation. For that run to
 * record the transition, the key the remediation created must be one the rule judges COMPLIANT, and
 * the rule must still be able to read the guardrail: these tests run the rule's handler on it.
 */

const bedrock = mockClient(BedrockClient);
const kms = mockClient(KMSClient);
const config = mockClient(ConfigServiceClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

const KEY = keyArn('11111111-2222-3333-4444-555555555555');
const EVALUATOR = `arn:aws:iam::${ACCOUNT}:role/evaluator`;

/** The policy the remediation writes for a key (as in remediation-handler.test.ts). */
const CREATED_POLICY = keyPolicyJson({ partition: 'aws', region: REGION, account: ACCOUNT, urlSuffix: 'amazonaws.com' }, {
  admins: [],
  deployers: [`arn:aws:iam::${ACCOUNT}:role/remediation`],
  users: [`arn:aws:iam::${ACCOUNT}:role/apps/*`, EVALUATOR],
  usersByTag: { key: 'team', value: 'support' },
  auditors: [EVALUATOR],
});

beforeEach(() => {
  for (const client of [bedrock, kms, config, tagging]) client.reset();
  bedrock.on(ListGuardrailsCommand).resolves({ guardrails: [{ id: 'g', arn: guardrailArn('g'), version: 'DRAFT', name: 'g', status: 'READY', createdAt: new Date(), updatedAt: new Date() }] });
  bedrock.on(GetGuardrailCommand).resolves({ guardrailId: 'g', guardrailArn: guardrailArn('g'), name: 'g', version: 'DRAFT', kmsKeyArn: KEY } as any);
  kms.on(DescribeKeyCommand).resolves({
    KeyMetadata: { KeyId: KEY.split('/')[1], Arn: KEY, KeyManager: 'CUSTOMER', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' },
  });
  kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
  kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(CREATED_POLICY), PolicyName: 'default' });
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [], PaginationToken: '' });
});

function run(lastAnnotation: string) {
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
    EvaluationResults: [{
      EvaluationResultIdentifier: {
        EvaluationResultQualifier: { ConfigRuleName: RULE_NAME, ResourceType: 'AWS::Bedrock::Guardrail', ResourceId: guardrailArn('g') },
        OrderingTimestamp: new Date('2026-02-01T00:00:00Z'),
      },
      ComplianceType: 'NON_COMPLIANT',
      Annotation: lastAnnotation,
    }],
  });
  const lines: string[] = [];
  const summary = evaluateGuardrailEncryption(invocation(), mockedClientDependencies((line) => lines.push(line)));
  return { summary, lines };
}

test('the rule judges a guardrail on a key the remediation created COMPLIANT, and publishes the time since it became non-compliant', async () => {
  // The guardrail became non-compliant 6 hours before the run the remediation asked for.
  const { summary, lines } = run('Non-compliant (since 2026-03-01T04:00Z): no customer-managed key (AWS owned key).');
  await expect(summary).resolves.toMatchObject({ compliant: 1, nonCompliant: 0, remediated: 1 });
  const evaluations = config.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);
  expect(evaluations).toEqual([expect.objectContaining({ ComplianceResourceId: guardrailArn('g'), ComplianceType: 'COMPLIANT' })]);
  const record = lines.map((line) => { try { return JSON.parse(line); } catch { return undefined; } }).find((r) => r?._aws);
  expect(record.TimeToRemediate).toEqual([(new Date(NOTIFICATION_TIME).getTime() - new Date('2026-03-01T04:00:00Z').getTime()) / 1000]);
});

test('the judgement reads the created policy: the same policy with the callers\' Decrypt opened to the whole account is NON_COMPLIANT, and nothing is remediated', async () => {
  const opened = {
    ...CREATED_POLICY,
    Statement: CREATED_POLICY.Statement.map((statement) => statement.Sid === 'GuardrailUseThroughBedrock' ? { ...statement, Condition: undefined } : statement),
  };
  kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(opened), PolicyName: 'default' });
  const { summary } = run('Non-compliant (since 2026-03-01T04:00Z): no customer-managed key (AWS owned key).');
  await expect(summary).resolves.toMatchObject({ compliant: 0, nonCompliant: 1, remediated: 0 });
});
