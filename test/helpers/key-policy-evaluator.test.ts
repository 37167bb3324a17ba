import * as kms from 'aws-cdk-lib/aws-kms';
import { KeyPolicyEvaluator } from './key-policy-evaluator';
import { ACCOUNT, CALLERS, CONTEXTS, newStack, synthesizedKey } from './synth';

// The evaluator is what proves the key policy properties, so it must see the holes it is meant to catch.
describe('the key policy evaluator', () => {
  test("sees that CDK's default key policy lets every IAM administrator decrypt", () => {
    const stack = newStack();
    new kms.Key(stack, 'Default');
    const key = synthesizedKey(stack);
    expect(key.evaluator.isAllowed(CALLERS.iamAdmin, 'kms:Decrypt', CONTEXTS.direct)).toBe(true);
    expect(key.evaluator.isAllowed(CALLERS.foreignAdmin, 'kms:Decrypt', CONTEXTS.direct)).toBe(false);
  });

  test('applies explicit denies, wildcards and conditions', () => {
    const evaluator = new KeyPolicyEvaluator({
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/App' }, Action: 'kms:Re*', Resource: '*', Condition: { StringLike: { 'kms:ViaService': 'bedrock.*.amazonaws.com' } } },
        { Effect: 'Allow', Principal: '*', Action: 'kms:DescribeKey', Resource: '*', Condition: { StringNotEquals: { 'kms:CallerAccount': '999999999999' } } },
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:ReEncryptTo', Resource: '*' },
      ],
    }, ACCOUNT);
    const app = { arn: 'arn:aws:iam::111111111111:role/App', account: ACCOUNT, identityAllows: [] };
    expect(evaluator.isAllowed(app, 'kms:ReEncryptFrom', CONTEXTS.viaBedrockHere)).toBe(true);
    expect(evaluator.isAllowed(app, 'kms:ReEncryptFrom', CONTEXTS.viaOtherService)).toBe(false);
    expect(evaluator.isAllowed(app, 'kms:ReEncryptTo', CONTEXTS.viaBedrockHere)).toBe(false);
    expect(evaluator.isAllowed(CALLERS.foreignAdmin, 'kms:DescribeKey')).toBe(true);
    expect(evaluator.isAllowed(CALLERS.foreignAdmin, 'kms:DescribeKey', { 'kms:CallerAccount': '999999999999' })).toBe(false);
  });

  test('refuses what it does not model', () => {
    expect(() => new KeyPolicyEvaluator({ Statement: [{ Effect: 'Allow', Principal: '*', NotAction: 'kms:Decrypt', Resource: '*' } as any] }, ACCOUNT))
      .toThrow(/NotAction is not modelled/);
    const evaluator = new KeyPolicyEvaluator({
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }],
    }, ACCOUNT);
    expect(() => evaluator.isAllowed(CALLERS.iamAdmin, 'kms:Decrypt')).toThrow(/IpAddress is not modelled/);
  });
});
