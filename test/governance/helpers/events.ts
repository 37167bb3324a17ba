/** CloudTrail and KMS events as EventBridge delivers them, shaped after the KMS developer guide's examples. */
export function cloudTrailKmsEvent(eventName: string, keyArn: string, userIdentity: Record<string, unknown> = { type: 'AssumedRole', arn: 'arn:aws:sts::111111111111:assumed-role/Admin/alice' }) {
  return {
    'version': '0',
    'detail-type': 'AWS API Call via CloudTrail',
    'source': 'aws.kms',
    'account': '111111111111',
    'region': 'eu-west-1',
    'resources': [],
    'detail': {
      eventVersion: '1.09',
      userIdentity,
      eventSource: 'kms.amazonaws.com',
      eventName,
      awsRegion: 'eu-west-1',
      sourceIPAddress: userIdentity.invokedBy ?? '192.0.2.0',
      // The caller's identifier, here a bare key id: matching it would miss calls made with an alias.
      requestParameters: { keyId: keyArn.split('/')[1] },
      resources: [{ accountId: '111111111111', type: 'AWS::KMS::Key', ARN: keyArn }],
      eventType: 'AwsApiCall',
    },
  };
}

/** A grant Bedrock creates on the caller's behalf while it creates a CMK guardrail. */
export const BEDROCK_ON_BEHALF = {
  type: 'AssumedRole',
  arn: 'arn:aws:sts::111111111111:assumed-role/cdk-hnb659fds-cfn-exec-role/session',
  invokedBy: 'bedrock.amazonaws.com',
};

export function kmsKeyDeletionEvent(keyArn: string) {
  return {
    'version': '0',
    'detail-type': 'KMS CMK Deletion',
    'source': 'aws.kms',
    'account': '111111111111',
    'region': 'eu-west-1',
    'resources': [keyArn],
    'detail': { 'key-id': keyArn.split('/')[1] },
  };
}
