/**
 * How KMS authorizes one request against a key policy, for the checks that must know who can do
 * what with a key rather than what its policy looks like: the least-privilege rules at synth, the
 * Config rule in the account, and the tests.
 *
 * Modelled: explicit Deny wins; an Allow naming the caller (or `*`, or the caller's service)
 * authorizes it; an Allow naming the caller's account (its root ARN or bare id) authorizes it only
 * when the caller's IAM policies allow the action too; `Principal`/`NotPrincipal`,
 * `Action`/`NotAction` with `*` and `?` wildcards; the condition operators key policies use (String,
 * Arn, Bool, Null; `…IfExists`; `ForAnyValue:`/`ForAllValues:`), over the request context KMS adds
 * for every caller (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalIsAWSService`,
 * `kms:CallerAccount`). A role named as a principal stops matching once deleted and re-created (KMS
 * keeps it by unique id); an `aws:PrincipalArn` condition does not.
 *
 * Anything else (another operator, `NotResource`, a federated principal, a value that is not text)
 * throws `UndecidablePolicy`: it can never pass as allowed or refused by accident. It imports
 * nothing but the pure ARN helpers, so that the Config rule's bundled handler can use it.
 */

import { accountRootOf } from './arns';

export interface Caller {
  /** The role or user ARN (for a role's sessions too: what `aws:PrincipalArn` holds). */
  readonly arn: string;
  readonly account: string;
  /** Actions the caller's identity (IAM) policies allow on the key: `*` for an administrator. */
  readonly identityAllows: readonly string[];
  /** For an AWS service calling as itself: its service principal, such as `bedrock.amazonaws.com`. */
  readonly service?: string;
  /**
   * The role was deleted and re-created with the same name since the key policy was set. KMS keeps
   * a role named as a principal by its unique id, so such a statement no longer matches it; an
   * `aws:PrincipalArn` condition still does.
   */
  readonly recreated?: boolean;
}

export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface PolicyDocumentJson {
  readonly Statement: PolicyStatementJson | readonly PolicyStatementJson[];
}

/** A policy, or part of one, the evaluator cannot decide: it is never taken as allowed or refused. */
export class UndecidablePolicy extends Error {}

/**
 * How to treat a condition on a key the request context does not hold: as absent, as KMS does; or,
 * for an analysis of who could ever make a request, in the worst case for the keys the requester
 * controls (encryption context, grant tokens…): an Allow's condition on them holds, a Deny's does not.
 */
export interface MissingKeys {
  /** The keys whose value the requester chooses. */
  readonly requesterControls: (key: string) => boolean;
}

/** The statement that decided a request: its `Sid`, or its index when it has none. */
export interface Decision {
  readonly allowed: boolean;
  readonly statement?: string;
}

const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'Condition']);
const STRING_OPERATORS = new Set(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase',
  'StringLike', 'StringNotLike', 'ArnEquals', 'ArnNotEquals', 'ArnLike', 'ArnNotLike', 'Bool', 'Null']);

export class KeyPolicyEvaluator {
  private readonly statements: readonly PolicyStatementJson[];

  /**
   * @param missingKeys how to treat conditions on keys a request does not hold; default: as absent
   */
  constructor(policy: PolicyDocumentJson, private readonly missingKeys?: MissingKeys) {
    this.statements = list(policy.Statement) as PolicyStatementJson[];
    this.statements.forEach((statement, i) => {
      const unknown = Object.keys(statement).filter((element) => !STATEMENT_ELEMENTS.has(element));
      if (unknown.length > 0) throw new UndecidablePolicy(`statement ${nameOf(statement, i)}: ${unknown.join(', ')} is not modelled`);
      if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
        throw new UndecidablePolicy(`statement ${nameOf(statement, i)}: Effect ${JSON.stringify(statement.Effect)} is not Allow or Deny`);
      }
      for (const value of [...list(statement.Action), ...list(statement.NotAction), ...list(statement.Resource)]) {
        if (typeof value !== 'string') throw new UndecidablePolicy(`statement ${nameOf(statement, i)}: unresolved value ${JSON.stringify(value)}`);
      }
    });
  }

  /** Whether KMS would let `caller` perform `action` on the key with the given request context. */
  public isAllowed(caller: Caller, action: string, requestContext: RequestContext = {}): boolean {
    return this.decide(caller, action, requestContext).allowed;
  }

  /** Whether KMS would allow the request, and which statement decides: the Deny, or the first Allow. */
  public decide(caller: Caller, action: string, requestContext: RequestContext = {}): Decision {
    // A service calling as itself has no principal ARN or account in the request.
    const context: RequestContext = caller.service
      ? { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': caller.service, ...requestContext }
      : {
        'aws:PrincipalArn': caller.arn,
        'aws:PrincipalAccount': caller.account,
        'aws:PrincipalIsAWSService': 'false',
        'kms:CallerAccount': caller.account,
        ...requestContext,
      };
    const applies = (statement: PolicyStatementJson) =>
      coversAction(statement, action) && conditionHolds(statement, context, this.missingKeys);
    const deny = this.statements.findIndex((s) => s.Effect === 'Deny' && this.namesCaller(s, caller, true) && applies(s));
    if (deny >= 0) return { allowed: false, statement: nameOf(this.statements[deny], deny) };
    const allow = this.statements.findIndex((s) => s.Effect === 'Allow' && applies(s) && this.authorizes(s, caller, action));
    return allow >= 0 ? { allowed: true, statement: nameOf(this.statements[allow], allow) } : { allowed: false };
  }

  /** An Allow authorizes the caller by naming it, or by naming its account when its IAM policies allow the action. */
  private authorizes(statement: PolicyStatementJson, caller: Caller, action: string): boolean {
    if (this.namesCaller(statement, caller, false)) return true;
    if (caller.service || statement.NotPrincipal !== undefined) return false;
    return principalsOf(statement).aws.some((p) => accountRootOf(p) === caller.account)
      && caller.identityAllows.some((allowed) => wildcardMatch(allowed, action));
  }

  /**
   * Whether the statement names the caller itself. For a Deny, naming the caller's account counts as
   * naming the caller (a Deny needs no IAM policy to take effect).
   */
  private namesCaller(statement: PolicyStatementJson, caller: Caller, deny: boolean): boolean {
    if (statement.NotPrincipal !== undefined) {
      const excluded = principalsOf({ ...statement, Principal: statement.NotPrincipal });
      return !this.matches(excluded, caller, deny);
    }
    return this.matches(principalsOf(statement), caller, deny);
  }

  private matches(principals: Principals, caller: Caller, accountCounts: boolean): boolean {
    if (principals.any) return true;
    if (caller.service) return principals.service.includes(caller.service);
    if (!caller.recreated && principals.aws.includes(caller.arn)) return true;
    return accountCounts && principals.aws.some((p) => accountRootOf(p) === caller.account);
  }
}

interface Principals {
  /** `*`, or `{"AWS": "*"}`: everyone. */
  readonly any: boolean;
  readonly aws: readonly string[];
  readonly service: readonly string[];
}

function principalsOf(statement: PolicyStatementJson): Principals {
  const principal = statement.Principal;
  if (principal === '*') return { any: true, aws: [], service: [] };
  if (principal === undefined || principal === null || typeof principal !== 'object' || Array.isArray(principal)) {
    throw new UndecidablePolicy(`principal ${JSON.stringify(principal)} is not modelled`);
  }
  const unknown = Object.keys(principal).filter((kind) => kind !== 'AWS' && kind !== 'Service');
  if (unknown.length > 0) throw new UndecidablePolicy(`principal ${unknown.join(', ')} is not modelled`);
  const { AWS: aws, Service: service } = principal as { AWS?: unknown; Service?: unknown };
  const texts = (value: unknown) => list(value).map((p) => {
    if (typeof p !== 'string') throw new UndecidablePolicy(`unresolved principal ${JSON.stringify(p)}`);
    return p;
  });
  const awsPrincipals = texts(aws);
  return { any: awsPrincipals.includes('*'), aws: awsPrincipals, service: texts(service) };
}


function coversAction(statement: PolicyStatementJson, action: string): boolean {
  if (statement.NotAction !== undefined) return !list(statement.NotAction).some((a) => wildcardMatch(a as string, action));
  return list(statement.Action).some((a) => wildcardMatch(a as string, action));
}

function conditionHolds(statement: PolicyStatementJson, context: RequestContext, missingKeys: MissingKeys | undefined): boolean {
  for (const [qualifiedOperator, entries] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(entries ?? {})) {
      const actual = context[key];
      if (actual === undefined && missingKeys?.requesterControls(key)) {
        if (statement.Effect === 'Allow') continue;
        return false;
      }
      if (!operatorHolds(qualifiedOperator, key, list(expected), actual === undefined ? undefined : list(actual) as string[])) return false;
    }
  }
  return true;
}

/** One condition: `[ForAnyValue:|ForAllValues:]<operator>[IfExists]` on one key. */
function operatorHolds(qualifiedOperator: string, key: string, expected: unknown[], actual: string[] | undefined): boolean {
  const [, qualifier, operator, ifExists] = /^(?:(ForAnyValue|ForAllValues):)?(.*?)(IfExists)?$/.exec(qualifiedOperator)!;
  if (!STRING_OPERATORS.has(operator)) throw new UndecidablePolicy(`condition operator ${qualifiedOperator} is not modelled`);
  const values = expected.map((value) => {
    if (typeof value !== 'string' && typeof value !== 'boolean') throw new UndecidablePolicy(`unresolved condition value ${JSON.stringify(value)} of ${key}`);
    return String(value);
  });
  if (operator === 'Null') return values.some((value) => (value === 'true') === (actual === undefined));
  if (actual === undefined) {
    if (ifExists || qualifier === 'ForAllValues') return true;
    // Negated operators hold when the key is absent; the others do not.
    return /Not/.test(operator) && qualifier !== 'ForAnyValue';
  }
  const match = (value: string) => valueMatches(operator.replace('Not', ''), values, value);
  const negated = /Not/.test(operator);
  if (qualifier === 'ForAllValues') return actual.every((value) => match(value) !== negated);
  if (qualifier === 'ForAnyValue') return actual.some((value) => match(value) !== negated);
  // A single-valued key: negated operators hold when no value matches.
  return negated ? !actual.some(match) : actual.some(match);
}

function valueMatches(operator: string, expected: readonly string[], actual: string): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
    case 'Bool':
      return expected.includes(actual);
    case 'StringEqualsIgnoreCase':
      return expected.some((value) => value.toLowerCase() === actual.toLowerCase());
    default: // StringLike, ArnLike
      return expected.some((value) => wildcardMatch(value, actual, true));
  }
}

const patterns = new Map<string, RegExp>();

/** IAM's wildcards: `*` for any run of characters, `?` for one; actions compare without case. */
export function wildcardMatch(pattern: string, value: string, caseSensitive = false): boolean {
  const cacheKey = `${caseSensitive ? 's' : 'i'}${pattern}`;
  let regex = patterns.get(cacheKey);
  if (!regex) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    regex = new RegExp(`^${body}$`, caseSensitive ? '' : 'i');
    patterns.set(cacheKey, regex);
  }
  return regex.test(value);
}

function nameOf(statement: PolicyStatementJson, index: number): string {
  return statement.Sid ?? `#${index}`;
}

function list<T>(value: T | readonly T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T];
}
