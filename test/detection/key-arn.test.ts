import { comparePlacement, flattenIntrinsic } from '../../src/core/cfn-values';
import { analyzeKeyArn, LOOKUP_DUMMY_KEY_ID } from '../../src/detection/key-arn';

const KEY_ID = '0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e';
const partitionJoin = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

describe('flattenIntrinsic', () => {
  test.each<[string, unknown, string]>([
    ['a literal', 'abc', 'abc'],
    ['nothing', undefined, ''],
    ['a number', 42, '42'],
    ['a pseudo parameter', { Ref: 'AWS::Region' }, '${AWS::Region}'],
    ['a parameter', { Ref: 'KeyArnParam' }, '${Ref:KeyArnParam}'],
    ['an attribute', { 'Fn::GetAtt': ['Key1234', 'Arn'] }, '${GetAtt:Key1234.Arn}'],
    ['an import', { 'Fn::ImportValue': 'Exported' }, '${ImportValue:Exported}'],
    ['a join', partitionJoin(':kms:eu-west-1:111111111111:key/abc'), 'arn:${AWS::Partition}:kms:eu-west-1:111111111111:key/abc'],
    ['a sub with variables', { 'Fn::Sub': ['arn:${AWS::Partition}:kms:${R}:${Acct}:${!Literal}', { R: 'eu-west-1' }] }, 'arn:${AWS::Partition}:kms:eu-west-1:${Ref:Acct}:${!Literal}'],
    ['a plain sub', { 'Fn::Sub': 'alias/${Name}' }, 'alias/${Ref:Name}'],
    ['another function', { 'Fn::Select': [0, ['a']] }, '${Fn::Select}'],
    ['a list', ['a'], '${?}'],
    ['a malformed join', { 'Fn::Join': ['', 'x'] }, '${?}'],
    ['a malformed sub', { 'Fn::Sub': [1] }, '${?}'],
    ['an object of two keys', { a: 1, b: 2 }, '${?}'],
  ])('%s', (_name, value, expected) => {
    expect(flattenIntrinsic(value)).toBe(expected);
  });
});

describe('analyzeKeyArn', () => {
  test.each<[string, unknown, object]>([
    ['no key', undefined, { kind: 'none' }],
    ['an AWS managed alias name', 'alias/aws/bedrock', { kind: 'alias' }],
    ['an AWS managed alias ARN', 'arn:aws:kms:eu-west-1:111111111111:alias/aws/bedrock', { kind: 'alias' }],
    ['an alias ARN in a join', partitionJoin(':kms:eu-west-1:111111111111:alias/aws/bedrock'), { kind: 'alias' }],
    ['an alias in a sub', { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/${Name}' }, { kind: 'alias' }],
    ['a customer alias', 'alias/team', { kind: 'alias' }],
    ['the lookup placeholder', `arn:aws:kms:eu-west-1:111111111111:key/${LOOKUP_DUMMY_KEY_ID}`, { kind: 'lookup-dummy', region: 'eu-west-1', account: '111111111111' }],
    ['the lookup placeholder of an env-agnostic stack', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:key/${LOOKUP_DUMMY_KEY_ID}`]] },
      { kind: 'lookup-dummy', region: '${AWS::Region}', account: '${AWS::AccountId}' }],
    ['the lookup placeholder id alone', LOOKUP_DUMMY_KEY_ID, { kind: 'lookup-dummy' }],
    ['a literal key ARN', `arn:aws:kms:eu-west-1:111111111111:key/${KEY_ID}`, { kind: 'key-arn', region: 'eu-west-1', account: '111111111111' }],
    ['a multi-Region key ARN', 'arn:aws:kms:eu-west-1:111111111111:key/mrk-1234abcd', { kind: 'key-arn', region: 'eu-west-1' }],
    ['a key ARN of an env-agnostic stack', { 'Fn::Sub': `arn:\${AWS::Partition}:kms:\${AWS::Region}:\${AWS::AccountId}:key/${KEY_ID}` },
      { kind: 'key-arn', region: '${AWS::Region}', account: '${AWS::AccountId}' }],
    ['a reference to a key', { 'Fn::GetAtt': ['Key1234', 'Arn'] }, { kind: 'reference' }],
    ['a parameter', { Ref: 'KeyArn' }, { kind: 'reference' }],
    ['a bare key id', KEY_ID, { kind: 'malformed' }],
    ['an ARN of another service', 'arn:aws:s3:::bucket', { kind: 'malformed' }],
  ])('%s', (_name, value, expected) => {
    expect(analyzeKeyArn(value)).toMatchObject(expected);
  });

  test('an alias is named "alias/" only as a path segment', () => {
    expect(analyzeKeyArn(`arn:aws:kms:eu-west-1:111111111111:key/${KEY_ID}`).kind).toBe('key-arn');
    expect(analyzeKeyArn('arn:aws:kms:eu-west-1:111111111111:key/myalias/').kind).toBe('key-arn');
  });
});

describe('comparePlacement', () => {
  test.each<[string | undefined, string, string]>([
    ['eu-west-1', 'eu-west-1', 'same'],
    ['us-east-1', 'eu-west-1', 'different'],
    ['${AWS::Region}', '${AWS::Region}', 'same'],
    ['${AWS::Region}', 'eu-west-1', 'unknown'],
    ['eu-west-1', '${AWS::Region}', 'unknown'],
    [undefined, 'eu-west-1', 'unknown'],
  ])('%s against %s is %s', (part, own, expected) => {
    expect(comparePlacement(part, own)).toBe(expected);
  });
});
