import { Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { Origin } from '../core/errors';
import { NamedPrincipal, namedPrincipal } from '../core/principals';

/** The IAM principals a statement names, which grants may add to until synthesis. */
interface Named {
  readonly origin: Origin;
  readonly scope: IConstruct;
  readonly arns: string[];
}

const namedBy = new WeakMap<iam.PolicyStatement, Named>();

/** Principals of a stack this library makes, by what they stand for, as `stackPrincipal` gives them. */
const stackPrincipals = new WeakMap<Stack, Map<string, iam.IPrincipal>>();
/** How the principals `stackPrincipal` made are named in their stack, once checked there. */
const stackPrincipalNames = new WeakMap<iam.IPrincipal, { readonly stack: Stack; readonly names: Map<boolean, NamedPrincipal> }>();

/**
 * One principal object per stack for what `create` makes (the account root, the deployment role):
 * every key of a stack names them, and the same object is checked once per stack, its tokens resolved
 * once, rather than once for each statement of each key.
 */
export function stackPrincipal<T extends iam.IPrincipal>(scope: IConstruct, kind: string, create: () => T): T {
  const stack = Stack.of(scope);
  let principals = stackPrincipals.get(stack);
  if (!principals) {
    principals = new Map();
    stackPrincipals.set(stack, principals);
  }
  let principal = principals.get(kind) as T | undefined;
  if (!principal) {
    principal = create();
    principals.set(kind, principal);
    stackPrincipalNames.set(principal, { stack, names: new Map() });
  }
  return principal;
}

/** The account root of `scope`'s stack. */
export function accountRoot(scope: IConstruct): iam.AccountRootPrincipal {
  return stackPrincipal(scope, 'account root', () => new iam.AccountRootPrincipal());
}

/** Principals already named while `namingOnce` runs, by whether the account root was allowed. */
let namedOnce: Map<iam.IPrincipal, Map<boolean, NamedPrincipal>> | undefined;

/**
 * Runs `build` (which makes the statements of one key policy) so that each principal it names is
 * checked once, not once for each statement that names it (the deployers are named in three).
 */
export function namingOnce<T>(build: () => T): T {
  const outer = namedOnce;
  namedOnce ??= new Map();
  try {
    return build();
  } finally {
    namedOnce = outer;
  }
}

/** `namedPrincipal`, remembered for a principal of `stackPrincipal` in its stack and while `namingOnce` runs. */
function checkedName(origin: Origin, scope: IConstruct, principal: iam.IPrincipal, property: string, allowAccount: boolean): NamedPrincipal {
  const ofStack = stackPrincipalNames.get(principal);
  const memory = ofStack?.stack === Stack.of(scope) ? ofStack.names : namedOnce?.get(principal);
  const known = memory?.get(allowAccount);
  if (known) return known;
  const name = namedPrincipal(origin, scope, principal, property, allowAccount);
  if (ofStack?.stack === Stack.of(scope)) ofStack.names.set(allowAccount, name);
  else namedOnce?.set(principal, (namedOnce.get(principal) ?? new Map()).set(allowAccount, name));
  return name;
}

export interface NamedPrincipalStatementProps {
  readonly sid: string;
  readonly actions: readonly string[];
  /** The principals, by the property they were given as (errors name it). */
  readonly principals: { readonly [property: string]: readonly iam.IPrincipal[] };
  readonly conditions?: { readonly [operator: string]: { readonly [key: string]: unknown } };
  /**
   * The property whose principals may include the account root. The root makes the statement
   * delegate to every IAM policy of the account, so that naming other principals beside it would
   * change nothing.
   *
   * @default - none may
   */
  readonly accountAllowedIn?: string;

  /**
   * Whether grants add principals to the statement until synthesis (`addNamedPrincipal`); its
   * `aws:PrincipalArn` list is then read when the template is written.
   *
   * @default false
   */
  readonly growing?: boolean;
}

/**
 * A key-policy statement for principals of the key's account, in the form that survives a role
 * being deleted and re-created with the same name: the account principal, narrowed by an
 * `aws:PrincipalArn` condition to the roles and users named (KMS developer guide, "Key policies",
 * "Allows access to the AWS account and enables IAM policies" and the `aws:PrincipalArn` example).
 * The price: the principals' own IAM policies must allow the actions too, which `SecureGuardrail`'s
 * grants add. With the account root among the principals, the statement has no such condition.
 */
export function namedPrincipalStatement(origin: Origin, scope: IConstruct, props: NamedPrincipalStatementProps): iam.PolicyStatement {
  const named: Named = { origin, scope, arns: [] };
  let wholeAccount = false;
  for (const [property, principals] of Object.entries(props.principals)) {
    principals.forEach((principal, i) => {
      const name = checkedName(origin, scope, principal, `${property}[${i}]`, property === props.accountAllowedIn);
      if (name.kind === 'account') wholeAccount = true;
      else named.arns.push(...name.arns.filter((arn) => !named.arns.includes(arn)));
    });
  }
  const statement = new iam.PolicyStatement({
    sid: props.sid,
    principals: [accountRoot(scope)],
    actions: [...props.actions],
    resources: ['*'],
    conditions: { ...props.conditions },
  });
  if (!wholeAccount) {
    // ArnLike, not ArnEquals, so that roles KMS cannot know by name in advance (StackSets'
    // stacksets-exec-* roles) can be named with a wildcard.
    // A list that no grant extends is written as it is: a token would be resolved at every read of the key policy.
    statement.addCondition('ArnLike', { 'aws:PrincipalArn': props.growing ? Lazy.list({ produce: () => named.arns }) : named.arns });
    if (props.growing) namedBy.set(statement, named);
  }
  return statement;
}

/**
 * Adds a principal to a statement made by `namedPrincipalStatement`. Returns false when the statement
 * names the whole account already (nothing to add).
 */
export function addNamedPrincipal(statement: iam.PolicyStatement, principal: iam.IPrincipal, property: string): boolean {
  const named = namedBy.get(statement);
  if (!named) return false;
  const name = namedPrincipal(named.origin, named.scope, principal, property, false);
  if (name.kind === 'arns') {
    for (const arn of name.arns) if (!named.arns.includes(arn)) named.arns.push(arn);
  }
  return true;
}
