import { BedrockClient } from '@aws-sdk/client-bedrock';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { lambdaSelfInvoker } from './private/handler/continuation';
import { ConfigRuleInvocation, EvaluationSummary, evaluateGuardrailEncryption, settingsFromEnvironment } from './private/handler/evaluate';
import { SDK_CLIENT_CONFIG } from './private/handler/sdk';

// Clients are built once per execution environment and reused across invocations; the SDK retries.
const bedrock = new BedrockClient(SDK_CLIENT_CONFIG);
const kms = new KMSClient(SDK_CLIENT_CONFIG);
const config = new ConfigServiceClient(SDK_CLIENT_CONFIG);
const tagging = new ResourceGroupsTaggingAPIClient(SDK_CLIENT_CONFIG);
const lambda = new LambdaClient(SDK_CLIENT_CONFIG);

/** What the handler reads of Lambda's context object. */
export interface InvocationContext {
  readonly functionName: string;
  getRemainingTimeInMillis(): number;
}

/**
 * Entry point of the `GuardrailEncryptionConfigRule` Lambda function (bundled by projen). With
 * Lambda's context, it watches the time left and continues a run it cannot finish in a follow-up
 * invocation of itself.
 */
export async function handler(event: ConfigRuleInvocation, context?: InvocationContext): Promise<EvaluationSummary> {
  return evaluateGuardrailEncryption(event, {
    bedrock,
    kms,
    config,
    tagging,
    settings: settingsFromEnvironment(process.env),
    remainingTimeMs: context ? () => context.getRemainingTimeInMillis() : undefined,
    continueRun: context ? lambdaSelfInvoker(lambda, context.functionName) : undefined,
  });
}
