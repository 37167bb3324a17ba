import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { accountOfPrincipal, accountRootOf, isRoleOrUserArn } from './arns';
import { comparePlacement, flattenIntrinsic } from './cfn-values';
import { Origin, refuse } from './errors';

/**
 * How a key policy names a principal of the key's account:
 * - `account`: the account root itself, which delegates to the account's IAM policies;
 * - `arns`: IAM roles or users by ARN, for an `aws:PrincipalArn` condition on the account principal.
 */
export type NamedPrincipal =
  | { readonly kind: 'account' }
  | { readonly kind: 'arns'; readonly arns: readonly string[] };

/**
 * A guardrail key is used and managed only from its own account (no cross-account principal, no
 * anonymous `*`).
 */
export function assertSameAccount(origin: Origin, scope: IConstruct, principal: iam.IPrincipal, property: string): void {
  const stack = Stack.of(scope);
  checkSameAccount(origin, stack, principal, property, awsPrincipalsOf(principal.policyFragment).map((p) => flattened(stack, p)));
}

/** `assertSameAccount`, given the principal's AWS principals as text. */
function checkSameAccount(origin: Origin, stack: Stack, principal: iam.IPrincipal, property: string, awsPrincipals: readonly string[]): void {
  if (awsPrincipals.includes('*')) {
    refuse(origin, `invalid ${property}: received the anonymous principal "*"; allowed: IAM principals of the key's account.`);
  }
  const own = flattened(stack, stack.account);
  const accounts = awsPrincipals.map(accountOfPrincipal);
  if (principal.principalAccount !== undefined) accounts.push(flattened(stack, principal.principalAccount));
  const foreign = accounts.find((account) => comparePlacement(account, own) === 'different');
  if (foreign !== undefined) {
    refuse(origin, `invalid ${property}: received a principal of account ${foreign}, but the key is in account ${own}; allowed: principals of the key's own account.`);
  }
}

/**
 * A principal of the key's account as the key policy names it. Roles and users are named by ARN
 * rather than as principals, because KMS pins a principal to the role's unique id: a role deleted
 * and re-created with the same name would silently lose access (KMS developer guide, "Key policies",
 * principals). The account root is kept as itself. Anything else (a service, a federated or
 * anonymous principal, a principal with conditions, an STS session) is refused.
 *
 * @param allowAccount whether the account root (all of the account's IAM) is an acceptable answer
 */
export function namedPrincipal(
  origin: Origin, scope: IConstruct, principal: iam.IPrincipal, property: string, allowAccount: boolean,
): NamedPrincipal {
  const stack = Stack.of(scope);
  const fragment = principal.policyFragment;
  // Each principal is resolved once: a key policy names the same principals in several statements.
  const arns = awsPrincipalsOf(fragment);
  const texts = arns.map((arn) => flattened(stack, arn));
  checkSameAccount(origin, stack, principal, property, texts);
  const others = Object.keys(fragment.principalJson).filter((kind) => kind !== 'AWS');
  const allowed = `IAM roles or users of the key's account${allowAccount ? ', or the account root' : ''} (iam.Role, iam.User, ` +
    'iam.Role.fromRoleArn, iam.ArnPrincipal of a role or user ARN)';
  if (others.length > 0) {
    const received = others.map((kind) => `the ${kind} principal ${fragment.principalJson[kind].map((value) => flattenIntrinsic(stack.resolve(value))).join(', ')}`).join(' and ');
    refuse(origin, `invalid ${property}: received ${received}; allowed: ${allowed}.`);
  }
  if (Object.keys(fragment.conditions).length > 0) {
    refuse(origin, `invalid ${property}: received a principal with conditions ${JSON.stringify(stack.resolve(fragment.conditions))}; allowed: ${allowed}.`);
  }
  if (texts.some(isAccountRoot)) {
    if (!allowAccount) {
      refuse(origin, `invalid ${property}: received the account root ${texts.find(isAccountRoot)}, which would let every IAM principal of the account in; allowed: ${allowed}.`);
    }
    return { kind: 'account' };
  }
  const unnamed = texts.find((text, i) => !Token.isUnresolved(arns[i]) && !isRoleOrUserArn(text));
  if (unnamed !== undefined) refuse(origin, `invalid ${property}: received ${unnamed}; allowed: ${allowed}.`);
  return { kind: 'arns', arns };
}

function awsPrincipalsOf(fragment: iam.PrincipalPolicyFragment): string[] {
  const json = fragment.principalJson as { AWS?: string[]; LiteralString?: string[] };
  return [...(json.AWS ?? []), ...(json.LiteralString ?? [])];
}

/** A value of the stack as text (`flattenIntrinsic`); text without tokens is already that. */
function flattened(stack: Stack, value: unknown): string {
  return typeof value === 'string' && !Token.isUnresolved(value) ? value : flattenIntrinsic(stack.resolve(value));
}

/** The account root, as an ARN (literal or joined) or a bare account id. */
function isAccountRoot(principal: string): boolean {
  return accountRootOf(principal) !== undefined;
}
