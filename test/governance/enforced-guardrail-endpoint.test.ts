import { ACCOUNT, accountWideStatement, guardrailArn, invocation, keyArn } from './handler-fixtures';
import { onFakeClock } from './helpers/fake-clock';
import { localEndpointForSuite } from './helpers/fake-endpoint';
import { handler } from '../../src/governance/guardrail-encryption-check.lambda';

/*
 * The calls that tell an enforced or shared guardrail, made by the handler's own clients through the
 * SDK's real middleware (serialization, error parsing, retries) against a local endpoint.
 */

const KEY = keyArn('5555eeee-5555-5555-5555-555555555555');
const ACCOUNT_WIDE = accountWideStatement();
const ADMINISTRATION = { Sid: 'KeyAdministration', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:PutKeyPolicy', Resource: '*' };

describe('the handler, against a local endpoint, on the key of an enforced guardrail', () => {
  const endpoint = localEndpointForSuite();
  const arn = guardrailArn('g1');
  const encoded = encodeURIComponent(arn);

  function givenGuardrailWithAccountWideKey(): void {
    const summary = { id: 'g1', arn, name: 'g1', status: 'READY', version: 'DRAFT', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
    endpoint.script('GET /guardrails', { status: 200, body: { guardrails: [summary] } }, { status: 200, body: { guardrails: [summary] } });
    endpoint.script('GET /guardrails/g1', { status: 200, body: { guardrailId: 'g1', guardrailArn: arn, version: 'DRAFT', kmsKeyArn: KEY } });
    endpoint.script('DescribeKey', {
      status: 200,
      body: { KeyMetadata: { KeyId: '5555eeee-5555-5555-5555-555555555555', Arn: KEY, KeyManager: 'CUSTOMER', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' } },
    });
    endpoint.script('GetKeyRotationStatus', { status: 200, body: { KeyRotationEnabled: true, RotationPeriodInDays: 365 } });
    endpoint.script('GetKeyPolicy', { status: 200, body: { Policy: JSON.stringify({ Version: '2012-10-17', Statement: [ADMINISTRATION, ACCOUNT_WIDE] }) } });
    endpoint.script(`GET /resource-policy/${encoded}`, { status: 404, error: 'ResourceNotFoundException' });
  }

  test('an enforced configuration naming the guardrail makes its account-wide key statement compliant', async () => {
    givenGuardrailWithAccountWideKey();
    endpoint.script('GET /enforcedGuardrailsConfiguration', { status: 200, body: { guardrailsConfig: [{ guardrailArn: arn, guardrailVersion: '1' }] } });
    await expect(handler(invocation())).resolves.toMatchObject({ total: 1, compliant: 1 });
    const operations = endpoint.received.map((r) => r.operation);
    expect(operations).toContain(`GET /resource-policy/${encoded}`);
    expect(operations).toContain('GET /enforcedGuardrailsConfiguration');
  });

  test('without one, the same key is non-compliant', async () => {
    givenGuardrailWithAccountWideKey();
    endpoint.script('GET /enforcedGuardrailsConfiguration', { status: 200, body: { guardrailsConfig: [] } });
    await expect(handler(invocation())).resolves.toMatchObject({ total: 1, compliant: 0, nonCompliant: 1 });
  });

  test.each([
    ['denied', 403, 'AccessDeniedException', 'was denied (AccessDeniedException'],
    ['throttled on every attempt', 400, 'ThrottlingException', 'failed (ThrottlingException'],
  ])('a GetResourcePolicy %s makes the version NOT EVALUATED, not NON_COMPLIANT', async (_what, status, error, said) => {
    givenGuardrailWithAccountWideKey();
    endpoint.script(`GET /resource-policy/${encoded}`, ...Array.from({ length: 6 }, () => ({ status, error })));
    endpoint.script('GET /enforcedGuardrailsConfiguration', { status: 200, body: { guardrailsConfig: [] } });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    // Throttling is retried with the SDK's back-off, which waits seconds: on a fake clock.
    const { value } = await onFakeClock(() => handler(invocation()));
    expect(value).toMatchObject({ total: 1, compliant: 0, notEvaluated: 1 });
    const lines = log.mock.calls.map((call) => String(call[0]));
    const line = lines.find((text) => text.startsWith(`NOT_EVALUATED ${arn}: Not evaluated`));
    expect(line).toContain(`: the policy of its key 5555eeee-5555-5555-5555-555555555555 could not be read: it cannot be verified: bedrock:GetResourcePolicy ${said}`);
    // The enforced configurations are still read: an enforced guardrail's key is judged as such whatever its resource policy.
    expect(endpoint.received.filter((r) => r.operation === 'GET /enforcedGuardrailsConfiguration')).toHaveLength(1);
  });

  test.each([
    ['denied', 403, 'AccessDeniedException', 'was denied (AccessDeniedException'],
    ['throttled on every attempt', 400, 'ThrottlingException', 'failed (ThrottlingException'],
  ])('a ListEnforcedGuardrailsConfiguration %s makes the version NOT EVALUATED, not NON_COMPLIANT', async (_what, status, error, said) => {
    givenGuardrailWithAccountWideKey();
    endpoint.script('GET /enforcedGuardrailsConfiguration', ...Array.from({ length: 6 }, () => ({ status, error })));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    // Throttling is retried with the SDK's back-off, which waits seconds: on a fake clock.
    const { value } = await onFakeClock(() => handler(invocation()));
    expect(value).toMatchObject({ total: 1, compliant: 0, notEvaluated: 1 });
    const lines = log.mock.calls.map((call) => String(call[0]));
    const line = lines.find((text) => text.startsWith(`NOT_EVALUATED ${arn}: Not evaluated`));
    expect(line).toContain(`: the policy of its key 5555eeee-5555-5555-5555-555555555555 could not be read: it cannot be verified: bedrock:ListEnforcedGuardrailsConfiguration ${said}`);
  });
});
