import { Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { Origin } from '../core/errors';
import { namedPrincipal } from '../core/principals';

/** The IAM principals a statement names, which grants may add to until synthesis. */
interface Named {
  readonly origin: Origin;
  readonly scope: IConstruct;
  readonly arns: string[];
}

const namedBy = new WeakMap<iam.PolicyStatement, Named>();

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
      const name = namedPrincipal(origin, scope, principal, `${property}[${i}]`, property === props.accountAllowedIn);
      if (name.kind === 'account') wholeAccount = true;
      else named.arns.push(...name.arns.filter((arn) => !named.arns.includes(arn)));
    });
  }
  const statement = new iam.PolicyStatement({
    sid: props.sid,
    principals: [new iam.AccountRootPrincipal()],
    actions: [...props.actions],
    resources: ['*'],
    conditions: { ...props.conditions },
  });
  if (!wholeAccount) {
    // ArnLike, not ArnEquals, so that roles KMS cannot know by name in advance (StackSets'
    // stacksets-exec-* roles) can be named with a wildcard.
    statement.addCondition('ArnLike', { 'aws:PrincipalArn': Lazy.list({ produce: () => named.arns }) });
    namedBy.set(statement, named);
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
