import { Annotations, AspectPriority, Aspects, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { originOf, stackDisplayName } from '../core/errors';
import { GuardrailInspector, isGuardrail } from '../detection/guardrail-inspection';
import { GuardrailKeyFactory } from '../key/guardrail-key-factory';
import { applyGuardrailTags, GuardrailTags, guardrailTags } from '../key/guardrail-tags';
import { MandatoryTags } from '../key/mandatory-tags';

/**
 * Settings of the `GuardrailKeyRemediationAspect`.
 */
export interface GuardrailKeyRemediationAspectProps {
  /**
   * Ownership tags for the keys the aspect creates (and for the guardrails it encrypts, unless they
   * already carry them).
   */
  readonly mandatoryTags: MandatoryTags;

  /**
   * Administrators of the created keys.
   *
   * @default - the account root of each guardrail's stack (administration only, through IAM)
   */
  readonly keyAdmins?: iam.IPrincipal[];

  /**
   * The roles that deploy the stacks (see `SecureGuardrailProps.deploymentPrincipals`).
   *
   * @default - the CloudFormation execution role of each stack's synthesizer (the top-level stack's
   * for a nested stack)
   */
  readonly deploymentPrincipals?: iam.IPrincipal[];
}

/**
 * For teams migrating existing stacks: gives every `AWS::Bedrock::Guardrail` in its scope that has
 * no `KmsKeyArn` a new customer-managed key of the `SecureGuardrail` standard (symmetric, rotated
 * yearly, 30-day pending window, retained, deletion-protected, `GuardrailKeyPolicy`, tagged) in the
 * guardrail's own scope, and points the guardrail at it. Each remediation is reported as an info
 * annotation. Guardrails that already name a key are left alone, even a non-compliant one.
 *
 * The created key's policy names no key users yet: add the guardrail's callers with
 * `GuardrailKeyPolicy.keyUseStatement` (their IAM policies must allow `kms:Decrypt` on the key too) or
 * move them to `SecureGuardrail.grantApply`.
 */
export class GuardrailKeyRemediationAspect implements IAspect {
  /**
   * Adds the aspect to `scope` with MUTATING priority, so the checks (READONLY) see its keys.
   */
  public static applyTo(scope: IConstruct, props: GuardrailKeyRemediationAspectProps): GuardrailKeyRemediationAspect {
    const aspect = new GuardrailKeyRemediationAspect(props);
    Aspects.of(scope).add(aspect, { priority: AspectPriority.MUTATING });
    return aspect;
  }

  private readonly tags: GuardrailTags;
  private readonly keyFactory: GuardrailKeyFactory;

  constructor(props: GuardrailKeyRemediationAspectProps) {
    const origin = originOf('GuardrailKeyRemediationAspect');
    this.tags = guardrailTags(origin, props.mandatoryTags);
    this.keyFactory = new GuardrailKeyFactory(origin, this.tags, props);
  }

  public visit(node: IConstruct): void {
    if (!isGuardrail(node)) return;
    const inspection = new GuardrailInspector().inspect(node);
    if (!inspection || inspection.keyArn.kind !== 'none') return;
    const key = this.keyFactory.createKey(node.node.scope as Construct, `${node.node.id}Key`, node.node.path, { guardrailName: inspection.name });
    node.addPropertyOverride('KmsKeyArn', key.keyArn);
    applyGuardrailTags(node, this.tags, true);
    Annotations.of(node).addInfo(
      `GuardrailKeyRemediationAspect encrypted this guardrail with a new customer-managed key (${key.node.path}) in stack ${stackDisplayName(Stack.of(key))}.`,
    );
  }
}
