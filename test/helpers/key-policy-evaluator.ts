/**
 * A small model of how KMS authorizes a request against a key policy, for tests that must prove who
 * can do what with a synthesized key, not just what the template looks like.
 *
 * Modelled: explicit Deny wins; an Allow naming the caller (or `*`, or the caller's service) authorizes
 * it directly; an Allow naming the caller's account root authorizes it only when the caller's IAM
 * policy also allows the action; conditions StringEquals, StringNotEquals, StringLike, ArnEquals,
 * ArnLike, Bool and BoolIfExists, with the request context KMS adds for every caller
 * (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalIsAWSService`, `kms:CallerAccount`).
 * Anything else in a policy makes the evaluator throw, so an unmodelled construct can never pass
 * silently.
 */

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
   * `aws:PrincipalArn` condition still does (KMS developer guide, "Key policies", principals).
   */
  readonly recreated?: boolean;
}

export type RequestContext = Readonly<Record<string, string>>;

export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: '*' | { AWS?: string | string[]; Service?: string | string[] };
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocumentJson {
  readonly Statement: PolicyStatementJson[];
}

const SUPPORTED_KEYS = new Set(['Sid', 'Effect', 'Principal', 'Action', 'Resource', 'Condition']);

function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function wildcardMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(value);
}

function conditionHolds(condition: PolicyStatementJson['Condition'], context: RequestContext): boolean {
  for (const [operator, entries] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const actual = context[key];
      const values = list(expected);
      switch (operator) {
        case 'StringEquals':
        case 'ArnEquals':
          if (actual === undefined || !values.includes(actual)) return false;
          break;
        case 'StringNotEquals':
          if (actual !== undefined && values.includes(actual)) return false;
          break;
        case 'StringLike':
        case 'ArnLike':
          if (actual === undefined || !values.some((v) => wildcardMatch(v, actual))) return false;
          break;
        case 'Bool':
          if (actual === undefined || !values.map(String).includes(actual)) return false;
          break;
        case 'BoolIfExists':
          if (actual !== undefined && !values.map(String).includes(actual)) return false;
          break;
        default:
          throw new Error(`key policy evaluator: condition operator ${operator} is not modelled`);
      }
    }
  }
  return true;
}

export class KeyPolicyEvaluator {
  constructor(private readonly policy: PolicyDocumentJson, private readonly keyAccount: string) {
    for (const statement of policy.Statement) {
      const unknown = Object.keys(statement).filter((k) => !SUPPORTED_KEYS.has(k));
      if (unknown.length > 0) throw new Error(`key policy evaluator: ${unknown.join(', ')} is not modelled`);
      for (const value of [...list(statement.Action), ...list(statement.Resource)]) {
        if (typeof value !== 'string') throw new Error(`key policy evaluator: unresolved value ${JSON.stringify(value)}`);
      }
    }
  }

  /** Whether KMS would let `caller` perform `action` on the key with the given request context. */
  public isAllowed(caller: Caller, action: string, requestContext: RequestContext = {}): boolean {
    const context: RequestContext = {
      'aws:PrincipalArn': caller.arn,
      'aws:PrincipalAccount': caller.account,
      'aws:PrincipalIsAWSService': caller.service ? 'true' : 'false',
      'kms:CallerAccount': caller.account,
      ...requestContext,
    };
    const applicable = this.policy.Statement.filter((s) =>
      list(s.Action).some((a) => wildcardMatch(a, action)) && conditionHolds(s.Condition, context));

    if (applicable.some((s) => s.Effect === 'Deny' && this.namesCaller(s, caller))) return false;

    return applicable.some((s) => {
      if (s.Effect !== 'Allow') return false;
      if (this.namesCaller(s, caller)) return true;
      // The account root delegates to IAM: the caller's own policies must allow the action too.
      return caller.account === this.keyAccount && !caller.service
        && this.awsPrincipals(s).includes(`arn:aws:iam::${this.keyAccount}:root`)
        && caller.identityAllows.some((a) => wildcardMatch(a, action));
    });
  }

  private awsPrincipals(statement: PolicyStatementJson): string[] {
    if (statement.Principal === '*') return ['*'];
    const unknown = Object.keys(statement.Principal).filter((kind) => kind !== 'AWS' && kind !== 'Service');
    if (unknown.length > 0) throw new Error(`key policy evaluator: principal ${unknown.join(', ')} is not modelled`);
    const principals = [...list(statement.Principal.AWS), ...list(statement.Principal.Service)];
    for (const p of principals) {
      if (typeof p !== 'string') throw new Error(`key policy evaluator: unresolved principal ${JSON.stringify(p)}`);
    }
    return principals;
  }

  private namesCaller(statement: PolicyStatementJson, caller: Caller): boolean {
    const principals = this.awsPrincipals(statement);
    if (principals.includes('*')) return true;
    if (caller.service) return principals.includes(caller.service);
    return !caller.recreated && principals.includes(caller.arn);
  }
}

export interface ResolveEnv {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly urlSuffix: string;
  /** `Fn::GetAtt` values by `<logicalId>.<attribute>`. */
  readonly attributes: Record<string, string>;
}

/** Resolves the intrinsics CDK puts in key policies into plain strings. */
export function resolveIntrinsics(value: unknown, env: ResolveEnv): any {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, env));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0];
    switch (fn) {
      case 'Ref': {
        const pseudo: Record<string, string> = {
          'AWS::Partition': env.partition, 'AWS::Region': env.region, 'AWS::AccountId': env.account, 'AWS::URLSuffix': env.urlSuffix,
        };
        if (!(String(arg) in pseudo)) throw new Error(`cannot resolve Ref ${String(arg)}`);
        return pseudo[String(arg)];
      }
      case 'Fn::GetAtt': {
        const key = (arg as string[]).join('.');
        if (!(key in env.attributes)) throw new Error(`cannot resolve Fn::GetAtt ${key}`);
        return env.attributes[key];
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return parts.map((p) => resolveIntrinsics(p, env)).join(separator);
      }
      default:
        if (fn.startsWith('Fn::')) throw new Error(`cannot resolve ${fn}`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, env)]));
}

/** Every `Fn::GetAtt <id>.Arn` of IAM roles and KMS keys in a template, as a plausible ARN. */
export function arnAttributes(template: { Resources: Record<string, { Type: string }> }, env: Omit<ResolveEnv, 'attributes'>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::IAM::Role') attributes[`${id}.Arn`] = `arn:${env.partition}:iam::${env.account}:role/${id}`;
    if (resource.Type === 'AWS::KMS::Key') attributes[`${id}.Arn`] = `arn:${env.partition}:kms:${env.region}:${env.account}:key/${id}`;
  }
  return attributes;
}
