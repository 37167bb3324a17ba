import * as http from 'http';
import { AddressInfo } from 'net';

/** What the endpoint answers to one request. */
export interface FakeAnswer {
  readonly status: number;
  /** The error code, as AWS services send it in the `x-amzn-errortype` header. */
  readonly error?: string;
  readonly body?: object;
}

/** A request as the endpoint received it. */
export interface ReceivedRequest {
  /** The operation: the `X-Amz-Target` operation of JSON protocols, `GET /guardrails` for REST ones. */
  readonly operation: string;
  /** The SDK's `amz-sdk-request` header, written by its retry middleware: `attempt=2; max=6`. */
  readonly attempt: string;
  /** The business metrics of the SDK's user agent (`E`: standard retry mode, `F`: adaptive). */
  readonly metrics: string[];
  /** The Region the request was signed for (its SigV4 credential scope). */
  readonly region: string;
  /** The path, without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The body: parsed when it is JSON, `{}` when there is none, the text otherwise. */
  readonly body: any;
  readonly headers: http.IncomingHttpHeaders;
}

/** Answers a request no script answers: a fake account (`undefined` falls back to 200 and `{}`). */
export type FakeResponder = (request: ReceivedRequest) => FakeAnswer | undefined;

/**
 * A local HTTP endpoint standing in for AWS, for SDK clients that have no test hook (the Lambda
 * handler's own, built when its module loads): point them at it with `AWS_ENDPOINT_URL`. Each
 * operation is answered from its script, in order, then with 200 and `{}`.
 */
export class FakeAwsEndpoint {
  public readonly received: ReceivedRequest[] = [];
  private readonly scripts = new Map<string, FakeAnswer[]>();
  private readonly server = http.createServer((request, response) => this.answer(request, response));
  private responder?: FakeResponder;

  /** Listens on a free port of the loopback interface; returns the endpoint's URL. */
  public async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Answers the next requests of `operation` with `answers`, in order. */
  public script(operation: string, ...answers: FakeAnswer[]): void {
    this.scripts.set(operation, answers);
  }

  /** Answers what the scripts do not with `responder`. */
  public respondWith(responder: FakeResponder | undefined): void {
    this.responder = responder;
  }

  public reset(): void {
    this.received.length = 0;
    this.scripts.clear();
    this.responder = undefined;
  }

  /** `attempt` of every request of `operation`, in order. */
  public attempts(operation: string): string[] {
    return this.received.filter((r) => r.operation === operation).map((r) => r.attempt);
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      const operation = typeof target === 'string' ? target.split('.').pop()! : `${request.method} ${request.url?.split('?')[0]}`;
      const agent = String(request.headers['user-agent'] ?? '').split(' ').find((part) => part.startsWith('m/'));
      const url = new URL(request.url ?? '/', 'http://localhost');
      const text = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedRequest = {
        operation,
        attempt: String(request.headers['amz-sdk-request']),
        metrics: agent ? agent.slice(2).split(',') : [],
        region: /Credential=[^/]+\/[^/]+\/([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1] ?? '',
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        body: parseBody(text),
        headers: request.headers,
      };
      this.received.push(received);
      const next = this.scripts.get(operation)?.shift() ?? this.responder?.(received) ?? { status: 200 };
      const body = next.body ?? (next.error ? { __type: next.error, message: next.error } : {});
      response.writeHead(next.status, { 'content-type': 'application/json', ...(next.error ? { 'x-amzn-errortype': next.error } : {}) });
      response.end(JSON.stringify(body));
    });
  }
}

function parseBody(text: string): any {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Points the AWS SDK clients at `url`, offline. The clients read their settings from the environment on
 * their first call, so this comes first; nothing may override the handler's own settings.
 */
export function useLocalEndpoint(url: string): void {
  for (const name of Object.keys(process.env)) {
    if (/^AWS_(ENDPOINT_URL|MAX_ATTEMPTS|RETRY_MODE|PROFILE|IGNORE_CONFIGURED_ENDPOINT_URLS)/.test(name)) delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: url, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true',
  });
}

/**
 * A local endpoint for the SDK clients of the tests of a `describe` block: started before its tests with
 * `useLocalEndpoint`, reset before each, the environment restored and the endpoint stopped after them. The
 * back-off's jitter is drawn small (back-offs of seconds take milliseconds) and the handler's log is silenced.
 */
export function localEndpointForSuite(): FakeAwsEndpoint {
  const endpoint = new FakeAwsEndpoint();
  const saved = { ...process.env };
  const silenced: jest.SpyInstance[] = [];
  beforeAll(async () => {
    useLocalEndpoint(await endpoint.start());
  });
  afterAll(async () => {
    process.env = { ...saved };
    await endpoint.stop();
  });
  beforeEach(() => {
    endpoint.reset();
    silenced.push(jest.spyOn(Math, 'random').mockReturnValue(0.001), jest.spyOn(console, 'log').mockImplementation(() => undefined));
  });
  afterEach(() => silenced.splice(0).forEach((spy) => spy.mockRestore()));
  return endpoint;
}
