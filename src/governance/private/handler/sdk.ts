/**
 * The handler's use of the AWS SDK: the retry policy every client is built with (`SDK_CLIENT_CONFIG`),
 * and the helpers that name, classify (access denied or not) and describe the errors its calls raise.
 */

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);

/**
 * The SDK clients' settings: the SDK's adaptive retry mode (the standard mode's exponential back-off
 * with jitter on throttling, 5xx and timeouts, within a retry quota, plus a client-side rate limiter
 * that slows a client down once it is throttled) with six attempts per call, so that a throttled
 * Region still gets evaluated while the handler runs many calls at once; access and validation errors
 * are not retried.
 */
export const SDK_CLIENT_CONFIG = { maxAttempts: 6, retryMode: 'adaptive' } as const;

export function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : 'Error';
}

export function isAccessDenied(error: unknown): boolean {
  return ACCESS_DENIED.has(errorName(error));
}

/** `Name: message`, as an annotation or a log line shows an error. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${errorName(error)}: ${message}`;
}

/** "kms:DescribeKey was denied (…)" or "kms:DescribeKey failed (…)". */
export function callFailed(call: string, error: unknown): string {
  return `${call} ${isAccessDenied(error) ? 'was denied' : 'failed'} (${describeError(error)})`;
}
