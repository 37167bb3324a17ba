import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The one way this library reports bad input. Every message starts with where it happened (the
 * construct path, when there is one) and who refused it, then names the property, the value received
 * and what is allowed:
 *
 * `[Tenants/acme-guardrail] SecureGuardrail: invalid guardrailName: received "acme guardrail" (14 characters); allowed: …`
 *
 * Plain `Error`s: aws-cdk-lib's `ValidationError` is internal, and jsii cannot export an `Error` subclass.
 */

/** Who refuses the input, and where in the construct tree. */
export interface Origin {
  /** The class (or `Class.method`) whose input it is, for example `SecureGuardrail`. */
  readonly owner: string;
  /** The construct path, when the input belongs to a construct; the app's root has none. */
  readonly path?: string;
}

/** The origin of input given to `scope` (or to a construct `childId` about to be created under it). */
export function originOf(owner: string, scope?: IConstruct, childId?: string): Origin {
  const parent = scope?.node.path;
  const path = childId === undefined ? parent : parent ? `${parent}/${childId}` : childId;
  return { owner, path: path || undefined };
}

/** Refuses a property's value: `invalid <property>: received <value>; allowed: <allowed>.` */
export function fail(origin: Origin, property: string, value: unknown, allowed: string): never {
  refuse(origin, `invalid ${property}: received ${describeValue(value)}; allowed: ${allowed}.`);
}

/** Refuses input that no single value explains (a combination of properties, a cyclic reference). */
export function refuse(origin: Origin, text: string): never {
  const where = origin.path ? `[${origin.path}] ` : '';
  throw new Error(readable(`${where}${origin.owner}: ${text}`));
}

/** How a value reads in a message: strings with their length, lists by their size, tokens as such. */
export function describeValue(value: unknown): string {
  if (value !== undefined && value !== null && Token.isUnresolved(value)) return UNRESOLVED;
  if (typeof value === 'string') return `"${value}" (${[...value].length} characters)`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return JSON.stringify(value) ?? String(value);
}

/** A stack as a message names it: its name, or its path while the name is a token (nested stacks). */
export function stackDisplayName(stack: Stack): string {
  return Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
}

const UNRESOLVED = 'an unresolved value';
/** Encoded tokens: strings `${Token[...]}`, list elements `#{Token[...]}`, numbers `-1.888…e+289`. */
const TOKEN_TEXT = /[$#]\{Token\[[^\]]*\]\}|-?1\.8881545897\d*e\+289/g;

/** A message never shows a token's encoding, which means nothing to whoever reads it. */
function readable(message: string): string {
  return message.replace(TOKEN_TEXT, UNRESOLVED);
}
