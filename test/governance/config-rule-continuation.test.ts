import { Readable } from 'stream';
import { BedrockClient, GetGuardrailCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, guardrailArn, invocation, keyArn, REGION, mockedClientDependencies } from './handler-fixtures';
import { localEndpointForSuite } from './helpers/fake-endpoint';
import { handler } from '../../src/governance/guardrail-encryption-check.lambda';
import { lambdaSelfInvoker } from '../../src/governance/private/handler/continuation';
import { ConfigRuleInvocation, EvaluationDependencies, evaluateGuardrailEncryption, MAX_INVOCATIONS_PER_RUN } from '../../src/governance/private/handler/evaluate';
import { SDK_CLIENT_CONFIG } from '../../src/governance/private/handler/sdk';

/*
 * The continuation of a run, in the handler's own terms (the run through the SDK's middleware is in
 * config-rule-scale.test.ts): what happens without a follow-up, after the last invocation a run may
 * have, to orphaned keys across invocations, and the Invoke call itself.
 */

const bedrock = mockClient(BedrockClient);
const kms = mockClient(KMSClient);
const config = mockClient(ConfigServiceClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const KEY = keyArn('1111aaaa-1111-1111-1111-111111111111');
let lines: string[];

function summary(id: string) {
  return { id, arn: guardrailArn(id), name: `name-${id}`, status: 'READY' as const, version: 'DRAFT', createdAt: new Date(0), updatedAt: new Date(0) };
}

beforeEach(() => {
  for (const client of [bedrock, kms, config, tagging]) client.reset();
  lines = [];
  const ids = ['a', 'b', 'c', 'd'];
  bedrock.on(ListGuardrailsCommand).resolves({ guardrails: ids.map(summary) });
  for (const id of ids) bedrock.on(ListGuardrailsCommand, { guardrailIdentifier: guardrailArn(id) }).resolves({ guardrails: [summary(id)] });
  bedrock.on(GetGuardrailCommand).resolves({ kmsKeyArn: KEY } as any);
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: '1111aaaa-1111-1111-1111-111111111111', KeyManager: 'CUSTOMER', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' } });
  kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
  kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify({ Statement: [] }) });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [], PaginationToken: '' });
});

function deps(extra: Partial<EvaluationDependencies> = {}): EvaluationDependencies {
  return { ...mockedClientDependencies((line) => lines.push(line)), ...extra };
}

/** Time left that runs out after `n` guardrails were allowed to start. */
function timeForGuardrails(n: number): () => number {
  let asked = 0;
  // The first question sizes the reserve (a quarter of it); each start asks once more.
  return () => (asked++ <= n ? 100_000 : 0);
}

const delivered = () => config.commandCalls(PutEvaluationsCommand)
  .flatMap((c) => c.args[0].input.Evaluations ?? []).map((e) => e.ComplianceResourceId);
const continuation = (after: string, invocations: number, orphanCandidates?: Array<{ keyArn: string; guardrail: string }>) => ({
  after,
  invocations,
  orphanCandidates,
  counts: { total: 1, encryptedWithCmk: 1, compliant: 1, nonCompliant: 0, notEvaluated: 0, removed: 0, remediated: 0 },
});

test('without a follow-up invocation, a run out of time delivers what it evaluated and says what it left', async () => {
  const result = await evaluateGuardrailEncryption(invocation(), deps({ remainingTimeMs: timeForGuardrails(2) }));
  expect(result).toMatchObject({ total: 2, left: 2 });
  expect(result.continued).toBeUndefined();
  expect(delivered()).toEqual([guardrailArn('a'), guardrailArn('b')]);
  expect(lines).toContain('WARNING ran out of time: 2 guardrail(s) left, not evaluated in this run (no follow-up invocation); '
    + 'they keep their last result (raise the timeout to evaluate every guardrail)');
});

test('a follow-up goes on after its cursor, with the counts it was given, and asks for the next one', async () => {
  const continued: ConfigRuleInvocation[] = [];
  const event = { ...invocation(), continuation: continuation(guardrailArn('a'), 1) };
  const continueRun = async (e: ConfigRuleInvocation) => { continued.push(e); };
  const result = await evaluateGuardrailEncryption(event, deps({ remainingTimeMs: timeForGuardrails(2), continueRun }));
  expect(delivered()).toEqual([guardrailArn('b'), guardrailArn('c')]);
  expect(result).toMatchObject({ total: 3, left: 1, continued: true });
  expect(continued).toEqual([{ ...invocation(), continuation: { ...continuation(guardrailArn('c'), 2), counts: expect.objectContaining({ total: 3 }), orphanCandidates: undefined } }]);
  // Earlier results were retired by the run's first invocation only.
  expect(config.commandCalls(GetComplianceDetailsByConfigRuleCommand)).toHaveLength(1);
  expect(tagging.commandCalls(GetResourcesCommand)).toHaveLength(0);
});

test('a follow-up that has no time to start a guardrail hands its cursor on', async () => {
  const continued: ConfigRuleInvocation[] = [];
  const event = { ...invocation(), continuation: continuation(guardrailArn('a'), 3) };
  await evaluateGuardrailEncryption(event, deps({ remainingTimeMs: timeForGuardrails(0), continueRun: async (e) => { continued.push(e); } }));
  expect(delivered()).toEqual([]);
  expect(continued.map((e) => [e.continuation?.after, e.continuation?.invocations])).toEqual([[guardrailArn('a'), 4]]);
});

test(`after ${MAX_INVOCATIONS_PER_RUN} invocations a run stops continuing and says what it left`, async () => {
  const continueRun = jest.fn(async () => undefined);
  const event = { ...invocation(), continuation: continuation(guardrailArn('a'), MAX_INVOCATIONS_PER_RUN) };
  await evaluateGuardrailEncryption(event, deps({ remainingTimeMs: timeForGuardrails(1), continueRun }));
  expect(continueRun).not.toHaveBeenCalled();
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^WARNING ran out of time: 2 guardrail\\(s\\) left, .*\\(${MAX_INVOCATIONS_PER_RUN} invocations reached\\)`)));
});

test('orphaned keys: the candidates of the first invocation travel on, those seen in use are dropped, and the last invocation counts the rest', async () => {
  const orphan = keyArn('0000dead-0000-0000-0000-000000000000');
  const event = { ...invocation(), continuation: continuation(guardrailArn('b'), 1, [{ keyArn: orphan, guardrail: 'gone' }, { keyArn: KEY, guardrail: 'renamed' }]) };
  const result = await evaluateGuardrailEncryption(event, deps());
  expect(result).toMatchObject({ orphanedKeys: 1, total: 3 });
  expect(kms.commandCalls(DescribeKeyCommand).map((c) => c.args[0].input.KeyId)).toEqual([KEY, orphan]);
  expect(lines).toContainEqual(expect.stringMatching(/^ORPHANED_KEY 0000dead-0000-0000-0000-000000000000 \(guardrail gone\)/));
  const kpi = lines.map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).find((r) => r?.GuardrailsTotal !== undefined);
  expect(kpi).toMatchObject({ GuardrailsTotal: 3, OrphanedGuardrailKeys: 1 });
});

test('the first invocation lists the tagged keys once and hands on those of guardrails that no longer exist', async () => {
  tagging.on(GetResourcesCommand).resolves({
    ResourceTagMappingList: [
      { ResourceARN: keyArn('k-gone'), Tags: [{ Key: 'BedrockGuardrail', Value: 'deleted-one' }] },
      { ResourceARN: keyArn('k-live'), Tags: [{ Key: 'BedrockGuardrail', Value: 'name-c' }] },
    ],
    PaginationToken: '',
  });
  const continued: ConfigRuleInvocation[] = [];
  await evaluateGuardrailEncryption(invocation(), deps({ remainingTimeMs: timeForGuardrails(1), continueRun: async (e) => { continued.push(e); } }));
  expect(continued[0].continuation?.orphanCandidates).toEqual([{ keyArn: keyArn('k-gone'), guardrail: 'deleted-one' }]);
});

describe("the Invoke call that continues a run, by the handler's own Lambda client against a local endpoint", () => {
  // The other clients are mocked (above); the Lambda client goes through the SDK's middleware to the endpoint.
  const endpoint = localEndpointForSuite();
  const INVOKE = 'POST /2015-03-31/functions/rule-fn/invocations';
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => `attempt=${i + 1}; max=6`);
  const runOutOfTime = () => handler(invocation(), { functionName: 'rule-fn', getRemainingTimeInMillis: timeForGuardrails(2) });
  const failureOf = (run: Promise<unknown>) => run.then(() => { throw new Error('the invocation did not fail'); }, (error: Error & { cause?: any }) => error);

  afterEach(() => jest.restoreAllMocks());

  test('an asynchronous, signed POST of the continued event to the function by name; throttling and server errors are tried again', async () => {
    endpoint.script(INVOKE, { status: 429, error: 'TooManyRequestsException' }, { status: 500, error: 'ServiceException' }, { status: 202 });
    await expect(runOutOfTime()).resolves.toMatchObject({ total: 2, left: 2, continued: true });
    expect(endpoint.attempts(INVOKE)).toEqual(upTo(3));
    const request = endpoint.received.filter((r) => r.operation === INVOKE)[2];
    expect(request).toMatchObject({ region: REGION, metrics: expect.arrayContaining(['F']) });
    expect(request.headers).toMatchObject({ 'x-amz-invocation-type': 'Event', 'authorization': expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request/) });
    expect(request.body).toEqual({ ...invocation(), continuation: { after: guardrailArn('b'), invocations: 1, counts: expect.objectContaining({ total: 2 }), orphanCandidates: [] } });
    expect(endpoint.received.map((r) => r.operation)).toEqual([INVOKE, INVOKE, INVOKE]);
  }, 60_000);

  test('a refusal is final and fails the invocation, naming the call', async () => {
    endpoint.script(INVOKE, { status: 403, error: 'AccessDeniedException' });
    const failure = await failureOf(runOutOfTime());
    expect(failure.message).toBe('lambda:InvokeFunction of rule-fn was denied (AccessDeniedException: AccessDeniedException)');
    expect(failure.cause).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403, attempts: 1 } });
    expect(endpoint.attempts(INVOKE)).toEqual(upTo(1));
  });

  test("errors that last fail the invocation after the SDK's six attempts", async () => {
    endpoint.script(INVOKE, ...Array.from({ length: 10 }, () => ({ status: 500, error: 'ServiceException' })));
    const failure = await failureOf(runOutOfTime());
    expect(failure.message).toBe('lambda:InvokeFunction of rule-fn failed (ServiceException: ServiceException)');
    expect(failure.cause).toMatchObject({ $metadata: { httpStatusCode: 500, attempts: 6 } });
    expect(endpoint.attempts(INVOKE)).toEqual(upTo(6));
  }, 60_000);

  test('an answer other than 202 means Lambda did not queue the event: the invocation fails', async () => {
    endpoint.script(INVOKE, { status: 200 });
    await expect(runOutOfTime()).rejects.toThrow('lambda:InvokeFunction of rule-fn answered HTTP 200, not 202: the follow-up invocation was not queued');
    expect(endpoint.attempts(INVOKE)).toEqual(upTo(1));
  });

  /** A Lambda client built as the handler's, whose HTTP handler answers with `answers` (an error: the connection failed). */
  function lambdaAnswering(answers: Array<number | Error>) {
    const hosts: string[] = [];
    const requestHandler = {
      handle: async (request: { hostname: string }) => {
        hosts.push(request.hostname);
        const next = answers.shift() ?? 500;
        if (next instanceof Error) throw next;
        return { response: { statusCode: next, headers: {}, body: Readable.from([]) } };
      },
    };
    const lambda = new LambdaClient({ ...SDK_CLIENT_CONFIG, region: REGION, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, requestHandler });
    return { hosts, invoke: lambdaSelfInvoker(lambda, 'rule-fn') };
  }

  test('a connection that fails is tried again', async () => {
    const { hosts, invoke } = lambdaAnswering([Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 202]);
    await invoke(invocation());
    expect(hosts).toHaveLength(2);
  });

  test("without an endpoint setting the client calls the Region's Lambda endpoint", async () => {
    const { hosts, invoke } = lambdaAnswering([202]);
    const local = process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_ENDPOINT_URL;
    try {
      await invoke(invocation());
    } finally {
      process.env.AWS_ENDPOINT_URL = local;
    }
    expect(hosts).toEqual([`lambda.${REGION}.amazonaws.com`]);
  });
});

test('a continuation with a malformed list of orphan candidates or count of invocations is refused', async () => {
  const bad = (c: object) => evaluateGuardrailEncryption({ ...invocation(), continuation: { ...continuation('x', 1), ...c } as any }, deps());
  await expect(bad({ orphanCandidates: [{ keyArn: 1 }] })).rejects.toThrow('continuation.orphanCandidates is [{"keyArn":1}]; expected a list of { keyArn, guardrail } strings, or none');
  await expect(bad({ invocations: 0 })).rejects.toThrow('continuation.invocations is 0; expected a whole number from 1');
  expect(bedrock.calls()).toHaveLength(0);
  expect(ACCOUNT).toHaveLength(12);
});
