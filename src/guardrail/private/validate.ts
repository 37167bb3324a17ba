import { Duration, Token } from 'aws-cdk-lib';

/**
 * Pure validators. Each one names the property, the value received and what is allowed, and lets
 * unresolved tokens through untouched: their value is only known at deploy time.
 */

export function fail(owner: string, property: string, value: unknown, allowed: string): never {
  throw new Error(`${owner}: invalid ${property}: received ${describe(value)}; allowed: ${allowed}.`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}" (${[...value].length} characters)`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return JSON.stringify(value) ?? String(value);
}

/** True for anything a CloudFormation intrinsic may stand in for: skip its validation. */
export function unresolved(value: unknown): boolean {
  return value !== undefined && Token.isUnresolved(value);
}

export interface StringRule {
  readonly min: number;
  readonly max: number;
  readonly pattern?: RegExp;
  /** How the pattern reads in an error message. */
  readonly patternText?: string;
  /** The whole "allowed" text of the error message, when length and pattern do not say it well. */
  readonly allowed?: string;
}

export function checkString(owner: string, property: string, value: string | undefined, rule: StringRule): void {
  if (value === undefined || unresolved(value)) return;
  const length = [...value].length;
  const allowed = rule.allowed ?? `${rule.min}-${rule.max} characters${rule.patternText ? ` of ${rule.patternText}` : ''}`;
  if (length < rule.min || length > rule.max || (rule.pattern && !rule.pattern.test(value))) {
    fail(owner, property, value, allowed);
  }
}

export function checkNumber(
  owner: string, property: string, value: number | undefined,
  range: { min: number; max: number; maxExclusive?: boolean },
): void {
  if (value === undefined || unresolved(value)) return;
  const tooHigh = range.maxExclusive ? value >= range.max : value > range.max;
  if (Number.isNaN(value) || value < range.min || tooHigh) {
    fail(owner, property, value, `${range.min} <= value ${range.maxExclusive ? '<' : '<='} ${range.max}`);
  }
}

export function checkOneOf(owner: string, property: string, value: string | undefined, allowed: readonly string[]): void {
  if (value === undefined || unresolved(value)) return;
  if (!allowed.includes(value)) fail(owner, property, value, allowed.join(', '));
}

export function checkDays(owner: string, property: string, value: Duration | undefined, min: number, max: number): void {
  if (value === undefined || value.isUnresolved()) return;
  const days = value.toDays({ integral: false });
  if (!Number.isInteger(days) || days < min || days > max) {
    fail(owner, property, value.toHumanString(), `a whole number of days from ${min} to ${max}`);
  }
}

/**
 * The elements of a list property that can be inspected: none when the list itself is a token,
 * and without the elements that are tokens.
 */
export function inspectable<T>(list: ReadonlyArray<T | unknown> | unknown | undefined): T[] {
  if (list === undefined || unresolved(list) || !Array.isArray(list)) return [];
  return list.filter((item) => !unresolved(item)) as T[];
}

/** The object behind a property that may be a token, or undefined when it cannot be inspected. */
export function inspectableObject<T>(value: T | unknown | undefined): T | undefined {
  if (value === undefined || unresolved(value)) return undefined;
  return value as T;
}
