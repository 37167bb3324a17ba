import { BedrockClient } from '@aws-sdk/client-bedrock';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { KMSClient } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { RemediationEvent, RemediationResult, remediateGuardrail } from './remediate';
import { remediationSettingsFromEnvironment } from './settings';
import { SDK_CLIENT_CONFIG } from '../handler/sdk';

// Clients are built once per execution environment; the SDK retries throttling and 5xx (SDK_CLIENT_CONFIG).
const bedrock = new BedrockClient(SDK_CLIENT_CONFIG);
const kms = new KMSClient(SDK_CLIENT_CONFIG);
const tagging = new ResourceGroupsTaggingAPIClient(SDK_CLIENT_CONFIG);
const config = new ConfigServiceClient(SDK_CLIENT_CONFIG);

/** Entry point of the remediation function of `GuardrailEncryptionConfigRule` (bundled by projen), invoked by its SSM Automation document. */
export async function handler(event: RemediationEvent): Promise<RemediationResult> {
  return remediateGuardrail(event, { bedrock, kms, tagging, config, settings: remediationSettingsFromEnvironment(process.env) });
}
