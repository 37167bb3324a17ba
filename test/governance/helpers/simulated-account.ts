import * as http from 'http';
import { AddressInfo } from 'net';
import { keyPolicy, ACCOUNT, REGION } from '../handler-fixtures';

/** A key policy as GuardrailKeyPolicy writes it: administration, and use through Bedrock by one role. */
const KEY_POLICY = keyPolicy();

/**
 * A simulated AWS account, served on a local HTTP endpoint for the SDK clients of the Config rule's
 * handler (point them at it with `AWS_ENDPOINT_URL`): Bedrock's guardrails and their versions, their
 * KMS keys, AWS Config (which records every evaluation delivered), the tagging API and Lambda's
 * asynchronous Invoke (which records the follow-up events). Every answer comes after `latencyMs`, as
 * from AWS; throttling and refused evaluations can be injected. Used by the tests and by
 * `npx projen bench:config-rule`.
 */
export interface AccountShape {
  readonly guardrails: number;
  /** Numbered versions of each guardrail, besides its draft. */
  readonly versions: number;
  /** Milliseconds before each answer. */
  readonly latencyMs: number;
  /** Guardrails per key: 1 gives each guardrail its own key (a provider with one key per tenant). @default 1 */
  readonly guardrailsPerKey?: number;
}

export { ACCOUNT, REGION } from '../handler-fixtures';

/** A request as the account received it. */
interface Call {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly operation: string;
  readonly body: any;
}

interface Answer {
  readonly status: number;
  readonly error?: string;
  readonly body?: unknown;
}

export class SimulatedAccount {
  /** Calls answered, by operation (throttled ones included). */
  public readonly calls = new Map<string, number>();
  /** How many times each resource's evaluation was delivered (accepted by Config), by resource id. */
  public readonly deliveries = new Map<string, number>();
  /** The ResultToken and size of each PutEvaluations call. */
  public readonly putEvaluations: Array<{ resultToken: string; size: number }> = [];
  /** The events of the asynchronous invocations the handler asked Lambda for. */
  public readonly invocations: Array<{ functionName: string; invocationType: string; event: any }> = [];
  /** Guardrail ids whose evaluation Config refuses, `times` times each (Infinity: always). */
  public readonly refusals = new Map<string, number>();
  /** Guardrail ids deleted after the listing: reading them answers ResourceNotFoundException. */
  public readonly deletedAfterListing = new Set<string>();
  /** Answers ThrottlingException to the next `n` calls of an operation. */
  public readonly throttles = new Map<string, number>();
  /** The largest number of requests in flight at once. */
  public peakInFlight = 0;

  private inFlight = 0;
  private readonly server = http.createServer((request, response) => this.receive(request, response));
  private ids: string[] = [];

  constructor(private shape: AccountShape) {
    this.reshape(shape);
  }

  /** Another account on the same endpoint (the SDK clients keep the endpoint of their first call); forgets every call. */
  public reshape(shape: AccountShape): void {
    this.shape = shape;
    this.ids = Array.from({ length: shape.guardrails }, (_, i) => `g${String(i).padStart(7, '0')}`);
    for (const collection of [this.calls, this.deliveries, this.refusals, this.deletedAfterListing, this.throttles]) collection.clear();
    this.putEvaluations.length = 0;
    this.invocations.length = 0;
    this.peakInFlight = 0;
  }

  public async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', 2048, resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  public guardrailArn(id: string): string {
    return `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/${id}`;
  }

  public guardrailIds(): readonly string[] {
    return this.ids;
  }

  /** Calls answered in all. */
  public totalCalls(): number {
    return [...this.calls.values()].reduce((a, b) => a + b, 0);
  }

  private keyArn(id: string): string {
    const index = Number(id.slice(1));
    const key = Math.floor(index / (this.shape.guardrailsPerKey ?? 1));
    return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${String(key).padStart(8, '0')}-1111-1111-1111-111111111111`;
  }

  private receive(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.inFlight++;
      this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
      const url = new URL(request.url ?? '/', 'http://localhost');
      const target = request.headers['x-amz-target'];
      const text = Buffer.concat(chunks).toString();
      const call: Call = {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        operation: typeof target === 'string' ? target.split('.').pop()! : operationOfPath(request.method ?? 'GET', url.pathname),
        body: text && (typeof target === 'string' || url.pathname.endsWith('/invocations')) ? JSON.parse(text) : undefined,
      };
      if (call.operation === 'Invoke') {
        this.invocations.push({ functionName: decodeURIComponent(call.path.split('/')[3]), invocationType: String(request.headers['x-amz-invocation-type']), event: call.body });
      }
      const answer = this.answer(call);
      setTimeout(() => {
        this.inFlight--;
        response.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.error ? { 'x-amzn-errortype': answer.error } : {}) });
        response.end(answer.status === 202 ? '' : JSON.stringify(answer.body ?? (answer.error ? { __type: answer.error, message: answer.error } : {})));
      }, this.shape.latencyMs);
    });
  }

  private answer(call: Call): Answer {
    this.calls.set(call.operation, (this.calls.get(call.operation) ?? 0) + 1);
    const throttled = this.throttles.get(call.operation) ?? 0;
    if (throttled > 0) {
      this.throttles.set(call.operation, throttled - 1);
      return { status: call.path.startsWith('/guardrails') ? 429 : 400, error: 'ThrottlingException' };
    }
    switch (call.operation) {
      case 'ListGuardrails': return this.listGuardrails(call.query);
      case 'GetGuardrail': return this.getGuardrail(call.path.split('/')[2], call.query.get('guardrailVersion') ?? 'DRAFT');
      case 'DescribeKey': return {
        status: 200,
        body: {
          KeyMetadata: {
            KeyId: call.body.KeyId.split('/').pop(),
            Arn: call.body.KeyId,
            KeyManager: 'CUSTOMER',
            KeyState: 'Enabled',
            KeySpec: 'SYMMETRIC_DEFAULT',
            KeyUsage: 'ENCRYPT_DECRYPT',
            Origin: 'AWS_KMS',
          },
        },
      };
      case 'GetKeyRotationStatus': return { status: 200, body: { KeyRotationEnabled: true, RotationPeriodInDays: 365 } };
      case 'GetKeyPolicy': return { status: 200, body: { PolicyName: 'default', Policy: KEY_POLICY } };
      case 'PutEvaluations': return this.putEvaluationsAnswer(call.body);
      case 'GetComplianceDetailsByConfigRule': return { status: 200, body: { EvaluationResults: [] } };
      case 'GetResources': return { status: 200, body: { ResourceTagMappingList: [], PaginationToken: '' } };
      case 'Invoke': return { status: 202 };
      default: return { status: 400, error: 'UnknownOperationException' };
    }
  }

  private listGuardrails(query: URLSearchParams): Answer {
    const identifier = query.get('guardrailIdentifier');
    const summary = (id: string, version: string) => ({
      id, arn: this.guardrailArn(id), name: `tenant-${id}`, status: 'READY', version, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
    });
    if (identifier) {
      const id = identifier.split('/').pop()!;
      if (this.deletedAfterListing.has(id)) return { status: 404, error: 'ResourceNotFoundException' };
      return { status: 200, body: { guardrails: ['DRAFT', ...Array.from({ length: this.shape.versions }, (_, v) => String(v + 1))].map((version) => summary(id, version)) } };
    }
    const size = Math.min(Number(query.get('maxResults') ?? 20), 1000);
    const start = Number(query.get('nextToken') ?? 0);
    const page = this.ids.slice(start, start + size);
    const next = start + size < this.ids.length ? String(start + size) : undefined;
    return { status: 200, body: { guardrails: page.map((id) => summary(id, 'DRAFT')), ...(next ? { nextToken: next } : {}) } };
  }

  private getGuardrail(id: string, version: string): Answer {
    if (this.deletedAfterListing.has(id)) return { status: 404, error: 'ResourceNotFoundException' };
    return { status: 200, body: { guardrailId: id, guardrailArn: this.guardrailArn(id), name: `tenant-${id}`, version, kmsKeyArn: this.keyArn(id) } };
  }

  private putEvaluationsAnswer(body: { Evaluations: Array<{ ComplianceResourceId: string }>; ResultToken: string }): Answer {
    this.putEvaluations.push({ resultToken: body.ResultToken, size: body.Evaluations.length });
    const failed = [];
    for (const evaluation of body.Evaluations) {
      const id = evaluation.ComplianceResourceId.split('/').pop()!;
      const refusals = this.refusals.get(id) ?? 0;
      if (refusals > 0) {
        this.refusals.set(id, refusals - 1);
        failed.push(evaluation);
      } else {
        this.deliveries.set(evaluation.ComplianceResourceId, (this.deliveries.get(evaluation.ComplianceResourceId) ?? 0) + 1);
      }
    }
    return { status: 200, body: { FailedEvaluations: failed } };
  }
}

function operationOfPath(method: string, path: string): string {
  if (method === 'POST' && /^\/2015-03-31\/functions\/[^/]+\/invocations$/.test(path)) return 'Invoke';
  if (method === 'GET' && path === '/guardrails') return 'ListGuardrails';
  if (method === 'GET' && /^\/guardrails\/[^/]+$/.test(path)) return 'GetGuardrail';
  return `${method} ${path}`;
}
