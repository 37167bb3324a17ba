import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, DefaultStackSynthesizer, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { ACCOUNT, newStack, only, partitionArn, REGION } from './helpers/stack';
import { GuardrailEncryptionHook, GuardrailEncryptionHookProps } from '../../src';

/** The rule ids acknowledged on a construct, with their reasons (aws-cdk-lib records them as `annotation::<id>`, or `Annotation::<id>` in newer releases). */
function acknowledged(construct: IConstruct): Record<string, string> {
  return Object.fromEntries(construct.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>)).map(([id, reason]) => [id.replace(/^annotation::/i, ''), reason]));
}

const RULE_FILE = path.join(__dirname, '..', '..', 'guard', 'guardrail-encryption.guard');
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/platform-deployer`;

function build(props: GuardrailEncryptionHookProps = {}, stack: Stack = newStack()) {
  const hook = new GuardrailEncryptionHook(stack, 'Hook', props);
  return { stack, hook, template: Template.fromStack(stack) };
}

describe('GuardrailEncryptionHook with defaults', () => {
  const { stack, hook, template } = build();
  const guardHook = only(template, 'AWS::CloudFormation::GuardHook');
  const role = only(template, 'AWS::IAM::Role');
  const policy = only(template, 'AWS::IAM::ManagedPolicy');
  const bucket = only(template, 'AWS::S3::Bucket');
  const key = only(template, 'AWS::KMS::Key');
  const bucketPolicy = only(template, 'AWS::S3::BucketPolicy');
  const assetUri = guardHook.resource.Properties.RuleLocation.Uri as string;
  const [, assetBucket, assetKey] = /^s3:\/\/([^/]+)\/(.+)$/.exec(assetUri) ?? [];

  test('a Guard hook that fails creates and updates of guardrails, by CloudFormation and the Cloud Control API, before provisioning', () => {
    expect(guardHook.resource.Properties).toEqual({
      Alias: 'Private::Guard::GuardrailEncryption',
      ExecutionRole: { 'Fn::GetAtt': [role.id, 'Arn'] },
      FailureMode: 'FAIL',
      HookStatus: 'ENABLED',
      RuleLocation: { Uri: assetUri },
      LogBucket: { Ref: bucket.id },
      TargetOperations: ['RESOURCE', 'CLOUD_CONTROL'],
      TargetFilters: {
        Targets: [
          { TargetName: 'AWS::Bedrock::Guardrail', Action: 'CREATE', InvocationPoint: 'PRE_PROVISION' },
          { TargetName: 'AWS::Bedrock::Guardrail', Action: 'UPDATE', InvocationPoint: 'PRE_PROVISION' },
        ],
      },
    });
    expect(guardHook.resource.DependsOn).toEqual([policy.id]);
    expect(stack.resolve(hook.hook.ref)).toEqual({ Ref: guardHook.id });
  });

  test('the rule is the packaged guard/guardrail-encryption.guard, alone in a zipped folder asset', () => {
    expect(GuardrailEncryptionHook.RULE_FILE).toBe(RULE_FILE);
    expect(assetBucket).toBe(`cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`);
    expect(assetKey).toMatch(/^[0-9a-f]{64}\.zip$/);
    const assembly = (stack.node.root as App).synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf-8'));
    const asset = Object.values(manifest.files as Record<string, any>)
      .find((f) => Object.values(f.destinations as Record<string, any>)[0].objectKey === assetKey);
    expect(asset.source.packaging).toBe('zip');
    // The folder's unit tests (guard/tests/, in the repository only) stay out.
    expect(fs.readdirSync(path.join(assembly.directory, asset.source.path))).toEqual(['guardrail-encryption.guard']);
    expect(fs.readFileSync(path.join(assembly.directory, asset.source.path, 'guardrail-encryption.guard'), 'utf-8')).toBe(fs.readFileSync(RULE_FILE, 'utf-8'));
  });

  test('the execution role is assumed by CloudFormation hooks of this account and Region only', () => {
    expect(role.resource.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Service: 'hooks.cloudformation.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': partitionArn(`:cloudformation:${REGION}:${ACCOUNT}:type/hook/*`) },
        },
      }],
    });
    expect(role.resource.Properties.Policies).toBeUndefined();
    expect(role.resource.Properties.ManagedPolicyArns).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the role reads the rule object only, writes report objects of its log bucket only, and uses the log key for that', () => {
    expect(policy.resource.Properties.Roles).toEqual([{ Ref: role.id }]);
    expect(policy.resource.Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'ReadRule', Effect: 'Allow', Action: 's3:GetObject', Resource: partitionArn(`:s3:::${assetBucket}/${assetKey}`) },
      { Sid: 'WriteReports', Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket.id, 'Arn'] }, '/*']] } },
      { Sid: 'EncryptReports', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [key.id, 'Arn'] } },
    ]);
  });

  test('the log bucket is private, TLS-only, versioned, encrypted with its own key, and expires reports after a year', () => {
    expect(bucket.resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(bucket.resource.Properties).toEqual({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key.id, 'Arn'] } },
        }],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LifecycleConfiguration: {
        Rules: [{
          Id: 'ExpireReports',
          Status: 'Enabled',
          ExpirationInDays: 365,
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        }],
      },
    });
    expect(bucketPolicy.resource.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
    ]);
    expect(hook.logBucket.encryptionKey).toBe(hook.logEncryptionKey);
    // No custom resource for the EventBridge notifications.
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('the log key: the account administers it; the hook\'s role writes and the account reads through S3 in this Region only', () => {
    expect(key.resource).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    const statements = key.resource.Properties.KeyPolicy.Statement as any[];
    const viaS3 = { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', [`s3.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] }, 'kms:CallerAccount': ACCOUNT } };
    expect(statements.map((s) => s.Sid)).toEqual(['KeyAdministration', 'HookWritesReportsThroughS3', 'AccountReadsReportsThroughS3', 'DenyGrantsExceptForAwsResources']);
    expect(statements[0].Action).not.toContain('kms:Decrypt');
    expect(statements[1]).toEqual({
      Sid: 'HookWritesReportsThroughS3',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [role.id, 'Arn'] } },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: viaS3,
    });
    expect(statements[2]).toEqual({
      Sid: 'AccountReadsReportsThroughS3',
      Effect: 'Allow',
      Principal: { AWS: partitionArn(`:iam::${ACCOUNT}:root`) },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: viaS3,
    });
  });

  test('acknowledges exactly the packs\' findings a reviewer reads a reason for, on the resource each concerns', () => {
    expect(Object.keys(acknowledged(hook.logBucket)).sort()).toEqual([
      'AwsSolutions-S1', 'HIPAA.Security-S3BucketLoggingEnabled', 'HIPAA.Security-S3BucketReplicationEnabled',
      'NIST.800.53.R5-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled',
      'PCI.DSS.321-S3BucketLoggingEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled',
    ]);
    expect(acknowledged(hook.logBucket)['AwsSolutions-S1']).toMatch(/pass your account's access-log bucket/);
    expect(acknowledged(hook.node.findChild('Policy'))).toEqual({
      [`AwsSolutions-IAM5[Resource::<${bucket.id}.Arn>/*]`]: expect.stringMatching(/report objects/),
    });
  });
});

describe('GuardrailEncryptionHook options', () => {
  test('WARN for a rollout, a failure mode given as a parameter, and a disabled hook', () => {
    expect(only(build({ failureMode: 'WARN' }).template, 'AWS::CloudFormation::GuardHook').resource.Properties.FailureMode).toBe('WARN');
    const stack = newStack();
    const mode = new CfnParameter(stack, 'FailureMode', { allowedValues: ['WARN', 'FAIL'] });
    const { template } = build({ failureMode: mode.valueAsString, enabled: false }, stack);
    expect(only(template, 'AWS::CloudFormation::GuardHook').resource.Properties).toMatchObject({
      FailureMode: { Ref: 'FailureMode' }, HookStatus: 'DISABLED',
    });
  });

  test('stack filters are passed through as CloudFormation names them', () => {
    const { template } = build({
      alias: 'Acme::Guard::GuardrailKeys',
      stackFilters: {
        filteringCriteria: 'ANY',
        includeStackNames: ['tenants-prod', 'tenants-dev'],
        excludeStackNames: ['sandbox'],
        includeStackRoles: [ROLE_ARN],
        excludeStackRoles: [`arn:aws:iam::${ACCOUNT}:role/break-glass`],
      },
    });
    expect(only(template, 'AWS::CloudFormation::GuardHook').resource.Properties).toMatchObject({
      Alias: 'Acme::Guard::GuardrailKeys',
      StackFilters: {
        FilteringCriteria: 'ANY',
        StackNames: { Include: ['tenants-prod', 'tenants-dev'], Exclude: ['sandbox'] },
        StackRoles: { Include: [ROLE_ARN], Exclude: [`arn:aws:iam::${ACCOUNT}:role/break-glass`] },
      },
    });
  });

  test('one kind of filter alone, with the default criteria ALL', () => {
    const { template } = build({ stackFilters: { excludeStackRoles: [ROLE_ARN] } });
    expect(only(template, 'AWS::CloudFormation::GuardHook').resource.Properties.StackFilters).toEqual({
      FilteringCriteria: 'ALL', StackRoles: { Exclude: [ROLE_ARN] },
    });
  });

  test('a rule already uploaded (a central bucket, a pinned version): the role reads that object version only, and no asset is made', () => {
    const stack = newStack();
    const rules = s3.Bucket.fromBucketName(stack, 'Rules', 'org-guard-rules');
    const { template } = build({ ruleLocation: { bucket: rules, objectKey: 'bedrock/guardrail-encryption.guard', versionId: '3HL4kqtJlcpXroDTDmJ' } }, stack);
    expect(only(template, 'AWS::CloudFormation::GuardHook').resource.Properties.RuleLocation).toEqual({
      Uri: 's3://org-guard-rules/bedrock/guardrail-encryption.guard', VersionId: '3HL4kqtJlcpXroDTDmJ',
    });
    expect(only(template, 'AWS::IAM::ManagedPolicy').resource.Properties.PolicyDocument.Statement[0]).toEqual({
      Sid: 'ReadRule',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: partitionArn(':s3:::org-guard-rules/bedrock/guardrail-encryption.guard'),
    });
    const assembly = (stack.node.root as App).synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf-8'));
    expect(Object.keys(manifest.files)).toEqual([expect.anything()]); // the template only
  });

  test('a template for service-managed StackSets: environment-agnostic, no asset, no bootstrap parameter, the failure mode a parameter', () => {
    const app = new App();
    const stack = new Stack(app, 'GuardrailHookStackSet', { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
    const mode = new CfnParameter(stack, 'FailureMode', { allowedValues: ['WARN', 'FAIL'], default: 'WARN' });
    new GuardrailEncryptionHook(stack, 'Hook', {
      failureMode: mode.valueAsString,
      ruleLocation: { bucket: s3.Bucket.fromBucketName(stack, 'Rules', 'org-guard-rules'), objectKey: 'guardrail-encryption.guard' },
    });
    const assembly = app.synth();
    const artifact = assembly.getStackByName('GuardrailHookStackSet');
    expect(Object.keys(artifact.template.Parameters)).toEqual(['FailureMode']);
    expect(artifact.template.Rules).toBeUndefined();
    expect(artifact.assets).toEqual([]);
    const trust = only(Template.fromStack(stack), 'AWS::IAM::Role').resource.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
  });

  test('log retention and server access logging', () => {
    const stack = newStack();
    const accessLogs = s3.Bucket.fromBucketName(stack, 'AccessLogs', 'access-logs');
    const { template, hook } = build({ logRetention: Duration.days(90), serverAccessLogsBucket: accessLogs }, stack);
    expect(only(template, 'AWS::S3::Bucket').resource.Properties).toMatchObject({
      LoggingConfiguration: { DestinationBucketName: 'access-logs' },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 90 })] },
    });
    expect(Object.keys(acknowledged(hook.logBucket)).sort()).toEqual([
      'HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled',
    ]);
  });
});

describe('GuardrailEncryptionHook refuses bad input at synth, naming the construct, the property, the value and what is allowed', () => {
  const refused = (props: GuardrailEncryptionHookProps) => () => build(props);

  test('a failure mode other than FAIL or WARN', () => {
    expect(refused({ failureMode: 'BLOCK' })).toThrow(
      '[TestStack/Hook] GuardrailEncryptionHook: invalid failureMode: received "BLOCK" (5 characters); allowed: FAIL, WARN.');
    expect(refused({ failureMode: 'fail' })).toThrow(/invalid failureMode: received "fail"/);
  });

  test('an alias CloudFormation refuses', () => {
    expect(refused({ alias: 'AWS::Guard::Mine' })).toThrow(/\[TestStack\/Hook\] GuardrailEncryptionHook: invalid alias: received "AWS::Guard::Mine" \(16 characters\); allowed: Name1::Name2::Name3/);
    expect(refused({ alias: 'Private-Guard-Mine' })).toThrow(/invalid alias/);
  });

  test('an unknown stack filter, or one CloudFormation refuses', () => {
    expect(refused({ stackFilters: { excludeStacks: ['sandbox'] } as any })).toThrow(
      '[TestStack/Hook] GuardrailEncryptionHook: invalid stackFilters.excludeStacks: received "excludeStacks" (13 characters); allowed: filteringCriteria, includeStackNames, excludeStackNames, includeStackRoles, excludeStackRoles.');
    expect(refused({ stackFilters: { filteringCriteria: 'SOME', excludeStackNames: ['a'] } })).toThrow(
      /invalid stackFilters\.filteringCriteria: received "SOME" \(4 characters\); allowed: ALL, ANY\./);
    expect(refused({ stackFilters: { excludeStackNames: ['tenants_prod'] } })).toThrow(
      /invalid stackFilters\.excludeStackNames\[0\]: received "tenants_prod" \(12 characters\); allowed: 1-128 characters of a letter then letters, digits and hyphens\./);
    expect(refused({ stackFilters: { includeStackRoles: ['arn:aws:iam::111111111111:user/alice'] } })).toThrow(
      /invalid stackFilters\.includeStackRoles\[0\]: received "arn:aws:iam::111111111111:user\/alice".*allowed: 1-256 characters of an IAM role ARN/);
    expect(refused({ stackFilters: { excludeStackNames: [] } })).toThrow(
      /invalid stackFilters\.excludeStackNames: received a list of 0; allowed: a list of 1-50 items/);
    expect(refused({ stackFilters: { excludeStackNames: Array.from({ length: 51 }, (_, i) => `s${i}`) } })).toThrow(/received a list of 51/);
    expect(refused({ stackFilters: { excludeStackNames: ['a', 'b', 'a'] } })).toThrow(/invalid stackFilters\.excludeStackNames: received "a" \(1 characters\); allowed: each item once\./);
    expect(refused({ stackFilters: {} })).toThrow(/invalid stackFilters: received \{\}; allowed: at least one of includeStackNames/);
  });

  test('an empty rule location, or an object a Guard hook does not read', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Rules', 'rules');
    expect(() => build({ ruleLocation: { bucket, objectKey: '' } }, stack)).toThrow(
      '[TestStack/Hook] GuardrailEncryptionHook: invalid ruleLocation.objectKey: received "" (0 characters); allowed: the key of an S3 object ending in .guard, .zip or .tar.gz, without a leading /.');
    expect(() => build({ ruleLocation: { bucket, objectKey: 'rules/guardrail.yaml' } }, newStack())).toThrow(/received "rules\/guardrail.yaml"/);
    expect(() => build({ ruleLocation: { bucket, objectKey: '/rules.guard' } }, newStack())).toThrow(/received "\/rules.guard"/);
    expect(() => build({ ruleLocation: { bucket, objectKey: 'rules.guard', versionId: ' ' } }, newStack())).toThrow(
      /invalid ruleLocation\.versionId: received " " \(1 characters\); allowed: an S3 object version id/);
  });

  test('a log retention that is not a whole number of days', () => {
    expect(refused({ logRetention: Duration.hours(36) })).toThrow(/invalid logRetention: received "1 day 12 hours" \(14 characters\); allowed: a whole number of days, at least 1\./);
    expect(refused({ logRetention: Duration.days(0) })).toThrow(/invalid logRetention/);
  });

  test('tokens pass: stack names, roles and the rule object given as parameters', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'Excluded').valueAsString;
    const roles = new CfnParameter(stack, 'Roles', { type: 'CommaDelimitedList' }).valueAsList;
    const objectKey = new CfnParameter(stack, 'RuleKey').valueAsString;
    const bucket = s3.Bucket.fromBucketName(stack, 'Rules', 'rules');
    const { template } = build({ stackFilters: { excludeStackNames: [name], includeStackRoles: roles }, ruleLocation: { bucket, objectKey } }, stack);
    expect(only(template, 'AWS::CloudFormation::GuardHook').resource.Properties).toMatchObject({
      StackFilters: { StackNames: { Exclude: [{ Ref: 'Excluded' }] }, StackRoles: { Include: { Ref: 'Roles' } } },
      RuleLocation: { Uri: { 'Fn::Join': ['', ['s3://rules/', { Ref: 'RuleKey' }]] } },
    });
  });
});
