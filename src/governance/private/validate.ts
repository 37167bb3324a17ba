import { Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';

/**
 * Checks a key handed to a governance construct: it must be a key, not an alias, of the stack's account
 * and Region. What cannot be known at synth (tokens, env-agnostic stacks) is never rejected.
 *
 * @param owner   the construct's class name, for the message
 * @param property how the caller passed the key, e.g. `keys[2]` or `addKey(key)`
 * @param why     what goes wrong with a key elsewhere, for the message
 */
export function checkKey(scope: IConstruct, owner: string, property: string, key: kms.IKey, why: string): void {
  const stack = Stack.of(scope);
  const shown = Token.isUnresolved(key.keyArn) ? key.node.path : key.keyArn;
  if ('aliasName' in key) {
    throw new Error(`${owner} ${property}: ${shown} is an alias; pass the key itself (a kms.Key, or kms.Key.fromKeyArn with arn:<partition>:kms:<region>:<account>:key/<key-id>), because ${why}`);
  }
  if (!Token.isUnresolved(key.keyArn) && !/^arn:[^:]+:kms:[^:]+:\d{12}:key\/.+$/.test(key.keyArn)) {
    throw new Error(`${owner} ${property}: '${key.keyArn}' is not a KMS key ARN; expected arn:<partition>:kms:<region>:<account>:key/<key-id>`);
  }
  const { region, account } = key.env;
  if (!Token.isUnresolved(region) && !Token.isUnresolved(stack.region) && region !== stack.region) {
    throw new Error(`${owner} ${property}: ${shown} is in Region ${region}; only keys of the stack's Region ${stack.region} are allowed, because ${why}`);
  }
  if (!Token.isUnresolved(account) && !Token.isUnresolved(stack.account) && account !== stack.account) {
    throw new Error(`${owner} ${property}: ${shown} belongs to account ${account}; only keys of the stack's account ${stack.account} are allowed, because ${why}`);
  }
}
