import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardrailComplianceReport, GuardrailEncryptionAspect, GuardrailEncryptionChecks, SecureGuardrail } from '../../src';
import * as cdkInternals from '../../src/core/cdk-internals';
import { pluginAcknowledgementsAreScoped } from '../../src/core/cdk-internals';
import { GUARDRAIL_RULES } from '../../src/rules/guardrail-rules';
import { cfnGuardrail } from '../corpus/corpus-app';
import { flagsFromAnnotations, flagsFromReport, synthesizeReports, synthesizeWithChecks } from '../helpers/findings';
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
      expect(checks).toHaveLength(RULE_IDS.length);
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

  test('the bare rule id is recorded like the plugin-qualified one where aws-cdk-lib scopes that to its construct', () => {
    const { report, pack, guardrail } = synthWithPack((s) => Validations.of(s).acknowledge({ id: 'GuardrailEncryption-KeyVerifiable', reason: 'verified in SEC-1' }));
    expect(guardrail).toMatchObject({ status: 'COMPLIANT', acknowledgedRules: ['GuardrailEncryption-KeyVerifiable'] });
    if (pluginAcknowledgementsAreScoped()) {
      expect(pack.violations).toEqual([]);
      expect(pack.suppressedViolations).toEqual([expect.objectContaining({
        ruleName: 'GuardrailEncryption-KeyVerifiable', acknowledgedId: 'GuardrailEncryption::GuardrailEncryption-KeyVerifiable', reason: 'verified in SEC-1', acknowledgedAt: 'S',
      })]);
    } else {
      // Before, aws-cdk-lib would apply the recorded form to every guardrail of the app: dropped, as cdk-nag drops it.
      expect(pack).toBeUndefined();
      expect(JSON.stringify(report)).not.toContain('SEC-1');
    }
  });

  test('where the recorded form is scoped, a bare-id acknowledgement leaves the record cdk-nag\'s long form leaves', () => {
    const scoped = jest.spyOn(cdkInternals, 'pluginAcknowledgementsAreScoped').mockReturnValue(true);
    try {
      const { pack, guardrail } = synthWithPack((s) => Validations.of(s.node.findChild('G')).acknowledge({ id: 'GuardrailEncryption-KeyVerifiable', reason: 'verified in SEC-3' }));
      expect(pack.violations).toEqual([]);
      expect(pack.conclusion).toBe('success');
      expect(pack.suppressedViolations).toEqual([{
        ruleName: 'GuardrailEncryption-KeyVerifiable',
        description: expect.stringMatching(/^The guardrail's KMS key is not part of the app/),
        severity: 'warning',
        violatingConstructs: [expect.objectContaining({ constructPath: 'S/G' })],
        acknowledgedId: 'GuardrailEncryption::GuardrailEncryption-KeyVerifiable',
        reason: 'verified in SEC-3',
        acknowledgedAt: 'S/G',
      }]);
      expect(guardrail).toMatchObject({ status: 'COMPLIANT', acknowledgedRules: ['GuardrailEncryption-KeyVerifiable'] });
    } finally {
      scoped.mockRestore();
    }
  });

  test('a bare-id acknowledgement of one guardrail leaves the same finding of another reported', () => {
    const { pack } = synthesizeWithChecks((app) => {
      const acknowledged = new Stack(app, 'A', { env: ENV });
      cfnGuardrail(acknowledged, 'GA');
      Validations.of(acknowledged).acknowledge({ id: 'GuardrailEncryption-CMKRequired', reason: 'migrating in Q3' });
      cfnGuardrail(new Stack(app, 'B', { env: ENV }), 'GB');
    });
    expect(flagsFromReport(pack)).toEqual({ 'B/GB': { errors: ['GuardrailEncryption-CMKRequired'], warnings: [] } });
    expect(pack.conclusion).toBe('failure');
  });

  test('a plugin-qualified acknowledgement of one guardrail leaves the same error of another failing the synthesis', () => {
    const { pack, compliance } = synthesizeWithChecks((app) => {
      const acknowledged = new Stack(app, 'A', { env: ENV });
      cfnGuardrail(acknowledged, 'GA');
      Validations.of(acknowledged).acknowledge({ id: 'GuardrailEncryption::GuardrailEncryption-CMKRequired', reason: 'migrating in Q3' });
      cfnGuardrail(new Stack(app, 'B', { env: ENV }), 'GB');
    });
    expect(pack.conclusion).toBe('failure');
    expect(pack.violations).toEqual([expect.objectContaining({
      ruleName: 'GuardrailEncryption-CMKRequired',
      violatingConstructs: [expect.objectContaining({ constructPath: 'B/GB' })],
      // Older aws-cdk-lib would apply the acknowledgement to every guardrail, and suppresses no fatal finding.
      ...(pluginAcknowledgementsAreScoped()
        ? { severity: 'error' }
        : { severity: 'fatal', description: expect.stringMatching(/Fatal so that this aws-cdk-lib does not hide it: .* 'GuardrailEncryption::GuardrailEncryption-CMKRequired' given on A /) }),
    })]);
    expect(pack.suppressedViolations).toEqual([expect.objectContaining({ violatingConstructs: [expect.objectContaining({ constructPath: 'A/GA' })], reason: 'migrating in Q3' })]);
    expect(compliance.guardrails.map((g: any) => [g.path, g.status])).toEqual([['A/GA', 'COMPLIANT'], ['B/GB', 'NON_COMPLIANT']]);
  });

  test('the plugin-qualified id is recorded with its reason under suppressedViolations', () => {
    const { pack, guardrail } = synthWithPack((s) => Validations.of(s).acknowledge({ id: 'GuardrailEncryption::GuardrailEncryption-KeyVerifiable', reason: 'verified in SEC-2' }));
    expect(pack.violations).toEqual([]);
    expect(pack.suppressedViolations).toEqual([expect.objectContaining({ ruleName: 'GuardrailEncryption-KeyVerifiable', reason: 'verified in SEC-2' })]);
    expect(guardrail).toMatchObject({ status: 'COMPLIANT', acknowledgedRules: ['GuardrailEncryption-KeyVerifiable'] });
  });
});

describe('the pack and the aspect together', () => {
  const OUTSIDE = 'arn:aws:kms:eu-west-1:111111111111:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e';

  /** The first TypeScript snippet of a README section, without its imports. */
  function readmeSnippet(heading: string): string {
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf-8');
    const section = readme.slice(readme.indexOf(`\n${heading}\n`));
    const [, code] = /```ts[^\n]*\n([\s\S]*?)```/.exec(section)!;
    return code.split('\n').filter((line) => !line.startsWith('import ')).join('\n');
  }

  /**
   * Synthesizes one guardrail on a key outside the app with what `register` enforces, as `cdk synth`
   * would (without failing): what the aspect annotated, what the pack reported, what the report concluded.
   */
  function verdicts(register: (app: App) => void) {
    const { app, ...reports } = synthesizeReports((built) => {
      cfnGuardrail(new Stack(built, 'S', { env: ENV }), 'G', OUTSIDE);
      register(built);
    });
    return { ...reports, aspect: flagsFromAnnotations(app) };
  }

  test('the README\'s pack and aspect snippets, used together, report a finding at one level, and the report agrees', () => {
    const { pack, compliance, aspect } = verdicts((app) => {
      new Function('app', 'Validations', 'GuardrailEncryptionChecks', 'GuardrailEncryptionAspect',
        `${readmeSnippet('### The cdk-nag v3 pack')}\n${readmeSnippet('### The aspect (no cdk-nag registration needed)')}`,
      )(app, Validations, GuardrailEncryptionChecks, GuardrailEncryptionAspect);
    });
    const packLevels = flagsFromReport(pack)['S/G'];
    expect(aspect['S/G']).toEqual(packLevels);
    expect(compliance.guardrails[0]).toMatchObject({ failedRules: packLevels.errors, warnings: packLevels.warnings });
  });

  test('a finding only the aspect\'s stricter standard makes an error is a failed rule in the report', () => {
    const { pack, compliance, aspect } = verdicts((app) => {
      Validations.of(app).addPlugins(new GuardrailEncryptionChecks(app));
      GuardrailEncryptionAspect.applyTo(app, { strict: true });
    });
    expect(flagsFromReport(pack)).toEqual({ 'S/G': { errors: [], warnings: ['GuardrailEncryption-KeyVerifiable'] } });
    expect(aspect).toEqual({ 'S/G': { errors: ['GuardrailEncryption-KeyVerifiable'], warnings: [] } });
    expect(compliance.guardrails[0]).toMatchObject({ status: 'NON_COMPLIANT', failedRules: ['GuardrailEncryption-KeyVerifiable'], warnings: [] });
    expect(compliance.enforcedStandards).toEqual([
      { by: 'GuardrailEncryptionChecks', standard: expect.objectContaining({ strict: false }) },
      { by: 'GuardrailEncryptionAspect', standard: expect.objectContaining({ strict: true }) },
    ]);
  });

  test('the report does not fail what nothing that checks the guardrail fails, whatever its own options', () => {
    const { validation, compliance } = verdicts((app) => {
      GuardrailComplianceReport.enable(app, { strict: true, printSummary: false });
      Validations.of(app).addPlugins(new GuardrailEncryptionChecks(app));
    });
    expect(validation.pluginReports[0].conclusion).toBe('success');
    expect(compliance.standard.strict).toBe(true);
    expect(compliance.guardrails[0]).toMatchObject({ status: 'UNVERIFIED', failedRules: [], warnings: ['GuardrailEncryption-KeyVerifiable'] });
  });
});
