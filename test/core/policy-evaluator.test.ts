import * as kms from 'aws-cdk-lib/aws-kms';
import { Caller, KeyPolicyEvaluator, PolicyStatementJson, UndecidablePolicy } from '../../src/core/policy-evaluator';
import { ACCOUNT, CALLERS, CONTEXTS, newStack, OTHER_ACCOUNT, synthesizedKey } from '../helpers/synth';

const APP = `arn:aws:iam::${ACCOUNT}:role/App`;
const app: Caller = { arn: APP, account: ACCOUNT, identityAllows: [] };
const admin: Caller = { arn: `arn:aws:iam::${ACCOUNT}:role/Admin`, account: ACCOUNT, identityAllows: ['*'] };
const bedrock: Caller = { arn: 'bedrock.amazonaws.com', account: ACCOUNT, identityAllows: [], service: 'bedrock.amazonaws.com' };

function evaluator(...statements: PolicyStatementJson[]): KeyPolicyEvaluator {
  return new KeyPolicyEvaluator({ Statement: statements });
}

function allow(more: Partial<PolicyStatementJson>): PolicyStatementJson {
  return { Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Decrypt', Resource: '*', ...more };
}

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
    const policy = evaluator(
      allow({ Action: 'kms:Re*', Condition: { StringLike: { 'kms:ViaService': 'bedrock.*.amazonaws.com' } } }),
      { Effect: 'Allow', Principal: '*', Action: 'kms:DescribeKey', Resource: '*', Condition: { StringNotEquals: { 'kms:CallerAccount': '999999999999' } } },
      { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:ReEncryptTo', Resource: '*' },
    );
    expect(policy.isAllowed(app, 'kms:ReEncryptFrom', CONTEXTS.viaBedrockHere)).toBe(true);
    expect(policy.isAllowed(app, 'kms:ReEncryptFrom', CONTEXTS.viaOtherService)).toBe(false);
    expect(policy.isAllowed(app, 'kms:ReEncryptTo', CONTEXTS.viaBedrockHere)).toBe(false);
    expect(policy.isAllowed(CALLERS.foreignAdmin, 'kms:DescribeKey')).toBe(true);
    expect(policy.isAllowed(CALLERS.foreignAdmin, 'kms:DescribeKey', { 'kms:CallerAccount': '999999999999' })).toBe(false);
  });

  test('names the statement that decides: the Deny, else the first Allow, by Sid or index', () => {
    const policy = evaluator(allow({}), allow({ Sid: 'Second' }), { Sid: 'NoDecrypt', Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(policy.decide(app, 'kms:Decrypt')).toEqual({ allowed: true, statement: '#0' });
    expect(policy.decide(app, 'kms:Decrypt', { 'aws:SecureTransport': 'false' })).toEqual({ allowed: false, statement: 'NoDecrypt' });
    expect(policy.decide(app, 'kms:Encrypt')).toEqual({ allowed: false });
  });

  test('Action and NotAction, with * and ?, without case', () => {
    const notAction = evaluator(allow({ Action: undefined, NotAction: ['kms:Decrypt', 'kms:Generate*'] }));
    expect(notAction.isAllowed(app, 'kms:Encrypt')).toBe(true);
    expect(notAction.isAllowed(app, 'kms:Decrypt')).toBe(false);
    expect(notAction.isAllowed(app, 'kms:GenerateDataKeyPair')).toBe(false);
    const question = evaluator(allow({ Action: 'kms:?ecrypt' }));
    expect(question.isAllowed(app, 'kms:Decrypt')).toBe(true);
    expect(question.isAllowed(app, 'KMS:decrypt')).toBe(true);
    expect(question.isAllowed(app, 'kms:ReEncrypt')).toBe(false);
  });

  test('Principal and NotPrincipal, account roots and bare account ids through IAM, services as themselves', () => {
    const root = evaluator(allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }));
    expect(root.isAllowed(admin, 'kms:Decrypt')).toBe(true);
    expect(root.isAllowed(app, 'kms:Decrypt')).toBe(false);
    expect(root.isAllowed(CALLERS.foreignAdmin, 'kms:Decrypt')).toBe(false);
    expect(evaluator(allow({ Principal: { AWS: ACCOUNT } })).isAllowed(admin, 'kms:Decrypt')).toBe(true);
    expect(evaluator(allow({ Principal: { AWS: OTHER_ACCOUNT } })).isAllowed(CALLERS.foreignAdmin, 'kms:Decrypt')).toBe(true);

    const notPrincipal = evaluator(allow({ Principal: undefined, NotPrincipal: { AWS: APP } }));
    expect(notPrincipal.isAllowed(app, 'kms:Decrypt')).toBe(false);
    expect(notPrincipal.isAllowed(CALLERS.foreignAdmin, 'kms:Decrypt')).toBe(true);
    expect(notPrincipal.isAllowed(bedrock, 'kms:Decrypt')).toBe(true);

    const service = evaluator(allow({ Principal: { Service: 'bedrock.amazonaws.com' } }));
    expect(service.isAllowed(bedrock, 'kms:Decrypt')).toBe(true);
    expect(service.isAllowed(admin, 'kms:Decrypt')).toBe(false);
    expect(service.isAllowed({ ...bedrock, service: 'events.amazonaws.com' }, 'kms:Decrypt')).toBe(false);
    // A Deny naming the account applies to its principals without any IAM policy.
    expect(evaluator(allow({ Principal: '*' }), { Effect: 'Deny', Principal: { AWS: ACCOUNT }, Action: '*', Resource: '*' }).isAllowed(app, 'kms:Decrypt')).toBe(false);
  });

  test('a role named as a principal stops matching once re-created; aws:PrincipalArn does not', () => {
    const recreated = { ...app, recreated: true };
    expect(evaluator(allow({})).isAllowed(recreated, 'kms:Decrypt')).toBe(false);
    const byArn = evaluator(allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Condition: { ArnEquals: { 'aws:PrincipalArn': APP } } }));
    expect(byArn.isAllowed({ ...recreated, identityAllows: ['kms:Decrypt'] }, 'kms:Decrypt')).toBe(true);
  });

  test.each<[string, PolicyStatementJson['Condition'], Record<string, string | string[]>, boolean]>([
    ['StringEquals', { StringEquals: { 'kms:ViaService': 'bedrock.eu-west-1.amazonaws.com' } }, CONTEXTS.viaBedrockHere, true],
    ['StringEquals, another value', { StringEquals: { 'kms:ViaService': 'bedrock.eu-west-1.amazonaws.com' } }, CONTEXTS.viaOtherService, false],
    ['StringEquals, the key absent', { StringEquals: { 'kms:ViaService': 'bedrock.eu-west-1.amazonaws.com' } }, {}, false],
    ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'kms:ViaService': 'BEDROCK.eu-west-1.amazonaws.com' } }, CONTEXTS.viaBedrockHere, true],
    ['StringNotEquals, the key absent', { StringNotEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } }, {}, true],
    ['StringLike with ?', { StringLike: { 'kms:ViaService': 'bedrock.eu-west-?.amazonaws.com' } }, CONTEXTS.viaBedrockHere, true],
    ['StringNotLike', { StringNotLike: { 'kms:ViaService': 'bedrock.*' } }, CONTEXTS.viaOtherService, true],
    ['ArnLike', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/A*` } }, {}, true],
    ['ArnNotLike', { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/A*` } }, {}, false],
    ['ArnEquals', { ArnEquals: { 'aws:PrincipalArn': APP } }, {}, true],
    ['Bool', { Bool: { 'kms:GrantIsForAWSResource': 'true' } }, { 'kms:GrantIsForAWSResource': 'true' }, true],
    ['Bool, the key absent', { Bool: { 'kms:GrantIsForAWSResource': 'true' } }, {}, false],
    ['BoolIfExists, the key absent', { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false' } }, {}, true],
    ['StringEqualsIfExists, another value', { StringEqualsIfExists: { 'kms:ViaService': 'bedrock.eu-west-1.amazonaws.com' } }, CONTEXTS.viaOtherService, false],
    ['Null true, the key absent', { Null: { 'kms:EncryptionContext:aws:bedrock:guardrail-id': 'true' } }, {}, true],
    ['Null false, the key present', { Null: { 'kms:EncryptionContext:aws:bedrock:guardrail-id': 'false' } }, { 'kms:EncryptionContext:aws:bedrock:guardrail-id': 'g' }, true],
    ['Null false, the key absent', { Null: { 'kms:EncryptionContext:aws:bedrock:guardrail-id': 'false' } }, {}, false],
    ['ForAnyValue:StringLike', { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/bedrock-guardrail/*' } }, { 'kms:ResourceAliases': ['alias/x', 'alias/bedrock-guardrail/g'] }, true],
    ['ForAnyValue:StringLike, the key absent', { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/*' } }, {}, false],
    ['ForAllValues:StringEquals, one value outside', { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['a', 'b'] } }, { 'kms:EncryptionContextKeys': ['a', 'c'] }, false],
    ['ForAllValues:StringEquals, the key absent', { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['a'] } }, {}, true],
    ['kms:CallerAccount from the caller', { StringEquals: { 'kms:CallerAccount': ACCOUNT } }, {}, true],
    ['aws:PrincipalAccount from the caller', { StringEquals: { 'aws:PrincipalAccount': OTHER_ACCOUNT } }, {}, false],
    ['aws:PrincipalIsAWSService from the caller', { Bool: { 'aws:PrincipalIsAWSService': 'false' } }, {}, true],
  ])('%s', (_name, condition, context, expected) => {
    expect(evaluator(allow({ Principal: '*', Condition: condition })).isAllowed(app, 'kms:Decrypt', context)).toBe(expected);
  });

  test('in the worst case, an Allow\'s condition on a key the requester controls holds and a Deny\'s does not', () => {
    const requesterControls = (key: string) => key.startsWith('kms:EncryptionContext:');
    const policy = new KeyPolicyEvaluator({
      Statement: [
        allow({ Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'a', 'kms:ViaService': 'bedrock.eu-west-1.amazonaws.com' } } }),
        { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'b' } } },
      ],
    }, { requesterControls });
    expect(policy.isAllowed(app, 'kms:Decrypt', CONTEXTS.viaBedrockHere)).toBe(true);
    // Keys the requester does not control keep their meaning.
    expect(policy.isAllowed(app, 'kms:Decrypt', CONTEXTS.direct)).toBe(false);
  });

  test('refuses to decide what it does not model', () => {
    expect(() => evaluator({ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', NotResource: 'x' } as any)).toThrow(UndecidablePolicy);
    expect(() => evaluator({ Effect: 'Allow', Principal: '*', Action: { 'Fn::Join': ['', []] } as any, Resource: '*' })).toThrow(/unresolved value/);
    expect(() => evaluator({ Effect: 'Maybe', Principal: '*', Action: 'kms:Decrypt', Resource: '*' } as any)).toThrow(/Effect "Maybe" is not Allow or Deny/);
    const cases: PolicyStatementJson[] = [
      allow({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
      allow({ Principal: { Federated: 'cognito-identity.amazonaws.com' } }),
      allow({ Principal: { AWS: { 'Fn::GetAtt': ['Role', 'Arn'] } } }),
      allow({ Principal: '*', Condition: { StringEquals: { 'kms:CallerAccount': { Ref: 'Account' } } } }),
    ];
    for (const statement of cases) expect(() => evaluator(statement).isAllowed(admin, 'kms:Decrypt')).toThrow(UndecidablePolicy);
  });
});
