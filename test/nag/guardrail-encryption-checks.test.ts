import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardrailEncryptionAspect, GuardrailEncryptionChecks, SecureGuardrail } from '../../src';
import { GUARDRAIL_RULES } from '../../src/rules/guardrail-rules';
import { cfnGuardrail } from '../corpus/corpus-app';
import { synthesizeWithChecks } from '../helpers/findings';
import { ENV, MANDATORY_TAGS } from '../helpers/synth';

const RULE_IDS = [
  'GuardrailEncryption-CMKRequired', 'GuardrailEncryption-KeyPlacement', 'GuardrailEncryption-KeyVerifiable',
  'GuardrailEncryption-GuardrailTags', 'GuardrailEncryption-CustomResourceCMK', 'GuardrailEncryption-KeySymmetric',
  'GuardrailEncryption-KeyRotation', 'GuardrailEncryption-KeyPendingWindow', 'GuardrailEncryption-KeyRetained',
  'GuardrailEncryption-KeyEnabled', 'GuardrailEncryption-KeyPolicyLeastPrivilege', 'GuardrailEncryption-KeyManageable',
  'GuardrailEncryption-KeyTags', 'GuardrailEncryption-GuardrailNameUnique', 'GuardrailEncryption-KeyAliasUnique',
];

describe('GuardrailEncryptionChecks', () => {
  test('has the pinned rule ids, each named after its file (renaming one is a breaking change)', () => {
    expect(GUARDRAIL_RULES.map((rule) => `GuardrailEncryption-${rule.name}`)).toEqual(RULE_IDS);
    const files = ['bedrock', 'kms'].flatMap((dir) => fs.readdirSync(path.join(__dirname, '../../src/rules', dir)).map((f) => path.parse(f).name));
    expect(files.sort()).toEqual(GUARDRAIL_RULES.map((rule) => rule.name).sort());
    expect(new GuardrailEncryptionChecks().name).toBe('GuardrailEncryption');
    expect(new GuardrailEncryptionChecks().readPackName).toBe('GuardrailEncryption');
  });

  test('RULES.md documents every rule', () => {
    const rulesMd = fs.readFileSync(path.join(__dirname, '../../RULES.md'), 'utf-8');
    for (const id of RULE_IDS) expect(rulesMd).toMatch(new RegExp(`^\\| ${id} \\|`, 'm'));
  });

  test('a SecureGuardrail with defaults, granted to a role, passes this pack and AwsSolutions', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const guardrail = new SecureGuardrail(stack, 'Guardrail', { guardrailName: 'clean', mandatoryTags: MANDATORY_TAGS });
    guardrail.grantApply(new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    guardrail.createVersion();
    app.synth();
    expect(new GuardrailEncryptionChecks().validateScope(app).violations).toEqual([]);
    const awsSolutions = new AwsSolutionsChecks().validateScope(app).violations
      .filter((v) => v.violatingResources.some((r) => r.constructPath?.startsWith('S/Guardrail')));
    expect(awsSolutions).toEqual([]);
  });

  test('verbose adds the explanation to the description', () => {
    const app = new App();
    cfnGuardrail(new Stack(app, 'S', { env: ENV }), 'G');
    const [violation] = new GuardrailEncryptionChecks(undefined, { verbose: true }).validateScope(app).violations
      .filter((v) => v.ruleName === 'GuardrailEncryption-CMKRequired');
    expect(violation.description).toMatch(/^The guardrail is not encrypted with a customer-managed KMS key .* Without a customer-managed key, Bedrock encrypts/);
  });

  test('each validateScope reads the tree afresh', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const pack = new GuardrailEncryptionChecks();
    const guardrail = cfnGuardrail(stack, 'G');
    expect(pack.validateScope(app).violations.map((v) => v.ruleName)).toEqual(['GuardrailEncryption-CMKRequired']);
    guardrail.kmsKeyArn = new SecureGuardrail(stack, 'Other', { guardrailName: 'o', mandatoryTags: MANDATORY_TAGS }).encryptionKey.keyArn;
    expect(pack.validateScope(app).violations).toEqual([]);
  });

  test('the aspect, the pack and the report check each guardrail once per standard in a synthesis', () => {
    const checks = GUARDRAIL_RULES.map((rule) => jest.spyOn(rule, 'check'));
    try {
      synthesizeWithChecks((app) => {
        const stack = new Stack(app, 'S', { env: ENV });
        new SecureGuardrail(stack, 'Compliant', { guardrailName: 'compliant', mandatoryTags: MANDATORY_TAGS });
        cfnGuardrail(stack, 'Unencrypted');
        GuardrailEncryptionAspect.applyTo(app, { report: false });
        // Another standard is checked on its own.
        GuardrailEncryptionAspect.applyTo(app, { report: false, maxRotationDays: 90 });
      });
      for (const check of checks) expect(check).toHaveBeenCalledTimes(4);
    } finally {
      checks.forEach((check) => check.mockRestore());
    }
  });

  test('a rule that throws is reported as failed by the pack and the aspect; the other rules still run', () => {
    const [throwing] = GUARDRAIL_RULES.filter((rule) => rule.name === 'KeyRotation');
    const check = jest.spyOn(throwing, 'check').mockImplementation(() => { throw new Error('unreadable rotation'); });
    try {
      const app = new App();
      const stack = new Stack(app, 'S', { env: ENV });
      cfnGuardrail(stack, 'Unencrypted');
      new SecureGuardrail(stack, 'Compliant', { guardrailName: 'compliant', mandatoryTags: MANDATORY_TAGS });

      const violations = new GuardrailEncryptionChecks().validateScope(app).violations;
      expect(violations.map((v) => [v.ruleName, v.violatingResources.map((r) => r.constructPath)])).toEqual([
        ['GuardrailEncryption-CMKRequired', ['S/Unencrypted']],
        ['GuardrailEncryption-KeyRotation', ['S/Unencrypted', 'S/Compliant/Resource']],
      ]);

      GuardrailEncryptionAspect.applyTo(app, { report: false });
      app.synth();
      const errors = stack.node.findChild('Compliant').node.findChild('Resource').node.metadata
        .filter((entry) => entry.type === 'aws:cdk:error').map((entry) => String(entry.data));
      expect(errors).toEqual([expect.stringMatching(/^\[GuardrailEncryption-KeyRotation\] .* The rule could not be checked: unreadable rotation/)]);
    } finally {
      check.mockRestore();
    }
  });

  test.each<[string, object, string]>([
    ['maxRotationDays', { maxRotationDays: 89 }, 'GuardrailEncryptionChecks: invalid maxRotationDays: received 89; allowed: a whole number of days from 90 to 2560.'],
    ['maxRotationDays', { maxRotationDays: 365.5 }, 'invalid maxRotationDays: received 365.5'],
    ['minPendingWindowDays', { minPendingWindowDays: 31 }, 'GuardrailEncryptionChecks: invalid minPendingWindowDays: received 31; allowed: a whole number of days from 7 to 30.'],
    ['requiredTags', { requiredTags: ['Owner', ''] }, 'GuardrailEncryptionChecks: invalid requiredTags[1]: received "" (0 characters); allowed: a tag key of 1-128 characters.'],
    ['allowedKeyArns', { allowedKeyArns: ['alias/aws/bedrock'] }, 'GuardrailEncryptionChecks: invalid allowedKeyArns[0]: received "alias/aws/bedrock" (17 characters); allowed: a literal KMS key ARN'],
  ])('refuses a bad %s', (_name, props, message) => {
    expect(() => new GuardrailEncryptionChecks(undefined, props)).toThrow(message);
  });
});

describe('acknowledging findings', () => {
  function synthWithPack(acknowledge: (scope: Stack) => void) {
    const { validation, pack, compliance } = synthesizeWithChecks((app) => {
      const stack = new Stack(app, 'S', { env: ENV });
      cfnGuardrail(stack, 'G', 'arn:aws:kms:eu-west-1:111111111111:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e');
      acknowledge(stack);
    });
    return { report: validation, pack, guardrail: compliance.guardrails[0] };
  }

  test('without acknowledgement the finding is reported', () => {
    const { pack, guardrail } = synthWithPack(() => undefined);
    expect(pack.violations.map((v: any) => v.ruleName)).toEqual(['GuardrailEncryption-KeyVerifiable']);
    expect(guardrail).toMatchObject({ status: 'UNVERIFIED', warnings: ['GuardrailEncryption-KeyVerifiable'], acknowledgedRules: [] });
  });

  test('the bare rule id drops the finding without a trace in the validation report', () => {
    const { report, pack, guardrail } = synthWithPack((s) => Validations.of(s).acknowledge({ id: 'GuardrailEncryption-KeyVerifiable', reason: 'verified in SEC-1' }));
    // A plugin without violations does not appear in the report at all.
    expect(pack).toBeUndefined();
    expect(JSON.stringify(report)).not.toContain('SEC-1');
    expect(guardrail).toMatchObject({ status: 'COMPLIANT', acknowledgedRules: ['GuardrailEncryption-KeyVerifiable'] });
  });

  test('the plugin-qualified id is recorded with its reason under suppressedViolations', () => {
    const { pack, guardrail } = synthWithPack((s) => Validations.of(s).acknowledge({ id: 'GuardrailEncryption::GuardrailEncryption-KeyVerifiable', reason: 'verified in SEC-2' }));
    expect(pack.violations).toEqual([]);
    expect(pack.suppressedViolations).toEqual([expect.objectContaining({ ruleName: 'GuardrailEncryption-KeyVerifiable', reason: 'verified in SEC-2' })]);
    expect(guardrail).toMatchObject({ status: 'COMPLIANT', acknowledgedRules: ['GuardrailEncryption-KeyVerifiable'] });
  });
});
