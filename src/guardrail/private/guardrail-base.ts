import { Annotations, Resource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { addKeyAuditor, addKeyUser } from './key-statements';
import { Origin, originOf, refuse, stackDisplayName } from '../../core/errors';
import { GUARDRAIL_USE_ACTIONS, KEY_AUDIT_ACTIONS } from '../../core/kms-actions';
import { namedPrincipal } from '../../core/principals';
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
   * in every destination Region with cross-Region inference), `bedrock:InvokeAutomatedReasoningPolicy`
   * on its Automated Reasoning policies, and exactly `kms:Decrypt` on its key, only through Bedrock in
   * this Region, in both the grantee's policy and the key policy. For a Bedrock agent or flow, grant
   * its service role.
   */
  public grantApply(grantee: iam.IGrantable): iam.Grant {
    let grant = iam.Grant.addToPrincipal({
      grantee, actions: ['bedrock:ApplyGuardrail'], resourceArns: [this.guardrailArn, ...this._guardrailProfileArns()],
    });
    const reasoningPolicies = this._automatedReasoningPolicyArns();
    if (reasoningPolicies.length > 0) {
      grant = grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['bedrock:InvokeAutomatedReasoningPolicy'], resourceArns: reasoningPolicies }));
    }
    return this.withKeyGrants('grantApply', grant, grantee, 'use');
  }

  /**
   * Lets `grantee` read the guardrail's configuration (`bedrock:GetGuardrail`), with exactly
   * `kms:Decrypt` on its key through Bedrock in this Region, and audit the key (DescribeKey,
   * GetKeyPolicy, GetKeyRotationStatus, ListResourceTags; no key material), also when the key has
   * explicit administrators. For auditors and compliance checks such as
   * `GuardrailEncryptionConfigRule`; applications need `grantApply` only.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['bedrock:GetGuardrail'], resourceArns: [this.guardrailArn] });
    return this.withKeyGrants('grantRead', grant, grantee, 'use', 'audit');
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
   * The Automated Reasoning policies the guardrail checks with, which `grantApply` lets its grantee
   * invoke.
   *
   * @internal
   */
  protected _automatedReasoningPolicyArns(): string[] {
    return [];
  }

  /**
   * The key's side of a grant, on both sides: the grantee's identity policy and the key policy (which
   * does not delegate use of the key to IAM). When the key policy cannot be changed (imported key), a
   * warning says what to add.
   */
  private withKeyGrants(method: string, grant: iam.Grant, grantee: iam.IGrantable, ...uses: Array<'use' | 'audit'>): iam.Grant {
    const key = this._grantedKey;
    if (!key) return grant;
    const origin = originOf(`SecureGuardrail.${method}`, this);
    namedPrincipal(origin, this, grantee.grantPrincipal, 'grantee', false);
    this.assertNoCycle(origin, key, grantee);
    const viaBedrock = { StringEquals: GuardrailKeyPolicy.viaBedrockCondition(this) };
    for (const use of uses) {
      grant = grant.combine(iam.Grant.addToPrincipal(use === 'use'
        ? { grantee, actions: [...GUARDRAIL_USE_ACTIONS], resourceArns: [key.keyArn], conditions: viaBedrock }
        : { grantee, actions: [...KEY_AUDIT_ACTIONS], resourceArns: [key.keyArn] }));
      const missing = (use === 'use' ? addKeyUser : addKeyAuditor)(this, key, grantee.grantPrincipal);
      if (missing) {
        Annotations.of(this).addWarningV2(
          use === 'use' ? 'cdk-secure-guardrail:importedKeyGrant' : 'cdk-secure-guardrail:importedKeyAudit',
          `The guardrail key is imported, so its key policy cannot be changed here. For the grantee to ${use === 'use' ? 'apply the guardrail' : 'audit the key'}, ` +
          'the key administrators must add this statement to the key policy: ' +
          JSON.stringify(Stack.of(this).resolve(missing.toStatementJson())),
        );
      }
    }
    return grant;
  }

  /**
   * The key policy names the grantee and the grantee's policy names the key: across two stacks that
   * is a cyclic reference, which CDK reports without saying how to avoid it.
   */
  private assertNoCycle(origin: Origin, key: kms.IKey, grantee: iam.IGrantable): void {
    if (!Construct.isConstruct(grantee) || !Construct.isConstruct(key) || !(key.node.defaultChild instanceof kms.CfnKey)) return;
    const keyStack = stackDisplayName(Stack.of(key));
    const granteeStack = Stack.of(grantee);
    if (Stack.of(key) !== granteeStack) {
      refuse(origin,
        `invalid grantee: received ${grantee.node.path} of stack ${stackDisplayName(granteeStack)}, but the guardrail's key ` +
        `is in stack ${keyStack} and each would reference the other (a cyclic reference); allowed: a grantee of ` +
        `stack ${keyStack}, or the role imported there by ARN (iam.Role.fromRoleArn with a literal ARN).`);
    }
  }
}
