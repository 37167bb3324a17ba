import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcardResources, LAMBDA_INSIDE_VPC_RULES, LAMBDA_OUTSIDE_VPC_REASON, skipCheckovChecks, REMEDIATION_ENVIRONMENT_REASON, WILDCARD_REASONS } from '../acknowledgements';
import { EVALUATED_RESOURCE_TYPE } from '../kpi';
import { ManagedPolicyGrantee } from '../managed-policy-grantee';
import { networkInterfacesStatement } from '../network-interfaces';
import { GuardrailKeyRemediationFunction } from './guardrail-key-remediation-function';
import { OWNERSHIP_TAG_KEYS, REMEDIATION_ENV, REMEDIATION_TAG } from './settings';
import { accountOfArn, isRoleOrUserArn } from '../../../core/arns';
import { fail, Origin, refuse } from '../../../core/errors';
import { analyzeKeyPolicy, describeExposures } from '../../../core/key-policy-analysis';
import { KEY_REQUIREMENTS } from '../../../core/key-requirements';
import { GUARDRAIL_DEPLOYMENT_ACTIONS, GUARDRAIL_GRANT_ACTIONS } from '../../../core/kms-actions';
import { ROTATION_DAYS } from '../../../core/kms-limits';
import { SHARED_RULE_NAMES } from '../../../core/rule-ids';
import { checkDays, checkNumber, checkString, unresolved } from '../../../core/validation';
import { checkCustomerManagedKey } from '../../../detection/customer-managed-key';
import { GuardrailKeyPolicy } from '../../../key/guardrail-key-policy';
import { keyPolicyJson, USE_BY_PRINCIPAL_TAG_SID } from '../../../key/key-policy-statements';
import type { GuardrailEncryptionRemediationProps } from '../../guardrail-encryption-remediation';
import { grantSendToDeadLetterQueue } from '../service-key';

/** What `GuardrailEncryptionConfigRule` keeps of its remediation. */
export interface GuardrailEncryptionRemediation {
  readonly remediationFunction: lambda.IFunction;
  readonly remediationRole: iam.IRole;
  readonly automationRole: iam.IRole;
  readonly document: ssm.CfnDocument;
  readonly configuration: config.CfnRemediationConfiguration;
}

/** What the remediation takes from its rule. */
export interface RemediationContext {
  readonly origin: Origin;
  readonly configRuleName: string;
  readonly configRuleArn: string;
  /** The rule's function role, named in created keys' policies so that it can still read the guardrails. */
  readonly evaluatorRole: iam.IRole;
  readonly logKey: kms.IKey;
  readonly deadLetterQueue: sqs.IQueue;
  readonly runtime: lambda.Runtime;
  readonly maxRotationDays: number;
  readonly reserveConcurrency: boolean;
  readonly logRetention: logs.RetentionDays;
  /** The rule's network settings: the remediation function runs where the rule's does. */
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

const STEP = 'PutGuardrailOnCustomerManagedKey';
const PROPERTY = 'remediation';

/** Validates the settings, then creates the function, the automation and the Config remediation under `scope`. */
export function createRemediation(
  scope: Construct, props: GuardrailEncryptionRemediationProps, context: RemediationContext,
): GuardrailEncryptionRemediation {
  validate(scope, props, context);
  const stack = Stack.of(scope);
  const everyGuardrail = stack.formatArn({ service: 'bedrock', resource: 'guardrail', resourceName: '*' });
  const everyKey = stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' });

  const role = new iam.Role(scope, 'RemediationRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'Puts Bedrock guardrails without a customer-managed key on one, for an AWS Config remediation',
  });
  const policy = new iam.ManagedPolicy(scope, 'RemediationPolicy', {
    description: 'What the remediation of the AWS Config rule on Bedrock guardrail encryption needs',
    roles: [role],
    statements: [
      ...remediationStatements(stack, props, context, everyGuardrail, everyKey),
      ...(context.vpc ? [networkInterfacesStatement()] : []),
    ],
  });
  acknowledgeWildcardResources(policy, ['*'],
    [WILDCARD_REASONS.remediationAnyResource, ...(context.vpc ? [WILDCARD_REASONS.networkInterfaces] : [])].join(' '));
  acknowledgeWildcardResources(policy, [everyGuardrail], WILDCARD_REASONS.remediationEveryGuardrail);
  acknowledgeWildcardResources(policy, [everyKey], WILDCARD_REASONS.remediationEveryKey);

  const logGroup = new logs.LogGroup(scope, 'RemediationLogGroup', { retention: context.logRetention, encryptionKey: context.logKey });
  const fn = new GuardrailKeyRemediationFunction(scope, 'RemediationFunction', {
    runtime: context.runtime,
    role: role.withoutPolicyUpdates(),
    logGroup,
    timeout: Duration.minutes(2),
    memorySize: 256,
    description: 'Puts a Bedrock guardrail without a customer-managed key on one, keeping every other setting',
    deadLetterQueue: context.deadLetterQueue,
    // One run at a time: two runs for the same guardrail must not both create a key.
    reservedConcurrentExecutions: context.reserveConcurrency ? 1 : undefined,
    vpc: context.vpc,
    vpcSubnets: context.vpcSubnets,
    securityGroups: context.securityGroups,
    environment: {
      [REMEDIATION_ENV.partition]: stack.partition,
      [REMEDIATION_ENV.account]: stack.account,
      [REMEDIATION_ENV.urlSuffix]: stack.urlSuffix,
      [REMEDIATION_ENV.ownRoleArn]: role.roleArn,
      [REMEDIATION_ENV.evaluatorRoleArn]: context.evaluatorRole.roleArn,
      [REMEDIATION_ENV.keyArn]: props.key?.keyArn ?? '',
      [REMEDIATION_ENV.keyAdminArns]: (props.keyAdminArns ?? []).join(','),
      [REMEDIATION_ENV.keyUserArns]: (props.keyUserArns ?? []).join(','),
      [REMEDIATION_ENV.keyUserTag]: props.keyUserPrincipalTag ? JSON.stringify({ key: props.keyUserPrincipalTag.key, value: props.keyUserPrincipalTag.value }) : '',
      [REMEDIATION_ENV.rotationDays]: rotationDays(props.keyRotationPeriod),
      [REMEDIATION_ENV.tags]: props.tags
        ? JSON.stringify({ Owner: props.tags.owner, Workload: props.tags.workload, DataSensitivity: props.tags.dataSensitivity })
        : '{}',
      [REMEDIATION_ENV.publishVersion]: String(props.publishVersion ?? false),
      [REMEDIATION_ENV.configRuleName]: context.configRuleName,
    },
  });
  const grants = new iam.ManagedPolicy(scope, 'RemediationGrantsPolicy', {
    description: 'Lets the remediation function write its log and its dead-letter queue',
    roles: [role],
  });
  const grantee = new ManagedPolicyGrantee(role, grants);
  logGroup.grantWrite(grantee);
  grantSendToDeadLetterQueue(grantee, context.deadLetterQueue, context.logKey);
  // Lambda checks the role's permissions (dead-letter queue) when it creates the function.
  fn.node.addDependency(policy, grants);
  const resource = fn.node.defaultChild as lambda.CfnFunction;
  if (!context.vpc) {
    acknowledge(fn, LAMBDA_INSIDE_VPC_RULES, LAMBDA_OUTSIDE_VPC_REASON);
    skipCheckovChecks(resource, { CKV_AWS_117: LAMBDA_OUTSIDE_VPC_REASON });
  }
  skipCheckovChecks(resource, { CKV_AWS_173: REMEDIATION_ENVIRONMENT_REASON });

  const automationRole = new iam.Role(scope, 'AutomationRole', {
    assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: 'Runs the SSM Automation document of the remediation of the AWS Config rule on Bedrock guardrail encryption',
  });
  new iam.ManagedPolicy(scope, 'AutomationPolicy', {
    description: 'Lets the remediation\'s SSM Automation invoke its function, and nothing else',
    roles: [automationRole],
    statements: [new iam.PolicyStatement({ sid: 'InvokeRemediationFunction', actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
  });

  const document = new ssm.CfnDocument(scope, 'RemediationDocument', {
    documentType: 'Automation',
    documentFormat: 'JSON',
    content: {
      schemaVersion: '0.3',
      description: 'Puts a Bedrock guardrail whose working draft has no customer-managed KMS key on one of the guardrail key standard, '
        + 'keeping every other setting. A guardrail already on a customer-managed key is reported, not changed.',
      assumeRole: '{{ AutomationAssumeRole }}',
      parameters: {
        GuardrailArn: {
          type: 'String',
          description: 'The guardrail\'s ARN (the AWS Config rule\'s resource id)',
          allowedPattern: '^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:[0-9]{12}:guardrail/[a-z0-9]+$',
        },
        AutomationAssumeRole: { type: 'String', description: 'The role the automation runs with' },
      },
      mainSteps: [{
        name: STEP,
        action: 'aws:invokeLambdaFunction',
        maxAttempts: 1,
        timeoutSeconds: 180,
        onFailure: 'Abort',
        inputs: {
          FunctionName: fn.functionArn,
          InvocationType: 'RequestResponse',
          Payload: '{"guardrailArn": "{{ GuardrailArn }}"}',
        },
      }],
      outputs: [`${STEP}.Payload`],
    },
  });

  const automatic = props.automatic ?? false;
  const configuration = new config.CfnRemediationConfiguration(scope, 'Remediation', {
    configRuleName: context.configRuleName,
    targetType: 'SSM_DOCUMENT',
    targetId: document.ref,
    resourceType: EVALUATED_RESOURCE_TYPE,
    parameters: {
      AutomationAssumeRole: { StaticValue: { Values: [automationRole.roleArn] } },
      GuardrailArn: { ResourceValue: { Value: 'RESOURCE_ID' } },
    },
    automatic,
    maximumAutomaticAttempts: automatic ? props.maximumAutomaticAttempts ?? 5 : undefined,
    retryAttemptSeconds: automatic ? (props.retryAttemptInterval ?? Duration.minutes(1)).toSeconds() : undefined,
  });
  return { remediationFunction: fn, remediationRole: role, automationRole, document, configuration };
}

/**
 * The rotation period for the function's environment: days, or for an unresolved period its amount
 * and unit (`<amount> hours`), which only the function can turn into days once the amount resolves.
 */
function rotationDays(period: Duration | undefined): string {
  if (period === undefined) return String(KEY_REQUIREMENTS.maxRotationDays);
  return period.isUnresolved() ? period.formatTokenToNumber() : String(period.toDays());
}

/** The remediation function's permissions, each limited to what it touches. */
function remediationStatements(
  stack: Stack, props: GuardrailEncryptionRemediationProps, context: RemediationContext, everyGuardrail: string, everyKey: string,
): iam.PolicyStatement[] {
  const createdKeys = { StringLike: { [`aws:ResourceTag/${REMEDIATION_TAG}`]: everyGuardrail } };
  const viaBedrock = GuardrailKeyPolicy.viaBedrockCondition(stack);
  const keys = props.key ? [props.key.keyArn] : [everyKey];
  const keyConditions = props.key ? {} : createdKeys;
  const updates = ['bedrock:UpdateGuardrail', ...(props.publishVersion ? ['bedrock:CreateGuardrailVersion'] : [])];
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadGuardrails', actions: ['bedrock:GetGuardrail', 'bedrock:ListTagsForResource', 'bedrock:GetResourcePolicy'], resources: [everyGuardrail],
    }),
    new iam.PolicyStatement({ sid: 'UpdateGuardrails', actions: updates, resources: [everyGuardrail] }),
    // Whether a guardrail is enforced in the account: such a guardrail is left unchanged.
    new iam.PolicyStatement({ sid: 'ListEnforcedGuardrails', actions: ['bedrock:ListEnforcedGuardrailsConfiguration'], resources: ['*'] }),
    new iam.PolicyStatement({ sid: 'FindRemediationKeys', actions: ['tag:GetResources'], resources: ['*'] }),
    new iam.PolicyStatement({ sid: 'DescribeGuardrailKeys', actions: ['kms:DescribeKey'], resources: [everyKey] }),
  ];
  if (props.publishVersion) {
    statements.push(new iam.PolicyStatement({ sid: 'ListGuardrailVersions', actions: ['bedrock:ListGuardrails'], resources: ['*'] }));
  }
  if (!props.key) {
    // Exactly the tags CreateKey writes: the remediation tag with a guardrail ARN of the account, and no other key.
    const tagsWritten = {
      'StringLike': { [`aws:RequestTag/${REMEDIATION_TAG}`]: everyGuardrail },
      'ForAllValues:StringEquals': { 'aws:TagKeys': [...OWNERSHIP_TAG_KEYS, KEY_REQUIREMENTS.guardrailTag, REMEDIATION_TAG] },
    };
    statements.push(
      new iam.PolicyStatement({
        sid: 'CreateTaggedKeys',
        actions: ['kms:CreateKey'],
        resources: ['*'],
        conditions: { ...tagsWritten, StringEquals: { 'kms:KeySpec': KEY_REQUIREMENTS.keySpec, 'kms:KeyUsage': KEY_REQUIREMENTS.keyUsage } },
      }),
      // CreateKey's Tags are authorized as kms:TagResource on every key (KMS Developer Guide, "Controlling
      // access to tags"): no condition tells a tag at creation from one on an existing key.
      new iam.PolicyStatement({ sid: 'TagKeysAtCreation', actions: ['kms:TagResource'], resources: ['*'], conditions: tagsWritten }),
      new iam.PolicyStatement({
        sid: 'DenyPolicyLockoutBypass',
        effect: iam.Effect.DENY,
        actions: ['kms:CreateKey', 'kms:PutKeyPolicy'],
        resources: ['*'],
        conditions: { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } },
      }),
      new iam.PolicyStatement({ sid: 'RotateCreatedKeys', actions: ['kms:EnableKeyRotation'], resources: [everyKey], conditions: createdKeys }),
      // A key found by its tag is used only if its policy and rotation are what the remediation writes.
      new iam.PolicyStatement({
        sid: 'ReadCreatedKeys', actions: ['kms:GetKeyPolicy', 'kms:GetKeyRotationStatus'], resources: [everyKey], conditions: createdKeys,
      }),
    );
  }
  statements.push(
    new iam.PolicyStatement({
      sid: 'UseKeysThroughBedrock',
      actions: [...GUARDRAIL_DEPLOYMENT_ACTIONS],
      resources: keys,
      conditions: { ...keyConditions, StringEquals: viaBedrock },
    }),
    new iam.PolicyStatement({
      sid: 'GrantsForBedrock',
      actions: [...GUARDRAIL_GRANT_ACTIONS],
      resources: keys,
      conditions: { ...keyConditions, StringEquals: viaBedrock, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
    new iam.PolicyStatement({ sid: 'EvaluateAgain', actions: ['config:StartConfigRulesEvaluation'], resources: [context.configRuleArn] }),
  );
  return statements;
}

function validate(scope: Construct, props: GuardrailEncryptionRemediationProps, context: RemediationContext): void {
  const origin = context.origin;
  const stack = Stack.of(scope);
  const automatic = props.automatic ?? false;
  if (!automatic && props.maximumAutomaticAttempts !== undefined) {
    refuse(origin, `${PROPERTY}.maximumAutomaticAttempts is given without ${PROPERTY}.automatic; allowed: retries only in automatic mode (automatic: true).`);
  }
  if (!automatic && props.retryAttemptInterval !== undefined) {
    refuse(origin, `${PROPERTY}.retryAttemptInterval is given without ${PROPERTY}.automatic; allowed: retries only in automatic mode (automatic: true).`);
  }
  checkNumber(origin, `${PROPERTY}.maximumAutomaticAttempts`, props.maximumAutomaticAttempts, { min: 1, max: 25, integer: true, unit: 'of attempts' });
  const interval = props.retryAttemptInterval;
  if (interval !== undefined && !interval.isUnresolved()) {
    const seconds = interval.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 2678000) {
      fail(origin, `${PROPERTY}.retryAttemptInterval`, interval.toHumanString(), 'a whole number of seconds from 1 to 2678000 (AWS Config\'s RetryAttemptSeconds)');
    }
  }
  if (props.key) {
    checkCustomerManagedKey(origin, scope, `${PROPERTY}.key`, props.key, 'a guardrail can only be encrypted with a key of its own Region, and the rule accepts keys of its own account');
    for (const [property, value] of [['keyAdminArns', props.keyAdminArns], ['keyUserArns', props.keyUserArns], ['keyUserPrincipalTag', props.keyUserPrincipalTag],
      ['tags', props.tags], ['keyRotationPeriod', props.keyRotationPeriod]] as const) {
      if (value !== undefined) refuse(origin, `${PROPERTY}.${property} is given with ${PROPERTY}.key; allowed: ${property} only when the remediation creates the keys (no key given): a key given keeps its own policy, tags and rotation.`);
    }
  }
  for (const property of ['keyAdminArns', 'keyUserArns'] as const) {
    (props[property] ?? []).forEach((arn, i) => checkPrincipalArn(origin, stack, `${PROPERTY}.${property}[${i}]`, arn));
  }
  if (props.keyUserPrincipalTag) {
    checkString(origin, `${PROPERTY}.keyUserPrincipalTag.key`, props.keyUserPrincipalTag.key, { min: 1, max: 128, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, patternText: 'letters, digits, spaces and _ . : / = + - @' });
    checkString(origin, `${PROPERTY}.keyUserPrincipalTag.value`, props.keyUserPrincipalTag.value, { min: 0, max: 256 });
  }
  checkDays(origin, `${PROPERTY}.keyRotationPeriod`, props.keyRotationPeriod, { ...ROTATION_DAYS, max: context.maxRotationDays });
  if (!props.key) checkCreatedKeyPolicy(origin, stack, props);
  const callers = (props.keyUserArns ?? []).length > 0 || props.keyUserPrincipalTag !== undefined;
  if (automatic && !props.key && !callers) {
    refuse(origin, `${PROPERTY}.automatic is true but neither ${PROPERTY}.keyUserArns nor ${PROPERTY}.keyUserPrincipalTag names the callers of the guardrails; `
      + 'received none. A key created without them lets no caller decrypt the guardrail, so every application applying it would fail at once. '
      + 'Allowed: automatic mode with keyUserArns (role ARNs, a path wildcard such as role/apps/*) or keyUserPrincipalTag, or with a key given; '
      + 'or manual mode (automatic: false), where a person reviews each run.');
  }
}

/**
 * The policy the remediation will write on the keys it creates, judged as its own rule judges it
 * (`KeyPolicyLeastPrivilege`, by `analyzeKeyPolicy`): a remediation must never create a key its rule
 * flags. Judged only when the principals are literal; the remediation's and the rule's own roles are
 * named by placeholder ARNs of the account, as the function names them.
 */
function checkCreatedKeyPolicy(origin: Origin, stack: Stack, props: GuardrailEncryptionRemediationProps): void {
  const admins = props.keyAdminArns ?? [];
  const users = props.keyUserArns ?? [];
  const tag = props.keyUserPrincipalTag;
  if ([...admins, ...users, tag?.key, tag?.value].some((value) => value !== undefined && unresolved(value))) return;
  const literal = (value: string, placeholder: string) => Token.isUnresolved(value) ? placeholder : value;
  const arnAccount = [...users, ...admins].map(accountOfArn).find((account) => account !== undefined);
  const account = literal(stack.account, arnAccount ?? '${AWS::AccountId}');
  const place = { partition: '${AWS::Partition}', region: literal(stack.region, '${AWS::Region}'), account, urlSuffix: '${AWS::URLSuffix}' };
  const role = (name: string) => `arn:\${AWS::Partition}:iam::${account}:role/${name}`;
  const evaluator = role('config-rule-function-role');
  const policy = keyPolicyJson(place, {
    admins, deployers: [role('remediation-function-role')], users: [...users, evaluator], usersByTag: tag, auditors: [evaluator],
  });
  const { exposures, undecidable } = analyzeKeyPolicy(policy, { account: place.account, region: place.region });
  if (undecidable === undefined && exposures.length === 0) return;
  // Only the callers' statements open cryptographic actions; administration is not judged an exposure.
  const [property, value] = exposures[0]?.statement === USE_BY_PRINCIPAL_TAG_SID ? ['keyUserPrincipalTag', tag] : ['keyUserArns', users];
  fail(origin, `${PROPERTY}.${property}`, value, 'principals that keep the keys the remediation creates least-privilege, as its rule\'s '
    + `${SHARED_RULE_NAMES.keyPolicyLeastPrivilege} requires (role or user ARNs of the account, * only within a path such as role/apps/*); `
    + `the created key's policy would be flagged: ${undecidable ?? describeExposures(exposures, 3).join('; ')}`);
}

/** An IAM role or user ARN of the stack's account (a wildcard may stand for a name or path); a token is let through. */
function checkPrincipalArn(origin: Origin, stack: Stack, property: string, arn: string): void {
  if (unresolved(arn)) return;
  const allowed = 'an IAM role or user ARN (arn:<partition>:iam::<account>:role/<path/name>, * allowed in the path or name) of the rule\'s account';
  if (!isRoleOrUserArn(arn)) fail(origin, property, arn, allowed);
  const account = accountOfArn(arn);
  if (!Token.isUnresolved(stack.account) && account !== stack.account) fail(origin, property, arn, `${allowed} (${stack.account})`);
}
