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

describe('GuardrailInspector finding the aliases a key shares', () => {
  function keyWithAliases(stack: Stack, id: string, ...aliases: string[]): kms.CfnKey {
    const key = new kms.CfnKey(stack, id, {});
    aliases.forEach((aliasName, i) => new kms.CfnAlias(stack, `${id}Alias${i}`, { aliasName, targetKeyId: key.attrArn }));
    return key;
  }

  test('lists a key\'s clashes by alias name, in the order the app first gives the names', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const first = keyWithAliases(stack, 'First', 'alias/one');
    const second = keyWithAliases(stack, 'Second', 'alias/two', 'alias/one', 'alias/alone');
    keyWithAliases(stack, 'Third', 'alias/two');
    const inspector = new GuardrailInspector();

    const clashes = inspector.keyAliasClashes(inspector.effectiveResource(second));

    expect(clashes.map(({ name, other, certain }) => [name, other.node.id, certain])).toEqual([
      ['alias/one', 'FirstAlias0', true],
      ['alias/two', 'ThirdAlias0', true],
    ]);
    expect(inspector.keyAliasClashes(inspector.effectiveResource(first)).map(({ other }) => other.node.id)).toEqual(['SecondAlias1']);
  });

  test('finds each key\'s clashes without going through every alias of the app: ten times the keys take about ten times as long', () => {
    /** The least of three timings, in seconds, of asking every key of an app of `keys` keys, each with its own alias, for its clashes. */
    const timeFor = (keys: number) => {
      const stack = new Stack(new App(), 'S', { env: ENV });
      const nodes = Array.from({ length: keys }, (_, i) => keyWithAliases(stack, `Key${i}`, `alias/key-${i}`));
      return Math.min(...[1, 2, 3].map(() => {
        const inspector = new GuardrailInspector();
        const resources = nodes.map((node) => inspector.effectiveResource(node, []));
        const started = process.hrtime.bigint();
        for (const resource of resources) expect(inspector.keyAliasClashes(resource)).toEqual([]);
        return Number(process.hrtime.bigint() - started) / 1e9;
      }));
    };
    timeFor(300);
    // Going through every alias of the app for each key grows with the square of the keys: sixty times and more.
    expect(timeFor(3000) / timeFor(300)).toBeLessThan(30);
  });
});
