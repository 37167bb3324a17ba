import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { GuardrailEncryptionHook } from '../../src';
import { findingLine, KEY_PENDING_WINDOW, KEY_RETAINED, KEY_ROTATION, KEY_SYMMETRIC } from '../../src/core/key-checks';
import { KEY_REQUIREMENTS } from '../../src/core/key-requirements';
import { CRYPTOGRAPHIC_ACTIONS, KEY_POLICY_ACTIONS } from '../../src/core/kms-actions';
import { packRuleId } from '../../src/core/rule-ids';
import { ruleId } from '../../src/rules/guardrail-rule';
import { GUARDRAIL_RULES } from '../../src/rules/guardrail-rules';

/**
 * The Guard rule restates the standard in Guard's language; these tests hold its names, numbers and
 * wording to the ones defined once in src/core and src/rules, so that a change there fails here.
 */
const rule = fs.readFileSync(GuardrailEncryptionHook.RULE_FILE, 'utf-8');
const ruleNames = [...rule.matchAll(/^rule (\w+)/gm)].map((m) => m[1]).filter((name) => name.startsWith('GuardrailEncryption_'));
const messages = [...rule.matchAll(/<<([\s\S]*?)>>/g)].map((m) => m[1].replace(/\s*\n\s*/g, '\n').trim());

describe('the Guard rule file', () => {
  test('its rules are the pack\'s rules, named by their ids', () => {
    const packIds = GUARDRAIL_RULES.map(ruleId);
    expect(ruleNames.map((name) => name.replace('_', '-'))).toEqual([
      'CMKRequired', 'KeyRotation', 'KeyRetained', 'KeyPendingWindow', 'KeySymmetric', 'KeyPolicyLeastPrivilege', 'KeyVerifiable',
    ].map(packRuleId));
    for (const name of ruleNames) expect(packIds).toContain(name.replace('_', '-'));
  });

  test('every message starts with the id of the rule it is in', () => {
    const byRule = rule.split(/^(?=rule )/m).filter((block) => block.startsWith('rule GuardrailEncryption_'));
    expect(byRule).toHaveLength(ruleNames.length);
    for (const block of byRule) {
      const id = /^rule (\w+)/.exec(block)![1].replace('_', '-');
      const inBlock = [...block.matchAll(/<<([\s\S]*?)>>/g)].map((m) => m[1].trim());
      expect(inBlock.length).toBeGreaterThan(0);
      for (const message of inBlock) expect(message.startsWith(`[${id}] `)).toBe(true);
    }
  });

  test('the shared key checks are worded as the pack and the Config rule word them, with the standard\'s numbers', () => {
    const lines = messages.map((m) => m.split('\n')[0]);
    const expected = [
      findingLine({ ruleId: packRuleId('KeyRotation'), sentence: KEY_ROTATION.sentence(KEY_REQUIREMENTS.maxRotationDays) }),
      findingLine({ ruleId: packRuleId('KeyRetained'), sentence: KEY_RETAINED.sentence }),
      findingLine({ ruleId: packRuleId('KeyPendingWindow'), sentence: KEY_PENDING_WINDOW.sentence(KEY_REQUIREMENTS.minPendingWindowDays) }),
      findingLine({ ruleId: packRuleId('KeySymmetric'), sentence: KEY_SYMMETRIC.sentence }),
    ];
    for (const line of expected) expect(lines).toContain(`${line}.`);
    expect(rule).toContain(`RotationPeriodInDays <= ${KEY_REQUIREMENTS.maxRotationDays}`);
    expect(rule).toContain(`PendingWindowInDays >= ${KEY_REQUIREMENTS.minPendingWindowDays}`);
    expect(rule).toContain(`KeySpec == '${KEY_REQUIREMENTS.keySpec}'`);
    expect(rule).toContain(`KeyUsage == '${KEY_REQUIREMENTS.keyUsage}'`);
  });

  test('its cryptographic actions are the pack\'s, and every pattern that can match one', () => {
    const source = /^let cryptographic_actions = \/\(\?i\)(.*)\/$/m.exec(rule)![1];
    const cryptographic = new RegExp(source, 'i');
    for (const action of KEY_POLICY_ACTIONS) expect([action, cryptographic.test(action)]).toEqual([action, CRYPTOGRAPHIC_ACTIONS.includes(action)]);
    for (const pattern of ['*', 'kms:*', 'KMS:DECRYPT', 'kms:De*', 'kms:Create*', 'kms:Re*', 'kms:G?nerateDataKey', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'k*']) {
      expect([pattern, cryptographic.test(pattern)]).toEqual([pattern, true]);
    }
    for (const pattern of ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:DecryptX', 'kms:Put*']) expect([pattern, cryptographic.test(pattern)]).toEqual([pattern, false]);
  });

  test('each key rule checks the keys named by either form of Fn::GetAtt alike', () => {
    const keyRules = rule.split(/^(?=rule )/m).filter((block) => block.includes('when %guardrail_string_keys !empty {'));
    expect(keyRules).toHaveLength(5);
    for (const block of keyRules) {
      const [, list, strings] = /when %guardrail_keys !empty \{\n([\s\S]*?)\n {2}\}\n {2}when %guardrail_string_keys !empty \{\n([\s\S]*?)\n {2}\}\n\}/.exec(block)!;
      expect(strings.replace('%guardrail_string_keys {', '%guardrail_keys {')).toEqual(list);
    }
  });
});

describe('the Guard rule in the npm package', () => {
  test('ships at guard/guardrail-encryption.guard, where the construct finds it; its unit tests do not ship', () => {
    const root = path.join(__dirname, '..', '..');
    expect(GuardrailEncryptionHook.RULE_FILE).toBe(path.join(root, 'guard', 'guardrail-encryption.guard'));
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: root, encoding: 'utf-8' }));
    const files = (packed[0].files as Array<{ path: string }>).map((f) => f.path).filter((f) => f.startsWith('guard/'));
    expect(files).toEqual(['guard/guardrail-encryption.guard']);
  });
});
