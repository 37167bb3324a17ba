import { isRetryable, withRetries } from '../../src/governance/private/handler/retry';

describe('isRetryable', () => {
  test.each([
    ['throttling by name', { name: 'ThrottlingException' }, true],
    ['KMS internal errors', { name: 'KMSInternalException' }, true],
    ['anything the SDK marked retryable', { name: 'Whatever', $retryable: { throttling: true } }, true],
    ['HTTP 429', { name: 'X', $metadata: { httpStatusCode: 429 } }, true],
    ['HTTP 503', { name: 'X', $metadata: { httpStatusCode: 503 } }, true],
    ['access denied', { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }, false],
    ['validation errors', { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }, false],
    ['no status at all', { name: 'X' }, false],
    ['a string', 'boom', false],
    ['null', null, false],
  ])('%s', (_name, error, expected) => {
    expect(isRetryable(error)).toBe(expected);
  });
});

describe('withRetries', () => {
  const throttled = () => Object.assign(new Error('slow down'), { name: 'ThrottlingException' });

  test('backs off exponentially with full jitter, capped', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await withRetries(async () => {
      if (++calls < 5) throw throttled();
      return 'done';
    }, { sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5, baseDelayMs: 100, maxDelayMs: 300, maxAttempts: 5 });
    expect(result).toBe('done');
    expect(sleeps).toEqual([50, 100, 150, 150]);
  });

  test('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    await expect(withRetries(async () => { calls++; throw throttled(); }, { sleep: async () => undefined, maxAttempts: 3 }))
      .rejects.toThrow('slow down');
    expect(calls).toBe(3);
  });

  test('does not retry final errors', async () => {
    let calls = 0;
    await expect(withRetries(async () => { calls++; throw Object.assign(new Error('no'), { name: 'AccessDeniedException' }); }))
      .rejects.toThrow('no');
    expect(calls).toBe(1);
  });

  test('waits for real by default', async () => {
    let calls = 0;
    const started = Date.now();
    await withRetries(async () => { if (++calls < 2) throw throttled(); }, { baseDelayMs: 20, random: () => 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
});
