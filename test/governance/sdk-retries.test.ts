import { Readable } from 'stream';
import { BedrockClient, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { invocation, keyArn } from './handler-fixtures';
import { onFakeClock } from './helpers/fake-clock';
import { localEndpointForSuite } from './helpers/fake-endpoint';
import { handler } from '../../src/governance/guardrail-encryption-check.lambda';
import { SDK_CLIENT_CONFIG } from '../../src/governance/private/handler/sdk';

/*
 * The handler leaves retries to the AWS SDK. aws-sdk-client-mock replaces `send` and so skips the
 * SDK's retry middleware: these tests give the clients a fake HTTP handler, or point the handler's
 * own clients at a local endpoint, so the real middleware stack (retry strategy, error parsing) runs.
 */

interface FakeResponse {
  readonly status: number;
  /** The error code, as AWS services send it in the `x-amzn-errortype` header. */
  readonly error?: string;
  readonly body?: object;
}

function fakeHttp(responses: FakeResponse[]) {
  const requests: string[] = [];
  const requestHandler = {
    handle: async (request: { method: string; path: string }) => {
      requests.push(`${request.method} ${request.path}`);
      const next = responses.shift() ?? { status: 500, error: 'InternalServerException' };
      const body = next.body ?? (next.error ? { __type: next.error, message: next.error } : {});
      return {
        response: {
          statusCode: next.status,
          headers: { 'content-type': 'application/json', ...(next.error ? { 'x-amzn-errortype': next.error } : {}) },
          body: Readable.from([Buffer.from(JSON.stringify(body))]),
        },
      };
    },
  };
  return { requests, requestHandler };
}

const offline = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } };

describe('the Lambda handler\'s own clients, against a local endpoint', () => {
  const endpoint = localEndpointForSuite();
  const throttled = { status: 400, error: 'ThrottlingException' };

  test('every client retries in adaptive mode, up to six attempts: a call throttled five times still succeeds', async () => {
    endpoint.script('GET /guardrails', ...Array.from({ length: 5 }, () => ({ status: 429, error: 'ThrottlingException' })), { status: 200, body: { guardrails: [] } });
    endpoint.script('GetResources', { status: 500, error: 'InternalServiceException' }, {
      status: 200,
      body: { ResourceTagMappingList: [{ ResourceARN: keyArn('orphan'), Tags: [{ Key: 'BedrockGuardrail', Value: 'deleted' }] }], PaginationToken: '' },
    });
    endpoint.script('DescribeKey', { status: 500, error: 'KMSInternalException' }, { status: 200, body: { KeyMetadata: { KeyId: 'orphan', KeyState: 'Enabled' } } });
    endpoint.script('PutEvaluations', throttled);

    await expect(handler(invocation())).resolves.toMatchObject({ total: 0, orphanedKeys: 1, failedEvaluations: 0 });

    const upTo = (n: number) => Array.from({ length: n }, (_, i) => `attempt=${i + 1}; max=6`);
    expect(Object.fromEntries(['GET /guardrails', 'GetComplianceDetailsByConfigRule', 'GetResources', 'DescribeKey', 'PutEvaluations']
      .map((operation) => [operation, endpoint.attempts(operation)]))).toEqual({
      'GET /guardrails': upTo(6),
      'GetComplianceDetailsByConfigRule': upTo(1),
      'GetResources': upTo(2),
      'DescribeKey': upTo(2),
      'PutEvaluations': upTo(2),
    });
    // The user agent's business metric of the retry mode: E for standard, F for adaptive.
    expect(endpoint.received.filter((request) => !request.metrics.includes('F'))).toEqual([]);
  }, 60_000);

  test('a call still throttled after six attempts fails the run with the service\'s error, having backed off', async () => {
    endpoint.script('PutEvaluations', ...Array.from({ length: 10 }, () => throttled));
    const failure = await handler(invocation()).then(() => undefined, (error: unknown) => error);
    expect(failure).toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 6, totalRetryDelay: expect.any(Number) } });
    expect((failure as { $metadata: { totalRetryDelay: number } }).$metadata.totalRetryDelay).toBeGreaterThan(0);
    expect(endpoint.attempts('PutEvaluations')).toHaveLength(6);
  }, 60_000);

  test('a denied call is not retried: tag:GetResources is asked once, and the run goes on without counting orphaned keys', async () => {
    endpoint.script('GetResources', { status: 400, error: 'AccessDeniedException' });
    await expect(handler(invocation())).resolves.toMatchObject({ total: 0, orphanedKeys: undefined, failedEvaluations: 0 });
    expect(endpoint.attempts('GetResources')).toEqual(['attempt=1; max=6']);
  });
});

describe('the handler\'s SDK client settings, with a fake HTTP handler', () => {
  test('Bedrock throttling and internal errors are retried until the call succeeds', async () => {
    const { requests, requestHandler } = fakeHttp([
      { status: 429, error: 'ThrottlingException' },
      { status: 500, error: 'InternalServerException' },
      { status: 200, body: { guardrails: [] } },
    ]);
    const bedrock = new BedrockClient({ ...offline, ...SDK_CLIENT_CONFIG, requestHandler });
    const { value, waitedMs } = await onFakeClock(() => bedrock.send(new ListGuardrailsCommand({})));
    expect(value).toMatchObject({ guardrails: [] });
    expect(requests).toEqual(['GET /guardrails', 'GET /guardrails', 'GET /guardrails']);
    expect(waitedMs).toBeGreaterThan(0);
  });

  test.each([
    ['KMSInternalException', 500],
    ['DependencyTimeoutException', 503],
  ])('KMS %s (HTTP %d) is retried', async (error, status) => {
    const { requests, requestHandler } = fakeHttp([{ status, error }, { status: 200, body: { KeyMetadata: { KeyId: 'k' } } }]);
    const kms = new KMSClient({ ...offline, ...SDK_CLIENT_CONFIG, requestHandler });
    await expect(kms.send(new DescribeKeyCommand({ KeyId: 'k' }))).resolves.toMatchObject({ KeyMetadata: { KeyId: 'k' } });
    expect(requests).toHaveLength(2);
  });

  test.each([
    ['AccessDeniedException', 400],
    ['NotFoundException', 400],
  ])('KMS %s is final: one request', async (error, status) => {
    const { requests, requestHandler } = fakeHttp([{ status, error }]);
    const kms = new KMSClient({ ...offline, ...SDK_CLIENT_CONFIG, requestHandler });
    await expect(kms.send(new DescribeKeyCommand({ KeyId: 'k' }))).rejects.toMatchObject({ name: error });
    expect(requests).toHaveLength(1);
  });

  test('Config throttling gives up after six attempts with the service\'s error, having backed off between them', async () => {
    const { requests, requestHandler } = fakeHttp(Array.from({ length: 10 }, () => ({ status: 400, error: 'ThrottlingException' })));
    const config = new ConfigServiceClient({ ...offline, ...SDK_CLIENT_CONFIG, requestHandler });
    const { error, waitedMs } = await onFakeClock(() => config.send(new PutEvaluationsCommand({ ResultToken: 't', Evaluations: [] })));
    expect(error).toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 6 } });
    expect(requests).toHaveLength(6);
    // Five back-offs, each at most 20 s (the standard mode's cap).
    expect(waitedMs).toBeGreaterThan(0);
    expect(waitedMs).toBeLessThanOrEqual(100_000);
  });
});
