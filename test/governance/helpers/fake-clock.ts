/** Runs `call` with the SDK's back-off on a fake clock, advanced until the call settles: the SDK waits seconds on throttling. */
export async function onFakeClock<T>(call: () => Promise<T>): Promise<{ value?: T; error?: any; waitedMs: number }> {
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
