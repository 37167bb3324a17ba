import { App, CfnParameter, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import { GuardrailEncryptionAspect, GuardrailEncryptionChecks, SecureGuardrail } from '../../src';
import { cfnGuardrail } from '../corpus/corpus-app';
import { flagsFromAnnotations, flagsFromReport } from '../helpers/findings';
import { ENV, MANDATORY_TAGS, OTHER_ACCOUNT } from '../helpers/synth';

const NAME = 'GuardrailEncryption-GuardrailNameUnique';
const ALIAS = 'GuardrailEncryption-KeyAliasUnique';

/** The name and alias findings of the pack, by construct path, with their severity and description. */
function clashFindings(app: App): Array<{ rule: string; path: string; severity: string; description: string }> {
  return new GuardrailEncryptionChecks().validateScope(app).violations
    .filter((v) => v.ruleName === NAME || v.ruleName === ALIAS)
    .flatMap((v) => v.violatingResources.map((r) => ({
      rule: v.ruleName, path: r.constructPath!, severity: v.severity!, description: v.description,
    })))
    .sort((a, b) => `${a.rule}${a.path}`.localeCompare(`${b.rule}${b.path}`));
}

function secure(scope: Stack, id: string, guardrailName: string, extra: { keyAlias?: string } = {}): SecureGuardrail {
  return new SecureGuardrail(scope, id, { guardrailName, mandatoryTags: MANDATORY_TAGS, ...extra });
}

describe('guardrail names and key aliases unique where they deploy', () => {
  test('one stack: two guardrails of one name are both reported, as errors, naming the other', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    cfnGuardrail(stack, 'dup', 'arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-1111-1111-111111111111');
    new cr.AwsCustomResource(stack, 'Sdk', {
      onCreate: { service: 'Bedrock', action: 'CreateGuardrail', parameters: { name: 'dup', kmsKeyId: 'k' }, physicalResourceId: cr.PhysicalResourceId.of('dup') },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    });
    cfnGuardrail(stack, 'other');
    expect(clashFindings(app)).toEqual([
      { rule: NAME, path: 'S/dup', severity: 'error', description: expect.stringContaining('The guardrail name "dup" is also taken by S/Sdk/Resource/Default (stack S).') },
      { rule: NAME, path: 'S/Sdk/Resource/Default', severity: 'error', description: expect.stringContaining('The guardrail name "dup" is also taken by S/dup (stack S).') },
    ]);
  });

  test('two stacks of one account and Region: SecureGuardrails of one name clash by name and by default alias, and synthesis fails', () => {
    const app = new App();
    secure(new Stack(app, 'TenantA', { env: ENV }), 'Guardrail', 'support');
    secure(new Stack(app, 'TenantB', { env: ENV }), 'Guardrail', 'support');
    expect(clashFindings(app).map(({ rule, path, severity }) => [rule, path, severity])).toEqual([
      [NAME, 'TenantA/Guardrail/Resource', 'error'],
      [NAME, 'TenantB/Guardrail/Resource', 'error'],
      [ALIAS, 'TenantA/Guardrail/Resource', 'error'],
      [ALIAS, 'TenantB/Guardrail/Resource', 'error'],
    ]);
    expect(() => app.synth()).toThrow(/\[TenantA\/Guardrail\] SecureGuardrail: invalid guardrailName: received "support" \(7 characters\); allowed: a name no other guardrail of the app takes in account 111111111111, Region eu-west-1 \(also given to TenantB\/Guardrail\/Resource in stack TenantB\)\./);
    expect(() => app.synth()).toThrow(/SecureGuardrail: invalid keyAlias: received "alias\/bedrock-guardrail\/support" \(.*\); allowed: an alias no other key of the app takes in account 111111111111, Region eu-west-1 \(also given to TenantB\/Guardrail\/Key\/Alias\/Resource in stack TenantB\); name the guardrails apart or set keyAlias\./);
  });

  test('two keys with one alias but guardrails named apart: only the alias clashes', () => {
    const app = new App();
    secure(new Stack(app, 'A', { env: ENV }), 'Guardrail', 'one', { keyAlias: 'alias/shared' });
    secure(new Stack(app, 'B', { env: ENV }), 'Guardrail', 'two', { keyAlias: 'alias/shared' });
    expect(clashFindings(app).map(({ rule, path }) => [rule, path])).toEqual([[ALIAS, 'A/Guardrail/Resource'], [ALIAS, 'B/Guardrail/Resource']]);
  });

  test('stacks of other Regions or accounts do not clash', () => {
    const app = new App();
    secure(new Stack(app, 'Ireland', { env: ENV }), 'Guardrail', 'support');
    secure(new Stack(app, 'Virginia', { env: { ...ENV, region: 'us-east-1' } }), 'Guardrail', 'support');
    secure(new Stack(app, 'OtherAccount', { env: { ...ENV, account: OTHER_ACCOUNT } }), 'Guardrail', 'support');
    expect(clashFindings(app)).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  test('a Stage deploying to the same account and Region clashes with the app\'s stacks; the aspect reports it inside the Stage too', () => {
    const app = new App();
    cfnGuardrail(new Stack(app, 'Top', { env: ENV }), 'support');
    const stage = new Stage(app, 'Prod', { env: ENV });
    cfnGuardrail(new Stack(stage, 'S'), 'support');
    GuardrailEncryptionAspect.applyTo(app, { report: false });
    app.synth();
    expect(clashFindings(app).map(({ rule, path, severity }) => [rule, path, severity])).toEqual([
      [NAME, 'Prod/S/support', 'error'],
      [NAME, 'Top/support', 'error'],
    ]);
    expect(flagsFromAnnotations(app)['Prod/S/support'].errors).toContain(NAME);
  });

  test('an environment-agnostic stack may deploy apart: a warning, for the pack and the aspect, and synthesis goes on', () => {
    const app = new App();
    secure(new Stack(app, 'Pinned', { env: ENV }), 'Guardrail', 'support');
    secure(new Stack(app, 'Anywhere'), 'Guardrail', 'support');
    GuardrailEncryptionAspect.applyTo(app, { report: false });
    expect(() => app.synth()).not.toThrow();
    const findings = clashFindings(app);
    expect(findings.map(({ rule, severity }) => [rule, severity])).toEqual([[NAME, 'warning'], [NAME, 'warning'], [ALIAS, 'warning'], [ALIAS, 'warning']]);
    expect(findings[0].description).toMatch(/which may deploy elsewhere \(an environment-agnostic stack\)\.$/);
    expect(flagsFromAnnotations(app)['Pinned/Guardrail/Resource'].warnings).toEqual(expect.arrayContaining([NAME, ALIAS]));
    expect(flagsFromAnnotations(app)['Pinned/Guardrail/Resource'].errors).not.toContain(NAME);
    expect(new GuardrailEncryptionChecks().validateScope(app).success).toBe(true);
  });

  test('a nested stack deploys with its parent: its guardrail clashes with one of the parent\'s', () => {
    const app = new App();
    const parent = new Stack(app, 'P', { env: ENV });
    secure(parent, 'G', 'support');
    secure(new NestedStack(parent, 'N'), 'G', 'support');
    expect(clashFindings(app).map(({ rule, path, severity }) => [rule, path, severity])).toEqual([
      [NAME, 'P/G/Resource', 'error'],
      [NAME, 'P/N/G/Resource', 'error'],
      [ALIAS, 'P/G/Resource', 'error'],
      [ALIAS, 'P/N/G/Resource', 'error'],
    ]);
    expect(new GuardrailEncryptionChecks().validateScope(app).success).toBe(false);
  });

  describe('a guardrail made by an SDK call', () => {
    const sdk = (stack: Stack, id: string, call: Partial<cr.AwsSdkCall> & Pick<cr.AwsSdkCall, 'action' | 'parameters'>, on: 'onCreate' | 'onUpdate' = 'onCreate') =>
      new cr.AwsCustomResource(stack, id, {
        [on]: { service: 'Bedrock', physicalResourceId: cr.PhysicalResourceId.of(id), ...call },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      });

    test('an UpdateGuardrail call names the guardrail it updates, so it takes no name', () => {
      const app = new App();
      const stack = new Stack(app, 'S', { env: ENV });
      const guardrail = secure(stack, 'G', 'support');
      sdk(stack, 'Update', { action: 'UpdateGuardrail', parameters: { guardrailIdentifier: guardrail.guardrailId, name: 'support', kmsKeyId: 'k' } }, 'onUpdate');
      expect(clashFindings(app)).toEqual([]);
      expect(() => app.synth()).not.toThrow();
    });

    test('is placed in the Region the call names: another Region does not clash', () => {
      const app = new App();
      const stack = new Stack(app, 'S', { env: ENV });
      secure(stack, 'G', 'support');
      sdk(stack, 'Virginia', { action: 'CreateGuardrail', region: 'us-east-1', parameters: { name: 'support', kmsKeyId: 'k' } });
      sdk(stack, 'Ireland', { action: 'CreateGuardrail', region: ENV.region, parameters: { name: 'support', kmsKeyId: 'k' } });
      expect(clashFindings(app).filter(({ rule }) => rule === NAME).map(({ path }) => path)).toEqual(['S/G/Resource', 'S/Ireland/Resource/Default']);
    });

    test('a call with an assumed role acts in that role\'s account: another account does not clash, an unknown one may', () => {
      const app = new App();
      const stack = new Stack(app, 'S', { env: ENV });
      cfnGuardrail(stack, 'support', 'arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-1111-1111-111111111111');
      sdk(stack, 'Foreign', { action: 'CreateGuardrail', assumedRoleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/Deployer`, parameters: { name: 'support', kmsKeyId: 'k' } });
      sdk(stack, 'Unknown', {
        action: 'CreateGuardrail', assumedRoleArn: new CfnParameter(stack, 'Role').valueAsString, parameters: { name: 'support', kmsKeyId: 'k' },
      });
      const findings = clashFindings(app).filter(({ rule }) => rule === NAME);
      expect(findings.map(({ path, severity }) => [path, severity])).toEqual([
        ['S/Foreign/Resource/Default', 'warning'],
        ['S/support', 'warning'],
        ['S/Unknown/Resource/Default', 'warning'],
      ]);
      // The foreign call may clash only with the call whose account is unknown, never with S/support.
      expect(findings[0].description).toContain('also taken by S/Unknown/Resource/Default');
      expect(findings[0].description).not.toContain('S/support');
      expect(findings[1].description).not.toContain('S/Foreign');
    });
  });

  test('a later synthesis of a changed app reads the tree anew', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    secure(stack, 'First', 'first');
    expect(() => app.synth()).not.toThrow();
    secure(stack, 'B', 'same', { keyAlias: 'alias/b' });
    secure(stack, 'C', 'same', { keyAlias: 'alias/c' });
    expect(() => app.synth({ force: true })).toThrow(/\[S\/B\] SecureGuardrail: invalid guardrailName: received "same"/);
  });

  test('the pack\'s report keeps errors and warnings of one rule apart, and fails only on errors', () => {
    const app = new App();
    cfnGuardrail(new Stack(app, 'A', { env: ENV }), 'same');
    cfnGuardrail(new Stack(app, 'B', { env: ENV }), 'same');
    cfnGuardrail(new Stack(app, 'C'), 'maybe');
    cfnGuardrail(new Stack(app, 'D'), 'maybe');
    const flags = flagsFromReport(new GuardrailEncryptionChecks().validateScope(app));
    expect(flags['A/same'].errors).toContain(NAME);
    expect(flags['C/maybe'].warnings).toContain(NAME);
    expect(flags['C/maybe'].errors).not.toContain(NAME);
  });

  test('warnings alone do not fail the pack\'s report; an error does', () => {
    const warnedOnly = new App();
    secure(new Stack(warnedOnly, 'C'), 'Guardrail', 'maybe');
    secure(new Stack(warnedOnly, 'D'), 'Guardrail', 'maybe');
    const warned = new GuardrailEncryptionChecks().validateScope(warnedOnly);
    expect(warned.violations.map((v) => v.severity)).toEqual(expect.arrayContaining(['warning']));
    expect(warned.violations.every((v) => v.severity === 'warning')).toBe(true);
    expect(warned.success).toBe(true);

    const failing = new App();
    cfnGuardrail(new Stack(failing, 'A', { env: ENV }), 'same');
    expect(new GuardrailEncryptionChecks().validateScope(failing).success).toBe(false);
  });

  test('names known only at deploy time (parameters) are not compared; names that resolve alike are', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const name = new CfnParameter(stack, 'Name').valueAsString;
    cfnGuardrail(stack, 'a').name = name;
    cfnGuardrail(stack, 'b').name = name;
    // The stack name of a stack with a name is known at synth: "S" twice is a clash.
    cfnGuardrail(stack, 'c').name = stack.stackName;
    cfnGuardrail(stack, 'd').name = stack.stackName;
    expect(clashFindings(app).map(({ path }) => path)).toEqual(['S/c', 'S/d']);
  });
});
