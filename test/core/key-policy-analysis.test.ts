import { analyzeKeyPolicy, KeyPolicyAnalysisOptions } from '../../src/core/key-policy-analysis';
import { ACCOUNT, OTHER_ACCOUNT, REGION } from '../helpers/synth';

const HERE = { account: ACCOUNT, region: REGION };
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const APP = `arn:aws:iam::${ACCOUNT}:role/App`;
const VIA_BEDROCK = { 'kms:ViaService': `bedrock.${REGION}.amazonaws.com` };
const ADMINISTRATION = { Sid: 'Administration', Effect: 'Allow', Principal: { AWS: ROOT }, Action: ['kms:DescribeKey', 'kms:PutKeyPolicy'], Resource: '*' };

function analyze(statements: object[], options: KeyPolicyAnalysisOptions = HERE) {
  return analyzeKeyPolicy({ Version: '2012-10-17', Statement: [ADMINISTRATION, ...statements] }, options);
}

/** Each exposure as `<principal> | <action> | <route> | <statement>`. */
function exposures(statements: object[], options: KeyPolicyAnalysisOptions = HERE): string[] {
  return analyze(statements, options).exposures.map((e) => `${e.principal} | ${e.action} | ${e.route} | ${e.statement}`);
}

describe('analyzeKeyPolicy', () => {
  test('a named role of the account, through Bedrock in the key\'s Region, exposes nothing', () => {
    const use = { Sid: 'Use', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: VIA_BEDROCK, ArnLike: { 'aws:PrincipalArn': [APP] } } };
    expect(analyze([use])).toEqual({ exposures: [], manageable: true });
  });

  test('names who, what, how and the statement', () => {
    expect(exposures([{ Sid: 'Direct', Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Decrypt', Resource: '*' }])).toEqual([
      `${APP} | kms:Decrypt | directly | Direct`,
      `${APP} | kms:Decrypt | through Bedrock in another Region | Direct`,
      `${APP} | kms:Decrypt | through another service | Direct`,
    ]);
  });

  test('"*" narrowed only to the account, or the organization, is everyone of it', () => {
    const star = (condition: object) => [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: condition }];
    expect(exposures(star({ StringEquals: { 'kms:CallerAccount': ACCOUNT, ...VIA_BEDROCK } }))).toEqual([
      `any principal of account ${ACCOUNT} whose IAM policies allow it | kms:Decrypt | through Bedrock in the key's Region | #1`,
    ]);
    expect(exposures(star({ StringEquals: { 'aws:PrincipalAccount': ACCOUNT, ...VIA_BEDROCK } }))).toHaveLength(1);
    expect(exposures(star({ StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij', ...VIA_BEDROCK } }))).toEqual([
      `any principal of account ${ACCOUNT} whose IAM policies allow it | kms:Decrypt | through Bedrock in the key's Region | #1`,
      'principals of other accounts | kms:Decrypt | through Bedrock in the key\'s Region | #1',
    ]);
  });

  test('another account may do nothing at all, not even describe the key', () => {
    expect(exposures([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:role/App` }, Action: 'kms:DescribeKey', Resource: '*' }]))
      .toEqual(['directly', "through Bedrock in the key's Region", 'through Bedrock in another Region', 'through another service']
        .map((route) => `arn:aws:iam::${OTHER_ACCOUNT}:role/App of another account | kms:DescribeKey | ${route} | #1`));
  });

  test('another account named as a whole (its root, its id, an account condition) is asked about by its own id', () => {
    const routes = ['directly', "through Bedrock in the key's Region", 'through Bedrock in another Region', 'through another service'];
    const foreign = (statement: string) => routes.map((route) => `principals of account ${OTHER_ACCOUNT} | kms:Decrypt | ${route} | ${statement}`);
    expect(exposures([{ Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }])
      .filter((e) => e.includes('kms:Decrypt |'))).toEqual(foreign('Root'));
    expect(exposures([{ Sid: 'Id', Effect: 'Allow', Principal: { AWS: OTHER_ACCOUNT }, Action: 'kms:Decrypt', Resource: '*' }])).toEqual(foreign('Id'));
    expect(exposures([{ Sid: 'Caller', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': OTHER_ACCOUNT } } }]))
      .toEqual(foreign('Caller'));
    expect(exposures([{ Sid: 'Principal', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': [OTHER_ACCOUNT] } } }]))
      .toEqual(foreign('Principal'));
  });

  test('kms:ViaService of another service, or any service, is outside Bedrock', () => {
    const root = (condition: object) => [{ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:Decrypt', Resource: '*', Condition: condition }];
    expect(exposures(root({ StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } })).map((e) => e.split(' | ')[2]))
      .toEqual(['through another service']);
    expect(exposures(root({ StringLike: { 'kms:ViaService': '*' } })).map((e) => e.split(' | ')[2]))
      .toEqual(["through Bedrock in the key's Region", 'through Bedrock in another Region', 'through another service']);
  });

  test('a service needs aws:SourceAccount (or aws:SourceArn) of the key\'s account; only Bedrock may use the key for itself', () => {
    const service = (name: string, condition?: object) => [{ Effect: 'Allow', Principal: { Service: name }, Action: 'kms:Decrypt', Resource: '*', Condition: condition }];
    expect(exposures(service('bedrock.amazonaws.com'))).toEqual([
      'the service bedrock.amazonaws.com | kms:Decrypt | directly | #1',
    ]);
    expect(exposures(service('bedrock.amazonaws.com', { StringEquals: { 'aws:SourceAccount': ACCOUNT } }))).toEqual([]);
    expect(exposures(service('bedrock.amazonaws.com', { ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/*` } }))).toEqual([]);
    expect(exposures(service('s3.amazonaws.com', { StringEquals: { 'aws:SourceAccount': ACCOUNT } }))).toEqual([
      'the service s3.amazonaws.com | kms:Decrypt | directly | #1',
    ]);
  });

  test('explicit denies count, in the worst case for keys the requester chooses', () => {
    const star = { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' };
    const onlyBedrock = { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringNotEquals: VIA_BEDROCK } };
    const onlyApp = { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': APP } } };
    expect(exposures([star, onlyBedrock, onlyApp])).toEqual([]);
    // A deny the requester can step around (an encryption context of its choice) protects nothing.
    const onlyTenant = { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringNotEquals: { 'kms:EncryptionContext:tenant': 'a' } } };
    expect(exposures([star, onlyTenant]).length).toBeGreaterThan(0);
  });

  test('a key nobody of the account can administer is not manageable', () => {
    expect(analyzeKeyPolicy({ Statement: [{ Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: VIA_BEDROCK } }] }, HERE))
      .toEqual({ exposures: [], manageable: false });
  });

  test('in an environment-agnostic stack, placeholders compare as themselves and a literal Region may be another', () => {
    const agnostic = { account: '${AWS::AccountId}', region: '${AWS::Region}' };
    const use = (region: string) => ({
      Effect: 'Allow',
      Principal: { AWS: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': `bedrock.${region}.\${AWS::URLSuffix}` }, ArnLike: { 'aws:PrincipalArn': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/App' } },
    });
    const admin = { ...ADMINISTRATION, Principal: { AWS: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } };
    expect(analyzeKeyPolicy({ Statement: [admin, use('${AWS::Region}')] }, agnostic)).toEqual({ exposures: [], manageable: true });
    expect(analyzeKeyPolicy({ Statement: [admin, use('eu-west-1')] }, agnostic).exposures.map((e) => e.route)).toEqual(['through Bedrock in another Region']);
  });

  test('a principal or a value not known at synth cannot be verified, and nothing passes', () => {
    for (const statement of [
      { Effect: 'Allow', Principal: { AWS: '${ImportValue:app-role-arn}' }, Action: 'kms:Decrypt', Resource: '*' },
      { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:Decrypt', Resource: '*', Condition: { ArnLike: { 'aws:PrincipalArn': '${Ref:RoleArn}' } } },
      { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:Decrypt', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
    ]) {
      expect(analyze([statement])).toEqual({ exposures: [], manageable: false, undecidable: expect.any(String) });
    }
    expect(analyzeKeyPolicy(undefined, HERE).undecidable).toMatch(/not a policy document/);
  });
});

describe('analyzeKeyPolicy with wide use (the key of an enforced or shared guardrail)', () => {
  const star = (actions: string | string[], condition: object) => [{ Sid: 'Wide', Effect: 'Allow', Principal: { AWS: '*' }, Action: actions, Resource: '*', Condition: condition }];
  const ACCOUNT_WIDE = { StringEquals: { 'kms:CallerAccount': ACCOUNT, ...VIA_BEDROCK } };
  const ORGANIZATION_WIDE = { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij', ...VIA_BEDROCK } };

  test('accepts the account\'s decrypts through Bedrock in the key\'s Region for an enforced guardrail\'s key, and nothing more', () => {
    expect(exposures(star('kms:Decrypt', ACCOUNT_WIDE), { ...HERE, wideUse: 'account' })).toEqual([]);
    expect(exposures(star(['kms:Decrypt', 'kms:GenerateDataKey'], ACCOUNT_WIDE), { ...HERE, wideUse: 'account' })).toEqual([
      `any principal of account ${ACCOUNT} whose IAM policies allow it | kms:GenerateDataKey | through Bedrock in the key's Region | Wide`,
    ]);
    // Organization-wide use is not account-wide use.
    expect(exposures(star('kms:Decrypt', ORGANIZATION_WIDE), { ...HERE, wideUse: 'account' })).toEqual([
      'principals of other accounts | kms:Decrypt | through Bedrock in the key\'s Region | Wide',
    ]);
    // Without kms:ViaService it is every route.
    expect(exposures(star('kms:Decrypt', { StringEquals: { 'kms:CallerAccount': ACCOUNT } }), { ...HERE, wideUse: 'account' })).toEqual([
      `any principal of account ${ACCOUNT} whose IAM policies allow it | kms:Decrypt | directly | Wide`,
      `any principal of account ${ACCOUNT} whose IAM policies allow it | kms:Decrypt | through Bedrock in another Region | Wide`,
      `any principal of account ${ACCOUNT} whose IAM policies allow it | kms:Decrypt | through another service | Wide`,
    ]);
  });

  test('accepts the organization\'s decrypts through Bedrock for a shared guardrail\'s key, never a principal outside it', () => {
    expect(exposures(star('kms:Decrypt', ORGANIZATION_WIDE), { ...HERE, wideUse: 'organization' })).toEqual([]);
    expect(exposures(star('kms:Decrypt', { 'StringEquals': VIA_BEDROCK, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-abcdefghij/r-ab12/ou-ab12-11111111/*'] } }),
      { ...HERE, wideUse: 'organization' })).toEqual([]);
    expect(exposures(star('kms:Decrypt', { StringEquals: VIA_BEDROCK }), { ...HERE, wideUse: 'organization' })).toEqual([
      'principals outside the organization | kms:Decrypt | through Bedrock in the key\'s Region | Wide',
    ]);
    // A role of another account named one by one is not the pattern.
    const named = [{ Sid: 'Named', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:role/App` }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: VIA_BEDROCK } }];
    expect(exposures(named, { ...HERE, wideUse: 'organization' })).toContain(
      `arn:aws:iam::${OTHER_ACCOUNT}:role/App of another account | kms:Decrypt | through Bedrock in the key's Region | Named`);
  });

  test('without wide use the same statements are exposures', () => {
    expect(exposures(star('kms:Decrypt', ACCOUNT_WIDE))).toHaveLength(1);
    expect(exposures(star('kms:Decrypt', ORGANIZATION_WIDE))).toHaveLength(2);
  });
});
