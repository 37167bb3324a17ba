import { BedrockClient } from '@aws-sdk/client-bedrock';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { KMSClient } from '@aws-sdk/client-kms';
import { ConfigRuleInvocation, EvaluationSummary, evaluateGuardrailEncryption, settingsFromEnvironment } from './private/handler/evaluate';

// One attempt per SDK call: the handler retries with its own back-off, so retries are not multiplied.
// Clients are built once per execution environment and reused across invocations.
const clientConfig = { maxAttempts: 1 };
const bedrock = new BedrockClient(clientConfig);
const kms = new KMSClient(clientConfig);
const config = new ConfigServiceClient(clientConfig);

/** Entry point of the `GuardrailEncryptionConfigRule` Lambda function (bundled by projen). */
export async function handler(event: ConfigRuleInvocation): Promise<EvaluationSummary> {
  return evaluateGuardrailEncryption(event, { bedrock, kms, config, settings: settingsFromEnvironment(process.env) });
}
