import { BedrockClient, GetGuardrailCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, guardrailArn, invocation, keyArn, mockedClientDependencies } from './handler-fixtures';
import { GuardrailEncryptionAspect } from '../../src';
import { evaluateGuardrailEncryption } from '../../src/governance/private/handler/evaluate';
import { cfnGuardrail, compliantKey } from '../corpus/corpus-app';
import { ENV } from '../helpers/synth';

/**
 * A key check is written once, with its wording (src/core/key-checks.ts): the pack's finding at synth
 * and the Config rule's annotation at runtime name the same rule with the same sentence.
 */

const bedrock = mockClient(BedrockClient);
const kmsClient = mockClient(KMSClient);
const config = mockClient(ConfigServiceClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

const KEY_ID = '2222bbbb-2222-2222-2222-222222222222';
const ELSEWHERE = keyArn(KEY_ID, 'us-east-1');

interface KeyAnswers {
  readonly arn: string;
  readonly rotation?: boolean;
  readonly spec?: string;
}

/** The aspect's errors on the stack's guardrail, each `[<rule id>] <info> <explanation> …`. */
function synthFindings(build: (stack: Stack) => void): string[] {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  build(stack);
  GuardrailEncryptionAspect.applyTo(app, { report: false });
  app.synth();
  return stack.node.findChild('Guardrail').node.metadata.filter((m) => m.type === 'aws:cdk:error').map((m) => String(m.data));
}

function withKey(spoil: (key: kms.CfnKey) => void) {
  return (stack: Stack) => {
    const key = compliantKey(stack, 'Key');
    spoil(key.node.defaultChild as kms.CfnKey);
    cfnGuardrail(stack, 'Guardrail', key.keyArn);
  };
}

/** The Config rule's annotation on a guardrail whose key KMS describes as `key`. */
async function runtimeAnnotation(key: KeyAnswers): Promise<string> {
  for (const client of [bedrock, kmsClient, config, tagging]) client.reset();
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
  bedrock.on(ListGuardrailsCommand).resolves({ guardrails: [{ id: 'g', arn: guardrailArn('g'), name: 'g', status: 'READY', version: 'DRAFT', createdAt: new Date(0), updatedAt: new Date(0) }] });
  bedrock.on(GetGuardrailCommand).resolves({ kmsKeyArn: key.arn } as any);
  kmsClient.on(DescribeKeyCommand).resolves({
    KeyMetadata: { KeyId: KEY_ID, Arn: key.arn, KeyManager: 'CUSTOMER', KeyState: 'Enabled', KeySpec: (key.spec ?? 'SYMMETRIC_DEFAULT') as any, KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' },
  });
  kmsClient.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: key.rotation ?? true, RotationPeriodInDays: 365 });
  kmsClient.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:PutKeyPolicy', Resource: '*' }] }) });
  await evaluateGuardrailEncryption(invocation(), mockedClientDependencies());
  const evaluations = config.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);
  expect(evaluations).toHaveLength(1);
  return evaluations[0].Annotation!;
}

test.each<[string, string, (stack: Stack) => void, KeyAnswers]>([
  ['a key without rotation', "[GuardrailEncryption-KeyRotation] The guardrail's KMS key does not rotate automatically at least every 365 days",
    withKey((key) => key.addPropertyOverride('EnableKeyRotation', false)), { arn: keyArn(KEY_ID), rotation: false }],
  ['an asymmetric key', "[GuardrailEncryption-KeySymmetric] The guardrail's KMS key is not a symmetric encryption key (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT)",
    withKey((key) => key.addPropertyOverride('KeySpec', 'RSA_2048')), { arn: keyArn(KEY_ID), spec: 'RSA_2048' }],
  ['a key of another Region', "[GuardrailEncryption-KeyPlacement] The guardrail's KMS key is in another Region or account than the guardrail",
    (stack) => cfnGuardrail(stack, 'Guardrail', ELSEWHERE), { arn: ELSEWHERE }],
])('%s is reported with the same rule id and sentence at synth and at runtime', async (_name, finding, build, key) => {
  const atSynth = synthFindings(build);
  const atRuntime = await runtimeAnnotation(key);

  expect(atSynth.filter((message) => message.startsWith(`${finding}. `))).toHaveLength(1);
  expect(atRuntime).toMatch(/^Non-compliant \(since [^)]+\): /);
  expect(atRuntime.slice(atRuntime.indexOf('): ') + 3)).toMatch(new RegExp(`^${literally(finding)}: `));
});

function literally(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
