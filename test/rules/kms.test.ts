import { App, Aws, CfnDeletionPolicy, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { findings, guardrailWithKey, keyWith, NONE, rule } from './helpers';
import { GuardrailEncryptionAspect, GuardrailEncryptionChecks } from '../../src';
import { cfnGuardrail } from '../corpus/corpus-app';
import { ACCOUNT } from '../helpers/synth';

const spoiled = (spoil: (key: kms.CfnKey) => void, props?: kms.KeyProps) => findings((s) => guardrailWithKey(s, spoil, props));

describe('rules on the guardrail\'s key', () => {
  test('compliant: a key built to the standard', () => {
    expect(spoiled(() => undefined)).toEqual(NONE);
  });

  test('not applicable: a key outside the app', () => {
    expect(findings((s) => cfnGuardrail(s, 'G', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e`)))
      .toEqual({ errors: [], warnings: [rule('KeyVerifiable')] });
  });

  test('a key named by a literal Fn::GetAtt override is found by its logical id', () => {
    expect(findings((s) => {
      const key = keyWith(s, (k) => k.addPropertyOverride('EnableKeyRotation', false));
      const guardrail = cfnGuardrail(s, 'G');
      guardrail.addPropertyOverride('KmsKeyArn', { 'Fn::GetAtt': [s.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] });
    }).errors).toEqual([rule('KeyRotation')]);
  });

  test('a literal Fn::GetAtt of something else is a key outside the app', () => {
    expect(findings((s) => {
      keyWith(s);
      cfnGuardrail(s, 'G').addPropertyOverride('KmsKeyArn', { 'Fn::GetAtt': ['SomethingElse', 'Arn'] });
    })).toEqual({ errors: [], warnings: [rule('KeyVerifiable')] });
  });

  test('not applicable: a key no guardrail uses', () => {
    expect(findings((s) => keyWith(s, (k) => k.addPropertyOverride('EnableKeyRotation', false)))).toEqual(NONE);
  });
});

describe('KeySymmetric', () => {
  test.each([
    ['an asymmetric key spec', (k: kms.CfnKey) => k.addPropertyOverride('KeySpec', 'RSA_2048')],
    ['a signing key', (k: kms.CfnKey) => k.addPropertyOverride('KeyUsage', 'SIGN_VERIFY')],
  ])('non-compliant: %s', (_name, spoil) => {
    expect(spoiled(spoil).errors).toContain(rule('KeySymmetric'));
  });
});

describe('KeyRotation', () => {
  test.each([
    ['rotation off', (k: kms.CfnKey) => k.addPropertyOverride('EnableKeyRotation', false)],
    ['rotation not set', (k: kms.CfnKey) => k.addPropertyDeletionOverride('EnableKeyRotation')],
    ['a period over the maximum', (k: kms.CfnKey) => k.addPropertyOverride('RotationPeriodInDays', 366)],
    ['a period known only at deploy time', (k: kms.CfnKey) => k.addPropertyOverride('RotationPeriodInDays', { Ref: 'Days' })],
  ])('non-compliant: %s', (_name, spoil) => {
    expect(spoiled(spoil).errors).toEqual([rule('KeyRotation')]);
  });

  test('the maximum is configurable', () => {
    const longPeriod = (k: kms.CfnKey) => k.addPropertyOverride('RotationPeriodInDays', 730);
    expect(findings((s) => guardrailWithKey(s, longPeriod), { maxRotationDays: 730 })).toEqual(NONE);
    expect(findings((s) => guardrailWithKey(s, (k) => k.addPropertyOverride('RotationPeriodInDays', 180)), { maxRotationDays: 90 }).errors)
      .toEqual([rule('KeyRotation')]);
  });
});

describe('KeyPendingWindow', () => {
  test('non-compliant: a 7-day window against the default minimum', () => {
    expect(spoiled(() => undefined, { pendingWindow: Duration.days(7) }).errors).toEqual([rule('KeyPendingWindow')]);
  });

  test('the minimum is configurable, and an absent window counts as 30 days', () => {
    expect(findings((s) => guardrailWithKey(s, (k) => k.addPropertyOverride('PendingWindowInDays', 7)), { minPendingWindowDays: 7 })).toEqual(NONE);
    expect(spoiled((k) => k.addPropertyDeletionOverride('PendingWindowInDays'))).toEqual(NONE);
  });
});

describe('KeyRetained', () => {
  test.each([
    ['a destroying removal policy', RemovalPolicy.DESTROY],
    ['a snapshot policy on update', undefined],
  ])('non-compliant: %s', (_name, policy) => {
    expect(spoiled((k) => {
      if (policy) k.applyRemovalPolicy(policy);
      else k.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.DELETE;
    }).errors).toEqual([rule('KeyRetained')]);
  });

  test('compliant: RETAIN_ON_UPDATE_OR_DELETE', () => {
    expect(spoiled((k) => k.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE))).toEqual(NONE);
  });
});

describe('KeyEnabled', () => {
  test('non-compliant: a disabled key', () => {
    expect(spoiled((k) => { k.enabled = false; }).errors).toEqual([rule('KeyEnabled')]);
  });
});

describe('KeyPolicyLeastPrivilege', () => {
  const root = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:root`]] } };
  // The account administers the key (without using it), so that only KeyPolicyLeastPrivilege decides.
  const administration = { Effect: 'Allow', Principal: root, Action: ['kms:DescribeKey', 'kms:PutKeyPolicy'], Resource: '*' };
  const policy = (...statements: object[]) => (k: kms.CfnKey) =>
    k.addPropertyOverride('KeyPolicy', { Version: '2012-10-17', Statement: [administration, ...statements] });
  const viaBedrock = { 'kms:ViaService': 'bedrock.eu-west-1.amazonaws.com' };

  test.each<[string, (k: kms.CfnKey) => void]>([
    ["CDK's default policy (root may do kms:*)", (k) => k.addPropertyOverride('KeyPolicy', { Statement: [{ Effect: 'Allow', Principal: root, Action: 'kms:*', Resource: '*' }] })],
    ['no policy at all', (k) => k.addPropertyDeletionOverride('KeyPolicy')],
    ['"*" as action', policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/App' }, Action: '*', Resource: '*' })],
    ['a wildcard covering decryption', policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/App' }, Action: 'kms:De*', Resource: '*' })],
    ['a one-character wildcard covering decryption', policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/App' }, Action: 'kms:Decryp?', Resource: '*' })],
    ['a wildcard in upper case covering data keys', policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/App' }, Action: 'KMS:GENERATEDATAKEY*', Resource: '*' })],
    ['kms:Create* (contains CreateGrant)', policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/App' }, Action: ['kms:Create*'], Resource: '*' })],
    ['NotAction', policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/App' }, NotAction: 'kms:Decrypt', Resource: '*' })],
    ['an unconditioned "*" principal', policy({ Effect: 'Allow', Principal: '*', Action: 'kms:DescribeKey', Resource: '*' })],
    ['an unconditioned {AWS: "*"} principal', policy({ Effect: 'Allow', Principal: { AWS: ['*'] }, Action: 'kms:DescribeKey', Resource: '*' })],
    ['decryption delegated to the root', policy({ Effect: 'Allow', Principal: root, Action: 'kms:Decrypt', Resource: '*' })],
    ['decryption delegated to a bare account id', policy({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:Decrypt', Resource: '*' })],
    ['the root with an unrelated condition', policy({ Effect: 'Allow', Principal: root, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT } } })],
    // Every IAM principal of the account whose policies allow it could read the guardrail through Bedrock.
    ['decryption delegated to the root through Bedrock', policy({ Effect: 'Allow', Principal: root, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: viaBedrock } })],
  ])('non-compliant: %s', (_name, spoil) => {
    expect(spoiled(spoil).errors).toEqual([rule('KeyPolicyLeastPrivilege')]);
  });

  test.each<[string, (k: kms.CfnKey) => void]>([
    ['the root delegated administration only', policy({ Effect: 'Allow', Principal: root, Action: ['kms:Describe*', 'kms:Put*', 'kms:List?liases'], Resource: '*' })],
    ['the root delegated decryption through Bedrock to named roles', policy({
      Effect: 'Allow',
      Principal: root,
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: viaBedrock, ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/App` } },
    })],
    ['a conditioned "*" principal', policy({ Effect: 'Allow', Principal: '*', Action: 'kms:DescribeKey', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT } } })],
    ['a deny for everyone but administration', policy({ Effect: 'Deny', Principal: '*', NotAction: ['kms:DescribeKey', 'kms:PutKeyPolicy'], Resource: '*' })],
  ])('compliant: %s', (_name, spoil) => {
    expect(spoiled(spoil)).toEqual(NONE);
  });

  test('a deny for everyone leaves a key nobody can administer (KeyManageable)', () => {
    expect(spoiled(policy({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' })).errors).toEqual([rule('KeyManageable')]);
  });

  test.each<[string, object]>([
    ['a kms:ViaService condition whose value resolved to nothing', { Effect: 'Allow', Principal: root, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': undefined } } }],
    ['a "*" principal whose only condition resolved to nothing', { Effect: 'Allow', Principal: '*', Action: 'kms:DescribeKey', Resource: '*', Condition: { StringEquals: undefined } }],
    ['a null condition', { Effect: 'Allow', Principal: root, Action: 'kms:Decrypt', Resource: '*', Condition: null }],
  ])('non-compliant on an L1 key: %s (the template drops what is undefined)', (_name, statement) => {
    expect(findings((s) => {
      const key = new kms.CfnKey(s, 'L1Key', {
        enableKeyRotation: true,
        pendingWindowInDays: 30,
        keyPolicy: { Version: '2012-10-17', Statement: [administration, statement] },
        tags: ['Owner', 'Workload', 'DataSensitivity'].map((tag) => ({ key: tag, value: 'x' })),
      });
      key.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
      key.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
      cfnGuardrail(s, 'G', key.attrArn);
    }).errors).toEqual([rule('KeyPolicyLeastPrivilege')]);
  });

  test('a plain kms.Key (CDK default policy) is non-compliant', () => {
    expect(findings((s) => {
      const key = new kms.Key(s, 'Default', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
      for (const tag of ['Owner', 'Workload', 'DataSensitivity']) (key.node.defaultChild as kms.CfnKey).tags.setTag(tag, 'x');
      cfnGuardrail(s, 'G', key.keyArn);
    }).errors).toEqual([rule('KeyPolicyLeastPrivilege')]);
  });
});

describe('KeyPolicyLeastPrivilege findings', () => {
  test('name, for each guardrail, the principal, the action, the route and the statement that allows it', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const admin = new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['kms:PutKeyPolicy'], resources: ['*'] });
    const open = (id: string, statement: iam.PolicyStatement) =>
      cfnGuardrail(stack, id, keyWith(stack, undefined, { policy: new iam.PolicyDocument({ statements: [admin, statement] }) }).keyArn);
    // Two keys of one stack need distinct ids: keyWith names its key 'Key'.
    open('Direct', new iam.PolicyStatement({ sid: 'AppDirect', principals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/App`)], actions: ['kms:Decrypt'], resources: ['*'] }));
    const report = new GuardrailEncryptionChecks().validateScope(app);
    const leastPrivilege = report.violations.filter((v) => v.ruleName === rule('KeyPolicyLeastPrivilege'));
    expect(leastPrivilege.map((v) => v.description)).toEqual([
      expect.stringContaining(`Found: statement AppDirect lets arn:aws:iam::${ACCOUNT}:role/App call kms:Decrypt directly, through Bedrock in another Region, through another service.`),
    ]);
  });

  test('two guardrails with differently exposed keys each keep their own description', () => {
    const app = new App();
    const env = { account: ACCOUNT, region: 'eu-west-1' };
    const admin = new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['kms:PutKeyPolicy'], resources: ['*'] });
    const build = (stackId: string, statement: iam.PolicyStatement) => {
      const stack = new Stack(app, stackId, { env });
      cfnGuardrail(stack, 'G', keyWith(stack, undefined, { policy: new iam.PolicyDocument({ statements: [admin, statement] }) }).keyArn);
    };
    build('A', new iam.PolicyStatement({ sid: 'Anyone', principals: [new iam.AnyPrincipal()], actions: ['kms:Encrypt'], resources: ['*'] }));
    build('B', new iam.PolicyStatement({ sid: 'Foreign', principals: [new iam.ArnPrincipal('arn:aws:iam::222222222222:role/X')], actions: ['kms:Decrypt'], resources: ['*'] }));
    const leastPrivilege = new GuardrailEncryptionChecks().validateScope(app).violations.filter((v) => v.ruleName === rule('KeyPolicyLeastPrivilege'));
    expect(leastPrivilege.map((v) => [v.violatingResources.map((r) => r.constructPath), v.description])).toEqual([
      [['A/G'], expect.stringMatching(/Found: statement Anyone lets any principal of account 111111111111 whose IAM policies allow it call kms:Encrypt directly, /)],
      [['B/G'], expect.stringMatching(/Found: statement Foreign lets arn:aws:iam::222222222222:role\/X of another account call .*kms:Decrypt directly/)],
    ]);
  });

  test('the aspect annotates the same detail', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const admin = new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['kms:PutKeyPolicy'], resources: ['*'] });
    const open = new iam.PolicyStatement({ sid: 'Anyone', principals: [new iam.AnyPrincipal()], actions: ['kms:Decrypt'], resources: ['*'] });
    cfnGuardrail(stack, 'G', keyWith(stack, undefined, { policy: new iam.PolicyDocument({ statements: [admin, open] }) }).keyArn);
    GuardrailEncryptionAspect.applyTo(app, { report: false });
    app.synth();
    const messages = stack.node.findChild('G').node.metadata.filter((m) => m.type === 'aws:cdk:error').map((m) => String(m.data));
    expect(messages).toEqual([expect.stringContaining('Found: statement Anyone lets any principal of account 111111111111 whose IAM policies allow it call kms:Decrypt '
      + "directly, through Bedrock in the key's Region, through Bedrock in another Region, through another service; "
      + 'statement Anyone lets principals of other accounts call kms:Decrypt directly, through Bedrock in the key\'s Region, through Bedrock in another Region, '
      + 'through another service; statement Anyone lets any AWS service call kms:Decrypt directly.')]);
  });
});

describe('KeyPolicyLeastPrivilege on policy documents', () => {
  function withDocument(statements: iam.PolicyStatement[], env?: object) {
    const app = new App();
    const stack = new Stack(app, 'S', env === undefined ? { env: { account: ACCOUNT, region: 'eu-west-1' } } : env);
    const key = keyWith(stack, undefined, { policy: new iam.PolicyDocument({ statements }) });
    cfnGuardrail(stack, 'G', key.keyArn);
    return new GuardrailEncryptionChecks().validateScope(app).violations.map((v) => v.ruleName);
  }
  const decrypt = (principal: iam.IPrincipal, conditions?: Record<string, any>) =>
    new iam.PolicyStatement({ principals: [principal], actions: ['kms:Decrypt'], resources: ['*'], conditions });

  test.each<[string, object | undefined]>([['an environment-specific stack', undefined], ['an environment-agnostic stack', {}]])(
    'decryption delegated to the account root is found in %s', (_name, env) => {
      expect(withDocument([decrypt(new iam.AccountRootPrincipal())], env)).toContain(rule('KeyPolicyLeastPrivilege'));
      expect(withDocument([decrypt(new iam.AccountRootPrincipal(), { StringEquals: { 'kms:ViaService': 'bedrock.eu-west-1.amazonaws.com' } })], env))
        .toContain(rule('KeyPolicyLeastPrivilege'));
      expect(withDocument([decrypt(new iam.AccountRootPrincipal(), {
        StringEquals: { 'kms:ViaService': `bedrock.${env === undefined ? 'eu-west-1' : Aws.REGION}.${Aws.URL_SUFFIX}` },
        ArnLike: { 'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/App` },
      })], env)).not.toContain(rule('KeyPolicyLeastPrivilege'));
    });

  test('the anonymous principal and wildcards are found', () => {
    expect(withDocument([decrypt(new iam.AnyPrincipal())])).toContain(rule('KeyPolicyLeastPrivilege'));
    expect(withDocument([new iam.PolicyStatement({ principals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/App`)], actions: ['kms:*'], resources: ['*'] })]))
      .toContain(rule('KeyPolicyLeastPrivilege'));
    // A named role of the account, but outside Bedrock.
    expect(withDocument([decrypt(new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/App`))])).toContain(rule('KeyPolicyLeastPrivilege'));
    expect(withDocument([decrypt(new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/App`), { StringEquals: { 'kms:ViaService': 'bedrock.eu-west-1.amazonaws.com' } })]))
      .not.toContain(rule('KeyPolicyLeastPrivilege'));
  });
});

describe('KeyTags', () => {
  test('non-compliant: a required tag missing on the key', () => {
    expect(spoiled((k) => k.tags.removeTag('DataSensitivity', 1000)).errors).toEqual([rule('KeyTags')]);
  });

  test('a raw CfnResource key is followed too', () => {
    expect(findings((s) => {
      const key = new CfnResource(s, 'RawKey', { type: 'AWS::KMS::Key', properties: { EnableKeyRotation: true } });
      cfnGuardrail(s, 'G', key.getAtt('Arn').toString());
    }).errors).toEqual([rule('KeyRetained'), rule('KeyPolicyLeastPrivilege'), rule('KeyTags')].sort());
  });
});
