/*
 * The key policy statements of the governance constructs' own keys (the alerts key of
 * GuardrailKeyMonitoring, the log and dead-letter key of GuardrailEncryptionConfigRule), and those
 * GuardrailKeyMonitoring adds to the key of a topic it is given: who administers them and which AWS
 * service may use them, for what.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { KEY_ADMIN_ACTIONS } from '../../core/kms-actions';
import { GuardrailKeyPolicy } from '../../key/guardrail-key-policy';

/**
 * The whole policy of a governance key: the account administers it without being able to use it;
 * only the services `statements` name use it, and grants are refused unless they are for AWS
 * resources (AWS Control Tower CT.KMS.PR.3).
 */
export function serviceKeyPolicy(statements: iam.PolicyStatement[]): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'KeyAdministration',
        principals: [new iam.AccountRootPrincipal()],
        actions: [...KEY_ADMIN_ACTIONS],
        resources: ['*'],
      }),
      ...statements,
      GuardrailKeyPolicy.grantsForAwsResourcesOnlyStatement(),
    ],
  });
}

/**
 * Lets principals of the account use the key through SQS only, as far as their IAM policies allow:
 * to send to and read the construct's encrypted dead-letter queues. The condition is the one of the
 * AWS managed key for SQS (`kms:ViaService` and `kms:CallerAccount`).
 */
export function sqsThroughIamStatement(scope: Construct): iam.PolicyStatement {
  const stack = Stack.of(scope);
  return new iam.PolicyStatement({
    sid: 'AllowAccountThroughSqs',
    principals: [new iam.AccountRootPrincipal()],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['*'],
    conditions: {
      StringEquals: {
        'kms:ViaService': `sqs.${stack.region}.${stack.urlSuffix}`,
        'kms:CallerAccount': stack.account,
      },
    },
  });
}

/**
 * EventBridge, to keep what it could not deliver in an encrypted dead-letter queue. Without
 * `aws:SourceArn`: KMS is assumed not to receive it from EventBridge for a queue, as it does not for
 * a topic (see `eventBridgeTopicKeyStatement`; not verified); the queue policy admits the rules only.
 */
export function eventBridgeDeadLetterKeyStatement(sid: string): iam.PolicyStatement {
  return deliveryKeyStatement(sid, 'events.amazonaws.com');
}

/**
 * EventBridge, to publish to the topics `topicArn` matches (SNS's encryption context names the
 * topic). No `aws:SourceArn`: KMS does not receive it when EventBridge delivers to an encrypted topic
 * ("Adding the aws:SourceAccount and aws:SourceArn to a AWS KMS policy is not supported for
 * EventBridge-to-encrypted topics", SNS developer guide, sns-key-management).
 */
export function eventBridgeTopicKeyStatement(sid: string, topicArn: string): iam.PolicyStatement {
  return deliveryKeyStatement(sid, 'events.amazonaws.com', { ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } });
}

/** CloudWatch, to publish the state changes of one alarm (`alarmArn`) to an encrypted topic. */
export function cloudWatchAlarmKeyStatement(sid: string, alarmArn: string): iam.PolicyStatement {
  return deliveryKeyStatement(sid, 'cloudwatch.amazonaws.com', { ArnEquals: { 'aws:SourceArn': alarmArn } });
}

/**
 * Lets CloudWatch Logs in this Region encrypt and decrypt log groups of this account and Region with
 * the key (CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs using AWS KMS", whose
 * action wildcards are written out). The log group cannot be named exactly: it refers to the key, and
 * giving it a fixed name would make a re-created stack collide with the retained log group.
 */
export function cloudWatchLogsKeyStatement(scope: Construct): iam.PolicyStatement {
  const stack = Stack.of(scope);
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogs',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
    actions: [
      'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair',
      'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
    ],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
          service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    },
  });
}

/**
 * Lets an AWS service use a key to deliver to an encrypted topic or queue: kms:GenerateDataKey and
 * kms:Decrypt, what SNS and SQS ask of publishers (SNS developer guide, "Configure AWS KMS permissions
 * for AWS services", whose kms:GenerateDataKey* is written out).
 */
function deliveryKeyStatement(sid: string, service: string, conditions?: Record<string, unknown>): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal(service)],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['*'],
    conditions,
  });
}
