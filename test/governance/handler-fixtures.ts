import { AccessDeniedException, BedrockClient, ResourceNotFoundException, ThrottlingException } from '@aws-sdk/client-bedrock';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { KMSClient, NotFoundException, UnsupportedOperationException } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { EvaluationDependencies, EvaluationSettings } from '../../src/governance/private/handler/evaluate';

export const REGION = 'eu-west-1';
export const ACCOUNT = '111111111111';
export const RULE_NAME = 'guardrail-encryption';
export const NOTIFICATION_TIME = '2026-03-01T10:00:00.000Z';

export function guardrailArn(id: string, region = REGION, account = ACCOUNT): string {
  return `arn:aws:bedrock:${region}:${account}:guardrail/${id}`;
}

export function keyArn(id: string, region = REGION, account = ACCOUNT): string {
  return `arn:aws:kms:${region}:${account}:key/${id}`;
}

/** A key policy as GuardrailKeyPolicy writes it, with `statements` for its use. */
export function keyPolicy(statements: object[] = [{
  Sid: 'GuardrailUseThroughBedrock',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'kms:Decrypt',
  Resource: '*',
  Condition: { StringEquals: { 'kms:ViaService': `bedrock.${REGION}.amazonaws.com` }, ArnLike: { 'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNT}:role/App`] } },
}]): string {
  const administration = { Sid: 'KeyAdministration', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['kms:DescribeKey', 'kms:PutKeyPolicy'], Resource: '*' };
  return JSON.stringify({ Version: '2012-10-17', Statement: [administration, ...statements] });
}

/** The statement `enforceInAccount` adds: every principal of the account decrypts through Bedrock in the key's Region. */
export function accountWideStatement(region = REGION, account = ACCOUNT): object {
  return {
    Sid: 'EnforcedGuardrailUseThroughBedrock',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 'kms:Decrypt',
    Resource: '*',
    Condition: { StringEquals: { 'kms:ViaService': `bedrock.${region}.amazonaws.com`, 'kms:CallerAccount': account } },
  };
}

export function invocation(resultToken = 'token-1') {
  return {
    invokingEvent: JSON.stringify({
      awsAccountId: ACCOUNT,
      notificationCreationTime: NOTIFICATION_TIME,
      messageType: 'ScheduledNotification',
      recordVersion: '1.0',
    }),
    ruleParameters: '{}',
    resultToken,
    configRuleName: RULE_NAME,
    accountId: ACCOUNT,
  };
}

const metadata = { $metadata: {} };
export const errors = {
  throttling: () => new ThrottlingException({ message: 'Rate exceeded', ...metadata }),
  bedrockDenied: () => new AccessDeniedException({ message: 'not authorized to perform kms:Decrypt', ...metadata }),
  guardrailGone: () => new ResourceNotFoundException({ message: 'no such guardrail', ...metadata }),
  keyGone: () => new NotFoundException({ message: 'key does not exist', ...metadata }),
  rotationUnsupported: () => new UnsupportedOperationException({ message: 'imported key material', ...metadata }),
  named: (name: string, message = name) => Object.assign(new Error(message), { name }),
};

/**
 * The handler's dependencies for tests that mock the SDK clients with aws-sdk-client-mock (which mocks
 * every instance of a client class): new clients of the test Region, the rule's default settings.
 */
export function mockedClientDependencies(
  log: (line: string) => void = () => undefined, settings: Partial<EvaluationSettings> = {},
): EvaluationDependencies {
  return {
    bedrock: new BedrockClient({ region: REGION }),
    kms: new KMSClient({ region: REGION }),
    config: new ConfigServiceClient({ region: REGION }),
    tagging: new ResourceGroupsTaggingAPIClient({ region: REGION }),
    settings: { region: REGION, metricNamespace: 'SecureGuardrail', maxRotationDays: 365, ...settings },
    log,
  };
}
