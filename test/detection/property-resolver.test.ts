import { App, Aws, CfnResource, Fn, IResolvable, IResolveContext, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PropertyResolver } from '../../src/detection/private/property-resolver';

function stacks() {
  const app = new App();
  const stack = new Stack(app, 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
  const agnostic = new Stack(app, 'Agnostic');
  const bucket = new CfnResource(stack, 'Bucket', { type: 'AWS::S3::Bucket' });
  return { stack, agnostic, bucket };
}

describe('PropertyResolver', () => {
  test('resolves every kind of value as Stack.resolve does', () => {
    const { stack, bucket } = stacks();
    const value = {
      literal: 'plain',
      number: 42,
      flags: [true, false, null],
      missing: undefined,
      holes: ['a', undefined, 'b'],
      literalOnly: { kept: 'a', dropped: undefined },
      trailingHole: ['a', undefined],
      reference: bucket.getAtt('Arn').toString(),
      joined: `arn:${Aws.PARTITION}:s3:::${bucket.ref}/*`,
      lazy: Lazy.any({ produce: () => ({ nested: Aws.ACCOUNT_ID }) }),
      nothing: Lazy.any({ produce: () => undefined }),
      list: Token.asList(Fn.split(',', Fn.join(',', ['a', Aws.REGION]))),
      lazyList: Lazy.list({ produce: () => ['a', `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`, bucket.getAtt('Arn').toString()] }),
      emptyList: Lazy.list({ produce: () => [] }),
      omittedList: Lazy.list({ produce: () => [] }, { omitEmpty: true }),
      listsInList: [Lazy.list({ produce: () => ['a'] }), 'b'],
      numberToken: Lazy.number({ produce: () => 3 }),
      tokenKey: { [`${Lazy.string({ produce: () => 'computed' })}-key`]: 'token in a key' },
      deep: { deeper: [{ arn: bucket.getAtt('Arn').toString() }, Lazy.string({ produce: () => 'late' })] },
      date: new Date(0),
      instance: new (class Settings { public readonly region = Aws.REGION; })(),
      texts: [
        `prefix-${Lazy.string({ produce: () => 'computed' })}-${Lazy.number({ produce: () => 7 })}`,
        `a-${Fn.join('', ['x', Aws.REGION])}-b`,
        `${Fn.join('-', ['x', Aws.REGION])}-b`,
        `${Token.asString(Lazy.any({ produce: () => ({ 'Fn::Join': ['', [{ 'Fn::Join': ['', ['a', { Ref: 'X' }]] }, 'b']] }) }))}-c`,
        `${Aws.ACCOUNT_ID}${Aws.REGION}`,
        `a${Lazy.string({ produce: () => undefined })}b`,
        `${Lazy.string({ produce: () => undefined })}${Lazy.string({ produce: () => undefined })}`,
        `${bucket.ref}:${Lazy.string({ produce: () => bucket.getAtt('Arn').toString() })}`,
        `account-${Lazy.number({ produce: () => 5 })}`,
        `${Lazy.number({ produce: () => 5 })}-${Aws.REGION}`,
      ],
    };
    const resolved = new PropertyResolver(stack).resolve(value);
    expect(resolved).toStrictEqual(stack.resolve(value));
    // Each part on its own too: one part that only Stack.resolve can read must not hide the others.
    for (const [name, part] of Object.entries(value)) {
      expect([name, new PropertyResolver(stack).resolve(part)]).toStrictEqual([name, stack.resolve(part)]);
    }
  });

  test('reads a PolicyDocument as its statements, tokens resolved', () => {
    const { stack, bucket } = stacks();
    const document = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['kms:Decrypt'], resources: ['*'], conditions: { StringEquals: { 'kms:ViaService': `bedrock.${Aws.REGION}.${Aws.URL_SUFFIX}` } } }),
        new iam.PolicyStatement({ principals: [new iam.ArnPrincipal(bucket.getAtt('Arn').toString())], actions: ['kms:DescribeKey'], resources: ['*'] }),
      ],
    });
    expect(new PropertyResolver(stack).resolve({ KeyPolicy: document })).toEqual({ KeyPolicy: stack.resolve(document) });
  });

  test('resolves a token string once per stack', () => {
    const { stack, agnostic } = stacks();
    let produced = 0;
    const token = Lazy.uncachedString({ produce: () => `value-${++produced}` });
    const resolver = new PropertyResolver(stack);

    expect(resolver.resolve({ A: token })).toEqual({ A: 'value-1' });
    expect(resolver.resolve({ B: [token, `prefix-${token}`] })).toEqual({ B: ['value-1', 'prefix-value-2'] });
    expect(new PropertyResolver(agnostic).resolve(token)).toEqual('value-3');
    expect(produced).toBe(3);
  });

  test('what a list token produces is resolved through the same memory', () => {
    const { stack } = stacks();
    let produced = 0;
    const token = Lazy.uncachedString({ produce: () => `value-${++produced}` });
    const list = Lazy.list({ produce: () => [token, 'literal'] });

    expect(new PropertyResolver(stack).resolve({ A: token, B: list })).toEqual({ A: 'value-1', B: ['value-1', 'literal'] });
    expect(produced).toBe(1);
  });

  test('a token that resolves to nothing is dropped, as from a template', () => {
    const { stack } = stacks();
    const nothing = Lazy.string({ produce: () => undefined });
    expect(new PropertyResolver(stack).resolve({ A: nothing, B: [nothing, 'kept'] })).toEqual({ B: ['kept'] });
  });

  test('a reference to another stack resolves to its import, as in the template', () => {
    const { stack, bucket } = stacks();
    const consumer = new Stack(stack.node.root, 'Consumer', { env: { account: '111122223333', region: 'eu-west-1' } });
    // A resource of the consumer that uses the reference, so that synthesis exports it.
    new CfnResource(consumer, 'User', { type: 'AWS::SNS::Topic', properties: { DisplayName: bucket.getAtt('Arn').toString() } });
    (stack.node.root as App).synth();

    const resolved = new PropertyResolver(consumer).resolve({ arn: bucket.getAtt('Arn').toString() });
    expect(resolved).toEqual({ arn: { 'Fn::ImportValue': expect.stringContaining('S:ExportsOutputFnGetAttBucketArn') } });
    expect(resolved).toEqual(consumer.resolve({ arn: bucket.getAtt('Arn').toString() }));
  });

  test('applies the post-processor a token registers', () => {
    const { stack } = stacks();
    const token: IResolvable = {
      creationStack: [],
      resolve: (context: IResolveContext) => {
        context.registerPostProcessor({ postProcess: (value: any) => ({ ...value, processed: true }) });
        return { region: Aws.REGION, account: (context.scope as Stack).account };
      },
      toString: () => Token.asString(token),
    };
    expect(new PropertyResolver(stack).resolve({ A: token })).toEqual({ A: { region: { Ref: 'AWS::Region' }, account: '111122223333', processed: true } });
    expect(new PropertyResolver(stack).resolve({ A: token })).toEqual(stack.resolve({ A: token }));
  });

  test('a token that asks for resolution options is resolved by Stack.resolve', () => {
    const { stack } = stacks();
    const token: IResolvable = {
      creationStack: [],
      resolve: (context: IResolveContext) => context.resolve([Lazy.string({ produce: () => undefined }), 'kept'], { removeEmpty: false }),
      toString: () => Token.asString(token),
    };
    expect(new PropertyResolver(stack).resolve({ A: token })).toEqual(stack.resolve({ A: token }));
  });

  test('a token that produces itself fails as it does in Stack.resolve, without hanging', () => {
    const { stack } = stacks();
    const self: string = Lazy.string({ produce: () => self });
    expect(() => stack.resolve(self)).toThrow();
    expect(() => new PropertyResolver(stack).resolve(self)).toThrow();
  });

  test('an error of a token reaches the caller', () => {
    const { stack } = stacks();
    const failing = Lazy.string({ produce: () => { throw new Error('cannot produce'); } });
    expect(() => new PropertyResolver(stack).resolve({ A: failing })).toThrow('cannot produce');
  });
});
