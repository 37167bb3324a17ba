import { accountOfArn, accountOfPrincipal, accountRootOf, isGuardrailArn, isRoleOrUserArn, parseArn, parseKeyArn, parseTemplateArn, principalAccountOf } from '../../src/core/arns';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('parseArn', () => {
  test('splits at the first five colons: the resource keeps its own', () => {
    expect(parseArn('arn:aws:sts::111122223333:assumed-role/App/session:x')).toEqual({
      partition: 'aws', service: 'sts', region: '', account: '111122223333', resource: 'assumed-role/App/session:x',
    });
  });

  test.each(['', 'arn:aws:kms:eu-west-1:111122223333', 'arn::kms:eu-west-1:111122223333:key/x', 'alias/x', 'aws:kms:eu-west-1:1:key/x'])('%j is not an ARN', (text) => {
    expect(parseArn(text)).toBeUndefined();
  });

  test('a placeholder with colons breaks the literal split, which parseTemplateArn keeps whole', () => {
    const text = 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/App';
    expect(parseArn(text)?.service).not.toBe('iam');
    expect(parseTemplateArn(text)).toEqual({ partition: '${AWS::Partition}', service: 'iam', region: '', account: '${AWS::AccountId}', resource: 'role/App' });
  });
});

describe('parseKeyArn', () => {
  test('gives the parts and the key id of a key ARN with a Region and a 12-digit account', () => {
    expect(parseKeyArn(KEY)).toMatchObject({ region: 'eu-west-1', account: '111122223333', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' });
  });

  test.each([
    ['an alias ARN', 'arn:aws:kms:eu-west-1:111122223333:alias/x'],
    ['no Region', 'arn:aws:kms::111122223333:key/x'],
    ['an 11-digit account', 'arn:aws:kms:eu-west-1:11112222333:key/x'],
    ['no key id', 'arn:aws:kms:eu-west-1:111122223333:key/'],
    ['another service', 'arn:aws:s3:eu-west-1:111122223333:key/x'],
    ['a bare key id', '1234abcd-12ab-34cd-56ef-1234567890ab'],
  ])('refuses %s', (_name, text) => {
    expect(parseKeyArn(text)).toBeUndefined();
  });
});

describe('accounts of ARNs', () => {
  test('accountOfArn: the 12-digit account, or none', () => {
    expect(accountOfArn('arn:aws:iam::111122223333:role/App')).toBe('111122223333');
    expect(accountOfArn('arn:aws:s3:::bucket')).toBeUndefined();
    expect(accountOfArn('arn:aws:iam::${AWS::AccountId}:role/App')).toBeUndefined();
    expect(accountOfArn('not an arn')).toBeUndefined();
  });

  test('principalAccountOf: IAM and STS ARNs only, without a Region', () => {
    expect(principalAccountOf(parseArn('arn:aws:iam::111122223333:root'))).toBe('111122223333');
    expect(principalAccountOf(parseArn('arn:aws:sts::111122223333:assumed-role/App/s'))).toBe('111122223333');
    expect(principalAccountOf(parseTemplateArn('arn:aws:iam::${AWS::AccountId}:role/App'))).toBe('${AWS::AccountId}');
    expect(principalAccountOf(parseArn(KEY))).toBeUndefined();
    expect(principalAccountOf(parseArn('arn:aws:iam:eu-west-1:111122223333:role/App'))).toBeUndefined();
    expect(principalAccountOf(parseArn('arn:aws:iam:::role/App'))).toBeUndefined();
    expect(principalAccountOf(undefined)).toBeUndefined();
  });
});

test('isGuardrailArn takes a guardrail ARN with a Region and account, nothing else', () => {
  expect(isGuardrailArn('arn:aws:bedrock:eu-west-1:111122223333:guardrail/abc123')).toBe(true);
  expect(isGuardrailArn('arn:aws:bedrock:eu-west-1:111122223333:guardrail-profile/abc123')).toBe(false);
  expect(isGuardrailArn('arn:aws:bedrock:eu-west-1:111122223333:guardrail/ABC')).toBe(false);
  expect(isGuardrailArn('arn:aws:bedrock::111122223333:guardrail/abc123')).toBe(false);
  expect(isGuardrailArn(KEY)).toBe(false);
});

describe('principals', () => {
  test.each<[string, string | undefined, string | undefined, boolean]>([
    // principal, accountRootOf, accountOfPrincipal, isRoleOrUserArn
    ['arn:aws:iam::111122223333:root', '111122223333', '111122223333', false],
    ['arn:${AWS::Partition}:iam::${AWS::AccountId}:root', '${AWS::AccountId}', '${AWS::AccountId}', false],
    ['111122223333', '111122223333', '111122223333', false],
    ['${AWS::AccountId}', '${AWS::AccountId}', '${AWS::AccountId}', false],
    ['arn:${AWS::Partition}:iam::222233334444:role/Deployer', undefined, '222233334444', true],
    ['arn:aws:iam::111122223333:user/path/alice', undefined, '111122223333', true],
    ['arn:aws:sts::111122223333:assumed-role/App/session', undefined, '111122223333', false],
    ['arn:aws:s3:::bucket', undefined, undefined, false],
    ['*', undefined, undefined, false],
  ])('%s', (principal, root, account, roleOrUser) => {
    expect(accountRootOf(principal)).toBe(root);
    expect(accountOfPrincipal(principal)).toBe(account);
    expect(isRoleOrUserArn(principal)).toBe(roleOrUser);
  });
});
