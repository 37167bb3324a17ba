import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { comparePlacement, flattenIntrinsic, stackPlacement } from '../../detection/key-arn';

/**
 * A guardrail key is used and managed only from its own account (no cross-account principal, no
 * anonymous `*`).
 */
export function assertSameAccount(scope: IConstruct, principal: iam.IPrincipal, property: string): void {
  const stack = Stack.of(scope);
  const aws = stack.resolve(principal.policyFragment.principalJson.AWS);
  if ((Array.isArray(aws) ? aws : [aws]).includes('*')) {
    throw new Error(
      `GuardrailKeyPolicy: ${property} is the anonymous principal '*'; allowed: IAM principals of the key's account.`,
    );
  }
  if (principal.principalAccount === undefined) return;
  const account = flattenIntrinsic(stack.resolve(principal.principalAccount));
  if (comparePlacement(account, stackPlacement(stack).account) === 'different') {
    throw new Error(
      `GuardrailKeyPolicy: ${property} belongs to account ${account}, but the key is in account ` +
      `${stackPlacement(stack).account}; allowed: principals of the key's own account.`,
    );
  }
}
