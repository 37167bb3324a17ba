import { invocation } from './handler-fixtures';
import { useLocalEndpoint } from './helpers/fake-endpoint';
import { SimulatedAccount } from './helpers/simulated-account';
import { handler } from '../../src/governance/guardrail-encryption-check.lambda';

/*
 * The Config rule's handler against a simulated account on a local endpoint, through the SDK's real
 * middleware (serialization, adaptive retries): throttling, evaluations Config refuses, an invocation
 * that runs out of time and the follow-up invocations that finish its run, malformed events.
 */

const FUNCTION_NAME = 'guardrail-encryption-check';
const saved = { ...process.env };
let lines: string[];
let spies: jest.SpyInstance[];
let account: SimulatedAccount;

/** Lambda's context with `ms` left from now. */
function contextWithin(ms: number) {
  const deadline = Date.now() + ms;
  return { functionName: FUNCTION_NAME, getRemainingTimeInMillis: () => deadline - Date.now() };
}

async function startAccount(shape: ConstructorParameters<typeof SimulatedAccount>[0]): Promise<void> {
  account.reshape(shape);
}

beforeAll(async () => {
  account = new SimulatedAccount({ guardrails: 0, versions: 0, latencyMs: 1 });
  useLocalEndpoint(await account.start());
});
afterAll(async () => {
  await account.stop();
  process.env = { ...saved };
});

function records(): any[] {
  return lines.map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).filter((r) => r?._aws);
}

beforeEach(() => {
  lines = [];
  // The back-off's jitter drawn small, so that back-offs of seconds take milliseconds.
  spies = [jest.spyOn(Math, 'random').mockReturnValue(0.001), jest.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line); })];
});
afterEach(() => spies.forEach((spy) => spy.mockRestore()));

test('a batch is delivered as soon as it holds 100 evaluations, and each has at most 100', async () => {
  await startAccount({ guardrails: 250, versions: 0, latencyMs: 1, guardrailsPerKey: 250 });
  await handler(invocation(), contextWithin(60_000));
  expect(account.putEvaluations.map((p) => p.size)).toEqual([100, 100, 50]);
}, 60_000);

test('evaluations Config refuses are re-sent with back-off; one refused to the end fails the invocation after the others are delivered', async () => {
  await startAccount({ guardrails: 5, versions: 1, latencyMs: 1 });
  account.refusals.set('g0000001', 2);
  account.refusals.set('g0000003', Infinity);

  const failure = await handler(invocation(), contextWithin(60_000)).then(() => undefined, (error: Error) => error);

  expect(failure?.message).toMatch(/^AWS Config refused 1 evaluation\(s\) after 4 attempts \(logged above\); the other 4 were delivered/);
  expect(account.deliveries.get(account.guardrailArn('g0000003'))).toBeUndefined();
  expect([...account.deliveries.entries()].sort()).toEqual(['g0000000', 'g0000001', 'g0000002', 'g0000004'].map((id) => [account.guardrailArn(id), 1]));
  // One delivery, then three re-sends of what was still refused: g0000001 is taken at the second.
  expect(account.putEvaluations.map((p) => p.size)).toEqual([5, 2, 2, 1]);
  const refusedLine = lines.findIndex((l) => l.startsWith(`ERROR Config refused the evaluation of ${account.guardrailArn('g0000003')}`));
  const metric = lines.findIndex((l) => l.includes('"EvaluationsRefused"'));
  expect(refusedLine).toBeGreaterThanOrEqual(0);
  expect(metric).toBeGreaterThan(refusedLine);
  expect(JSON.parse(lines[metric])).toMatchObject({ EvaluationsRefused: 1, GuardrailsLeft: 0 });
  // No follow-up: Lambda retries the failed invocation.
  expect(account.invocations).toEqual([]);
}, 60_000);

test('an invocation that runs out of time delivers what it evaluated and a follow-up invocation finishes the run: none lost, none twice', async () => {
  await startAccount({ guardrails: 200, versions: 1, latencyMs: 20 });
  const first = await handler(invocation(), contextWithin(400));

  expect(first.left).toBeGreaterThan(0);
  expect(first.continued).toBe(true);
  expect(account.deliveries.size).toBe(first.total);
  expect(records().find((r) => 'GuardrailsLeft' in r)).toMatchObject({ GuardrailsLeft: first.left, EvaluationsRefused: 0 });
  // The run's KPIs wait for the invocation that finishes it.
  expect(records().some((r) => 'GuardrailsTotal' in r)).toBe(false);
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^CONTINUED ran out of time with ${first.left} guardrail\\(s\\) left`)));
  expect(account.invocations).toHaveLength(1);
  expect(account.invocations[0]).toMatchObject({
    functionName: FUNCTION_NAME,
    invocationType: 'Event',
    event: { ...invocation(), continuation: { invocations: 1, counts: { total: first.total } } },
  });

  let summary = first;
  for (let i = 0; i < 10 && summary.continued; i++) {
    lines = [];
    summary = await handler(account.invocations[account.invocations.length - 1].event, contextWithin(60_000));
  }
  expect(summary).toMatchObject({ total: 200, compliant: 200 });
  expect(summary.left).toBeUndefined();
  expect(account.deliveries.size).toBe(200);
  expect([...account.deliveries.values()].every((n) => n === 1)).toBe(true);
  expect(records().find((r) => 'GuardrailsTotal' in r)).toMatchObject({ GuardrailsTotal: 200, GuardrailsNonCompliant: 0 });
  // Every invocation of the run delivers with the token Config gave the run.
  expect(new Set(account.putEvaluations.map((p) => p.resultToken))).toEqual(new Set(['token-1']));
}, 60_000);

test('a guardrail deleted during the run is logged and not reported', async () => {
  await startAccount({ guardrails: 3, versions: 1, latencyMs: 1 });
  account.deletedAfterListing.add('g0000001');
  await expect(handler(invocation(), contextWithin(60_000))).resolves.toMatchObject({ total: 2 });
  expect(lines).toContain(`GUARDRAIL_DELETED ${account.guardrailArn('g0000001')}: deleted after it was listed, so not evaluated`);
  expect(account.deliveries.has(account.guardrailArn('g0000001'))).toBe(false);
}, 60_000);

describe('a malformed event fails before any AWS call, naming the field', () => {
  const invoking = (fields: object) => JSON.stringify({
    awsAccountId: '111111111111', notificationCreationTime: '2026-03-01T10:00:00.000Z', messageType: 'ScheduledNotification', recordVersion: '1.0', ...fields,
  });
  test.each([
    ['a non-JSON invokingEvent', { invokingEvent: 'not json' }, 'invokingEvent is "not json"; expected a JSON object'],
    ['an invokingEvent that is not an object', { invokingEvent: '[1]' }, 'invokingEvent is [1]; expected an object'],
    ['an unexpected messageType', { invokingEvent: invoking({ messageType: 'ConfigurationItemChangeNotification' }) },
      "invokingEvent.messageType is \"ConfigurationItemChangeNotification\"; expected 'ScheduledNotification'"],
    ['a notificationCreationTime that is not a date', { invokingEvent: invoking({ notificationCreationTime: 'yesterday' }) },
      'invokingEvent.notificationCreationTime is "yesterday"; expected an ISO 8601 date-time'],
    ['an impossible date', { invokingEvent: invoking({ notificationCreationTime: '2026-13-45T10:00:00Z' }) }, 'invokingEvent.notificationCreationTime is "2026-13-45T10:00:00Z"'],
    ['no account id', { invokingEvent: invoking({ awsAccountId: undefined }) }, 'invokingEvent.awsAccountId is missing; expected a 12-digit account id'],
    ['no resultToken', { resultToken: undefined }, 'resultToken is missing; expected a non-empty string'],
    ['no configRuleName', { configRuleName: '' }, 'configRuleName is ""; expected a non-empty string'],
    ['an accountId that is not one', { accountId: 'me' }, 'accountId is "me"; expected a 12-digit account id'],
    ['a continuation with a negative count', { continuation: { after: 'arn', invocations: 1, counts: { total: -1 } } }, 'continuation.counts.total is -1; expected a whole number from 0'],
    ['a continuation without a cursor', { continuation: { invocations: 1, counts: {} } }, 'continuation.after is missing'],
  ])('%s', async (_, change, message) => {
    await startAccount({ guardrails: 1, versions: 0, latencyMs: 1 });
    const event = { ...invocation(), ...change } as any;
    await expect(handler(event, contextWithin(60_000))).rejects.toThrow(`Malformed AWS Config event: ${message}`);
    expect(account.totalCalls()).toBe(0);
  });

  test('an event that is not an object', async () => {
    await startAccount({ guardrails: 1, versions: 0, latencyMs: 1 });
    await expect(handler(undefined as any)).rejects.toThrow('Malformed AWS Config event: event is missing; expected an object');
    expect(account.totalCalls()).toBe(0);
  });
});

// Last: the adaptive retry mode slows a throttled client down for the calls that follow.
test('throttled calls of every service are retried by the SDK and every guardrail is delivered once', async () => {
  await startAccount({ guardrails: 30, versions: 2, latencyMs: 2 });
  account.throttles.set('GetGuardrail', 3);
  account.throttles.set('ListGuardrails', 1);
  account.throttles.set('DescribeKey', 2);
  account.throttles.set('PutEvaluations', 1);

  await expect(handler(invocation(), contextWithin(60_000))).resolves.toMatchObject({ total: 30, compliant: 30, failedEvaluations: 0 });

  expect(account.deliveries.size).toBe(30);
  expect([...account.deliveries.values()].every((n) => n === 1)).toBe(true);
  expect(account.calls.get('GetGuardrail')).toBe(30 * 3 + 3);
  expect(account.invocations).toEqual([]);
}, 60_000);
