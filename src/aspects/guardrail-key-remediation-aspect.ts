import { Annotations, AspectPriority, Aspects, Duration, IAspect, RemovalPolicy, Stack, TagManager } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { GuardrailInspector, isGuardrail } from '../detection/guardrail-inspection';
import { MandatoryTags } from '../guardrail/secure-guardrail';
import { GuardrailKeyPolicy } from '../key-policy/guardrail-key-policy';

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
   * The principal that deploys the stacks.
   *
   * @default - the CloudFormation execution role of each stack's synthesizer
   */
  readonly deploymentPrincipal?: iam.IPrincipal;
}

const TAG_KEYS: { [K in keyof MandatoryTags]: string } = { owner: 'Owner', workload: 'Workload', dataSensitivity: 'DataSensitivity' };

/**
 * For teams migrating existing stacks: gives every `AWS::Bedrock::Guardrail` in its scope that has
 * no `KmsKeyArn` a new customer-managed key of the `SecureGuardrail` standard (symmetric, rotated
 * yearly, 30-day pending window, retained, deletion-protected, `GuardrailKeyPolicy`, tagged) in the
 * guardrail's own scope, and points the guardrail at it. Each remediation is reported as an info
 * annotation. Guardrails that already name a key are left alone, even a non-compliant one.
 *
 * The created key's policy names no key users yet: grant the guardrail's callers `kms:Decrypt`
 * through Bedrock (`GuardrailKeyPolicy.keyUseStatement`) or move them to `SecureGuardrail.grantApply`.
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

  constructor(private readonly props: GuardrailKeyRemediationAspectProps) {}

  public visit(node: IConstruct): void {
    if (!isGuardrail(node) || new GuardrailInspector().inspect(node)?.keyArn.kind !== 'none') return;
    const scope = node.node.scope as Construct;
    const key = new kms.Key(scope, `${node.node.id}Key`, {
      description: `Customer-managed key of the Bedrock guardrail ${node.node.path}`,
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
      policy: GuardrailKeyPolicy.documentFor(node, {
        keyAdmins: this.props.keyAdmins,
        deploymentPrincipal: this.props.deploymentPrincipal,
      }),
    });
    node.addPropertyOverride('KmsKeyArn', key.keyArn);

    // Tags.of() would add an aspect from inside an aspect, which CDK may not run: set them directly.
    const keyTags = TagManager.of(key.node.defaultChild)!;
    const guardrailTags = TagManager.of(node);
    for (const [field, tagKey] of Object.entries(TAG_KEYS) as Array<[keyof MandatoryTags, string]>) {
      keyTags.setTag(tagKey, this.props.mandatoryTags[field]);
      if (guardrailTags && !(tagKey in guardrailTags.tagValues())) guardrailTags.setTag(tagKey, this.props.mandatoryTags[field]);
    }
    Annotations.of(node).addInfo(
      `GuardrailKeyRemediationAspect encrypted this guardrail with a new customer-managed key (${key.node.path}) in stack ${Stack.of(key).stackName}.`,
    );
  }
}
