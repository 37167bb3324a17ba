import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { comparePlacement, flattenIntrinsic, stackPlacement } from './cfn-values';
import { Origin, refuse } from './errors';

/**
 * A guardrail key is used and managed only from its own account (no cross-account principal, no
 * anonymous `*`).
 */
export function assertSameAccount(origin: Origin, scope: IConstruct, principal: iam.IPrincipal, property: string): void {
  const stack = Stack.of(scope);
  const json = stack.resolve(principal.policyFragment.principalJson) as { AWS?: unknown[]; LiteralString?: unknown[] };
  const awsPrincipals = [...(json.AWS ?? []), ...(json.LiteralString ?? [])].map(flattenIntrinsic);
  if (awsPrincipals.includes('*')) {
    refuse(origin, `${property} is the anonymous principal '*'; allowed: IAM principals of the key's account.`);
  }
  const own = stackPlacement(stack).account;
  const accounts = awsPrincipals.map(accountOf);
  if (principal.principalAccount !== undefined) accounts.push(flattenIntrinsic(stack.resolve(principal.principalAccount)));
  const foreign = accounts.find((account) => comparePlacement(account, own) === 'different');
  if (foreign !== undefined) {
    refuse(origin, `${property} belongs to account ${foreign}, but the key is in account ${own}; allowed: principals of the key's own account.`);
  }
}

/** The account of an AWS principal given as an IAM/STS ARN or an account id. */
function accountOf(principal: string): string | undefined {
  const arn = /^arn:[^:]+:(?:iam|sts)::([^:]+):/.exec(principal);
  if (arn) return arn[1];
  return /^[0-9]{12}$/.test(principal) ? principal : undefined;
}

