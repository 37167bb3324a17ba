import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import { cfnPropertiesOf, pluginAcknowledgementsAreScoped, rawOverridesOf, renderedResource } from '../../src/core/cdk-internals';

/*
 * The aws-cdk-lib members the detection core reads that are not public API. Run on every aws-cdk-lib
 * the CI tests (the pinned one and the newest release): if one changes shape, this fails first.
 */
describe('the aws-cdk-lib internals the library reads', () => {
  const stack = new Stack();
  const guardrail = new bedrock.CfnGuardrail(stack, 'Guardrail', { name: 'g', blockedInputMessaging: 'No.', blockedOutputsMessaging: 'No.' });
  guardrail.addPropertyOverride('KmsKeyArn', 'arn:aws:kms:eu-west-1:111111111111:key/k');
  guardrail.addPropertyDeletionOverride('Description');
  guardrail.addOverride('DeletionPolicy', 'Retain');
  const raw = new CfnResource(stack, 'Raw', { type: 'AWS::Bedrock::Guardrail', properties: { Name: 'raw', KmsKeyArn: 'given' } });

  test('rawOverrides holds property overrides, deletions (as undefined) and resource-level overrides', () => {
    expect(rawOverridesOf(guardrail)).toEqual({
      Properties: { KmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/k', Description: undefined },
      DeletionPolicy: 'Retain',
    });
    expect(Object.keys(rawOverridesOf(guardrail).Properties!)).toContain('Description');
    expect(rawOverridesOf(raw)).toEqual({});
  });

  test('cfnProperties holds an L1\'s properties by their camelCase names, and a raw CfnResource\'s as given', () => {
    expect(cfnPropertiesOf(guardrail)).toMatchObject({ name: 'g', blockedInputMessaging: 'No.', blockedOutputsMessaging: 'No.' });
    expect(cfnPropertiesOf(raw)).toEqual({ Name: 'raw', KmsKeyArn: 'given' });
  });

  test('_toCloudFormation renders the one resource with its overrides applied', () => {
    expect(stack.resolve(renderedResource(guardrail))).toMatchObject({
      Type: 'AWS::Bedrock::Guardrail',
      DeletionPolicy: 'Retain',
      Properties: { Name: 'g', KmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/k' },
    });
  });

  test.each([
    ['rawOverrides', () => rawOverridesOf(Object.create(CfnResource.prototype, { rawOverrides: { value: undefined } })), /CfnResource.rawOverrides, expecting an object, and received nothing/],
    ['cfnProperties', () => cfnPropertiesOf(Object.create(CfnResource.prototype, { cfnProperties: { value: 'props' } })), /CfnResource.cfnProperties, expecting an object, and received string/],
    ['_toCloudFormation', () => renderedResource(Object.create(CfnResource.prototype, { _toCloudFormation: { value: 42 } })), /CfnResource._toCloudFormation, expecting a method, and received number/],
    ['its result', () => renderedResource(Object.create(CfnResource.prototype, { _toCloudFormation: { value: () => ({}) } })), /_toCloudFormation\(\), expecting a template fragment with one resource/],
  ])('a changed %s fails loudly, naming the member', (_name, read, message) => {
    expect(read).toThrow(message);
  });
});

describe('the aws-cdk-lib behaviour the library reads from its version', () => {
  test('pluginAcknowledgementsAreScoped says whether CDK suppresses a plugin-qualified acknowledgement under its scope only', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoped-'));
    const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    const acknowledged = new CfnResource(new Stack(app, 'A'), 'R', { type: 'AWS::SQS::Queue' });
    const other = new CfnResource(new Stack(app, 'B'), 'R', { type: 'AWS::SQS::Queue' });
    Validations.of(acknowledged).acknowledge({ id: 'Fake::Rule', reason: 'tested' });
    Validations.of(app).addPlugins({
      name: 'Fake',
      validate: () => ({
        success: false,
        violations: [{
          ruleName: 'Rule',
          description: 'fails every queue',
          severity: 'error',
          violatingResources: [acknowledged, other].map((r) => ({ constructPath: r.node.path, locations: [] })),
        }],
      }),
    });
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      app.synth();
    } finally {
      consoleError.mockRestore();
    }
    const [fake] = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8')).pluginReports;
    const active = fake.violations.flatMap((v: any) => v.violatingConstructs.map((c: any) => c.constructPath));
    expect(active).toEqual(pluginAcknowledgementsAreScoped() ? ['B/R'] : []);
  });
});
