/**
 * The event AWS Config passes to a custom Lambda rule, checked before any AWS call: a malformed event
 * fails at once with the field that is wrong, instead of after every guardrail was read.
 */

/** What AWS Config passes to a custom Lambda rule (the fields this rule reads). */
export interface ConfigRuleInvocation {
  /** JSON: for periodic rules `{ awsAccountId, notificationCreationTime, messageType, recordVersion }`. */
  readonly invokingEvent: string;
  readonly resultToken: string;
  readonly configRuleName: string;
  readonly accountId?: string;
  readonly ruleParameters?: string;
  /** Set by the rule itself when it continues a run in a follow-up invocation. */
  readonly continuation?: Continuation;
}

/**
 * Where a run that ran out of time goes on: the guardrails are taken in the order of their ARNs, and
 * every guardrail up to `after` was evaluated and delivered. The KPI counts so far travel with it, so
 * that the invocation that finishes the run writes the run's KPIs once.
 */
export interface Continuation {
  /** The ARN of the last guardrail delivered. */
  readonly after: string;
  /** How many invocations of this run came before (1 for the first follow-up). */
  readonly invocations: number;
  readonly counts: RunCounts;
  /** Tagged guardrail keys not yet seen in use (`undefined`: the tagged keys could not be listed). */
  readonly orphanCandidates?: ReadonlyArray<{ readonly keyArn: string; readonly guardrail: string }>;
}

/** The KPI counts of a run, added up over its invocations. */
export interface RunCounts {
  readonly total: number;
  readonly encryptedWithCmk: number;
  readonly compliant: number;
  readonly nonCompliant: number;
  readonly notEvaluated: number;
  readonly removed: number;
  readonly remediated: number;
}

/** A run as a checked event describes it. */
export interface RunRequest {
  readonly ruleName: string;
  readonly accountId: string;
  readonly resultToken: string;
  /** When Config sent the notification: the evaluations' ordering timestamp and the KPIs' time. */
  readonly at: Date;
  readonly continuation?: Continuation;
}

/** The message type of a periodic rule's notification, the only kind this rule is created with. */
export const SCHEDULED_NOTIFICATION = 'ScheduledNotification';

/** An event this handler cannot run on. */
export class MalformedEventError extends Error {
  constructor(field: string, received: unknown, allowed: string) {
    super(`Malformed AWS Config event: ${field} is ${describe(received)}; expected ${allowed}. Nothing was read or reported.`);
    this.name = 'MalformedEventError';
  }
}

const ACCOUNT_ID = /^\d{12}$/;
/** Config writes notificationCreationTime as an ISO 8601 date-time. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const COUNT_FIELDS: ReadonlyArray<keyof RunCounts> = ['total', 'encryptedWithCmk', 'compliant', 'nonCompliant', 'notEvaluated', 'removed', 'remediated'];

/** Checks the event, field by field, and returns the run it asks for. */
export function readInvocationEvent(event: unknown): RunRequest {
  const top = objectAt('event', event);
  const ruleName = text('configRuleName', top.configRuleName);
  const resultToken = text('resultToken', top.resultToken);
  const invokingText = text('invokingEvent', top.invokingEvent);
  let parsed: unknown;
  try {
    parsed = JSON.parse(invokingText);
  } catch {
    throw new MalformedEventError('invokingEvent', invokingText, 'a JSON object (AWS Config\'s invoking event)');
  }
  const invoking = objectAt('invokingEvent', parsed);
  if (invoking.messageType !== SCHEDULED_NOTIFICATION) {
    throw new MalformedEventError('invokingEvent.messageType', invoking.messageType, `'${SCHEDULED_NOTIFICATION}' (the rule is periodic)`);
  }
  const time = invoking.notificationCreationTime;
  if (typeof time !== 'string' || !ISO_DATE_TIME.test(time) || Number.isNaN(Date.parse(time))) {
    throw new MalformedEventError('invokingEvent.notificationCreationTime', time, 'an ISO 8601 date-time such as 2026-03-01T10:00:00.000Z');
  }
  const awsAccountId = invoking.awsAccountId;
  if (typeof awsAccountId !== 'string' || !ACCOUNT_ID.test(awsAccountId)) {
    throw new MalformedEventError('invokingEvent.awsAccountId', awsAccountId, 'a 12-digit account id');
  }
  if (top.accountId !== undefined && (typeof top.accountId !== 'string' || !ACCOUNT_ID.test(top.accountId))) {
    throw new MalformedEventError('accountId', top.accountId, 'a 12-digit account id, or no accountId');
  }
  return {
    ruleName,
    resultToken,
    accountId: (top.accountId as string | undefined) ?? awsAccountId,
    at: new Date(time),
    continuation: top.continuation === undefined ? undefined : readContinuation(top.continuation),
  };
}

function readContinuation(value: unknown): Continuation {
  const continuation = objectAt('continuation', value);
  const after = text('continuation.after', continuation.after);
  const invocations = continuation.invocations;
  if (typeof invocations !== 'number' || !Number.isInteger(invocations) || invocations < 1) {
    throw new MalformedEventError('continuation.invocations', invocations, 'a whole number from 1');
  }
  const countsObject = objectAt('continuation.counts', continuation.counts);
  const counts = {} as Record<keyof RunCounts, number>;
  for (const field of COUNT_FIELDS) {
    const count = countsObject[field];
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new MalformedEventError(`continuation.counts.${field}`, count, 'a whole number from 0');
    }
    counts[field] = count;
  }
  const candidates = continuation.orphanCandidates;
  if (candidates !== undefined && (!Array.isArray(candidates)
    || !candidates.every((c) => typeof c === 'object' && c !== null && typeof c.keyArn === 'string' && typeof c.guardrail === 'string'))) {
    throw new MalformedEventError('continuation.orphanCandidates', candidates, 'a list of { keyArn, guardrail } strings, or none');
  }
  return { after, invocations, counts, orphanCandidates: candidates };
}

function objectAt(field: string, value: unknown): Record<string, any> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedEventError(field, value, 'an object');
  return value as Record<string, any>;
}

function text(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0) throw new MalformedEventError(field, value, 'a non-empty string');
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const shown = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return shown.length > 80 ? `${shown.slice(0, 79)}…` : shown;
}
