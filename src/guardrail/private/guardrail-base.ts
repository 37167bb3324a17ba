import { Annotations, Resource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { addKeyUser } from './key-statements';
import { originOf, refuse, stackDisplayName } from '../../core/errors';
import { GUARDRAIL_USE_ACTIONS } from '../../core/kms-actions';
import { assertSameAccount } from '../../core/principals';
import { GuardrailKeyPolicy } from '../../key/guardrail-key-policy';
import { ISecureGuardrail } from '../guardrail-reference';

/**
 * What a guardrail created here and an imported one share: their grants (as `KeyBase` in aws-kms).
 * Not exported from the package: jsii blends its public members into `SecureGuardrail`.
 *
 * @internal
 */
export abstract class GuardrailBase extends Resource implements ISecureGuardrail {
  public abstract readonly guardrailId: string;
  public abstract readonly guardrailArn: string;
  public abstract readonly guardrailVersion: string;

  /**
   * The key that encrypts the guardrail, when known.
   *
   * @internal
   */
  protected abstract readonly _grantedKey?: kms.IKey;

  /**
   * Lets `grantee` apply the guardrail: `bedrock:ApplyGuardrail` on it (and on its guardrail profile
   * in every destination Region with cross-Region inference), and exactly `kms:Decrypt` on its key,
   * only through Bedrock in this Region, in both the grantee's policy and the key policy.
   */
  public grantApply(grantee: iam.IGrantable): iam.Grant {
    return this.grantAccess(grantee, 'bedrock:ApplyGuardrail', [this.guardrailArn, ...this._guardrailProfileArns()]);
  }

  /**
   * Lets `grantee` read the guardrail's configuration (`bedrock:GetGuardrail`), with exactly
   * `kms:Decrypt` on its key through Bedrock in this Region. For auditors and compliance checks such
   * as `GuardrailEncryptionConfigRule`; applications need `grantApply` only.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grantAccess(grantee, 'bedrock:GetGuardrail', [this.guardrailArn]);
  }

  /**
   * The guardrail-profile ARNs a caller of `grantApply` needs besides the guardrail's.
   *
   * @internal
   */
  protected _guardrailProfileArns(): string[] {
    return [];
  }

  /**
   * A Bedrock action on the guardrail, and `kms:Decrypt` on its key through Bedrock only, on both
   * sides: the grantee's identity policy and the key policy (which does not delegate use of the key
   * to IAM). When the key policy cannot be changed (imported key), a warning says what to add.
   */
  private grantAccess(grantee: iam.IGrantable, action: string, resourceArns: string[]): iam.Grant {
    const bedrockGrant = iam.Grant.addToPrincipal({ grantee, actions: [action], resourceArns });
    const key = this._grantedKey;
    if (!key) return bedrockGrant;

    assertSameAccount(originOf('SecureGuardrail', this), this, grantee.grantPrincipal, 'grantee');
    this.assertNoCycle(key, grantee);
    const decryptGrant = iam.Grant.addToPrincipal({
      grantee,
      actions: [...GUARDRAIL_USE_ACTIONS],
      resourceArns: [key.keyArn],
      conditions: { StringEquals: GuardrailKeyPolicy.viaBedrockCondition(this) },
    });

    const missing = addKeyUser(this, key, grantee.grantPrincipal);
    if (missing) {
      Annotations.of(this).addWarningV2(
        'cdk-secure-guardrail:importedKeyGrant',
        'The guardrail key is imported, so its key policy cannot be changed here. For the grantee to apply ' +
        'the guardrail, the key administrators must add this statement to the key policy: ' +
        JSON.stringify(Stack.of(this).resolve(missing.toStatementJson())),
      );
    }
    return bedrockGrant.combine(decryptGrant);
  }

  /**
   * The key policy names the grantee and the grantee's policy names the key: across two stacks that
   * is a cyclic reference, which CDK reports without saying how to avoid it.
   */
  private assertNoCycle(key: kms.IKey, grantee: iam.IGrantable): void {
    if (!Construct.isConstruct(grantee) || !Construct.isConstruct(key) || !(key.node.defaultChild instanceof kms.CfnKey)) return;
    const keyStack = stackDisplayName(Stack.of(key));
    const granteeStack = Stack.of(grantee);
    if (Stack.of(key) !== granteeStack) {
      refuse(originOf('SecureGuardrail', this),
        `invalid grantee: received ${grantee.node.path} of stack ${stackDisplayName(granteeStack)}, but the guardrail's key ` +
        `is in stack ${keyStack} and each would reference the other (a cyclic reference); allowed: a grantee of ` +
        `stack ${keyStack}, or the role imported there by ARN (iam.Role.fromRoleArn with a literal ARN).`);
    }
  }
}
