import {
  findingLine, KEY_ENABLED, KEY_PENDING_WINDOW, KEY_PLACEMENT, KEY_RETAINED, KEY_ROTATION, KEY_SYMMETRIC,
} from '../../src/core/key-checks';
import { packRuleId, SHARED_RULE_NAMES } from '../../src/core/rule-ids';
import { GUARDRAIL_RULES } from '../../src/rules/guardrail-rules';
import { resolveEncryptionOptions } from '../../src/rules/resolved-encryption-options';

const TOKEN = { Ref: 'Days' };

describe('KEY_ROTATION', () => {
  test.each<[string, Parameters<typeof KEY_ROTATION.check>[0], string | undefined]>([
    ['off', { enabled: false }, 'automatic rotation is off'],
    ['not set (CloudFormation\'s default is off)', { enabled: undefined }, 'automatic rotation is off'],
    ['known only at deploy time', { enabled: TOKEN }, undefined],
    ['a period over the maximum', { enabled: true, periodDays: 366 }, 'it rotates every 366 days'],
    ['a period known only at deploy time', { enabled: true, periodDays: TOKEN }, undefined],
    ['a key KMS cannot rotate', { enabled: false, cannotRotate: 'imported key material' }, 'KMS cannot rotate it (imported key material)'],
  ])('fails a key whose rotation is %s, saying what was found', (_name, facts, found) => {
    expect(KEY_ROTATION.check(facts, 365)).toEqual({
      ruleId: 'GuardrailEncryption-KeyRotation',
      sentence: 'The guardrail\'s KMS key does not rotate automatically at least every 365 days.',
      found,
    });
  });

  test('passes automatic rotation within the maximum, KMS\'s 365 days when no period is given', () => {
    expect(KEY_ROTATION.check({ enabled: true, periodDays: 90 }, 90)).toBeUndefined();
    expect(KEY_ROTATION.check({ enabled: true }, 365)).toBeUndefined();
    expect(KEY_ROTATION.check({ enabled: true }, 364)?.found).toBe('it rotates every 365 days');
  });
});

describe('KEY_SYMMETRIC', () => {
  test('passes a symmetric encryption key, given or by default', () => {
    expect(KEY_SYMMETRIC.check({})).toBeUndefined();
    expect(KEY_SYMMETRIC.check({ spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT' })).toBeUndefined();
  });

  test.each<[Parameters<typeof KEY_SYMMETRIC.check>[0], string | undefined]>([
    [{ spec: 'RSA_2048' }, 'it is RSA_2048, ENCRYPT_DECRYPT'],
    [{ usage: 'SIGN_VERIFY' }, 'it is SYMMETRIC_DEFAULT, SIGN_VERIFY'],
    [{ spec: TOKEN }, undefined],
  ])('fails %j', (facts, found) => {
    expect(KEY_SYMMETRIC.check(facts)).toEqual({ ruleId: 'GuardrailEncryption-KeySymmetric', sentence: KEY_SYMMETRIC.sentence, found });
  });
});

describe('KEY_PLACEMENT', () => {
  test('only a certain difference fails', () => {
    expect(KEY_PLACEMENT.check({ match: 'same' }, { match: 'unknown' })).toBeUndefined();
    expect(KEY_PLACEMENT.check({ match: 'unknown' }, { match: 'different' })).toEqual({ ruleId: 'GuardrailEncryption-KeyPlacement', sentence: KEY_PLACEMENT.sentence, found: undefined });
  });

  test('names the Region and account found when they are given', () => {
    const finding = KEY_PLACEMENT.check(
      { match: 'different', key: 'us-east-1', guardrail: 'eu-west-1' },
      { match: 'different', key: '222222222222', guardrail: '111111111111' });
    expect(finding?.found).toBe('it is in us-east-1, not in eu-west-1, and it belongs to account 222222222222, not 111111111111');
  });
});

test('KEY_ENABLED fails only a key that is disabled for certain', () => {
  expect(KEY_ENABLED.check(false)).toEqual({ ruleId: 'GuardrailEncryption-KeyEnabled', sentence: KEY_ENABLED.sentence, found: undefined });
  expect(KEY_ENABLED.check(undefined)).toBeUndefined();
  expect(KEY_ENABLED.check(TOKEN)).toBeUndefined();
});

test('KEY_RETAINED takes Retain (or RetainExceptOnCreate) on deletion and Retain on replacement', () => {
  expect(KEY_RETAINED.check({ deletionPolicy: 'Retain', updateReplacePolicy: 'Retain' })).toBeUndefined();
  expect(KEY_RETAINED.check({ deletionPolicy: 'RetainExceptOnCreate', updateReplacePolicy: 'Retain' })).toBeUndefined();
  expect(KEY_RETAINED.check({ deletionPolicy: 'Retain', updateReplacePolicy: 'Delete' })?.ruleId).toBe('GuardrailEncryption-KeyRetained');
  expect(KEY_RETAINED.check({ updateReplacePolicy: 'Retain' })?.ruleId).toBe('GuardrailEncryption-KeyRetained');
});

test('KEY_PENDING_WINDOW takes KMS\'s 30 days when none is given, and refuses what it cannot verify', () => {
  expect(KEY_PENDING_WINDOW.check(undefined, 30)).toBeUndefined();
  expect(KEY_PENDING_WINDOW.check(7, 7)).toBeUndefined();
  expect(KEY_PENDING_WINDOW.check(29, 30)).toEqual({
    ruleId: 'GuardrailEncryption-KeyPendingWindow', sentence: 'The guardrail\'s KMS key has a deletion waiting period shorter than 30 days.', found: undefined,
  });
  expect(KEY_PENDING_WINDOW.check(TOKEN, 7)?.ruleId).toBe('GuardrailEncryption-KeyPendingWindow');
});

test('findingLine: the rule id, the sentence without its period, and what was found', () => {
  expect(findingLine(KEY_ROTATION.check({ enabled: false }, 365)!))
    .toBe('[GuardrailEncryption-KeyRotation] The guardrail\'s KMS key does not rotate automatically at least every 365 days: automatic rotation is off');
  expect(findingLine(KEY_ENABLED.check(false)!)).toBe('[GuardrailEncryption-KeyEnabled] The guardrail\'s KMS key is disabled (Enabled: false)');
});

describe('the shared checks are the rules\' own', () => {
  test('every shared rule name is a rule of the pack', () => {
    const names = GUARDRAIL_RULES.map((rule) => rule.name);
    expect(Object.values(SHARED_RULE_NAMES).filter((name) => !names.includes(name))).toEqual([]);
    expect(Object.values(SHARED_RULE_NAMES)).toHaveLength(8);
  });

  test.each([
    [SHARED_RULE_NAMES.keyRotation, KEY_ROTATION.sentence(180)],
    [SHARED_RULE_NAMES.keySymmetric, KEY_SYMMETRIC.sentence],
    [SHARED_RULE_NAMES.keyPlacement, KEY_PLACEMENT.sentence],
    [SHARED_RULE_NAMES.keyEnabled, KEY_ENABLED.sentence],
    [SHARED_RULE_NAMES.keyRetained, KEY_RETAINED.sentence],
    [SHARED_RULE_NAMES.keyPendingWindow, KEY_PENDING_WINDOW.sentence(14)],
  ])('%s gives the check\'s sentence as its info', (name, sentence) => {
    const options = resolveEncryptionOptions({ owner: 'test' }, { maxRotationDays: 180, minPendingWindowDays: 14 });
    const rule = GUARDRAIL_RULES.find((each) => each.name === name)!;
    expect(rule.info(options)).toBe(sentence);
    expect(packRuleId(rule.name)).toBe(`GuardrailEncryption-${name}`);
  });
});
