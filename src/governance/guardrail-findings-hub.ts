import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { acknowledge, acknowledgeWildcardResources, EVENT_BUS_POLICY_REASON } from './private/acknowledgements';
import { FORWARDED_FINDINGS } from './private/forwarded-findings';
import { createServiceKey } from './private/service-key';
import { originOf } from '../core/errors';
import { checkString } from '../core/validation';
import { GuardrailOrganizationScope, organizationCondition } from '../key/organization-scope';

/**
 * Properties of a `GuardrailFindingsHub`.
 */
export interface GuardrailFindingsHubProps {
  /**
   * The organization, or its organizational units, whose accounts may send findings to the hub's bus
   * (`aws:PrincipalOrgID` or `aws:PrincipalOrgPaths` in the bus policy).
   */
  readonly organization: GuardrailOrganizationScope;

  /**
   * The name of the hub's event bus: 1-256 letters, digits and `.`, `-`, `_`, not `default`. Member
   * accounts name it in `GuardrailGovernanceBaselineProps.findingsEventBusArn`.
   *
   * @default 'bedrock-guardrail-findings'
   */
  readonly eventBusName?: string;

  /**
   * Whether the hub also creates an AWS Config aggregator over every account of the organization and
   * every Region, which shows the compliance of the guardrail rule (and any other) of every account in
   * one place. It must be created in the management account or in a delegated administrator account of
   * AWS Config (`config.amazonaws.com`); an organization has at most one organization aggregator per
   * account (AWS Config developer guide, "Multi-Account Multi-Region Data Aggregation").
   *
   * @default true
   */
  readonly organizationAggregator?: boolean;
}

/**
 * Where the guardrail findings of every account of an organization are gathered, in one security
 * account: an event bus encrypted with a customer-managed key, which the organization's accounts may
 * send events to (what `GuardrailGovernanceBaseline` forwards: the guardrail rule's compliance changes
 * and guardrail changes made anywhere), and an AWS Config organization aggregator.
 *
 * Alerting stays the user's choice: add a rule on `eventBus` with `findingsPattern` and the target the
 * security team reads (a topic, an incident tool).
 */
export class GuardrailFindingsHub extends Construct {
  /** The default name of the hub's event bus. */
  public static readonly DEFAULT_EVENT_BUS_NAME = 'bedrock-guardrail-findings';

  /** The bus the member accounts forward findings to. */
  public readonly eventBus: events.EventBus;

  /** The key that encrypts the events on the bus. */
  public readonly encryptionKey: kms.IKey;

  /** The organization aggregator, when `organizationAggregator` is not false. */
  public readonly aggregator?: config.CfnConfigurationAggregator;

  /** The pattern that matches every finding a `GuardrailGovernanceBaseline` forwards. */
  public readonly findingsPattern: events.EventPattern;

  constructor(scope: Construct, id: string, props: GuardrailFindingsHubProps) {
    super(scope, id);
    const origin = originOf('GuardrailFindingsHub', this);
    const eventBusName = props.eventBusName ?? GuardrailFindingsHub.DEFAULT_EVENT_BUS_NAME;
    checkString(origin, 'eventBusName', eventBusName, { min: 1, max: 256, pattern: /^(?!default$)[\w.-]+$/, allowed: "1-256 letters, digits, '.', '-' or '_', not 'default'" });
    const membership = organizationCondition(origin, props.organization);

    this.encryptionKey = createServiceKey(this, 'Key', {
      description: `Encrypts the events of the Bedrock guardrail findings bus of ${this.node.path}`,
      removalPolicy: RemovalPolicy.RETAIN,
      // EventBus adds EventBridge's statement, narrowed to this bus (EventBridge user guide, eb-encryption-key-policy).
      statements: [],
    });
    this.eventBus = new events.EventBus(this, 'EventBus', {
      eventBusName,
      description: 'Findings of the Bedrock guardrail governance of the organization\'s accounts',
      kmsKey: this.encryptionKey,
    });
    // The pattern of the EventBridge user guide for an organization (eb-event-bus-perms): any principal, narrowed by
    // membership; the senders are the member accounts' forwarding roles, whose own policies allow PutEvents on this bus only.
    const { policyDependable } = this.eventBus.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowOrganizationToSendGuardrailFindings',
      principals: [new iam.AnyPrincipal()],
      actions: ['events:PutEvents'],
      resources: [this.eventBus.eventBusArn],
      conditions: membership,
    }));
    // cdk-nag's EventBusOpenAccess passes this statement (it has a condition), but first reads the deprecated
    // CfnEventBusPolicy.principal, which throws where jsii deprecations are errors (JSII_DEPRECATED=fail).
    if (policyDependable) acknowledge(policyDependable as IConstruct, ['AwsSolutions-EVB1'], EVENT_BUS_POLICY_REASON);
    this.findingsPattern = FORWARDED_FINDINGS.pattern();

    if (props.organizationAggregator ?? true) this.aggregator = this.createAggregator();
  }

  private createAggregator(): config.CfnConfigurationAggregator {
    const role = new iam.Role(this, 'AggregatorRole', {
      // Only AWS Config working for this account may assume it: the confused-deputy condition the AWS Config
      // developer guide recommends ("Cross-service confused deputy prevention").
      assumedBy: new iam.ServicePrincipal('config.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'Lets AWS Config read the accounts of the organization for the guardrail findings aggregator',
    });
    // The actions of the AWS managed policy AWSConfigRoleForOrganizations, in a customer-managed policy
    // (the packs refuse AWS managed policies and inline ones).
    const actions = ['organizations:DescribeOrganization', 'organizations:ListAWSServiceAccessForOrganization', 'organizations:ListAccounts', 'organizations:ListDelegatedAdministrators'];
    const policy = new iam.ManagedPolicy(this, 'AggregatorPolicy', {
      description: 'What AWS Config needs to aggregate the organization\'s accounts',
      roles: [role],
      statements: [new iam.PolicyStatement({ actions, resources: ['*'] })],
    });
    acknowledgeWildcardResources(policy, ['*'], 'The AWS Organizations read actions of an organization aggregator support no resource-level permissions on the organization\'s accounts (Service Authorization Reference); they are those of the AWS managed policy AWSConfigRoleForOrganizations.');
    const aggregator = new config.CfnConfigurationAggregator(this, 'Aggregator', {
      organizationAggregationSource: { roleArn: role.roleArn, allAwsRegions: true },
    });
    aggregator.node.addDependency(policy);
    return aggregator;
  }
}
