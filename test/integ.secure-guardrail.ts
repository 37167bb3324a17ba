/**
 * A deployable integration test of the key policy: a SecureGuardrail with a version, and four
 * functions that call Bedrock as their roles: one given grantRead reads the guardrail, one given
 * grantApply applies it, one given nothing is refused, and one given only `bedrock:ApplyGuardrail` in
 * its IAM policy (no key statement names it) applies it because the version is enforced in the
 * account (`enforceInAccount`), whose key statement lets every caller of the account decrypt it
 * through Bedrock. While deployed, the enforcement covers one model only (below), so that the
 * account's other Bedrock workloads are not affected. With `-c organizationId=o-...` the guardrail is
 * also shared with that organization (`shareWithOrganization`): a caller of a member account can
 * then be tried by hand (docs/enforced-guardrails.md); the committed snapshot is without it. `npx projen integ:deploy` deploys it into the
 * account and Region of the current AWS credentials, asserts, and destroys it; `npx projen build`
 * only checks, offline, that the committed snapshot matches what the code synthesizes
 * (test/integ-snapshot.test.ts).
 *
 * The assertions fail the deployment (`failDeployment`), so that the CDK CLI alone runs the test:
 * integ-runner 2.197.10, the newest on the registry, reads cloud assemblies up to schema 53 and
 * aws-cdk-lib 2.258 writes 54.
 */
import { ActualResult, EqualsAssertion, ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SecureGuardrail } from '../src';

/** Calls Bedrock as the function's role and reports what happened, without tokens in the answer. */
const PROBE = `
const { BedrockClient, GetGuardrailCommand } = require('@aws-sdk/client-bedrock');
const { BedrockRuntimeClient, ApplyGuardrailCommand } = require('@aws-sdk/client-bedrock-runtime');
exports.handler = async () => {
  const { GUARDRAIL_ID, GUARDRAIL_VERSION, KEY_ARN, CALL } = process.env;
  try {
    if (CALL === 'GetGuardrail') {
      const guardrail = await new BedrockClient({}).send(new GetGuardrailCommand({ guardrailIdentifier: GUARDRAIL_ID }));
      return { call: CALL, keyIsTheGuardrailKey: guardrail.kmsKeyArn === KEY_ARN };
    }
    await new BedrockRuntimeClient({}).send(new ApplyGuardrailCommand({
      guardrailIdentifier: GUARDRAIL_ID, guardrailVersion: GUARDRAIL_VERSION, source: 'INPUT', content: [{ text: { text: 'Hello' } }],
    }));
    return { call: CALL, outcome: 'applied' };
  } catch (error) {
    return { call: CALL, outcome: error.name };
  }
};`;

const app = new App();
const stack = new Stack(app, 'SecureGuardrailInteg');
const guardrail = new SecureGuardrail(stack, 'Guardrail', {
  guardrailName: 'secure-guardrail-integ',
  mandatoryTags: { owner: 'cdk-secure-guardrail-integ', workload: 'integration-test', dataSensitivity: 'none' },
  // The test leaves nothing behind: the key is scheduled for deletion with the shortest window.
  removalPolicy: RemovalPolicy.DESTROY,
  keyPendingWindow: Duration.days(7),
});
const version = guardrail.createVersion('Integration test');
guardrail.enforceInAccount(version.version, {
  modelEnforcement: { includedModels: ['amazon.titan-text-lite-v1'], excludedModels: [] },
});
const organizationId: string | undefined = app.node.tryGetContext('organizationId');
if (organizationId) guardrail.shareWithOrganization({ organizationId });

function probe(id: string, call: 'GetGuardrail' | 'ApplyGuardrail'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(PROBE),
    timeout: Duration.seconds(30),
    environment: {
      CALL: call,
      GUARDRAIL_ID: guardrail.guardrailId,
      GUARDRAIL_VERSION: version.version,
      KEY_ARN: guardrail.encryptionKey.keyArn,
    },
  });
}
const reader = probe('Reader', 'GetGuardrail');
guardrail.grantRead(reader);
const applier = probe('Applier', 'ApplyGuardrail');
guardrail.grantApply(applier);
const stranger = probe('Stranger', 'ApplyGuardrail');
const accountCaller = probe('AccountCaller', 'ApplyGuardrail');
accountCaller.addToRolePolicy(new iam.PolicyStatement({ actions: ['bedrock:ApplyGuardrail'], resources: [guardrail.guardrailArn] }));

const assertions = new Stack(app, 'SecureGuardrailIntegAssertions');
const integ = new IntegTest(app, 'SecureGuardrailIntegTest', { testCases: [stack], assertionStack: assertions });
const expectations: Array<[string, lambda.IFunction, object]> = [
  ['ReaderReadsTheGuardrailAndItsKey', reader, { call: 'GetGuardrail', keyIsTheGuardrailKey: true }],
  ['GranteeAppliesTheGuardrail', applier, { call: 'ApplyGuardrail', outcome: 'applied' }],
  ['StrangerIsRefused', stranger, { call: 'ApplyGuardrail', outcome: 'AccessDeniedException' }],
  ['AccountCallerAppliesTheEnforcedGuardrail', accountCaller, { call: 'ApplyGuardrail', outcome: 'applied' }],
];
for (const [id, fn, payload] of expectations) {
  new EqualsAssertion(assertions, id, {
    actual: ActualResult.fromAwsApiCall(integ.assertions.invokeFunction({ functionName: fn.functionName }), 'Payload'),
    expected: ExpectedResult.exact(JSON.stringify(payload)),
    failDeployment: true,
  });
}
