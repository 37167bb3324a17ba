import * as iam from 'aws-cdk-lib/aws-iam';
import { GuardrailKeyPolicy } from '../../src';
import { keyPolicyJson } from '../../src/key/key-policy-statements';
import { ACCOUNT, newStack } from '../helpers/synth';

/*
 * The remediation creates keys outside CloudFormation with the JSON of keyPolicyJson; the constructs
 * use GuardrailKeyPolicy. Both are built from the same statement definitions: for the same principals
 * they write the same document.
 */

const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

describe('the key policy as JSON (for the remediation) and GuardrailKeyPolicy', () => {
  test.each([
    ['named admins, users, auditors, the Bedrock service principal', true, true],
    ['the account root as admin, no deletion protection', false, false],
  ])('write the same document: %s', (_, named, protectedKey) => {
    const stack = newStack();
    const place = { partition: stack.partition, region: stack.region, account: stack.account, urlSuffix: stack.urlSuffix };
    const construct = GuardrailKeyPolicy.documentFor(stack, {
      keyAdmins: named ? [new iam.ArnPrincipal(arn('admin'))] : undefined,
      deploymentPrincipals: [new iam.ArnPrincipal(arn('deployer'))],
      keyUsers: [new iam.ArnPrincipal(arn('app')), new iam.ArnPrincipal(arn('other-app'))],
      keyAuditors: named ? [new iam.ArnPrincipal(arn('auditor'))] : undefined,
      bedrockServicePrincipal: named,
      deletionProtection: protectedKey,
    });
    const json = keyPolicyJson(place, {
      admins: named ? [arn('admin')] : [],
      deployers: [arn('deployer')],
      users: [arn('app'), arn('other-app')],
      auditors: named ? [arn('auditor')] : undefined,
      bedrockServicePrincipal: named,
      deletionProtection: protectedKey,
    });
    expect(stack.resolve(json)).toEqual(stack.resolve(construct.toJSON()));
    expect(json.Statement.map((s) => s.Sid)).toContain('KeyAdministration');
  });

  test('callers named by principal tag get a statement of their own, through Bedrock only', () => {
    const json = keyPolicyJson({ partition: 'aws', region: 'eu-west-1', account: ACCOUNT, urlSuffix: 'amazonaws.com' }, {
      admins: [], deployers: [arn('deployer')], usersByTag: { key: 'team', value: 'support' },
    });
    expect(json.Statement.filter((s) => String(s.Sid).startsWith('GuardrailUse'))).toEqual([{
      Sid: 'GuardrailUseThroughBedrockByPrincipalTag',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'bedrock.eu-west-1.amazonaws.com', 'aws:PrincipalTag/team': 'support' } },
    }]);
  });
});
