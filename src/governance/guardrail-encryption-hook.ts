import * as path from 'path';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { acknowledge, skipCheckovChecks } from './private/acknowledgements';
import { createServiceKey } from './private/service-key';
import { fail, Origin, originOf } from '../core/errors';
import { checkOneOf, checkString, unresolved } from '../core/validation';

/**
 * Which stacks the hook judges, by name or by the role CloudFormation deploys them with
 * (`AWS::CloudFormation::GuardHook` `StackFilters`). Cloud Control API requests ignore these filters.
 */
export interface GuardrailHookStackFilters {
  /**
   * `ALL`: the hook runs only when every filter given matches; `ANY`: when one does.
   *
   * @default 'ALL'
   */
  readonly filteringCriteria?: string;

  /**
   * Only these stacks are judged (1-50 stack names).
   *
   * @default - every stack
   */
  readonly includeStackNames?: string[];

  /**
   * These stacks are not judged (1-50 stack names).
   *
   * @default - none excluded
   */
  readonly excludeStackNames?: string[];

  /**
   * Only stacks deployed with these IAM roles are judged (1-50 role ARNs).
   *
   * @default - every role
   */
  readonly includeStackRoles?: string[];

  /**
   * Stacks deployed with these IAM roles are not judged (1-50 role ARNs).
   *
   * @default - none excluded
   */
  readonly excludeStackRoles?: string[];
}

/** An S3 object that holds the Guard rule, for a hook that reads a rule already uploaded. */
export interface GuardrailHookRuleLocation {
  /** The bucket of the rule object. */
  readonly bucket: s3.IBucket;

  /** The object's key, ending in `.guard`, `.zip` or `.tar.gz` (what a Guard hook reads). */
  readonly objectKey: string;

  /**
   * The object version the hook reads: the hook downloads the rule at every invocation, and AWS
   * recommends a version so that a change to the object does not change the hook.
   *
   * @default - the object's latest version
   */
  readonly versionId?: string;
}

/**
 * Properties of a `GuardrailEncryptionHook`.
 */
export interface GuardrailEncryptionHookProps {
  /**
   * `FAIL` refuses the operation that creates or updates a guardrail breaking the rule; `WARN` lets it
   * proceed with a warning, to roll the hook out before enforcing it. A token (a StackSet parameter)
   * is passed through.
   *
   * @default 'FAIL'
   */
  readonly failureMode?: string;

  /**
   * The hook's type name alias, `Name1::Name2::Name3`, unique in the account and Region and not
   * beginning with `AWS`.
   *
   * @default 'Private::Guard::GuardrailEncryption'
   */
  readonly alias?: string;

  /**
   * Which stacks the hook judges (Cloud Control API requests are always judged).
   *
   * @default - every stack
   */
  readonly stackFilters?: GuardrailHookStackFilters;

  /**
   * Where the hook reads its rule.
   *
   * @default - `guard/guardrail-encryption.guard` of this package, uploaded as an asset of the app
   */
  readonly ruleLocation?: GuardrailHookRuleLocation;

  /**
   * How long the hook's reports are kept in its log bucket.
   *
   * @default Duration.days(365)
   */
  readonly logRetention?: Duration;

  /**
   * A bucket that receives the S3 server access logs of the hook's log bucket (your account's access-log
   * bucket). Without it, the log bucket has no server access logging.
   *
   * @default - no server access logging
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * Whether the hook is active.
   *
   * @default true
   */
  readonly enabled?: boolean;
}

/** The rule shipped in this package, two folders above this file in `src/` and in `lib/`. */
const PACKAGED_RULE = path.join(__dirname, '..', '..', 'guard', 'guardrail-encryption.guard');

const FAILURE_MODES = ['FAIL', 'WARN'] as const;
const FILTERING_CRITERIA = ['ALL', 'ANY'] as const;
const FILTER_PROPERTIES = ['filteringCriteria', 'includeStackNames', 'excludeStackNames', 'includeStackRoles', 'excludeStackRoles'] as const;
/** The `AWS::CloudFormation::GuardHook` registry schema: StackName, Role, Alias, and 1-50 unique items per list. */
const STACK_NAME = { min: 1, max: 128, pattern: /^[a-zA-Z][-a-zA-Z0-9]*$/, patternText: 'a letter then letters, digits and hyphens' };
const STACK_ROLE = { min: 1, max: 256, pattern: /^arn:.+:iam::[0-9]{12}:role\/.+$/, patternText: 'an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)' };
const ALIAS = {
  min: 8,
  max: 196,
  pattern: /^(?![Aa][Ww][Ss])[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$/,
  allowed: 'Name1::Name2::Name3, each part 2-64 letters or digits, not beginning with AWS',
};
const MAX_FILTER_ITEMS = 50;
const RULE_OBJECT_KEY = /\.(guard|zip|tar\.gz)$/;

/**
 * Refuses, at deployment, every `AWS::Bedrock::Guardrail` that CloudFormation or the Cloud Control API
 * (and so the Terraform `awscc` provider) is about to create or update without a customer-managed key:
 * an AWS CloudFormation Guard hook (`AWS::CloudFormation::GuardHook`) on the account and Region of its
 * stack, running `guard/guardrail-encryption.guard` of this package on each guardrail's properties.
 *
 * The hook sees one resource at a time, with its properties resolved: it refuses a guardrail without
 * `KmsKeyArn`, with an alias (the AWS managed key included) or with a value that is not a key ARN. The
 * key itself is judged at synth (the pack, the aspect, or the same rule file with `cfn-guard validate`)
 * and in the account (`GuardrailEncryptionConfigRule`).
 *
 * Created: the rule as an S3 asset, the hook (RESOURCE and CLOUD_CONTROL operations, CREATE and UPDATE
 * of `AWS::Bedrock::Guardrail`, before provisioning), its execution role (trusted by CloudFormation
 * hooks of this account and Region only; it reads the rule object and writes reports, nothing else), and
 * a log bucket for the hook's reports: private, TLS-only, versioned, encrypted with a customer-managed
 * key of its own (the reports hold the judged guardrails' properties, which the standard keeps under a
 * customer-managed key), expiring reports after `logRetention`.
 */
export class GuardrailEncryptionHook extends Construct {
  /** The hook's default type name alias. */
  public static readonly DEFAULT_ALIAS = 'Private::Guard::GuardrailEncryption';

  /** The Guard rule file shipped in this package, for `cfn-guard validate` or your own hook. */
  public static readonly RULE_FILE = PACKAGED_RULE;

  /** The hook. */
  public readonly hook: cloudformation.CfnGuardHook;

  /** The role the hook assumes to read its rule and write its reports. */
  public readonly executionRole: iam.Role;

  /** Where the hook writes its reports. */
  public readonly logBucket: s3.Bucket;

  /** The key that encrypts the log bucket. */
  public readonly logEncryptionKey: kms.Key;

  private readonly origin: Origin;

  constructor(scope: Construct, id: string, props: GuardrailEncryptionHookProps = {}) {
    super(scope, id);
    this.origin = originOf('GuardrailEncryptionHook', this);
    const failureMode = props.failureMode ?? 'FAIL';
    checkOneOf(this.origin, 'failureMode', failureMode, FAILURE_MODES);
    const alias = props.alias ?? GuardrailEncryptionHook.DEFAULT_ALIAS;
    checkString(this.origin, 'alias', alias, ALIAS);
    const stackFilters = props.stackFilters ? this.stackFilters(props.stackFilters) : undefined;
    const rule = this.ruleLocation(props.ruleLocation);

    const stack = Stack.of(this);
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      description: 'Assumed by the Guard hook that refuses Bedrock guardrails without a customer-managed key: reads its rule, writes its reports',
      // Confused-deputy prevention for hook extensions (CloudFormation user guide, "Use third-party public extensions").
      assumedBy: new iam.ServicePrincipal('hooks.cloudformation.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudformation', resource: 'type', resourceName: 'hook/*' }) },
      }),
    });
    this.logEncryptionKey = createServiceKey(this, 'LogKey', {
      description: 'Encrypts the reports of the Guard hook on Bedrock guardrail keys',
      statements: throughS3Statements(this, this.executionRole),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logBucket = this.createLogBucket(props);

    // Permissions in a customer-managed policy (AWS Control Tower refuses inline policies), limited to
    // the rule object and the log bucket's objects.
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Reads the Guard hook\'s rule object and writes its reports',
      roles: [this.executionRole],
      statements: [
        new iam.PolicyStatement({ sid: 'ReadRule', actions: rule.versionId ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObject'], resources: [rule.objectArn] }),
        new iam.PolicyStatement({ sid: 'WriteReports', actions: ['s3:PutObject'], resources: [this.logBucket.arnForObjects('*')] }),
        new iam.PolicyStatement({ sid: 'EncryptReports', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.logEncryptionKey.keyArn] }),
      ],
    });
    // The finding as cdk-nag names it (`<logicalId.Arn>/*`): a wildcard granted later is still reported.
    const bucketId = stack.resolve((this.logBucket.node.defaultChild as s3.CfnBucket).logicalId);
    policy.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
      [`AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`]: REPORT_OBJECTS_REASON,
    });

    this.hook = new cloudformation.CfnGuardHook(this, 'Resource', {
      alias,
      executionRole: this.executionRole.roleArn,
      failureMode,
      hookStatus: props.enabled ?? true ? 'ENABLED' : 'DISABLED',
      ruleLocation: { uri: rule.uri, versionId: rule.versionId },
      logBucket: this.logBucket.bucketName,
      targetOperations: ['RESOURCE', 'CLOUD_CONTROL'],
      targetFilters: {
        targets: ['CREATE', 'UPDATE'].map((action) => ({ targetName: 'AWS::Bedrock::Guardrail', action, invocationPoint: 'PRE_PROVISION' })),
      },
      stackFilters,
    });
    // The hook reads its rule with the role as soon as it is active.
    this.hook.node.addDependency(policy);
  }

  private createLogBucket(props: GuardrailEncryptionHookProps): s3.Bucket {
    const retention = props.logRetention ?? Duration.days(365);
    if (!retention.isUnresolved() && (!Number.isInteger(retention.toDays({ integral: false })) || retention.toDays() < 1)) {
      fail(this.origin, 'logRetention', retention.toHumanString(), 'a whole number of days, at least 1');
    }
    const bucket = new s3.Bucket(this, 'LogBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.logEncryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      // Object Lock without a default retention: reports can be locked by whoever audits them (AWS
      // Control Tower CT.S3.PR.9); the lifecycle below still expires those nobody locked.
      objectLockEnabled: true,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      lifecycleRules: [{
        id: 'ExpireReports',
        expiration: retention,
        noncurrentVersionExpiration: Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Object events to EventBridge (AWS Control Tower CT.S3.PR.4), free on the default bus; set on the
    // resource, as `eventBridgeEnabled` would add a custom resource and its Lambda function.
    (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    acknowledge(bucket, REPLICATION_RULES,
      'The bucket holds the hook\'s reports, a record of deployments also kept by CloudFormation\'s stack events; replicating it to another Region would add a bucket and a key per Region for no recovery need.');
    if (!props.serverAccessLogsBucket) {
      acknowledge(bucket, ACCESS_LOG_RULES, NO_ACCESS_LOGS_REASON);
      skipCheckovChecks(bucket.node.defaultChild as s3.CfnBucket, { CKV_AWS_18: NO_ACCESS_LOGS_REASON });
    }
    return bucket;
  }

  private ruleLocation(location: GuardrailHookRuleLocation | undefined): { uri: string; objectArn: string; versionId?: string } {
    if (location === undefined) {
      // A zipped folder holding the rule alone, not the file itself: the hook reads .zip rule sets too, and
      // cdk-stacksets (which deploys the organization baseline) copies only zip and folder assets to its buckets.
      const asset = new s3assets.Asset(this, 'Rule', { path: path.dirname(PACKAGED_RULE), exclude: ['*', `!${path.basename(PACKAGED_RULE)}`] });
      return { uri: asset.s3ObjectUrl, objectArn: asset.bucket.arnForObjects(asset.s3ObjectKey) };
    }
    const { objectKey, versionId } = location;
    if (!unresolved(objectKey) && (typeof objectKey !== 'string' || !RULE_OBJECT_KEY.test(objectKey) || objectKey.startsWith('/'))) {
      fail(this.origin, 'ruleLocation.objectKey', objectKey, 'the key of an S3 object ending in .guard, .zip or .tar.gz, without a leading /');
    }
    if (versionId !== undefined && !unresolved(versionId) && versionId.trim() === '') {
      fail(this.origin, 'ruleLocation.versionId', versionId, 'an S3 object version id, or no versionId for the latest version');
    }
    return { uri: location.bucket.s3UrlForObject(objectKey), objectArn: location.bucket.arnForObjects(objectKey), versionId };
  }

  private stackFilters(filters: GuardrailHookStackFilters): cloudformation.CfnGuardHook.StackFiltersProperty {
    // A misspelled filter in JavaScript (or a language that passes a map) would otherwise filter nothing.
    for (const key of Object.keys(filters)) {
      if (!(FILTER_PROPERTIES as readonly string[]).includes(key)) fail(this.origin, `stackFilters.${key}`, key, FILTER_PROPERTIES.join(', '));
    }
    const criteria = filters.filteringCriteria ?? 'ALL';
    checkOneOf(this.origin, 'stackFilters.filteringCriteria', criteria, FILTERING_CRITERIA);
    const includeStackNames = this.filterList('includeStackNames', filters.includeStackNames, STACK_NAME);
    const excludeStackNames = this.filterList('excludeStackNames', filters.excludeStackNames, STACK_NAME);
    const includeStackRoles = this.filterList('includeStackRoles', filters.includeStackRoles, STACK_ROLE);
    const excludeStackRoles = this.filterList('excludeStackRoles', filters.excludeStackRoles, STACK_ROLE);
    const names = includeStackNames || excludeStackNames ? { include: includeStackNames, exclude: excludeStackNames } : undefined;
    const roles = includeStackRoles || excludeStackRoles ? { include: includeStackRoles, exclude: excludeStackRoles } : undefined;
    if (!names && !roles) {
      fail(this.origin, 'stackFilters', filters, 'at least one of includeStackNames, excludeStackNames, includeStackRoles, excludeStackRoles (leave stackFilters out to judge every stack)');
    }
    return { filteringCriteria: criteria, stackNames: names, stackRoles: roles };
  }

  private filterList(property: string, list: string[] | undefined, rule: typeof STACK_NAME): string[] | undefined {
    if (list === undefined || Token.isUnresolved(list)) return list;
    const name = `stackFilters.${property}`;
    if (!Array.isArray(list) || list.length < 1 || list.length > MAX_FILTER_ITEMS) {
      fail(this.origin, name, list, `a list of 1-${MAX_FILTER_ITEMS} items (leave it out instead of an empty list)`);
    }
    list.forEach((item, i) => checkString(this.origin, `${name}[${i}]`, item, rule));
    const resolved = list.filter((item) => !unresolved(item));
    const duplicate = resolved.find((item, i) => resolved.indexOf(item) !== i);
    if (duplicate !== undefined) fail(this.origin, name, duplicate, 'each item once');
    return list;
  }
}

/**
 * Who uses the log key, only through S3 in this Region (`kms:ViaService`, as the AWS managed key for S3
 * conditions its use): the hook's role writes reports; principals of the account whose IAM policies
 * allow it read them.
 */
function throughS3Statements(scope: Construct, writer: iam.IRole): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const viaS3 = { 'kms:ViaService': `s3.${stack.region}.${stack.urlSuffix}`, 'kms:CallerAccount': stack.account };
  return [
    new iam.PolicyStatement({
      sid: 'HookWritesReportsThroughS3',
      principals: [writer],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: viaS3 },
    }),
    new iam.PolicyStatement({
      sid: 'AccountReadsReportsThroughS3',
      principals: [new iam.AccountRootPrincipal()],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: viaS3 },
    }),
  ];
}

const REPORT_OBJECTS_REASON =
  'The hook names its report objects itself (their keys are not known in advance); the statement covers only the hook\'s own log bucket.';

/** The packs' rules on cross-Region replication of a bucket. */
const REPLICATION_RULES = ['NIST.800.53.R5-S3BucketReplicationEnabled', 'HIPAA.Security-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'];
/** The packs' rules on S3 server access logging of a bucket. */
const ACCESS_LOG_RULES = ['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'HIPAA.Security-S3BucketLoggingEnabled', 'PCI.DSS.321-S3BucketLoggingEnabled'];
const NO_ACCESS_LOGS_REASON =
  'Only without serverAccessLogsBucket: server access logs need a second bucket, which has the same finding; pass your account\'s access-log bucket.';
