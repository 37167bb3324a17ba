import * as fs from 'fs';
import { App, Stack, Stage, Tags, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import { GuardrailEncryptionAspect, SecureGuardrail } from '../../src';
import { pluginAcknowledgementsAreScoped } from '../../src/core/cdk-internals';
import { cfnGuardrail, compliantKey, untaggedGuardrail } from '../corpus/corpus-app';
import { flagsFromAnnotations } from '../helpers/findings';
import { ENV, MANDATORY_TAGS } from '../helpers/synth';

const OUTSIDE_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e';

function appWith(build: (stack: Stack) => void, props = {}): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  build(stack);
  GuardrailEncryptionAspect.applyTo(app, { report: false, ...props });
  app.synth();
  return { app, stack };
}

describe('GuardrailEncryptionAspect', () => {
  test('adds an error with the rule id, the info and the explanation to a failing guardrail', () => {
    const { stack } = appWith((s) => cfnGuardrail(s, 'G'));
    Annotations.fromStack(stack).hasError('/S/G', Match.stringLikeRegexp(
      '^\\[GuardrailEncryption-CMKRequired\\] The guardrail is not encrypted with a customer-managed KMS key .* Without a customer-managed key, Bedrock'));
  });

  test('passes a SecureGuardrail with defaults', () => {
    const { stack } = appWith((s) => new SecureGuardrail(s, 'G', { guardrailName: 'g', mandatoryTags: MANDATORY_TAGS }));
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('runs after mutating aspects, so tags added with Tags.of count', () => {
    const { app } = appWith((s) => {
      untaggedGuardrail(s, 'G', 'alias/aws/bedrock');
      Tags.of(s).add('Owner', 'o');
      Tags.of(s).add('Workload', 'w');
      Tags.of(s).add('DataSensitivity', 'd');
    });
    expect(flagsFromAnnotations(app)).toEqual({ 'S/G': { errors: ['GuardrailEncryption-CMKRequired'], warnings: [] } });
  });

  test('checks once every aspect has run, so a key visited after its guardrail has its tags', () => {
    const app = new App();
    const guardrails = new Stack(app, 'Guardrails', { env: ENV });
    const keys = new Stack(app, 'Keys', { env: ENV });
    cfnGuardrail(guardrails, 'G', compliantKey(keys, 'Key').keyArn);
    for (const tag of ['Owner', 'Workload', 'DataSensitivity']) {
      (keys.node.findChild('Key').node.defaultChild as CfnKey).tags.removeTag(tag, 0);
      Tags.of(keys).add(tag, 'set-by-an-aspect');
    }
    GuardrailEncryptionAspect.applyTo(app, { report: false });
    app.synth();
    expect(flagsFromAnnotations(app)).toEqual({});
  });

  test('an unverifiable key is an acknowledgeable warning, or an error when strict', () => {
    expect(flagsFromAnnotations(appWith((s) => cfnGuardrail(s, 'G', OUTSIDE_KEY)).app))
      .toEqual({ 'S/G': { errors: [], warnings: ['GuardrailEncryption-KeyVerifiable'] } });
    expect(flagsFromAnnotations(appWith((s) => cfnGuardrail(s, 'G', OUTSIDE_KEY), { strict: true }).app))
      .toEqual({ 'S/G': { errors: ['GuardrailEncryption-KeyVerifiable'], warnings: [] } });
    expect(flagsFromAnnotations(appWith((s) => cfnGuardrail(s, 'G', OUTSIDE_KEY), { allowedKeyArns: [OUTSIDE_KEY] }).app)).toEqual({});
  });

  test.each(['GuardrailEncryption-CMKRequired', 'GuardrailEncryption::GuardrailEncryption-CMKRequired'])('skips findings acknowledged as %s', (id) => {
    const { app } = appWith((s) => {
      cfnGuardrail(s, 'G');
      Validations.of(s).acknowledge({ id, reason: 'migrating in Q3' });
    });
    expect(flagsFromAnnotations(app)).toEqual({});
  });

  test('applyTo reaches Stages created before it, but not the App\'s constructs twice', () => {
    const app = new App();
    // Named apart: in one account and Region, guardrails of one name would also clash.
    cfnGuardrail(new Stack(app, 'Top', { env: ENV }), 'G');
    const stage = new Stage(app, 'Prod');
    cfnGuardrail(new Stack(stage, 'S', { env: ENV }), 'G2');
    cfnGuardrail(new Stack(new Stage(stage, 'Inner'), 'S', { env: ENV }), 'G3');
    GuardrailEncryptionAspect.applyTo(app, { report: false });
    app.synth();
    expect(Object.keys(flagsFromAnnotations(app))).toEqual(['Prod/Inner/S/G3', 'Prod/S/G2', 'Top/G']);
    expect(flagsFromAnnotations(app)['Top/G'].errors).toEqual(['GuardrailEncryption-CMKRequired']);
  });

  test('checks a guardrail of a Stage after the Stage\'s tags, though CDK synthesizes and checks an inner Stage first', () => {
    const app = new App();
    const outer = new Stage(app, 'Outer', { env: ENV });
    const stack = new Stack(outer, 'S');
    const key = compliantKey(stack, 'Key');
    for (const tag of ['Owner', 'Workload', 'DataSensitivity']) {
      (key.node.defaultChild as CfnKey).tags.removeTag(tag, 0);
      Tags.of(outer).add(tag, 'set-on-the-stage');
    }
    untaggedGuardrail(stack, 'G', key.keyArn);
    // The inner Stage's guardrail is checked first; its name checks read every guardrail of the app.
    const inner = new Stack(new Stage(outer, 'Inner'), 'S');
    cfnGuardrail(inner, 'G2', compliantKey(inner, 'Key').keyArn);
    GuardrailEncryptionAspect.applyTo(app, { report: false });
    app.synth();
    expect(flagsFromAnnotations(app)).toEqual({});
  });

  test('each finding says what to acknowledge it with, and that id silences it', () => {
    const hinted = (app: App) => app.node.findAll().flatMap((c) => c.node.metadata)
      .filter((entry) => entry.type === 'aws:cdk:error' || entry.type === 'aws:cdk:warning').map((entry) => String(entry.data));
    const messages = hinted(appWith((s) => {
      cfnGuardrail(s, 'G');
      cfnGuardrail(s, 'Outside', OUTSIDE_KEY);
    }).app);
    const id = (rule: string) => (pluginAcknowledgementsAreScoped() ? `GuardrailEncryption::${rule}` : rule);
    expect(messages).toEqual([
      expect.stringMatching(new RegExp(`^\\[GuardrailEncryption-CMKRequired\\] .* Acknowledge with '${id('GuardrailEncryption-CMKRequired')}'\\.$`)),
      expect.stringMatching(new RegExp(`^\\[GuardrailEncryption-KeyVerifiable\\] .* Acknowledge with '${id('GuardrailEncryption-KeyVerifiable')}'\\.`)),
    ]);
    const hints = messages.map((message) => /Acknowledge with '([^']+)'/.exec(message)![1]);
    expect(hinted(appWith((s) => {
      cfnGuardrail(s, 'G');
      cfnGuardrail(s, 'Outside', OUTSIDE_KEY);
      for (const hint of hints) Validations.of(s).acknowledge({ id: hint, reason: 'tested' });
    }).app)).toEqual([]);
  });

  test('enables the compliance report unless told not to', () => {
    const outdir = fs.mkdtempSync('/tmp/aspect-');
    const app = new App({ outdir });
    cfnGuardrail(new Stack(app, 'S', { env: ENV }), 'G');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      GuardrailEncryptionAspect.applyTo(app);
      app.synth();
    } finally {
      stderr.mockRestore();
    }
    expect(fs.existsSync(`${outdir}/guardrail-compliance.json`)).toBe(true);

    const quiet = fs.mkdtempSync('/tmp/aspect-');
    const quietApp = new App({ outdir: quiet });
    GuardrailEncryptionAspect.applyTo(quietApp, { report: false });
    quietApp.synth();
    expect(fs.existsSync(`${quiet}/guardrail-compliance.json`)).toBe(false);
  });

  test('refuses bad options, naming the aspect', () => {
    expect(() => new GuardrailEncryptionAspect({ maxRotationDays: 3000 }))
      .toThrow('GuardrailEncryptionAspect: invalid maxRotationDays: received 3000; allowed: a whole number of days from 90 to 2560.');
  });
});
