/** How `withRetries` backs off. */
export interface RetryOptions {
  /** Calls in all, the first included. */
  readonly maxAttempts?: number;
  /** The ceiling of the first back-off, doubled on each retry. */
  readonly baseDelayMs?: number;
  /** The largest back-off. */
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalServerException',
  'InternalFailure',
  'KMSInternalException',
  'DependencyTimeoutException',
]);

interface SdkErrorShape {
  readonly name?: string;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * Whether an AWS SDK error is worth another try: throttling, the services' internal errors, 5xx and
 * anything the SDK itself marked retryable. Access and validation errors are final.
 */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkErrorShape;
  if (e.name !== undefined && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.$retryable !== undefined && e.$retryable !== null) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && (status === 429 || status >= 500);
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `fn` until it succeeds, it fails with an error that is not retryable, or `maxAttempts` calls
 * failed. Back-off is exponential with full jitter, the scheme AWS recommends for throttled clients.
 * The SDK clients of the handler are built with a single attempt so that this is the one retry policy.
 */
export async function withRetries<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 6;
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 5_000;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= maxAttempts || !isRetryable(error)) throw error;
      await sleep(Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1))));
    }
  }
}
