import { App, CfnResource, Fn, Stack } from 'aws-cdk-lib';
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

  test('finds each key\'s clashes through its own aliases, not every alias of the app: the lookups per key do not grow with the app', () => {
    /** Aliases looked up in a Map while every key of an app of `keys` keys, each with its own alias, is asked for its clashes. */
    const aliasLookupsFor = (keys: number) => {
      const stack = new Stack(new App(), 'S', { env: ENV });
      const nodes = Array.from({ length: keys }, (_, i) => keyWithAliases(stack, `Key${i}`, `alias/key-${i}`));
      const inspector = new GuardrailInspector();
      const resources = nodes.map((node) => inspector.effectiveResource(node, []));
      // The first question builds the app's index, which reads every alias once.
      expect(inspector.keyAliasClashes(resources[0])).toEqual([]);
      let lookups = 0;
      const get = Map.prototype.get;
      const spy = jest.spyOn(Map.prototype, 'get').mockImplementation(function (this: Map<unknown, unknown>, key: unknown) {
        if (key instanceof CfnResource && key.cfnResourceType === 'AWS::KMS::Alias') lookups++;
        return get.call(this, key);
      });
      try {
        for (const resource of resources) expect(inspector.keyAliasClashes(resource)).toEqual([]);
      } finally {
        spy.mockRestore();
      }
      return lookups / keys;
    };
    const few = aliasLookupsFor(10);
    expect(few).toBeGreaterThan(0);
    expect(few).toBeLessThanOrEqual(3);
    // Going through every alias of the app for each key looks up ten times as many aliases per key here.
    expect(aliasLookupsFor(100)).toBe(few);
  });
});

describe('GuardrailInspector reading a selection of properties', () => {
  const POLICY = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Admin` }, Action: 'kms:*', Resource: '*' }],
  };

  test('each caller gets the properties it asked for, whoever asked first', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new kms.CfnKey(stack, 'Key', { description: 'the key', enableKeyRotation: true, keyPolicy: POLICY });
    const inspector = new GuardrailInspector();

    const rotation = inspector.effectiveResource(key, ['EnableKeyRotation']);
    const description = inspector.effectiveResource(key, ['Description']);

    expect(rotation.properties).toEqual({ EnableKeyRotation: true });
    expect(description.properties).toEqual({ Description: 'the key' });
    expect(inspector.effectiveResource(key, ['EnableKeyRotation'])).toBe(rotation);
  });

  test('a key\'s policy is its own whichever properties were selected, not KMS\'s default', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new kms.CfnKey(stack, 'Key', { keyPolicy: POLICY });

    const selectedFirst = new GuardrailInspector().effectiveResource(key, []).keyPolicy;
    const withPolicy = new GuardrailInspector().effectiveResource(key).keyPolicy;
    const defaultPolicy = new GuardrailInspector().effectiveResource(new kms.CfnKey(stack, 'Default', {})).keyPolicy;

    expect(selectedFirst).toEqual(withPolicy);
    expect(withPolicy).not.toEqual(defaultPolicy);
  });
});
