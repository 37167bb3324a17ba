import { Duration, Token } from 'aws-cdk-lib';
import { fail, Origin } from './errors';

/**
 * Pure validators. Each one names the property, the value received and what is allowed, and lets
 * unresolved tokens through untouched: their value is only known at deploy time.
 */

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

export function checkString(origin: Origin, property: string, value: string | undefined, rule: StringRule): void {
  if (value === undefined || unresolved(value)) return;
  const length = [...value].length;
  const allowed = rule.allowed ?? `${rule.min}-${rule.max} characters${rule.patternText ? ` of ${rule.patternText}` : ''}`;
  if (length < rule.min || length > rule.max || (rule.pattern && !rule.pattern.test(value))) {
    fail(origin, property, value, allowed);
  }
}

export interface NumberRange {
  readonly min: number;
  readonly max: number;
  readonly maxExclusive?: boolean;
  /** Only whole numbers; the message then reads "a whole number <unit> from min to max". */
  readonly integer?: boolean;
  readonly unit?: string;
}

export function checkNumber(origin: Origin, property: string, value: number | undefined, range: NumberRange): void {
  if (value === undefined || unresolved(value)) return;
  checkSetting(origin, property, value, range);
}

/** A synth-time setting (an option of a check, not a resource property): a token is refused too. */
export function checkSetting(origin: Origin, property: string, value: number, range: NumberRange): void {
  if (typeof value !== 'number' || unresolved(value) || !inRange(value, range)) fail(origin, property, value, rangeText(range));
}

export function checkOneOf(origin: Origin, property: string, value: string | undefined, allowed: readonly string[]): void {
  if (value === undefined || unresolved(value)) return;
  if (!allowed.includes(value)) fail(origin, property, value, allowed.join(', '));
}

/** A duration of whole days within `range` (its unit is days). */
export function checkDays(origin: Origin, property: string, value: Duration | undefined, range: NumberRange): void {
  if (value === undefined || value.isUnresolved()) return;
  if (!inRange(value.toDays({ integral: false }), { ...range, integer: true })) {
    fail(origin, property, value.toHumanString(), rangeText({ ...range, integer: true, unit: 'of days' }));
  }
}

function inRange(value: number, range: NumberRange): boolean {
  if (Number.isNaN(value) || (range.integer && !Number.isInteger(value))) return false;
  return value >= range.min && (range.maxExclusive ? value < range.max : value <= range.max);
}

function rangeText(range: NumberRange): string {
  if (range.integer) return `a whole number${range.unit ? ` ${range.unit}` : ''} from ${range.min} to ${range.max}`;
  return `${range.min} <= value ${range.maxExclusive ? '<' : '<='} ${range.max}`;
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
