import { RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GuardrailEncryptionConfigRule, GuardrailEncryptionConfigRuleProps } from './guardrail-encryption-config-rule';
import { GuardrailEncryptionHook, GuardrailEncryptionHookProps } from './guardrail-encryption-hook';
import { acknowledge } from './private/acknowledgements';
import { EVENT_BUS_ARN, FORWARDED_FINDINGS } from './private/forwarded-findings';
import { createDeadLetterQueue, createServiceKey } from './private/service-key';
import { eventBridgeDeadLetterKeyStatement, sqsThroughIamStatement } from './private/service-key-statements';
import { originOf, refuse } from '../core/errors';
import { checkString } from '../core/validation';

/**
 * Properties of a `GuardrailGovernanceBaseline`.
 */
export interface GuardrailGovernanceBaselineProps {
  /**
   * The guardrail rule's settings.
   *
   * @default - the rule's defaults (see `GuardrailEncryptionConfigRuleProps`)
   */
  readonly configRule?: GuardrailEncryptionConfigRuleProps;

  /**
   * The ARN of the organization's findings bus (`GuardrailFindingsHub.eventBus`), to which the rule's
   * compliance changes and the account's guardrail changes are forwarded. The bus may be in another
   * account and Region.
   *
   * @default - findings stay in the account
   */
  readonly findingsEventBusArn?: string;

  /**
   * Whether the account gets the deploy-time Guard hook (`GuardrailEncryptionHook`), which refuses a
   * guardrail breaking the key standard in any CloudFormation or Cloud Control API operation.
   *
   * @default true
   */
  readonly deploymentHook?: boolean;

  /**
   * The hook's settings. Start an organization's rollout with `failureMode: 'WARN'`.
   *
   * @default - the hook's defaults (see `GuardrailEncryptionHookProps`: `FAIL`, every stack)
   */
  readonly deploymentHookProps?: GuardrailEncryptionHookProps;
}

/**
 * The guardrail governance every account of an organization gets, in one construct: the guardrail
 * rule (`GuardrailEncryptionConfigRule`, which finds every guardrail of the account and Region however
 * it was created, with its remediation when `configRule.remediation` is set), the deploy-time Guard
 * hook (`GuardrailEncryptionHook`) and, with `findingsEventBusArn`, an EventBridge rule that forwards its compliance
 * changes, every CreateGuardrail, UpdateGuardrail, CreateGuardrailVersion and DeleteGuardrail of the
 * account, and the changes that threaten any KMS key of the account (those `GuardrailKeyMonitoring`
 * alerts on whoever makes them) to the organization's `GuardrailFindingsHub`.
 *
 * Put it in the stack a service-managed StackSet deploys to every account of the organization or of
 * organizational units (new accounts included): docs/organization.md shows it with `cdk-stacksets`.
 * `GuardrailKeyMonitoring` is not part of it: it watches keys by ARN, which only the application's
 * stacks know; the forwarding covers every key of the account instead.
 */
export class GuardrailGovernanceBaseline extends Construct {
  /** The guardrail rule of the account and Region. */
  public readonly configRule: GuardrailEncryptionConfigRule;

  /** The deploy-time Guard hook, unless `deploymentHook` is false. */
  public readonly deploymentHook?: GuardrailEncryptionHook;

  /** The rule that forwards findings to the organization's bus, with `findingsEventBusArn`. */
  public readonly forwardingRule?: events.Rule;

  /** Where EventBridge keeps the findings it could not forward (14 days), with `findingsEventBusArn`. */
  public readonly deadLetterQueue?: sqs.IQueue;

  constructor(scope: Construct, id: string, props: GuardrailGovernanceBaselineProps = {}) {
    super(scope, id);
    const origin = originOf('GuardrailGovernanceBaseline', this);
    const busArn = props.findingsEventBusArn;
    if (busArn !== undefined) {
      checkString(origin, 'findingsEventBusArn', busArn, { min: 1, max: 1600, pattern: EVENT_BUS_ARN, allowed: 'an event bus ARN, arn:<partition>:events:<region>:<account>:event-bus/<name>' });
    }
    this.configRule = new GuardrailEncryptionConfigRule(this, 'EncryptionRule', props.configRule);
    if (props.deploymentHook ?? true) {
      this.deploymentHook = new GuardrailEncryptionHook(this, 'DeploymentHook', props.deploymentHookProps);
    } else if (props.deploymentHookProps) {
      refuse(origin, 'deploymentHookProps is set but deploymentHook is false, so no hook would use them; allowed: drop deploymentHookProps, or deploymentHook true (the default).');
    }
    if (busArn === undefined) return;

    const key = createServiceKey(this, 'ForwardingKey', {
      description: `Encrypts the guardrail findings ${this.node.path} could not forward`,
      // The queue goes with the stack, so may its key (after KMS's waiting period), as the alert key of GuardrailKeyMonitoring.
      removalPolicy: RemovalPolicy.DESTROY,
      statements: [eventBridgeDeadLetterKeyStatement('AllowEventBridgeToKeepUnforwardedFindings'), sqsThroughIamStatement(this)],
    });
    this.deadLetterQueue = createDeadLetterQueue(this, 'ForwardingDeadLetterQueue', key, 'of the findings forwarding');
    acknowledge(this.deadLetterQueue, ['AwsSolutions-SQS3'], 'This queue is the dead-letter queue of the findings forwarding rule\'s target (EventBridge DeadLetterConfig).');
    const bus = events.EventBus.fromEventBusArn(this, 'FindingsBus', busArn);
    const role = new iam.Role(this, 'ForwardingRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'Lets EventBridge forward Bedrock guardrail findings to the organization\'s findings bus',
    });
    // In a customer-managed policy: the NIST 800-53, HIPAA and PCI DSS packs refuse the inline policy the target would add.
    new iam.ManagedPolicy(this, 'ForwardingPolicy', {
      description: 'Lets EventBridge put guardrail findings on the organization\'s findings bus',
      roles: [role],
      statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [busArn] })],
    });
    this.forwardingRule = new events.Rule(this, 'ForwardingRule', {
      description: 'Forwards the guardrail rule\'s compliance changes and guardrail changes to the organization\'s findings bus',
      eventPattern: FORWARDED_FINDINGS.pattern(this.configRule.configRuleName),
      targets: [new targets.EventBus(bus, { role: role.withoutPolicyUpdates(), deadLetterQueue: this.deadLetterQueue })],
    });
  }
}
