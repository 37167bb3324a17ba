import { CfnParameter, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import { findings, guardrailWithKey, NONE, rule } from './helpers';
import { cfnGuardrail } from '../corpus/corpus-app';
import { ACCOUNT, OTHER_ACCOUNT, REGION } from '../helpers/synth';

const KEY_ID = '0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e';
const literalKey = (region = REGION, account = ACCOUNT) => `arn:aws:kms:${region}:${account}:key/${KEY_ID}`;

describe('CMKRequired', () => {
  test('compliant: a key of the app', () => {
    expect(findings(guardrailWithKey)).toEqual(NONE);
  });

  test.each<[string, string | undefined]>([
    ['no key', undefined],
    ['an AWS managed alias', 'alias/aws/bedrock'],
    ['a customer alias ARN', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/team`],
    ['a bare key id', KEY_ID],
    ['the lookup placeholder', `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
  ])('non-compliant: %s', (_name, keyArn) => {
    expect(findings((s) => cfnGuardrail(s, 'G', keyArn)).errors).toEqual([rule('CMKRequired')]);
  });

  test('not applicable: other resources', () => {
    expect(findings((s) => new kms.Key(s, 'K'))).toEqual(NONE);
  });
});

describe('KeyPlacement', () => {
  test('compliant: a literal key of the guardrail\'s Region and account (unverified only)', () => {
    expect(findings((s) => cfnGuardrail(s, 'G', literalKey()))).toEqual({ errors: [], warnings: [rule('KeyVerifiable')] });
  });

  test.each([['Region', literalKey('us-east-1')], ['account', literalKey(REGION, OTHER_ACCOUNT)]])('non-compliant: a key of another %s', (_part, arn) => {
    expect(findings((s) => cfnGuardrail(s, 'G', arn)).errors).toEqual([rule('KeyPlacement')]);
  });

  test.each([['Region', 'us-east-1', ACCOUNT], ['account', REGION, OTHER_ACCOUNT]])('non-compliant: the lookup placeholder\'s ARN in another %s', (_part, region, account) => {
    const arn = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    expect(findings((s) => cfnGuardrail(s, 'G', arn)).errors).toEqual([rule('CMKRequired'), rule('KeyPlacement')]);
  });

  test('non-compliant: a key of the app in a stack of another Region (cross-Region references)', () => {
    expect(findings((stack) => {
      const keys = new Stack(stack.node.scope!, 'UsKeys', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
      const other = new Stack(stack.node.scope!, 'Guardrails', { env: { account: ACCOUNT, region: REGION }, crossRegionReferences: true });
      cfnGuardrail(other, 'G', new kms.Key(keys, 'Key', { enableKeyRotation: true }).keyArn);
    }).errors).toContain(rule('KeyPlacement'));
  });

  test('not applicable: no key', () => {
    expect(findings((s) => cfnGuardrail(s, 'G')).errors).not.toContain(rule('KeyPlacement'));
  });
});

describe('KeyVerifiable', () => {
  test.each<[string, (s: Stack) => string]>([
    ['a literal ARN', () => literalKey()],
    ['a parameter', (s) => new CfnParameter(s, 'KeyArn').valueAsString],
    ['an import', () => Fn.importValue('key-arn')],
  ])('non-compliant (warning): %s', (_name, keyArn) => {
    expect(findings((s) => cfnGuardrail(s, 'G', keyArn(s)))).toEqual({ errors: [], warnings: [rule('KeyVerifiable')] });
  });

  test('non-compliant (error) when strict', () => {
    expect(findings((s) => cfnGuardrail(s, 'G', literalKey()), { strict: true })).toEqual({ errors: [rule('KeyVerifiable')], warnings: [] });
  });

  test('compliant: an allowed key ARN', () => {
    expect(findings((s) => cfnGuardrail(s, 'G', literalKey()), { allowedKeyArns: [literalKey()] })).toEqual(NONE);
  });

  test('not applicable: the lookup placeholder and no key', () => {
    expect(findings((s) => cfnGuardrail(s, 'G', kms.Key.fromLookup(s, 'L', { aliasName: 'alias/k' }).keyArn)).warnings).toEqual([]);
    expect(findings((s) => cfnGuardrail(s, 'G')).warnings).toEqual([]);
  });
});

describe('GuardrailTags', () => {
  test('non-compliant: a required tag missing or empty', () => {
    expect(findings((s) => {
      const guardrail = cfnGuardrail(s, 'G', 'alias/aws/bedrock');
      guardrail.cdkTagManager.removeTag('Owner', 1000);
      guardrail.cdkTagManager.setTag('Workload', '', 1000);
    }).errors).toEqual([rule('CMKRequired'), rule('GuardrailTags')]);
  });

  test('configurable tag keys', () => {
    expect(findings(guardrailWithKey, { requiredTags: ['CostCenter'] }).errors).toEqual([rule('GuardrailTags'), rule('KeyTags')]);
    expect(findings(guardrailWithKey, { requiredTags: ['Owner'] })).toEqual(NONE);
  });

  test('not applicable: custom resources', () => {
    expect(findings((s) => sdkGuardrail(s, literalKey()))).toEqual(NONE);
  });
});

function sdkGuardrail(stack: Stack, kmsKeyId?: string, action = 'CreateGuardrail', service = 'Bedrock'): void {
  new cr.AwsCustomResource(stack, 'Sdk', {
    onCreate: { service, action, parameters: { name: 'g', kmsKeyId }, physicalResourceId: cr.PhysicalResourceId.of('g') },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
  });
}

describe('CustomResourceCMK', () => {
  test.each([
    ['a key ARN', literalKey()],
    ['a key id', KEY_ID],
  ])('compliant: %s', (_name, kmsKeyId) => {
    expect(findings((s) => sdkGuardrail(s, kmsKeyId))).toEqual(NONE);
  });

  test.each<[string, string | undefined, string, string]>([
    ['no kmsKeyId', undefined, 'CreateGuardrail', 'Bedrock'],
    ['an alias', 'alias/aws/bedrock', 'CreateGuardrail', 'Bedrock'],
    ['an update without a key', undefined, 'updateGuardrail', '@aws-sdk/client-bedrock'],
    ['a v3 command name', undefined, 'CreateGuardrailCommand', 'bedrock'],
  ])('non-compliant: %s', (_name, kmsKeyId, action, service) => {
    expect(findings((s) => sdkGuardrail(s, kmsKeyId, action, service)).errors).toEqual([rule('CustomResourceCMK')]);
  });

  test('non-compliant: an update without the key the create had', () => {
    expect(findings((s) => new cr.AwsCustomResource(s, 'Sdk', {
      onCreate: { service: 'Bedrock', action: 'CreateGuardrail', parameters: { kmsKeyId: literalKey() }, physicalResourceId: cr.PhysicalResourceId.of('g') },
      onUpdate: { service: 'Bedrock', action: 'UpdateGuardrail', parameters: { guardrailIdentifier: 'g' }, physicalResourceId: cr.PhysicalResourceId.of('g') },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    })).errors).toEqual([rule('CustomResourceCMK')]);
  });

  test('not applicable: other SDK calls and other custom resources', () => {
    expect(findings((s) => sdkGuardrail(s, undefined, 'ListGuardrails'))).toEqual(NONE);
    expect(findings((s) => sdkGuardrail(s, undefined, 'CreateGuardrail', 'S3'))).toEqual(NONE);
    expect(findings((s) => new CfnResource(s, 'Custom', { type: 'Custom::Thing', properties: { ServiceToken: 'arn', Create: 'not json' } }))).toEqual(NONE);
    expect(findings((s) => new CfnResource(s, 'Custom', { type: 'Custom::Thing', properties: { ServiceToken: 'arn', Create: '"a string"' } }))).toEqual(NONE);
  });
});
