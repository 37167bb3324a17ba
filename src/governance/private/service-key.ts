import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledgements';
import { serviceKeyPolicy } from './service-key-statements';

/** How a key of the governance constructs is made: which AWS services may use it, and for what. */
export interface ServiceKeyProps {
  readonly description: string;
  /** The statements that let services use the key, from `service-key-statements` (administration and the grant deny are added). */
  readonly statements: iam.PolicyStatement[];
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A rotated key for the governance constructs' own data (alerts, logs, undelivered messages), with
 * the policy of `serviceKeyPolicy`.
 */
export function createServiceKey(scope: Construct, id: string, props: ServiceKeyProps): kms.Key {
  return new kms.Key(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    removalPolicy: props.removalPolicy,
    policy: serviceKeyPolicy(props.statements),
  });
}

/**
 * An encrypted, TLS-only queue that keeps what a service could not deliver for 14 days (SQS's
 * longest retention). Its explicit redrive-allow policy (`allowAll`, SQS's default) marks it as a
 * dead-letter queue for AWS Control Tower's CT.SQS.PR.1; a dead-letter queue of its own would only
 * move the question one queue further, so cdk-nag's Serverless-SQSRedrivePolicy is acknowledged.
 */
export function createDeadLetterQueue(scope: Construct, id: string, key: kms.IKey, purpose: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
  });
  acknowledge(queue, ['Serverless-SQSRedrivePolicy'], `This queue is the dead-letter queue ${purpose}; nothing reads it automatically, so nothing would be redriven.`);
  return queue;
}

/**
 * What a sender to an encrypted queue needs (SQS developer guide, "Configuring KMS permissions":
 * kms:GenerateDataKey and kms:Decrypt), without the action wildcards of `Queue.grantSendMessages`.
 */
export function grantSendToDeadLetterQueue(grantee: iam.IGrantable, queue: sqs.IQueue, key: kms.IKey): void {
  iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [queue.queueArn] });
  iam.Grant.addToPrincipal({ grantee, actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resourceArns: [key.keyArn] });
}
