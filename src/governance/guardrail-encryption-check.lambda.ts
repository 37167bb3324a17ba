import { BedrockClient } from '@aws-sdk/client-bedrock';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { KMSClient } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { ConfigRuleInvocation, EvaluationSummary, evaluateGuardrailEncryption, settingsFromEnvironment } from './private/handler/evaluate';
import { SDK_CLIENT_CONFIG } from './private/handler/sdk';

// Clients are built once per execution environment and reused across invocations; the SDK retries.
const bedrock = new BedrockClient(SDK_CLIENT_CONFIG);
const kms = new KMSClient(SDK_CLIENT_CONFIG);
const config = new ConfigServiceClient(SDK_CLIENT_CONFIG);
const tagging = new ResourceGroupsTaggingAPIClient(SDK_CLIENT_CONFIG);

/** Entry point of the `GuardrailEncryptionConfigRule` Lambda function (bundled by projen). */
export async function handler(event: ConfigRuleInvocation): Promise<EvaluationSummary> {
  return evaluateGuardrailEncryption(event, { bedrock, kms, config, tagging, settings: settingsFromEnvironment(process.env) });
}
