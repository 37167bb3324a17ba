import { Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { analyzeKeyArnIn, KeyArnAnalysis } from './key-arn';
import { keyReferencedBy } from './private/given-values';
import { KEY_ARN_SHAPE } from '../core/arns';
import { comparePlacement, flattenIntrinsic, stackPlacement } from '../core/cfn-values';
import { fail, Origin, refuse } from '../core/errors';

export interface KeyCheck {
  readonly analysis: KeyArnAnalysis;
  /** Parts of the key's placement ('Region', 'account') that cannot be compared at synth. */
  readonly unverified: Array<'Region' | 'account'>;
}

/**
 * Refuses, at construction, a key that cannot be a guardrail's customer-managed key in `scope`'s
 * stack: an alias in any form (and so an AWS managed key), a value that is not a key ARN (the key
 * id of a key of the app included), a key of another Region or account. What cannot be known yet
 * (tokens, env-agnostic stacks) is let through and reported in the result, for callers that warn
 * about it.
 *
 * @param why why the key must be in the stack's own Region and account, for the error message
 */
export function checkCustomerManagedKey(origin: Origin, scope: IConstruct, property: string, key: kms.IKey, why: string): KeyCheck {
  const stack = Stack.of(scope);
  const analysis = analyzeKeyArnIn(stack, key.keyArn);
  const shown = Token.isUnresolved(key.keyArn) && analysis.kind !== 'alias' ? key.node.path : analysis.text;
  if (analysis.kind === 'alias') {
    fail(origin, property, shown, 'a customer-managed key given by key ARN or as a kms.Key (aliases, and so AWS managed keys such as alias/aws/bedrock, are refused)');
  }
  if (analysis.kind === 'malformed') {
    fail(origin, property, shown, `a KMS key ARN, ${KEY_ARN_SHAPE}`);
  }
  // A token is not refused for its shape, but a reference to a key of the app says what it takes of the key.
  const reference = keyReferencedBy(key.keyArn);
  if (reference !== undefined && reference.attribute !== 'Arn') {
    refuse(origin, `invalid ${property}: received a key whose ARN is the key id of ${reference.key.node.path} (its ${reference.attribute}), which `
      + 'CloudFormation refuses where a key ARN belongs; allowed: a key given by its ARN (the kms.Key itself, kms.Key.fromCfnKey, '
      + 'or kms.Key.fromKeyArn with key.keyArn or CfnKey.attrArn).');
  }
  // A key of the app carries its stack's environment; an ARN carries its own, the lookup placeholder's included.
  const keyPlacement = analysis.kind === 'reference'
    ? { region: flattenIntrinsic(stack.resolve(key.env.region)), account: flattenIntrinsic(stack.resolve(key.env.account)) }
    : { region: analysis.region, account: analysis.account };
  const own = stackPlacement(stack);
  const unverified: Array<'Region' | 'account'> = [];
  for (const [part, value, ownValue] of [['Region', keyPlacement.region, own.region], ['account', keyPlacement.account, own.account]] as const) {
    const match = comparePlacement(value, ownValue);
    if (match === 'different') fail(origin, property, shown, `a key in the stack's own ${part} (${ownValue}), because ${why}`);
    if (match === 'unknown') unverified.push(part);
  }
  return { analysis, unverified };
}
