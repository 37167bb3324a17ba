import { App, Aws, CfnParameter, CfnResource, Duration, Fn, NestedStack, RemovalPolicy, Stack, Stage, Tags, aws_bedrock as bedrock } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { GuardrailKeyPolicy, SecureGuardrail } from '../../src';
import { ACCOUNT, MANDATORY_TAGS, REGION } from '../helpers/synth';

/**
 * The edge cases of the shared reference, one guardrail each, named for its case. `EXPECTED` says
 * which rules each must fail: the corpus tests assert exactly that, through the aspect, the pack's
 * validateScope and a real synthesis.
 */

const ENV = { account: ACCOUNT, region: REGION };
const TAGS = { Owner: MANDATORY_TAGS.owner, Workload: MANDATORY_TAGS.workload, DataSensitivity: MANDATORY_TAGS.dataSensitivity };

/** A key that meets the standard, built without SecureGuardrail (`props` may spoil it). */
export function compliantKey(scope: Construct, id: string, props: kms.KeyProps = {}): kms.Key {
  const key = new kms.Key(scope, id, {
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
    pendingWindow: Duration.days(30),
    policy: GuardrailKeyPolicy.documentFor(scope),
    ...props,
  });
  Object.entries(TAGS).forEach(([tag, value]) => (key.node.defaultChild as kms.CfnKey).tags.setTag(tag, value));
  return key;
}

/** A bare guardrail with the required tags and the given key (or none). */
export function cfnGuardrail(scope: Construct, name: string, kmsKeyArn?: string): bedrock.CfnGuardrail {
  const guardrail = untaggedGuardrail(scope, name, kmsKeyArn);
  Object.entries(TAGS).forEach(([key, value]) => guardrail.cdkTagManager.setTag(key, value));
  return guardrail;
}

/** A bare guardrail without tags. */
export function untaggedGuardrail(scope: Construct, name: string, kmsKeyArn?: string): bedrock.CfnGuardrail {
  return new bedrock.CfnGuardrail(scope, name, { name, blockedInputMessaging: 'Blocked.', blockedOutputsMessaging: 'Blocked.', kmsKeyArn });
}

const OTHER_REGION_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e`;

const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/App`;
const VIA_BEDROCK = { 'kms:ViaService': `bedrock.${REGION}.amazonaws.com` };
const NAMED_APP = { 'aws:PrincipalArn': APP_ROLE };

/** The account administers the key (no cryptographic operation), so that only use decides. */
const ADMINISTRATION = [new iam.PolicyStatement({
  sid: 'Administration',
  principals: [new iam.AccountRootPrincipal()],
  actions: ['kms:DescribeKey', 'kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:EnableKeyRotation'],
  resources: ['*'],
})];

function named(props: { sid: string; actions: string[]; conditions?: Record<string, any>; principal?: iam.IPrincipal }): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: props.sid, principals: [props.principal ?? new iam.ArnPrincipal(APP_ROLE)], actions: props.actions, resources: ['*'], conditions: props.conditions,
  });
}

const anyone = new iam.StarPrincipal();
const theAccount = new iam.AccountRootPrincipal();

/** Key policies (besides administration) that must fail KeyPolicyLeastPrivilege, and their compliant twins. */
const KEY_POLICIES: Record<string, iam.PolicyStatement[]> = {
  'star-caller-account': [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: { 'kms:CallerAccount': ACCOUNT } } })],
  'star-caller-account-twin': [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: { 'kms:CallerAccount': ACCOUNT, ...VIA_BEDROCK }, ArnEquals: NAMED_APP } })],
  'star-principal-account': [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } } })],
  'star-principal-account-twin': [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT, ...VIA_BEDROCK }, ArnEquals: NAMED_APP } })],
  'star-organization': [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij', ...VIA_BEDROCK } } })],
  'foreign-role': [named({ sid: 'Use', principal: new iam.ArnPrincipal('arn:aws:iam::222222222222:role/App'), actions: ['kms:Decrypt'], conditions: { StringEquals: VIA_BEDROCK } })],
  'foreign-role-twin': [named({ sid: 'Use', actions: ['kms:Decrypt'], conditions: { StringEquals: VIA_BEDROCK } })],
  'root-via-other-service': [named({ sid: 'Use', principal: theAccount, actions: ['kms:Decrypt'], conditions: { StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } } })],
  'root-via-any-service': [named({ sid: 'Use', principal: theAccount, actions: ['kms:Decrypt'], conditions: { StringLike: { 'kms:ViaService': '*' } } })],
  'root-via-bedrock-named-twin': [named({ sid: 'Use', principal: theAccount, actions: ['kms:Decrypt'], conditions: { StringEquals: VIA_BEDROCK, ArnLike: NAMED_APP } })],
  'service-without-source': [named({ sid: 'Bedrock', principal: new iam.ServicePrincipal('bedrock.amazonaws.com'), actions: ['kms:Decrypt'] })],
  'service-with-source-twin': [named({
    sid: 'Bedrock',
    principal: new iam.ServicePrincipal('bedrock.amazonaws.com'),
    actions: ['kms:Decrypt'],
    conditions: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/*` } },
  })],
  'star-denied-twin': [
    named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'] }),
    new iam.PolicyStatement({ sid: 'OnlyThroughBedrock', effect: iam.Effect.DENY, principals: [anyone], actions: ['kms:Decrypt'], resources: ['*'], conditions: { StringNotEquals: VIA_BEDROCK } }),
    new iam.PolicyStatement({ sid: 'OnlyTheApp', effect: iam.Effect.DENY, principals: [anyone], actions: ['kms:Decrypt'], resources: ['*'], conditions: { ArnNotEquals: NAMED_APP } }),
  ],
};

const ORGANIZATION = { 'aws:PrincipalOrgID': 'o-abcdefghij' };
const ACCOUNT_WIDE = { 'kms:CallerAccount': ACCOUNT };

/**
 * Account-wide or organization-wide use, accepted only through Bedrock in the key's Region, only for
 * kms:Decrypt, only inside the account (enforced) or organization (shared), and only on the key of a
 * guardrail the app enforces (an EnforcedGuardrailConfiguration on it) or shares (a ResourcePolicy on it).
 */
const WIDENED: Record<string, { statements: iam.PolicyStatement[]; widen?: 'enforce' | 'share' }> = {
  'account-wide-enforced-twin': { widen: 'enforce', statements: [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: { ...ACCOUNT_WIDE, ...VIA_BEDROCK } } })] },
  'account-wide-not-enforced': { statements: [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: { ...ACCOUNT_WIDE, ...VIA_BEDROCK } } })] },
  'account-wide-without-via-enforced': { widen: 'enforce', statements: [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: ACCOUNT_WIDE } })] },
  'account-wide-other-region-enforced': { widen: 'enforce', statements: [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: { ...ACCOUNT_WIDE, 'kms:ViaService': 'bedrock.us-east-1.amazonaws.com' } } })] },
  'organization-wide-enforced': { widen: 'enforce', statements: [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: { ...ORGANIZATION, ...VIA_BEDROCK } } })] },
  'organization-wide-shared-twin': { widen: 'share', statements: [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: { ...ORGANIZATION, ...VIA_BEDROCK } } })] },
  'organization-paths-shared-twin': {
    widen: 'share',
    statements: [named({
      sid: 'Use',
      principal: anyone,
      actions: ['kms:Decrypt'],
      conditions: { 'StringEquals': VIA_BEDROCK, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-abcdefghij/r-ab12/ou-ab12-11111111/*'] } },
    })],
  },
  'organization-without-via-shared': { widen: 'share', statements: [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: ORGANIZATION } })] },
  'organization-generate-data-key-shared': { widen: 'share', statements: [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt', 'kms:GenerateDataKey'], conditions: { StringEquals: { ...ORGANIZATION, ...VIA_BEDROCK } } })] },
  'everyone-via-bedrock-shared': { widen: 'share', statements: [named({ sid: 'Use', principal: anyone, actions: ['kms:Decrypt'], conditions: { StringEquals: VIA_BEDROCK } })] },
};

export function buildCorpus(app: App): void {
  const keys = new Stack(app, 'Keys', { env: ENV });
  const sharedKey = compliantKey(keys, 'SharedKey');
  const main = new Stack(app, 'Main', { env: ENV });

  // Keys followed through references.
  new SecureGuardrail(main, 'same-stack-key', { guardrailName: 'same-stack-key', mandatoryTags: MANDATORY_TAGS });
  cfnGuardrail(main, 'cross-stack-key', sharedKey.keyArn);
  const nested = new NestedStack(main, 'Nested');
  cfnGuardrail(nested, 'nested-stack-parent-key', compliantKey(main, 'ParentKey').keyArn);
  cfnGuardrail(nested, 'nested-stack-no-key');

  // Overrides: the template, not the L1 getters, decides.
  const removed = new SecureGuardrail(main, 'deletion-override', { guardrailName: 'deletion-override', mandatoryTags: MANDATORY_TAGS });
  removed.guardrail.addPropertyDeletionOverride('KmsKeyArn');
  cfnGuardrail(main, 'property-override').addPropertyOverride('KmsKeyArn', compliantKey(main, 'OverrideKey').keyArn);
  const sabotaged = compliantKey(main, 'SabotagedKey');
  (sabotaged.node.defaultChild as kms.CfnKey).addPropertyOverride('EnableKeyRotation', false);
  cfnGuardrail(main, 'key-override', sabotaged.keyArn);

  // A raw CfnResource: no L1 class, no instanceof.
  new CfnResource(main, 'raw-cfn-resource', {
    type: 'AWS::Bedrock::Guardrail',
    properties: { Name: 'raw-cfn-resource', BlockedInputMessaging: 'Blocked.', BlockedOutputsMessaging: 'Blocked.' },
  });

  // AWS managed keys, in every form.
  cfnGuardrail(main, 'aws-managed-alias-name', 'alias/aws/bedrock');
  cfnGuardrail(main, 'aws-managed-alias-arn', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/bedrock`);
  cfnGuardrail(main, 'aws-managed-alias-join', Fn.join('', ['arn:', Aws.PARTITION, ':kms:', Aws.REGION, ':', Aws.ACCOUNT_ID, ':alias/aws/bedrock']));
  cfnGuardrail(main, 'aws-managed-alias-sub', Fn.sub('arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/bedrock'));

  // Keys that cannot be seen at synth.
  cfnGuardrail(main, 'lookup-dummy', kms.Key.fromLookup(main, 'Lookup', { aliasName: 'alias/team-key' }).keyArn);
  cfnGuardrail(main, 'other-region-key', OTHER_REGION_KEY);
  cfnGuardrail(main, 'parameter', new CfnParameter(main, 'KeyArn').valueAsString);
  cfnGuardrail(main, 'import', Fn.importValue('shared-guardrail-key-arn'));

  // Guardrails created through the Bedrock API.
  const call = (name: string, kmsKeyId?: string) => ({
    service: 'Bedrock',
    action: 'CreateGuardrail',
    parameters: { name, blockedInputMessaging: 'Blocked.', blockedOutputsMessaging: 'Blocked.', kmsKeyId },
    physicalResourceId: cr.PhysicalResourceId.of(name),
  });
  new cr.AwsCustomResource(main, 'custom-resource-no-key', {
    onCreate: call('custom-resource-no-key'),
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
  });
  new cr.AwsCustomResource(main, 'custom-resource-with-key', {
    onCreate: call('custom-resource-with-key', sharedKey.keyArn),
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
  });

  // Key policies that get past a check of their shape, each beside its compliant twin.
  for (const [name, statements] of Object.entries(KEY_POLICIES)) {
    const key = compliantKey(main, `${name}-key`, { policy: new iam.PolicyDocument({ statements: [...ADMINISTRATION, ...statements] }) });
    cfnGuardrail(main, name, key.keyArn);
  }
  for (const [name, { statements, widen }] of Object.entries(WIDENED)) {
    const key = compliantKey(main, `${name}-key`, { policy: new iam.PolicyDocument({ statements: [...ADMINISTRATION, ...statements] }) });
    const guardrail = cfnGuardrail(main, name, key.keyArn);
    if (widen === 'enforce') {
      new bedrock.CfnEnforcedGuardrailConfiguration(main, `${name}-enforcement`, { guardrailIdentifier: guardrail.attrGuardrailArn, guardrailVersion: '1' });
    } else if (widen === 'share') {
      new bedrock.CfnResourcePolicy(main, `${name}-resource-policy`, {
        resourceArn: guardrail.attrGuardrailArn,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'bedrock:ApplyGuardrail', Resource: guardrail.attrGuardrailArn, Condition: { StringEquals: ORGANIZATION } }],
        },
      });
    }
  }
  const unmanageable = compliantKey(main, 'no-administrator-key', {
    policy: new iam.PolicyDocument({ statements: [named({ sid: 'Use', actions: ['kms:Decrypt'], conditions: { StringEquals: VIA_BEDROCK } })] }),
  });
  cfnGuardrail(main, 'no-administrator', unmanageable.keyArn);

  // CDK Pipelines-style Stages, nested too.
  const stage = new Stage(app, 'Prod', { env: ENV });
  const stageStack = new Stack(stage, 'Tenants');
  new SecureGuardrail(stageStack, 'stage-key', { guardrailName: 'stage-key', mandatoryTags: MANDATORY_TAGS });
  cfnGuardrail(stageStack, 'stage-no-key');
  const inner = new Stage(stage, 'Canary');
  cfnGuardrail(new Stack(inner, 'Tenants'), 'nested-stage-no-key');

  // A Stage inside a Stage inside the app, the outer one tagging its guardrail and key with
  // Tags.of(stage): CDK synthesizes the inner Stage (and checks it) before the outer Stage's tags apply.
  const outer = new Stage(app, 'Tagged', { env: ENV });
  const outerStack = new Stack(outer, 'Tenants');
  const untaggedKey = compliantKey(outerStack, 'Key');
  Object.keys(TAGS).forEach((tag) => (untaggedKey.node.defaultChild as kms.CfnKey).tags.removeTag(tag, 0));
  untaggedGuardrail(outerStack, 'outer-stage-tags', untaggedKey.keyArn);
  Object.entries(TAGS).forEach(([tag, value]) => Tags.of(outer).add(tag, value));
  const innerStack = new Stack(new Stage(outer, 'Inner'), 'Tenants');
  cfnGuardrail(innerStack, 'inner-stage-key', compliantKey(innerStack, 'Key').keyArn);
}

const NO_KEY = ['GuardrailEncryption-CMKRequired'];
const OUTSIDE = ['GuardrailEncryption-KeyVerifiable'];

/** Per guardrail path: the rules it must fail (errors) and warn about. Guardrails not listed pass. */
export const EXPECTED: Record<string, { errors: string[]; warnings: string[] }> = {
  'Main/Nested/nested-stack-no-key': { errors: NO_KEY, warnings: [] },
  'Main/deletion-override/Resource': { errors: NO_KEY, warnings: [] },
  'Main/key-override': { errors: ['GuardrailEncryption-KeyRotation'], warnings: [] },
  'Main/raw-cfn-resource': { errors: [...NO_KEY, 'GuardrailEncryption-GuardrailTags'], warnings: [] },
  'Main/aws-managed-alias-name': { errors: NO_KEY, warnings: [] },
  'Main/aws-managed-alias-arn': { errors: NO_KEY, warnings: [] },
  'Main/aws-managed-alias-join': { errors: NO_KEY, warnings: [] },
  'Main/aws-managed-alias-sub': { errors: NO_KEY, warnings: [] },
  'Main/lookup-dummy': { errors: NO_KEY, warnings: [] },
  'Main/other-region-key': { errors: ['GuardrailEncryption-KeyPlacement'], warnings: OUTSIDE },
  'Main/parameter': { errors: [], warnings: OUTSIDE },
  'Main/import': { errors: [], warnings: OUTSIDE },
  'Main/custom-resource-no-key/Resource/Default': { errors: ['GuardrailEncryption-CustomResourceCMK'], warnings: [] },
  'Prod/Tenants/stage-no-key': { errors: NO_KEY, warnings: [] },
  ...Object.fromEntries([...Object.keys(KEY_POLICIES), ...Object.keys(WIDENED)].filter((name) => !name.endsWith('-twin'))
    .map((name) => [`Main/${name}`, { errors: ['GuardrailEncryption-KeyPolicyLeastPrivilege'], warnings: [] }])),
  'Main/no-administrator': { errors: ['GuardrailEncryption-KeyManageable'], warnings: [] },
  'Prod/Canary/Tenants/nested-stage-no-key': { errors: NO_KEY, warnings: [] },
};

/** Guardrails that must pass every rule. */
export const COMPLIANT = [
  'Main/same-stack-key/Resource',
  'Main/cross-stack-key',
  'Main/Nested/nested-stack-parent-key',
  'Main/property-override',
  'Main/custom-resource-with-key/Resource/Default',
  'Prod/Tenants/stage-key/Resource',
  'Tagged/Tenants/outer-stage-tags',
  'Tagged/Inner/Tenants/inner-stage-key',
  ...[...Object.keys(KEY_POLICIES), ...Object.keys(WIDENED)].filter((name) => name.endsWith('-twin')).map((name) => `Main/${name}`),
];
