import { Annotations, ArnFormat, Duration, Lazy, Names, RemovalPolicy, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { acknowledge } from './private/acknowledgements';
import { ALWAYS_ALERTED, GRANT_EVENTS, GUARDRAIL_EVENTS, KEY_LIFECYCLE_EVENTS } from './private/key-events';
import { createDeadLetterQueue, createServiceKey } from './private/service-key';
import {
  cloudWatchAlarmKeyStatement,
  eventBridgeDeadLetterKeyStatement,
  eventBridgeTopicKeyStatement,
  sqsThroughIamStatement,
} from './private/service-key-statements';
import { fail, Origin, originOf } from '../core/errors';
import { checkCustomerManagedKey } from '../detection/customer-managed-key';
import { ISecureGuardrail } from '../guardrail/guardrail-reference';

/**
 * Properties of a `GuardrailKeyMonitoring`.
 */
export interface GuardrailKeyMonitoringProps {
  /**
   * Where alerts are published.
   *
   * - A topic of this app gets topic-policy statements that let EventBridge publish, only on behalf of
   *   this construct's rules (`aws:SourceArn`), and CloudWatch, only for its delivery-failure alarm. If
   *   it is encrypted with a key of this app, that key gets statements letting EventBridge use it for
   *   this topic (SNS's encryption context) and CloudWatch for the alarm.
   * - An imported topic is used as it is: its policies (and its key's) must already allow EventBridge to
   *   publish. A warning says so. FIFO topics are refused.
   *
   * @default - a new topic, encrypted with a new customer-managed key whose policy lets only these
   * rules' deliveries use it
   */
  readonly topic?: sns.ITopic;

  /**
   * The keys to watch: customer-managed keys of this stack's account and Region that encrypt
   * guardrails (a `SecureGuardrail`'s `encryptionKey`). At most `GuardrailKeyMonitoring.MAX_KEYS`.
   *
   * @default - none yet: add them with `addKey`; synthesis fails if none was added
   */
  readonly keys?: kms.IKey[];

  /**
   * The guardrails to watch for UpdateGuardrail (which can drop or swap the key) and DeleteGuardrail:
   * guardrails of this stack's account and Region. At most `GuardrailKeyMonitoring.MAX_GUARDRAILS`.
   *
   * @default - none yet: add them with `addGuardrail`; without any, no guardrail rule is created
   */
  readonly guardrails?: ISecureGuardrail[];
}


/**
 * Alerts on activity that threatens the keys of Bedrock guardrails, or the guardrails themselves.
 *
 * EventBridge rules on the default event bus publish to an SNS topic:
 *
 * - `KeyActivityRule`: CloudTrail management events (`AWS API Call via CloudTrail`, source `aws.kms`)
 *   whose `resources[].ARN` is a watched key: DisableKey, ScheduleKeyDeletion, CancelKeyDeletion,
 *   PutKeyPolicy, DisableKeyRotation, RevokeGrant, ImportKeyMaterial, DeleteImportedKeyMaterial,
 *   ReplicateKey, UpdatePrimaryRegion, TagResource and UntagResource by anyone, EnableKeyRotation when
 *   it sets a rotation period, and CreateGrant and RetireGrant unless Bedrock made them
 *   (`userIdentity.invokedBy` is `bedrock.*`). The rule matches
 *   `resources[].ARN`, where CloudTrail records the key ARN, and not `requestParameters.keyId`, which
 *   holds whatever the caller passed: a key id, an alias name or an alias ARN.
 * - `KeyDeletionRule`: KMS's own `KMS CMK Deletion` event (a key scheduled for deletion was deleted)
 *   and `KMS Imported Key Material Expiration` event (the key is unusable until material is imported
 *   again).
 * - `GuardrailChangeRule` (once a guardrail is watched): CloudTrail management events (source
 *   `aws.bedrock`) UpdateGuardrail, which can drop or swap the guardrail's `kmsKeyArn`, and
 *   DeleteGuardrail, whose `requestParameters.guardrailIdentifier` is a watched guardrail's id or ARN
 *   (Bedrock accepts both).
 *
 * Each rule's target has a dead-letter queue, encrypted like the topic, that keeps for 14 days what
 * EventBridge could not deliver after its retries, and `deliveryFailureAlarm` goes off on any
 * `FailedInvocations`.
 *
 * CloudTrail events reach EventBridge only while a trail logs management events in the Region: see
 * docs/runtime-governance.md for how to check. EventBridge does not charge for AWS service events.
 */
export class GuardrailKeyMonitoring extends Construct {
  /**
   * The most keys one `GuardrailKeyMonitoring` watches: every key ARN lengthens the rules' event patterns,
   * and EventBridge refuses patterns over 2,048 characters unless the quota is raised. Watch more keys
   * with a second `GuardrailKeyMonitoring`; it can publish to the same topic.
   */
  public static readonly MAX_KEYS = 15;

  /**
   * The most guardrails one `GuardrailKeyMonitoring` watches: each adds its id and ARN to the guardrail
   * rule's event pattern, limited like the keys' to 2,048 characters.
   */
  public static readonly MAX_GUARDRAILS = 15;

  /** The topic alerts are published to. */
  public readonly topic: sns.ITopic;

  /** The key that encrypts the topic, when this construct created the topic. */
  public readonly topicEncryptionKey?: kms.IKey;

  /** The key that encrypts the dead-letter queue (and the topic, when this construct created it). */
  public readonly encryptionKey: kms.IKey;

  /** Where EventBridge puts the alerts it could not deliver to the topic (kept 14 days). */
  public readonly deadLetterQueue: sqs.IQueue;

  /**
   * Goes off when EventBridge failed to deliver an alert to the topic (`FailedInvocations` of any rule),
   * and notifies the topic: delivery failures are most often passing (throttling), and CloudWatch
   * publishes under statements of its own. Add an action that does not depend on the topic (an
   * incident tool, another topic) with `addAlarmAction` for a second path.
   */
  public readonly deliveryFailureAlarm: cloudwatch.Alarm;

  /** The rule on CloudTrail management events of the watched keys. */
  public readonly keyActivityRule: events.Rule;

  /** The rule on KMS's `KMS CMK Deletion` and `KMS Imported Key Material Expiration` events of the watched keys. */
  public readonly keyDeletionRule: events.Rule;

  private readonly keys: kms.IKey[] = [];
  private readonly guardrails: ISecureGuardrail[] = [];
  private readonly origin: Origin;
  private readonly identities: RuleIdentities;
  private readonly target: events.IRuleTarget;
  private guardrailRule?: events.Rule;

  constructor(scope: Construct, id: string, props: GuardrailKeyMonitoringProps = {}) {
    super(scope, id);
    this.origin = originOf('GuardrailKeyMonitoring', this);
    this.identities = this.ruleIdentities();
    const ruleArns = this.identities.arns;
    if (props.topic) this.checkTopic(props.topic);
    const topicName = props.topic ? undefined : Names.uniqueResourceName(this, { maxLength: 256, separator: '-' });
    this.encryptionKey = this.createKey(topicName);
    this.topic = props.topic ?? new sns.Topic(this, 'Topic', {
      topicName,
      displayName: 'Bedrock guardrail key alerts',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    if (!props.topic) this.topicEncryptionKey = this.encryptionKey;
    this.deadLetterQueue = this.createDeadLetterQueue(ruleArns);

    const keyArns = Lazy.list({ produce: () => this.keys.map((k) => k.keyArn) });
    const topicArn = this.topic.topicArn;
    const deadLetterArn = this.deadLetterQueue.queueArn;
    this.target = { bind: () => ({ arn: topicArn, deadLetterConfig: { arn: deadLetterArn } }) };
    this.keyActivityRule = this.alertRule('KeyActivityRule', this.identities.activityName,
      'Changes to the KMS keys of Bedrock guardrails (CloudTrail management events)', keyActivityPattern(keyArns));
    this.keyDeletionRule = this.alertRule('KeyDeletionRule', this.identities.deletionName,
      'Deletion of the KMS keys of Bedrock guardrails or of their imported material (KMS events)', keyLifecyclePattern(keyArns));
    this.allowPublishing(this.topic, ruleArns, props.topic === undefined);
    this.deliveryFailureAlarm = new cloudwatch.Alarm(this, 'DeliveryFailureAlarm', {
      alarmName: this.identities.alarmName,
      alarmDescription: `EventBridge could not deliver guardrail key alerts of ${this.node.path} to ${this.topic.node.path}; they are in the dead-letter queue`,
      metric: this.metricFailedAlertDeliveries(),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Failed deliveries are most often throttling or an outage, after which the topic takes messages
    // again; a policy that refuses EventBridge does not refuse CloudWatch, which has its own statements.
    this.deliveryFailureAlarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));

    for (const [i, key] of (props.keys ?? []).entries()) this.watch(key, `keys[${i}]`);
    for (const [i, guardrail] of (props.guardrails ?? []).entries()) this.watchGuardrail(guardrail, `guardrails[${i}]`);
    this.node.addValidation({
      validate: () => this.keys.length === 0
        ? ['GuardrailKeyMonitoring watches no key: pass `keys` or call addKey(key); EventBridge refuses a rule that matches an empty list of keys']
        : [],
    });
  }

  /**
   * The rule on Bedrock's UpdateGuardrail and DeleteGuardrail events of the watched guardrails, once
   * one is watched.
   */
  public get guardrailChangeRule(): events.Rule | undefined {
    return this.guardrailRule;
  }

  /**
   * Watches one more key. Adding a key already watched does nothing.
   */
  public addKey(key: kms.IKey): void {
    this.watch(key, 'addKey(key)');
  }

  /**
   * Watches one more guardrail for UpdateGuardrail and DeleteGuardrail. Adding a guardrail already
   * watched does nothing. Its key is watched with `addKey`.
   */
  public addGuardrail(guardrail: ISecureGuardrail): void {
    this.watchGuardrail(guardrail, 'addGuardrail(guardrail)');
  }

  /**
   * The number of alerts: events matched by the rules (`AWS/Events` `MatchedEvents`), zero-filled.
   *
   * @default - sum over 5 minutes
   */
  public metricKeyActivityAlerts(options: cloudwatch.MathExpressionOptions = {}): cloudwatch.IMetric {
    return this.sumOfRules('MatchedEvents', 'Guardrail key alerts', options);
  }

  /**
   * Alerts EventBridge could not deliver to the topic (`AWS/Events` `FailedInvocations`), for example
   * because a topic or key policy does not allow it. They are kept in `deadLetterQueue`.
   *
   * @default - sum over 5 minutes
   */
  public metricFailedAlertDeliveries(options: cloudwatch.MathExpressionOptions = {}): cloudwatch.IMetric {
    return this.sumOfRules('FailedInvocations', 'Undelivered guardrail key alerts', options);
  }

  private alertRule(ruleId: string, ruleName: string, description: string, eventPattern: events.EventPattern): events.Rule {
    return new events.Rule(this, ruleId, { ruleName, description, eventPattern, targets: [this.target] });
  }

  private sumOfRules(metricName: string, label: string, options: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    // The guardrail rule's name is known before the rule exists, so the sum includes it from the start.
    const ruleNames = { Activity: this.identities.activityName, Deletion: this.identities.deletionName, Guardrail: this.identities.guardrailName };
    const prefix = `${metricName.charAt(0).toLowerCase()}${metricName.slice(1)}`;
    // Ids unique per metric, so that both sums fit in one graph.
    const usingMetrics = Object.fromEntries(Object.entries(ruleNames).map(([suffix, ruleName]) => [`${prefix}${suffix}`, new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName,
      dimensionsMap: { RuleName: ruleName },
      statistic: cloudwatch.Stats.SUM,
    })]));
    return new cloudwatch.MathExpression({
      // EventBridge publishes these metrics only for periods with events: fill the gaps with zeros.
      expression: Object.keys(usingMetrics).map((metricId) => `FILL(${metricId}, 0)`).join(' + '),
      usingMetrics,
      label,
      period: Duration.minutes(5),
      ...options,
    });
  }

  /**
   * The rules' names and ARNs. The rules are named so that the key's and the queue's policies can name
   * them: referring to their ARNs would make the key depend on the rules, which depend on the topic,
   * which depends on the key.
   */
  private ruleIdentities(): RuleIdentities {
    const baseName = Names.uniqueResourceName(this, { maxLength: 50, separator: '-' });
    const activityName = `${baseName}-KeyActivity`;
    const deletionName = `${baseName}-KeyDeletion`;
    // EventBridge rule names are at most 64 characters: 50 + '-Guardrails'.
    const guardrailName = `${baseName}-Guardrails`;
    const alarmName = `${baseName}-AlertDeliveryFailure`;
    const stack = Stack.of(this);
    const arns = [activityName, deletionName, guardrailName].map((ruleName) =>
      stack.formatArn({ service: 'events', resource: 'rule', resourceName: ruleName }));
    const alarmArn = stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: alarmName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    return { activityName, deletionName, guardrailName, alarmName, arns, alarmArn };
  }

  private checkTopic(topic: sns.ITopic): void {
    if (topic.fifo) {
      fail(this.origin, 'topic', `${topic.node.path} (a FIFO topic)`, 'a standard topic: EventBridge rules publish to standard topics only');
    }
  }

  /**
   * A key that EventBridge uses to publish to the topic (when this construct creates it) and to keep
   * what could not be delivered in the dead-letter queue; CloudWatch uses it to publish the
   * delivery-failure alarm; principals of the account read the queue through SQS.
   *
   * EventBridge's statements carry no `aws:SourceArn`, which KMS does not receive from it (see
   * `eventBridgeTopicKeyStatement`): the topic is named by SNS's encryption context instead, and the
   * topic and queue policies admit these rules only.
   */
  private createKey(topicName?: string): kms.IKey {
    const statements = [eventBridgeDeadLetterKeyStatement('AllowEventBridgeToKeepUndeliveredAlerts'), sqsThroughIamStatement(this)];
    if (topicName) {
      statements.unshift(
        eventBridgeTopicKeyStatement('AllowEventBridgeToPublishAlerts', Stack.of(this).formatArn({ service: 'sns', resource: topicName })),
        cloudWatchAlarmKeyStatement('AllowCloudWatchToPublishDeliveryFailures', this.identities.alarmArn),
      );
    }
    return createServiceKey(this, 'AlertsKey', {
      description: `Encrypts the guardrail key alerts of ${this.node.path}`,
      // The key protects transient notifications only: nothing to keep once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      statements,
    });
  }

  /** The rules' dead-letter queue, which only EventBridge, for these rules, may send to. */
  private createDeadLetterQueue(ruleArns: string[]): sqs.IQueue {
    const queue = createDeadLetterQueue(this, 'DeadLetterQueue', this.encryptionKey, 'of the guardrail key alert rules');
    // cdk-nag recognizes the dead-letter queues of Lambda functions and of other queues, not of EventBridge targets.
    acknowledge(queue, ['AwsSolutions-SQS3'], 'This queue is the dead-letter queue of the guardrail key alert rules\' targets (EventBridge DeadLetterConfig).');
    queue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowUndeliveredGuardrailKeyAlerts',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': ruleArns } },
    }));
    return queue;
  }

  private watch(key: kms.IKey, property: string): void {
    checkCustomerManagedKey(this.origin, this, property, key,
      'EventBridge only receives the CloudTrail events of its own account and Region');
    this.addWatched(this.keys, key, (k) => k.keyArn === key.keyArn, GuardrailKeyMonitoring.MAX_KEYS, 'key', property);
  }

  private watchGuardrail(guardrail: ISecureGuardrail, property: string): void {
    const own = Stack.of(this);
    const { account, region } = guardrail.env;
    const differs = (theirs: string, ours: string) => Token.compareStrings(theirs, ours) === TokenComparison.DIFFERENT;
    if (differs(account, own.account) || differs(region, own.region)) {
      fail(this.origin, property, `${guardrail.node.path} (account ${account}, Region ${region})`,
        `a guardrail of account ${own.account} and Region ${own.region}: EventBridge only receives the CloudTrail events of its own account and Region`);
    }
    const added = this.addWatched(this.guardrails, guardrail, (g) => g.guardrailArn === guardrail.guardrailArn,
      GuardrailKeyMonitoring.MAX_GUARDRAILS, 'guardrail', property);
    if (added && !this.guardrailRule) {
      this.guardrailRule = this.alertRule('GuardrailChangeRule', this.identities.guardrailName,
        'Updates and deletions of Bedrock guardrails whose encryption is watched (CloudTrail management events)',
        guardrailChangePattern(Lazy.list({ produce: () => this.guardrails.flatMap((g) => [g.guardrailId, g.guardrailArn]) })));
    }
  }

  /** Adds to a watch list, once, within the budget of EventBridge's default 2,048-character event pattern. */
  private addWatched<T extends IConstruct>(list: T[], item: T, same: (other: T) => boolean, max: number, kind: string, property: string): boolean {
    if (list.some((other) => other === item || same(other))) return false;
    if (list.length >= max) {
      fail(this.origin, property, `${item.node.path} (${kind} number ${list.length + 1})`,
        `at most ${max} ${kind}s, which fit EventBridge's default 2,048-character event pattern; ` +
        'watch the others with another GuardrailKeyMonitoring (it can share the topic)');
    }
    list.push(item);
    return true;
  }

  /**
   * Lets EventBridge publish for these rules only. ARNs are formatted from the rules' names rather than
   * referenced, so that a topic of another stack does not make the two stacks depend on each other.
   */
  private allowPublishing(topic: sns.ITopic, ruleArns: string[], created: boolean): void {
    const published = topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowGuardrailKeyAlerts',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { ArnEquals: { 'aws:SourceArn': ruleArns } },
    }));
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowGuardrailKeyAlertDeliveryFailures',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { ArnEquals: { 'aws:SourceArn': this.identities.alarmArn } },
    }));
    // The created topic's key policy already names the rules (and the topic).
    if (created) return;
    if (!published.statementAdded) {
      Annotations.of(this).addWarningV2('cdk-secure-guardrail:keyMonitoringImportedTopic',
        `The topic ${topic.topicArn} is imported: its policy must let events.amazonaws.com sns:Publish with aws:SourceArn ${ruleArns.join(', ')} ` +
        `and cloudwatch.amazonaws.com with aws:SourceArn ${this.identities.alarmArn} (and, if it is encrypted, its key policy must let both kms:GenerateDataKey and kms:Decrypt, ` +
        'without aws:SourceArn for EventBridge), or alerts are lost');
      return;
    }
    if (!topic.masterKey) {
      Annotations.of(this).addWarningV2('cdk-secure-guardrail:keyMonitoringUnencryptedTopic',
        `The topic ${topic.node.path} has no customer-managed key: alerts about guardrail keys are stored unencrypted by SNS. Give it a masterKey`);
      return;
    }
    // Naming this topic in its own key's policy would be a cycle (the topic refers to the key): any
    // topic of this account and Region, which the topic policies still narrow to these rules.
    const anyTopicHere = Stack.of(this).formatArn({ service: 'sns', resource: '*' });
    const keyed = topic.masterKey.addToResourcePolicy(eventBridgeTopicKeyStatement('AllowEventBridgeToPublishGuardrailKeyAlerts', anyTopicHere), true);
    topic.masterKey.addToResourcePolicy(cloudWatchAlarmKeyStatement('AllowCloudWatchToPublishGuardrailKeyAlertDeliveryFailures', this.identities.alarmArn), true);
    if (!keyed.statementAdded) {
      Annotations.of(this).addWarningV2('cdk-secure-guardrail:keyMonitoringImportedTopicKey',
        `The key of the topic ${topic.node.path} is imported: its policy must let events.amazonaws.com kms:GenerateDataKey and kms:Decrypt (without an aws:SourceArn condition, which KMS does not receive from EventBridge) ` +
        `(and cloudwatch.amazonaws.com with aws:SourceArn ${this.identities.alarmArn}), or alerts are lost`);
    }
  }
}

interface RuleIdentities {
  readonly activityName: string;
  readonly deletionName: string;
  readonly guardrailName: string;
  readonly alarmName: string;
  /** The rules' ARNs. */
  readonly arns: string[];
  readonly alarmArn: string;
}

/**
 * CloudTrail management events of the watched keys: the changes in `ALWAYS_ALERTED` by anyone,
 * grants by anyone but Bedrock, and a rotation period set. UpdatePrimaryRegion is matched in the Region it is called in, where
 * CloudTrail names the key in `resources`; the record KMS writes in the new primary Region has no
 * `resources` and is not seen by this Region's rule.
 */
function keyActivityPattern(keyArns: string[]): events.EventPattern {
  return cloudTrailPattern('kms', {
    resources: { ARN: keyArns },
    $or: [
      { eventName: ALWAYS_ALERTED },
      // A direct call has no invokedBy; `anything-but` only matches a field that is present.
      { eventName: GRANT_EVENTS, userIdentity: { invokedBy: [{ exists: false }] } },
      { eventName: GRANT_EVENTS, userIdentity: { invokedBy: [{ 'anything-but': { prefix: 'bedrock.' } }] } },
      // Turning rotation on is safe; setting its period can make it rarer than the standard allows.
      { eventName: ['EnableKeyRotation'], requestParameters: { rotationPeriodInDays: [{ exists: true }] } },
    ],
  });
}

/** KMS's own events when a watched key is deleted or its imported material expires. */
function keyLifecyclePattern(keyArns: string[]): events.EventPattern {
  return { source: ['aws.kms'], detailType: KEY_LIFECYCLE_EVENTS, resources: keyArns };
}

/**
 * Bedrock's UpdateGuardrail and DeleteGuardrail of the watched guardrails. CloudTrail records no
 * `resources` for them; the guardrail is the `guardrailIdentifier` the caller passed, its id or ARN.
 */
function guardrailChangePattern(identifiers: string[]): events.EventPattern {
  return cloudTrailPattern('bedrock', { eventName: GUARDRAIL_EVENTS, requestParameters: { guardrailIdentifier: identifiers } });
}

/** A CloudTrail management event of an AWS service, as EventBridge delivers it, narrowed by `detail`. */
function cloudTrailPattern(service: string, detail: Record<string, unknown>): events.EventPattern {
  return {
    source: [`aws.${service}`],
    detailType: ['AWS API Call via CloudTrail'],
    detail: { eventSource: [`${service}.amazonaws.com`], ...detail },
  };
}
