import { App, Fn, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardrailInspector } from '../../src/detection/guardrail-inspection';
import { cfnGuardrail, compliantKey } from '../corpus/corpus-app';
import { ACCOUNT, REGION } from '../helpers/synth';

const ENV = { account: ACCOUNT, region: REGION };

describe('GuardrailInspector reading a key given by reference', () => {
  test('a key of the same stack: the reference, its key, and the value the template holds', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = compliantKey(stack, 'Key');
    const guardrail = cfnGuardrail(stack, 'G', key.keyArn);

    const inspection = new GuardrailInspector().inspect(guardrail)!;

    expect(inspection.key?.node).toBe(key.node.defaultChild);
    expect(inspection.keySource).toBe('in-app');
    expect(inspection.keyArn.kind).toBe('reference');
    const logicalId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
    expect(inspection.keyArn.text).toBe(`\${GetAtt:${logicalId}.Arn}`);
    expect(inspection.properties.KmsKeyArn).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
    expect(Object.keys(inspection.properties)).toEqual(expect.arrayContaining(['Name', 'KmsKeyArn', 'Tags']));
  });

  test('a key of another stack reads as the import the template holds', () => {
    const app = new App();
    const key = compliantKey(new Stack(app, 'Keys', { env: ENV }), 'Key');
    const stack = new Stack(app, 'S', { env: ENV });
    const guardrail = cfnGuardrail(stack, 'G', key.keyArn);
    app.synth();

    const inspection = new GuardrailInspector().inspect(guardrail)!;

    expect(inspection.key?.node).toBe(key.node.defaultChild);
    expect(inspection.properties.KmsKeyArn).toEqual({ 'Fn::ImportValue': expect.stringContaining('Keys:ExportsOutputFnGetAttKey') });
    expect(inspection.keyArn.text).toMatch(/^\$\{ImportValue:Keys:ExportsOutputFnGetAttKey/);
  });

  test('a reference wrapped in a function is resolved, and left unverified rather than followed', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = compliantKey(stack, 'Key');
    const guardrail = cfnGuardrail(stack, 'G', Fn.join('', [key.keyArn, '']));

    const inspection = new GuardrailInspector().inspect(guardrail)!;

    expect(inspection.properties.KmsKeyArn).toEqual(stack.resolve(Fn.join('', [key.keyArn, ''])));
    expect(inspection.keyArn.kind).toBe('reference');
    expect(inspection.keySource).toBe('outside-app');
  });
});
