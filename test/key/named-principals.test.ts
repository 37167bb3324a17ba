import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GuardrailKeyPolicy } from '../../src';
import { DEPLOYER_ARN, newStack } from '../helpers/synth';

test('only the statements that grants extend keep their principals as a token: the others list them as they are', () => {
  const stack = newStack();
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
  const auditor = new iam.Role(stack, 'Auditor', { assumedBy: new iam.AccountRootPrincipal() });
  const document = GuardrailKeyPolicy.documentFor(stack, { keyAdmins: [user], keyUsers: [user], keyAuditors: [auditor] });

  const principalLists = Object.fromEntries(document.toJSON().Statement
    .filter((statement: any) => statement.Condition?.ArnLike)
    .map((statement: any) => [statement.Sid, statement.Condition.ArnLike['aws:PrincipalArn']]));
  expect(Object.keys(principalLists)).toEqual([
    'KeyAdministration', 'GuardrailDeploymentThroughBedrock', 'GuardrailDeploymentGrantsForAwsResources', 'GuardrailUseThroughBedrock', 'GuardrailKeyAudit',
  ]);
  for (const [sid, list] of Object.entries(principalLists)) {
    expect([sid, Token.isUnresolved(list)]).toEqual([sid, ['GuardrailUseThroughBedrock', 'GuardrailKeyAudit'].includes(sid)]);
  }
  const resolved = (sid: string) => stack.resolve(principalLists[sid]);
  expect(resolved('GuardrailDeploymentThroughBedrock')).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, DEPLOYER_ARN.replace(/^arn:aws/, '')]] }]);
  expect(resolved('KeyAdministration')).toEqual([stack.resolve(user.roleArn), resolved('GuardrailDeploymentThroughBedrock')[0]]);
  expect(resolved('GuardrailUseThroughBedrock')).toEqual([stack.resolve(user.roleArn)]);
});
