import { Readable } from 'stream';
import { BedrockClient, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { SDK_CLIENT_CONFIG } from '../../src/governance/private/handler/sdk';

/*
 * The handler leaves retries to the AWS SDK. aws-sdk-client-mock replaces `send` and so skips the
 * SDK's retry middleware: these tests give the clients a fake HTTP handler instead, so the real
 * middleware stack (retry strategy, error parsing) runs with the handler's configuration.
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

/** Runs `call` with the SDK's back-off on a fake clock, advanced until the call settles: the SDK waits seconds on throttling. */
async function onFakeClock<T>(call: () => Promise<T>): Promise<{ value?: T; error?: any; waitedMs: number }> {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
  try {
    let settled = false;
    const outcome = call().then((value) => ({ value }), (error: unknown) => ({ error })).finally(() => { settled = true; });
    let waitedMs = 0;
    while (!settled && waitedMs < 120_000) {
      await jest.advanceTimersByTimeAsync(100);
      waitedMs += 100;
    }
    return { ...(await outcome), waitedMs };
  } finally {
    jest.useRealTimers();
  }
}

const offline = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } };

describe('the handler\'s SDK clients retry as the SDK\'s standard mode does', () => {
  test('the configuration: standard mode, six attempts', () => {
    expect(SDK_CLIENT_CONFIG).toEqual({ maxAttempts: 6, retryMode: 'standard' });
  });

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
