import * as path from 'path';
import { App, Aws, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { GuardrailEncryptionAspect, GuardrailEncryptionChecks, SecureGuardrail } from '../../src';
import { flattenIntrinsic } from '../../src/core/cfn-values';
import { cfnGuardrail, compliantKey } from '../corpus/corpus-app';
import { FlagsByPath, flagsFromAnnotations, flagsFromReport } from '../helpers/findings';
import { ACCOUNT, ENV, MANDATORY_TAGS, REGION } from '../helpers/synth';

/**
 * Stacks migrated with `CfnInclude` hold what CloudFormation writes: `Ref AWS::AccountId` where CDK
 * writes the stack's account, `Ref <key>` where a key ARN belongs. They are read as their stack's
 * environment resolves them, and refused where CloudFormation would refuse them, as L1s are.
 */

const ENVIRONMENTS: Array<[string, StackProps]> = [['an environment-specific stack', { env: ENV }], ['an environment-agnostic stack', {}]];
const rule = (name: string) => `GuardrailEncryption-${name}`;

function include(stack: Stack, fixture: string): CfnInclude {
  return new CfnInclude(stack, 'Migrated', { templateFile: path.join(__dirname, 'fixtures', `${fixture}.template.json`) });
}

interface Checked { readonly pack: FlagsByPath; readonly aspect: FlagsByPath; readonly descriptions: string[] }

/** The pack's and the aspect's findings for what `build` puts in stack `S`, each by construct path. */
function checked(build: (stack: Stack) => void, props: StackProps = { env: ENV }): Checked {
  const packApp = new App();
  build(new Stack(packApp, 'S', props));
  const report = new GuardrailEncryptionChecks().validateScope(packApp);
  const aspectApp = new App();
  build(new Stack(aspectApp, 'S', props));
  GuardrailEncryptionAspect.applyTo(aspectApp, { report: false });
  aspectApp.synth();
  return { pack: flagsFromReport(report), aspect: flagsFromAnnotations(aspectApp), descriptions: report.violations.map((v) => v.description) };
}

const errorsOnGuardrail = (guardrailPath: string, ...errors: string[]) => ({ [guardrailPath]: { errors: errors.map(rule).sort(), warnings: [] } });

describe('a key policy that names the account root as CloudFormation writes it (Ref AWS::AccountId)', () => {
  test.each(ENVIRONMENTS)('the root as administrator is manageable, and least-privilege with a named user, in %s', (_name, props) => {
    const { pack, aspect } = checked((s) => include(s, 'root-administrator'), props);
    expect(pack).toEqual({});
    expect(aspect).toEqual({});
  });

  test.each(ENVIRONMENTS)('the root with kms:* is reported as KeyPolicyLeastPrivilege only, as CDK\'s own root principal is, in %s', (_name, props) => {
    const rootWithEverything = (principal: iam.IPrincipal) => (s: Stack) => {
      const policy = new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ principals: [principal], actions: ['kms:*'], resources: ['*'] })] });
      cfnGuardrail(s, 'G', compliantKey(s, 'Key', { policy }).keyArn);
    };
    const account = props.env ? ACCOUNT : '${AWS::AccountId}';
    const expected = expect.stringContaining(`Found: statement EnableIAMUserPermissions lets any principal of account ${account} whose IAM policies allow it call kms:Decrypt`);

    const included = checked((s) => include(s, 'root-all-actions'), props);
    expect(included.pack).toEqual(errorsOnGuardrail('S/Migrated/Guardrail', 'KeyPolicyLeastPrivilege'));
    expect(included.aspect).toEqual(included.pack);
    expect(included.descriptions).toEqual([expected]);

    expect(checked(rootWithEverything(new iam.AccountRootPrincipal()), props).pack).toEqual(errorsOnGuardrail('S/G', 'KeyPolicyLeastPrivilege'));
    const pseudoRoot = checked(rootWithEverything(new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`)), props);
    expect(pseudoRoot.pack).toEqual(errorsOnGuardrail('S/G', 'KeyPolicyLeastPrivilege'));
    expect(pseudoRoot.aspect).toEqual(pseudoRoot.pack);
  });

  test('a principal of another literal account is still another account', () => {
    const { pack, descriptions } = checked((s) => {
      const foreignRole = new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::222222222222:role/X`);
      const administration = new iam.PolicyStatement({ principals: [new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`)], actions: ['kms:PutKeyPolicy'], resources: ['*'] });
      const policy = new iam.PolicyDocument({ statements: [administration, new iam.PolicyStatement({ principals: [foreignRole], actions: ['kms:DescribeKey'], resources: ['*'] })] });
      cfnGuardrail(s, 'G', compliantKey(s, 'Key', { policy }).keyArn);
    });
    expect(pack).toEqual(errorsOnGuardrail('S/G', 'KeyPolicyLeastPrivilege'));
    expect(descriptions).toEqual([expect.stringContaining('lets arn:aws:iam::222222222222:role/X of another account call kms:DescribeKey')]);
  });
});

describe('a key id where KmsKeyArn takes a key ARN', () => {
  const keyIdFinding = (value: string, keyPath: string) => expect.stringContaining(
    `KmsKeyArn is ${value}, the key id of ${keyPath}, which CloudFormation refuses; allowed: the key's ARN`);

  test.each(ENVIRONMENTS)('Ref of the included key is refused by the pack and the aspect, in %s', (_name, props) => {
    const { pack, aspect, descriptions } = checked((s) => include(s, 'key-id-as-arn'), props);
    expect(pack).toEqual(errorsOnGuardrail('S/Migrated/Guardrail', 'CMKRequired'));
    expect(aspect).toEqual(pack);
    expect(descriptions).toEqual([keyIdFinding('{"Ref":"GuardrailKey"}', 'S/Migrated/GuardrailKey')]);
  });

  test.each<[string, (key: kms.Key, stack: Stack) => string | void]>([
    ['CfnKey.ref', (key) => (key.node.defaultChild as kms.CfnKey).ref],
    ['key.keyId', (key) => key.keyId],
    ['CfnKey.attrKeyId', (key) => (key.node.defaultChild as kms.CfnKey).attrKeyId],
  ])('an L1 guardrail given %s is refused', (_name, keyId) => {
    const { pack, aspect, descriptions } = checked((s) => cfnGuardrail(s, 'G', keyId(compliantKey(s, 'Key'), s) as string));
    expect(pack).toEqual(errorsOnGuardrail('S/G', 'CMKRequired'));
    expect(aspect).toEqual(pack);
    expect(descriptions).toEqual([expect.stringMatching(/KmsKeyArn is \{"(Ref|Fn::GetAtt)":.*\}, the key id of S\/Key\/Resource, which CloudFormation refuses/)]);
  });

  test('a literal Ref of a key of the stack in an override is refused', () => {
    let logicalId = '';
    const { pack, descriptions } = checked((s) => {
      logicalId = s.getLogicalId(compliantKey(s, 'Key').node.defaultChild as kms.CfnKey);
      cfnGuardrail(s, 'G').addPropertyOverride('KmsKeyArn', { Ref: logicalId });
    });
    expect(pack).toEqual(errorsOnGuardrail('S/G', 'CMKRequired'));
    expect(descriptions).toEqual([keyIdFinding(`{"Ref":"${logicalId}"}`, 'S/Key/Resource')]);
  });

  test('the key id of a key of another stack is refused', () => {
    const app = new App();
    const key = compliantKey(new Stack(app, 'Keys', { env: ENV }), 'Key');
    cfnGuardrail(new Stack(app, 'S', { env: ENV }), 'G', key.keyId);
    expect(flagsFromReport(new GuardrailEncryptionChecks().validateScope(app))).toEqual(errorsOnGuardrail('S/G', 'CMKRequired'));
  });

  test('an ARN built around the key id, and a Ref of something else, are not key ids', () => {
    expect(checked((s) => {
      const key = compliantKey(s, 'Key');
      cfnGuardrail(s, 'G', `arn:${Aws.PARTITION}:kms:${REGION}:${ACCOUNT}:key/${key.keyId}`);
    }).pack).toEqual({});
    expect(checked((s) => {
      compliantKey(s, 'Key');
      cfnGuardrail(s, 'G').addPropertyOverride('KmsKeyArn', { Ref: 'KeyArnParameter' });
    }).pack).toEqual({ 'S/G': { errors: [], warnings: [rule('KeyVerifiable')] } });
  });

  test('SecureGuardrail refuses a key whose ARN is the key id of a key of the app', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = compliantKey(stack, 'Key');
    const byId = kms.Key.fromKeyArn(stack, 'ById', key.keyId);
    expect(() => new SecureGuardrail(stack, 'Guardrail', { guardrailName: 'by-id', encryptionKey: byId, mandatoryTags: MANDATORY_TAGS }))
      .toThrow('[S/Guardrail] SecureGuardrail: invalid encryptionKey: received a key whose ARN is the key id of S/Key/Resource (its Ref), which CloudFormation refuses '
        + 'where a key ARN belongs; allowed: a key given by its ARN (the kms.Key itself, kms.Key.fromCfnKey, or kms.Key.fromKeyArn with key.keyArn or CfnKey.attrArn).');
    // Its ARN, imported the same way, is accepted, and is what the guardrail is encrypted with.
    const byArn = new SecureGuardrail(stack, 'ByArn', { guardrailName: 'by-arn', encryptionKey: kms.Key.fromKeyArn(stack, 'ByArnKey', key.keyArn), mandatoryTags: MANDATORY_TAGS });
    expect(stack.resolve(byArn.guardrail.kmsKeyArn)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] });
  });
});

describe('flattenIntrinsic in a stack environment', () => {
  const env = { account: ACCOUNT, region: REGION };
  test('AWS::AccountId and AWS::Region read as a literal environment; partition and URL suffix stay placeholders', () => {
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':key/k']] };
    expect(flattenIntrinsic(arn, env)).toBe(`arn:\${AWS::Partition}:kms:${REGION}:${ACCOUNT}:key/k`);
    expect(flattenIntrinsic({ 'Fn::Sub': 'bedrock.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}' }, env)).toBe(`bedrock.${REGION}.\${AWS::URLSuffix}/${ACCOUNT}`);
    expect(flattenIntrinsic(arn)).toBe('arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/k');
    expect(flattenIntrinsic(arn, { account: '${AWS::AccountId}', region: '${AWS::Region}' })).toBe('arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/k');
  });
});
