import {
  BedrockClient, GetGuardrailCommand, GetResourcePolicyCommand, ListEnforcedGuardrailsConfigurationCommand, ListGuardrailsCommand,
} from '@aws-sdk/client-bedrock';
import { ConfigServiceClient, Evaluation, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, errors, guardrailArn, invocation, keyArn, REGION, mockedClientDependencies } from './handler-fixtures';
import { evaluateGuardrailEncryption } from '../../src/governance/private/handler/evaluate';

/*
 * The Config rule judges the key of an enforced or shared guardrail as the pack does: account-wide
 * (enforced) or organization-wide (shared) decrypts through Bedrock in the key's Region are accepted
 * there, and only there.
 */

const bedrock = mockClient(BedrockClient);
const kms = mockClient(KMSClient);
const config = mockClient(ConfigServiceClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

const KEY = keyArn('4444dddd-4444-4444-4444-444444444444');
const VIA_BEDROCK = { 'kms:ViaService': `bedrock.${REGION}.amazonaws.com` };
const ACCOUNT_WIDE = { Sid: 'EnforcedGuardrailUseThroughBedrock', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { ...VIA_BEDROCK, 'kms:CallerAccount': ACCOUNT } } };
const ORGANIZATION_WIDE = { Sid: 'SharedGuardrailUseThroughBedrock', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { ...VIA_BEDROCK, 'aws:PrincipalOrgID': 'o-abcdefghij' } } };
const RESOURCE_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'bedrock:ApplyGuardrail', Resource: guardrailArn('g1'), Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } } }] });

beforeEach(() => {
  for (const client of [bedrock, kms, config, tagging]) client.reset();
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [], PaginationToken: '' });
  const summary = { id: 'g1', arn: guardrailArn('g1'), name: 'g1', status: 'READY' as const, version: 'DRAFT', createdAt: new Date(0), updatedAt: new Date(0) };
  bedrock.on(ListGuardrailsCommand).resolves({ guardrails: [summary] });
  bedrock.on(GetGuardrailCommand).resolves({ guardrailId: 'g1', guardrailArn: guardrailArn('g1'), version: 'DRAFT', kmsKeyArn: KEY } as any);
  bedrock.on(GetResourcePolicyCommand).rejects(errors.named('ResourceNotFoundException', 'no policy'));
  bedrock.on(ListEnforcedGuardrailsConfigurationCommand).resolves({ guardrailsConfig: [] });
});

function givenKeyPolicy(...statements: object[]): void {
  const administration = { Sid: 'KeyAdministration', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['kms:DescribeKey', 'kms:PutKeyPolicy'], Resource: '*' };
  kms.on(DescribeKeyCommand).resolves({
    KeyMetadata: { KeyId: KEY.split('/')[1], Arn: KEY, KeyManager: 'CUSTOMER', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' },
  });
  kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
  kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [administration, ...statements] }), PolicyName: 'default' });
}

async function judged(): Promise<Evaluation> {
  await evaluateGuardrailEncryption(invocation(), mockedClientDependencies());
  const evaluations = config.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);
  expect(evaluations).toHaveLength(1);
  return evaluations[0];
}

const LEAST_PRIVILEGE = /^Non-compliant \(since 2026-03-01T10:00Z\): \[GuardrailEncryption-KeyPolicyLeastPrivilege\] in the policy of its key, statement /;

describe('the Config rule on the key of an enforced or shared guardrail', () => {
  test('the account-wide statement is accepted when the guardrail is enforced in the account', async () => {
    givenKeyPolicy(ACCOUNT_WIDE);
    bedrock.on(ListEnforcedGuardrailsConfigurationCommand).resolves({ guardrailsConfig: [{ guardrailArn: guardrailArn('g1'), guardrailVersion: '1' }] });
    expect(await judged()).toMatchObject({ ComplianceType: 'COMPLIANT' });
  });

  test('the organization-wide statement is accepted when the guardrail has a resource policy', async () => {
    givenKeyPolicy(ORGANIZATION_WIDE);
    bedrock.on(GetResourcePolicyCommand).resolves({ resourcePolicy: RESOURCE_POLICY });
    expect(await judged()).toMatchObject({ ComplianceType: 'COMPLIANT' });
    expect(bedrock.commandCalls(GetResourcePolicyCommand)[0].args[0].input).toEqual({ resourceArn: guardrailArn('g1') });
  });

  test('the same statements on a guardrail neither enforced nor shared are flagged', async () => {
    givenKeyPolicy(ORGANIZATION_WIDE);
    expect(await judged()).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(LEAST_PRIVILEGE) });
  });

  test('the organization-wide statement on a guardrail only enforced in the account is flagged', async () => {
    givenKeyPolicy(ORGANIZATION_WIDE);
    bedrock.on(ListEnforcedGuardrailsConfigurationCommand).resolves({ guardrailsConfig: [{ guardrailId: 'g1', guardrailVersion: '1' }] });
    expect(await judged()).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: expect.stringMatching(/statement SharedGuardrailUseThroughBedrock lets principals of other accounts call kms:Decrypt through Bedrock in the key's Region/),
    });
  });

  test('without kms:ViaService the statement is flagged even when the guardrail is enforced and shared', async () => {
    givenKeyPolicy({ ...ACCOUNT_WIDE, Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT } } });
    bedrock.on(GetResourcePolicyCommand).resolves({ resourcePolicy: RESOURCE_POLICY });
    bedrock.on(ListEnforcedGuardrailsConfigurationCommand).resolves({ guardrailsConfig: [{ guardrailArn: guardrailArn('g1') }] });
    expect(await judged()).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(/kms:Decrypt directly/) });
  });

  test('when the resource policy cannot be read and the guardrail is not enforced, the version is not evaluated, the call named', async () => {
    givenKeyPolicy(ACCOUNT_WIDE);
    bedrock.on(GetResourcePolicyCommand).rejects(errors.named('AccessDeniedException', 'no'));
    bedrock.on(ListEnforcedGuardrailsConfigurationCommand).resolves({ guardrailsConfig: [] });
    const evaluation = await judged();
    expect(evaluation).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(/^Not evaluated.*it cannot be verified: bedrock:GetResourcePolicy was denied \(AccessDeniedException: no\)/) });
    expect(evaluation.Annotation).not.toMatch(LEAST_PRIVILEGE);
  });

  test('an enforced guardrail\'s key may be used account-wide even when its resource policy cannot be read', async () => {
    givenKeyPolicy(ACCOUNT_WIDE);
    bedrock.on(GetResourcePolicyCommand).rejects(errors.named('AccessDeniedException', 'no'));
    bedrock.on(ListEnforcedGuardrailsConfigurationCommand).resolves({ guardrailsConfig: [{ guardrailArn: guardrailArn('g1') }] });
    expect(await judged()).toMatchObject({ ComplianceType: 'COMPLIANT' });
  });

  test('when the enforced configurations cannot be listed, the version is not evaluated, the call named', async () => {
    givenKeyPolicy(ACCOUNT_WIDE);
    bedrock.on(ListEnforcedGuardrailsConfigurationCommand).rejects(errors.named('ThrottlingException', 'slow down'));
    expect(await judged()).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(/^Not evaluated.*it cannot be verified: bedrock:ListEnforcedGuardrailsConfiguration failed \(ThrottlingException: slow down\)/) });
  });

  test('a key whose policy exposes nothing is judged without reading either', async () => {
    givenKeyPolicy();
    expect(await judged()).toMatchObject({ ComplianceType: 'COMPLIANT' });
    expect(bedrock.commandCalls(GetResourcePolicyCommand)).toHaveLength(0);
    expect(bedrock.commandCalls(ListEnforcedGuardrailsConfigurationCommand)).toHaveLength(0);
  });

  test('the enforced configurations are listed once per run, every page', async () => {
    givenKeyPolicy(ACCOUNT_WIDE);
    bedrock.on(ListEnforcedGuardrailsConfigurationCommand)
      .resolvesOnce({ guardrailsConfig: [{ guardrailArn: guardrailArn('other') }], nextToken: 'page2' })
      .resolvesOnce({ guardrailsConfig: [{ guardrailArn: guardrailArn('g1') }] });
    expect(await judged()).toMatchObject({ ComplianceType: 'COMPLIANT' });
    expect(bedrock.commandCalls(ListEnforcedGuardrailsConfigurationCommand).map((call) => call.args[0].input)).toEqual([{ nextToken: undefined }, { nextToken: 'page2' }]);
  });
});
