import { Annotations, Duration, Lazy, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { fail, Origin, originOf } from '../core/errors';
import { KEY_ADMIN_ACTIONS } from '../core/kms-actions';
import { checkCustomerManagedKey } from '../detection/customer-managed-key';
import { GuardrailKeyPolicy } from '../key/guardrail-key-policy';

/**
 * Options of `GuardrailKeyMonitoring` that do not name the keys, for constructs that create it for
 * their own key.
 */
export interface GuardrailKeyMonitoringOptions {
  /**
   * Where alerts are published.
   *
   * - A topic of this app gets a topic-policy statement that lets EventBridge publish, only on behalf of
   *   this construct's rules (`aws:SourceArn`). If it is encrypted with a key of this app, that key gets a
   *   statement letting EventBridge use it for those rules.
   * - An imported topic is used as it is: its policies (and its key's) must already allow EventBridge to
   *   publish. A warning says so. FIFO topics are refused.
   *
   * @default - a new topic, encrypted with a new customer-managed key whose policy lets only these
   * rules' deliveries use it
   */
  readonly topic?: sns.ITopic;
}

/**
 * Properties of a `GuardrailKeyMonitoring`.
 */
export interface GuardrailKeyMonitoringProps extends GuardrailKeyMonitoringOptions {
  /**
   * The keys to watch: customer-managed keys of this stack's account and Region that encrypt
   * guardrails (a `SecureGuardrail`'s `encryptionKey`). At most `GuardrailKeyMonitoring.MAX_KEYS`.
   *
   * @default - none yet: add them with `addKey`; synthesis fails if none was added
   */
  readonly keys?: kms.IKey[];
}

/** Management events that change a key's usability or who can use it: alerted whoever makes them. */
const ALWAYS_ALERTED = ['DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'PutKeyPolicy', 'DisableKeyRotation', 'RevokeGrant'];
/** Grant events: Bedrock creates and retires grants on guardrail keys itself, so only other callers are alerted. */
const GRANT_EVENTS = ['CreateGrant', 'RetireGrant'];

/**
 * Alerts on activity that threatens the keys of Bedrock guardrails.
 *
 * Two EventBridge rules on the default event bus publish to an SNS topic:
 *
 * - `KeyActivityRule`: CloudTrail management events (`AWS API Call via CloudTrail`, source `aws.kms`)
 *   whose `resources[].ARN` is a watched key: DisableKey, ScheduleKeyDeletion, CancelKeyDeletion,
 *   PutKeyPolicy, DisableKeyRotation and RevokeGrant by anyone, and CreateGrant and RetireGrant unless
 *   Bedrock made them (`userIdentity.invokedBy` is `bedrock.*`). The rule matches `resources[].ARN`, where
 *   CloudTrail always records the key ARN, and not `requestParameters.keyId`, which holds whatever the
 *   caller passed: a key id, an alias name or an alias ARN.
 * - `KeyDeletionRule`: KMS's own `KMS CMK Deletion` event, sent when a key scheduled for deletion is
 *   deleted.
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

  /** The topic alerts are published to. */
  public readonly topic: sns.ITopic;

  /** The key that encrypts the topic, when this construct created the topic. */
  public readonly topicEncryptionKey?: kms.IKey;

  /** The rule on CloudTrail management events of the watched keys. */
  public readonly keyActivityRule: events.Rule;

  /** The rule on KMS's `KMS CMK Deletion` events of the watched keys. */
  public readonly keyDeletionRule: events.Rule;

  private readonly keys: kms.IKey[] = [];
  private readonly origin: Origin;

  constructor(scope: Construct, id: string, props: GuardrailKeyMonitoringProps = {}) {
    super(scope, id);
    this.origin = originOf('GuardrailKeyMonitoring', this);
    const rules = this.ruleIdentities();
    if (props.topic) {
      this.topic = this.checkedTopic(props.topic);
    } else {
      const created = this.createEncryptedTopic(rules.arns);
      this.topic = created.topic;
      this.topicEncryptionKey = created.key;
    }

    const keyArns = Lazy.list({ produce: () => this.keys.map((k) => k.keyArn) });
    const target: events.IRuleTarget = { bind: () => ({ arn: this.topic.topicArn }) };
    const alertRule = (ruleId: string, ruleName: string, description: string, eventPattern: events.EventPattern) =>
      new events.Rule(this, ruleId, { ruleName, description, eventPattern, targets: [target] });
    this.keyActivityRule = alertRule('KeyActivityRule', rules.activityName,
      'Changes to the KMS keys of Bedrock guardrails (CloudTrail management events)', keyActivityPattern(keyArns));
    this.keyDeletionRule = alertRule('KeyDeletionRule', rules.deletionName,
      'Deletion of the KMS keys of Bedrock guardrails (KMS CMK Deletion events)', keyDeletionPattern(keyArns));
    this.allowPublishing(this.topic, rules.arns, props.topic === undefined);

    for (const [i, key] of (props.keys ?? []).entries()) this.watch(key, `keys[${i}]`);
    this.node.addValidation({
      validate: () => this.keys.length === 0
        ? ['GuardrailKeyMonitoring watches no key: pass `keys` or call addKey(key); EventBridge refuses a rule that matches an empty list of keys']
        : [],
    });
  }

  /**
   * Watches one more key. Adding a key already watched does nothing.
   */
  public addKey(key: kms.IKey): void {
    this.watch(key, 'addKey(key)');
  }

  /**
   * The number of alerts: events matched by both rules (`AWS/Events` `MatchedEvents`), zero-filled.
   *
   * @default - sum over 5 minutes
   */
  public metricKeyActivityAlerts(options: cloudwatch.MathExpressionOptions = {}): cloudwatch.IMetric {
    return this.sumOfRules('MatchedEvents', 'Guardrail key alerts', options);
  }

  /**
   * Alerts EventBridge could not deliver to the topic (`AWS/Events` `FailedInvocations`), for example
   * because a topic or key policy does not allow it.
   *
   * @default - sum over 5 minutes
   */
  public metricFailedAlertDeliveries(options: cloudwatch.MathExpressionOptions = {}): cloudwatch.IMetric {
    return this.sumOfRules('FailedInvocations', 'Undelivered guardrail key alerts', options);
  }

  private sumOfRules(metricName: string, label: string, options: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    const metric = (rule: events.Rule) => new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName,
      dimensionsMap: { RuleName: rule.ruleName },
      statistic: cloudwatch.Stats.SUM,
    });
    // Ids unique per metric, so that both sums fit in one graph.
    const [activity, deletion] = [`${metricName.charAt(0).toLowerCase()}${metricName.slice(1)}Activity`, `${metricName.charAt(0).toLowerCase()}${metricName.slice(1)}Deletion`];
    return new cloudwatch.MathExpression({
      // EventBridge publishes these metrics only for periods with events: fill the gaps with zeros.
      expression: `FILL(${activity}, 0) + FILL(${deletion}, 0)`,
      usingMetrics: { [activity]: metric(this.keyActivityRule), [deletion]: metric(this.keyDeletionRule) },
      label,
      period: Duration.minutes(5),
      ...options,
    });
  }

  /**
   * The rules' names and ARNs. The rules are named so that the topic key's policy can name them:
   * referring to their ARNs would make the key depend on the rules, which depend on the topic, which
   * depends on the key.
   */
  private ruleIdentities(): { activityName: string; deletionName: string; arns: string[] } {
    const baseName = Names.uniqueResourceName(this, { maxLength: 50, separator: '-' });
    const activityName = `${baseName}-KeyActivity`;
    const deletionName = `${baseName}-KeyDeletion`;
    const arns = [activityName, deletionName].map((ruleName) =>
      Stack.of(this).formatArn({ service: 'events', resource: 'rule', resourceName: ruleName }));
    return { activityName, deletionName, arns };
  }

  private checkedTopic(topic: sns.ITopic): sns.ITopic {
    if (topic.fifo) {
      fail(this.origin, 'topic', `${topic.node.path} (a FIFO topic)`, 'a standard topic: EventBridge rules publish to standard topics only');
    }
    return topic;
  }

  /** A topic encrypted with a key of its own, which only these rules' deliveries may use. */
  private createEncryptedTopic(ruleArns: string[]): { topic: sns.ITopic; key: kms.IKey } {
    const topicName = Names.uniqueResourceName(this, { maxLength: 256, separator: '-' });
    const key = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the guardrail key alerts of ${this.node.path}`,
      enableKeyRotation: true,
      // The key protects transient notifications only: nothing to keep once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'KeyAdministration',
            principals: [new iam.AccountRootPrincipal()],
            actions: [...KEY_ADMIN_ACTIONS],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'AllowEventBridgeToPublishAlerts',
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: ['*'],
            conditions: {
              ArnEquals: { 'aws:SourceArn': ruleArns },
              StringEquals: {
                'kms:EncryptionContext:aws:sns:topicArn': Stack.of(this).formatArn({ service: 'sns', resource: topicName }),
              },
            },
          }),
          GuardrailKeyPolicy.grantsForAwsResourcesOnlyStatement(),
        ],
      }),
    });
    const topic = new sns.Topic(this, 'Topic', {
      topicName,
      displayName: 'Bedrock guardrail key alerts',
      masterKey: key,
      enforceSSL: true,
    });
    return { topic, key };
  }

  private watch(key: kms.IKey, property: string): void {
    checkCustomerManagedKey(this.origin, this, property, key,
      'EventBridge only receives the CloudTrail events of its own account and Region');
    if (this.keys.some((k) => k === key || k.keyArn === key.keyArn)) return;
    if (this.keys.length >= GuardrailKeyMonitoring.MAX_KEYS) {
      fail(this.origin, property, `${key.node.path} (key number ${this.keys.length + 1})`,
        `at most ${GuardrailKeyMonitoring.MAX_KEYS} keys, which fit EventBridge's default 2,048-character event pattern; ` +
        'watch the others with another GuardrailKeyMonitoring (it can share the topic)');
    }
    this.keys.push(key);
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
    // The created topic's key policy already names the rules (and the topic).
    if (created) return;
    if (!published.statementAdded) {
      Annotations.of(this).addWarningV2('cdk-secure-guardrail:keyMonitoringImportedTopic',
        `The topic ${topic.topicArn} is imported: its policy must let events.amazonaws.com sns:Publish with aws:SourceArn ${ruleArns.join(', ')} (and, if it is encrypted, its key policy must let events.amazonaws.com kms:GenerateDataKey and kms:Decrypt), or alerts are lost`);
      return;
    }
    if (!topic.masterKey) {
      Annotations.of(this).addWarningV2('cdk-secure-guardrail:keyMonitoringUnencryptedTopic',
        `The topic ${topic.node.path} has no customer-managed key: alerts about guardrail keys are stored unencrypted by SNS. Give it a masterKey`);
      return;
    }
    const keyed = topic.masterKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeToPublishGuardrailKeyAlerts',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:SourceArn': ruleArns } },
    }), true);
    if (!keyed.statementAdded) {
      Annotations.of(this).addWarningV2('cdk-secure-guardrail:keyMonitoringImportedTopicKey',
        `The key of the topic ${topic.node.path} is imported: its policy must let events.amazonaws.com kms:GenerateDataKey and kms:Decrypt with aws:SourceArn ${ruleArns.join(', ')}, or alerts are lost`);
    }
  }
}

/**
 * CloudTrail management events of the watched keys: the changes in `ALWAYS_ALERTED` by anyone, and
 * grants by anyone but Bedrock.
 */
function keyActivityPattern(keyArns: string[]): events.EventPattern {
  return {
    source: ['aws.kms'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['kms.amazonaws.com'],
      resources: { ARN: keyArns },
      $or: [
        { eventName: ALWAYS_ALERTED },
        // A direct call has no invokedBy; `anything-but` only matches a field that is present.
        { eventName: GRANT_EVENTS, userIdentity: { invokedBy: [{ exists: false }] } },
        { eventName: GRANT_EVENTS, userIdentity: { invokedBy: [{ 'anything-but': { prefix: 'bedrock.' } }] } },
      ],
    },
  };
}

/** KMS's own event when a watched key, once scheduled for deletion, is deleted. */
function keyDeletionPattern(keyArns: string[]): events.EventPattern {
  return { source: ['aws.kms'], detailType: ['KMS CMK Deletion'], resources: keyArns };
}
