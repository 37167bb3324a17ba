import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledgements';
import { KEY_ADMIN_ACTIONS } from '../../core/kms-actions';
import { GuardrailKeyPolicy } from '../../key/guardrail-key-policy';

/** How a key of the governance constructs is made: which AWS services may use it, and for what. */
export interface ServiceKeyProps {
  readonly description: string;
  /** The statements that let services use the key (administration and the grant deny are added). */
  readonly statements: iam.PolicyStatement[];
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A rotated key for the governance constructs' own data (alerts, logs, undelivered messages). The
 * account administers it without being able to use it; only the services its statements name use it,
 * and grants are refused unless they are for AWS resources (AWS Control Tower CT.KMS.PR.3).
 */
export function createServiceKey(scope: Construct, id: string, props: ServiceKeyProps): kms.Key {
  return new kms.Key(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    removalPolicy: props.removalPolicy,
    policy: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'KeyAdministration',
          principals: [new iam.AccountRootPrincipal()],
          actions: [...KEY_ADMIN_ACTIONS],
          resources: ['*'],
        }),
        ...props.statements,
        GuardrailKeyPolicy.grantsForAwsResourcesOnlyStatement(),
      ],
    }),
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
