import { App, Fn, Lazy, NestedStack, Stack, Token } from 'aws-cdk-lib';
import { describeValue, fail, originOf, refuse, stackDisplayName } from '../../src/core/errors';

describe('the one error path', () => {
  test('names the construct path, the owner, the property, the value and what is allowed', () => {
    const stack = new Stack(new App(), 'Tenants');
    expect(() => fail(originOf('SecureGuardrail', stack, 'acme-guardrail'), 'guardrailName', 'acme guardrail', '1-50 characters'))
      .toThrow(new Error('[Tenants/acme-guardrail] SecureGuardrail: invalid guardrailName: received "acme guardrail" (14 characters); allowed: 1-50 characters.'));
  });

  test('input without a place in the tree (an aspect\'s options, the app\'s root) is named by its owner alone', () => {
    expect(() => fail(originOf('GuardrailEncryptionAspect'), 'maxRotationDays', 3000, 'at most 2560'))
      .toThrow(new Error('GuardrailEncryptionAspect: invalid maxRotationDays: received 3000; allowed: at most 2560.'));
    expect(() => refuse(originOf('GuardrailComplianceReport', new App()), 'no report.'))
      .toThrow(new Error('GuardrailComplianceReport: no report.'));
  });

  test('never shows a token\'s encoding, whatever kind of token it is', () => {
    const origin = originOf('Owner');
    const tokens: unknown[] = [
      Fn.importValue('Name'),
      `prefix-${Fn.importValue('Name')}`,
      Token.asNumber({ Ref: 'Number' }),
      Token.asList({ Ref: 'List' }),
      Lazy.string({ produce: () => 'x' }),
    ];
    for (const value of tokens) {
      expect(describeValue(value)).toBe('an unresolved value');
      expect(() => fail(origin, 'property', value, 'something')).toThrow(/^Owner: invalid property: received an unresolved value; allowed: something\.$/);
    }
    expect(() => refuse(origin, `stack ${Fn.importValue('Name')} or ${Token.asNumber({ Ref: 'N' })} or ${Token.asList({ Ref: 'L' })[0]}.`))
      .toThrow(new Error('Owner: stack an unresolved value or an unresolved value or an unresolved value.'));
  });

  test('describes lists by their size and other values as JSON', () => {
    expect(describeValue(['a', 'b'])).toBe('a list of 2');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    expect(describeValue({ a: 1 })).toBe('{"a":1}');
  });

  test('names a stack by its path while its name is a token', () => {
    const app = new App();
    expect(stackDisplayName(new Stack(app, 'Plain'))).toBe('Plain');
    const nested = new NestedStack(new Stack(app, 'Parent'), 'Child');
    expect(Token.isUnresolved(nested.stackName)).toBe(true);
    expect(stackDisplayName(nested)).toBe('Parent/Child');
  });
});
