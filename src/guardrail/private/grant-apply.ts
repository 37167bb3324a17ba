import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { addKeyUser } from './key-statements';
import { GuardrailKeyPolicy } from '../../key-policy/guardrail-key-policy';
import { GUARDRAIL_USE_ACTIONS } from '../../key-policy/private/actions';
import { assertSameAccount } from '../../key-policy/private/principals';

export interface GrantGuardrailAccessOptions {
  /** The construct that grants: errors and warnings are attached to it. */
  readonly scope: IConstruct;
  readonly grantee: iam.IGrantable;
  /** The Bedrock actions, for example `bedrock:ApplyGuardrail`. */
  readonly actions: string[];
  /** The guardrail ARN and any guardrail-profile ARNs the actions apply to. */
  readonly guardrailResourceArns: string[];
  /** The guardrail's key, when known. */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Bedrock actions on the guardrail, and `kms:Decrypt` on its key through Bedrock only, on both
 * sides: the grantee's identity policy and the key policy (which does not delegate use of the key to
 * IAM). When the key policy cannot be changed (imported key), a warning says what to add.
 */
export function grantGuardrailAccess(options: GrantGuardrailAccessOptions): iam.Grant {
  const { scope, grantee, encryptionKey: key } = options;
  const bedrockGrant = iam.Grant.addToPrincipal({
    grantee,
    actions: options.actions,
    resourceArns: options.guardrailResourceArns,
  });
  if (!key) return bedrockGrant;

  assertSameAccount(scope, grantee.grantPrincipal, 'grantee');
  assertNoCycle(key, grantee);
  const decryptGrant = iam.Grant.addToPrincipal({
    grantee,
    actions: [...GUARDRAIL_USE_ACTIONS],
    resourceArns: [key.keyArn],
    conditions: { StringEquals: GuardrailKeyPolicy.viaBedrockCondition(scope) },
  });

  const missing = addKeyUser(scope, key, grantee.grantPrincipal);
  if (missing) {
    Annotations.of(scope).addWarningV2(
      'cdk-secure-guardrail:importedKeyGrant',
      'The guardrail key is imported, so its key policy cannot be changed here. For the grantee to apply ' +
      'the guardrail, the key administrators must add this statement to the key policy: ' +
      JSON.stringify(Stack.of(scope).resolve(missing.toStatementJson())),
    );
  }
  return bedrockGrant.combine(decryptGrant);
}

/**
 * The key policy names the grantee and the grantee's policy names the key: across two stacks that
 * is a cyclic reference, which CDK reports without saying how to avoid it.
 */
function assertNoCycle(key: kms.IKey, grantee: iam.IGrantable): void {
  if (!Construct.isConstruct(grantee) || !Construct.isConstruct(key) || !(key.node.defaultChild instanceof kms.CfnKey)) return;
  const keyStack = Stack.of(key);
  const granteeStack = Stack.of(grantee);
  if (keyStack !== granteeStack) {
    throw new Error(
      `SecureGuardrail: invalid grantee: received ${grantee.node.path} of stack ${granteeStack.stackName}, but the guardrail's key ` +
      `is in stack ${keyStack.stackName} and each would reference the other (a cyclic reference); allowed: a grantee of ` +
      `stack ${keyStack.stackName}, or the role imported there by ARN (iam.Role.fromRoleArn with a literal ARN).`,
    );
  }
}
