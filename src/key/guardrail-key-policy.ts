import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { originOf, refuse, stackDisplayName } from '../core/errors';
import {
  GUARDRAIL_DEPLOYMENT_ACTIONS,
  GUARDRAIL_GRANT_ACTIONS,
  GUARDRAIL_USE_ACTIONS,
  KEY_ADMIN_ACTIONS,
} from '../core/kms-actions';
import { assertSameAccount } from '../core/principals';

const OWNER = 'GuardrailKeyPolicy';

/**
 * Who may do what with a guardrail's customer-managed key.
 */
export interface GuardrailKeyPolicyProps {
  /**
   * Principals that administer the key: describe, tag, rotate, enable/disable, change its policy and
   * schedule its deletion (unless `deletionProtection`). They are never allowed to encrypt, decrypt,
   * re-encrypt, generate data keys or create grants.
   *
   * @default - the account root of the key's stack, which lets IAM policies of that account grant
   * the administration actions (and only those)
   */
  readonly keyAdmins?: iam.IPrincipal[];

  /**
   * The principal that deploys the guardrail. Bedrock's CloudFormation handlers use the key on its
   * behalf (DescribeKey, GenerateDataKey, Decrypt, CreateGrant for AWS resources, RetireGrant), only
   * through Bedrock in the key's Region. It also administers the key, because CloudFormation updates
   * the key policy with it and KMS refuses a policy that would lock its caller out.
   *
   * @default - the CloudFormation execution role of the stack's synthesizer
   * (`DefaultStackSynthesizer`, `BootstraplessSynthesizer`); other synthesizers must set it
   */
  readonly deploymentPrincipal?: iam.IPrincipal;

  /**
   * Principals that apply the guardrail. They get `kms:Decrypt` only, only through Bedrock in the
   * key's Region.
   *
   * @default - none; `SecureGuardrail.grantApply` adds them as it grants
   */
  readonly keyUsers?: iam.IPrincipal[];

  /**
   * Explicitly deny `kms:ScheduleKeyDeletion` to every principal. Lifting the deny takes a reviewed
   * key policy change (see the crypto-shredding runbook in the README).
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The least-privilege key policy standard for Bedrock guardrail keys.
 *
 * | Statement (Sid)                            | Principal                     | Actions                                                   | Condition |
 * |--------------------------------------------|-------------------------------|-----------------------------------------------------------|-----------|
 * | `KeyAdministration`                        | key admins + deployer         | management actions, no cryptographic operation            | none      |
 * | `GuardrailDeploymentThroughBedrock`        | deployer                      | Decrypt, DescribeKey, GenerateDataKey, RetireGrant         | `kms:ViaService` = Bedrock in the key's Region |
 * | `GuardrailDeploymentGrantsForAwsResources` | deployer                      | CreateGrant                                               | same, and `kms:GrantIsForAWSResource` |
 * | `GuardrailUseThroughBedrock`               | principals given `grantApply` | Decrypt                                                   | `kms:ViaService` = Bedrock in the key's Region |
 * | `DenyKeyDeletion`                          | everyone (Deny)               | ScheduleKeyDeletion                                       | none      |
 *
 * No statement delegates a cryptographic operation to the account root, so an IAM administrator who
 * is not a key user cannot decrypt the guardrail's configuration, directly or through Bedrock.
 *
 * Use `documentFor` for a whole document (the policy of a new `kms.Key`) or the statement methods to
 * bring an existing key up to the standard.
 */
export class GuardrailKeyPolicy {
  /**
   * A complete key policy document for a guardrail key in `scope`'s stack.
   */
  public static documentFor(scope: IConstruct, props: GuardrailKeyPolicyProps = {}): iam.PolicyDocument {
    const deployer = props.deploymentPrincipal ?? GuardrailKeyPolicy.defaultDeploymentPrincipal(scope);
    const statements = [
      GuardrailKeyPolicy.administrationStatement(scope, props.keyAdmins, deployer),
      ...GuardrailKeyPolicy.deploymentStatements(scope, deployer),
    ];
    if (props.keyUsers && props.keyUsers.length > 0) {
      statements.push(GuardrailKeyPolicy.keyUseStatement(scope, props.keyUsers));
    }
    if (props.deletionProtection ?? true) {
      statements.push(GuardrailKeyPolicy.deletionProtectionStatement());
    }
    return new iam.PolicyDocument({ statements });
  }

  /**
   * Key administration without any cryptographic operation.
   *
   * @param keyAdmins the administrators; default: the account root of the stack
   * @param deploymentPrincipal also made an administrator so CloudFormation can keep updating the
   * policy; default: the synthesizer's CloudFormation execution role
   */
  public static administrationStatement(
    scope: IConstruct,
    keyAdmins?: iam.IPrincipal[],
    deploymentPrincipal?: iam.IPrincipal,
  ): iam.PolicyStatement {
    const admins = keyAdmins && keyAdmins.length > 0 ? keyAdmins : [new iam.AccountRootPrincipal()];
    const origin = originOf(OWNER, scope);
    admins.forEach((admin, i) => assertSameAccount(origin, scope, admin, `keyAdmins[${i}]`));
    const deployer = deploymentPrincipal ?? GuardrailKeyPolicy.defaultDeploymentPrincipal(scope);
    assertSameAccount(origin, scope, deployer, 'deploymentPrincipal');
    return new iam.PolicyStatement({
      sid: 'KeyAdministration',
      principals: [...admins, deployer],
      actions: [...KEY_ADMIN_ACTIONS],
      resources: ['*'],
    });
  }

  /**
   * What Bedrock's CloudFormation handlers need from the key on the deployer's behalf, only through
   * Bedrock in the stack's Region.
   *
   * @param deploymentPrincipal default: the synthesizer's CloudFormation execution role
   */
  public static deploymentStatements(scope: IConstruct, deploymentPrincipal?: iam.IPrincipal): iam.PolicyStatement[] {
    const deployer = deploymentPrincipal ?? GuardrailKeyPolicy.defaultDeploymentPrincipal(scope);
    assertSameAccount(originOf(OWNER, scope), scope, deployer, 'deploymentPrincipal');
    const viaBedrock = GuardrailKeyPolicy.viaBedrockCondition(scope);
    return [
      new iam.PolicyStatement({
        sid: 'GuardrailDeploymentThroughBedrock',
        principals: [deployer],
        actions: [...GUARDRAIL_DEPLOYMENT_ACTIONS],
        resources: ['*'],
        conditions: { StringEquals: viaBedrock },
      }),
      new iam.PolicyStatement({
        sid: 'GuardrailDeploymentGrantsForAwsResources',
        principals: [deployer],
        actions: [...GUARDRAIL_GRANT_ACTIONS],
        resources: ['*'],
        conditions: { StringEquals: viaBedrock, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    ];
  }

  /**
   * `kms:Decrypt` for principals that apply the guardrail, only through Bedrock in the stack's
   * Region. Principals can be added to the returned statement until synthesis.
   */
  public static keyUseStatement(scope: IConstruct, keyUsers: iam.IPrincipal[]): iam.PolicyStatement {
    const origin = originOf(OWNER, scope);
    if (keyUsers.length === 0) {
      refuse(origin, 'keyUsers must name at least one principal; received an empty list.');
    }
    keyUsers.forEach((user, i) => assertSameAccount(origin, scope, user, `keyUsers[${i}]`));
    return new iam.PolicyStatement({
      sid: 'GuardrailUseThroughBedrock',
      principals: keyUsers,
      actions: [...GUARDRAIL_USE_ACTIONS],
      resources: ['*'],
      conditions: { StringEquals: GuardrailKeyPolicy.viaBedrockCondition(scope) },
    });
  }

  /**
   * An explicit deny of `kms:ScheduleKeyDeletion` for every principal.
   */
  public static deletionProtectionStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'DenyKeyDeletion',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:ScheduleKeyDeletion'],
      resources: ['*'],
    });
  }

  /**
   * The `kms:ViaService` condition (for use under `StringEquals`) that limits a statement to
   * requests Bedrock makes in the stack's Region.
   */
  public static viaBedrockCondition(scope: IConstruct): { [key: string]: string } {
    const stack = Stack.of(scope);
    return { 'kms:ViaService': `bedrock.${stack.region}.${stack.urlSuffix}` };
  }

  /**
   * The principal that deploys `scope`'s stack: its synthesizer's CloudFormation execution role.
   *
   * @throws when the synthesizer has no CloudFormation execution role (for example
   * `CliCredentialsStackSynthesizer`): pass `deploymentPrincipal` explicitly then.
   */
  public static defaultDeploymentPrincipal(scope: IConstruct): iam.IPrincipal {
    const stack = Stack.of(scope);
    const roleArn = cloudFormationExecutionRoleArn(stack);
    if (!roleArn) {
      refuse(originOf(OWNER, scope),
        `deploymentPrincipal is required for stack '${stackDisplayName(stack)}': its synthesizer ` +
        `(${stack.synthesizer.constructor.name}) has no CloudFormation execution role; received none; ` +
        'allowed: any IAM principal of the stack\'s account that deploys it (for example iam.Role.fromRoleArn(...)).');
    }
    return new iam.ArnPrincipal(roleArn);
  }

  private constructor() {}
}

function cloudFormationExecutionRoleArn(stack: Stack): string | undefined {
  const synthesizer = stack.synthesizer as { cloudFormationExecutionRoleArn?: string };
  let arn: string | undefined;
  try {
    arn = synthesizer.cloudFormationExecutionRoleArn;
  } catch {
    // DefaultStackSynthesizer throws from the getter until it is bound to a stack.
    return undefined;
  }
  // Synthesizers keep the placeholders the CLI fills in for asset manifests; a template needs the
  // pseudo parameters instead.
  return arn
    ?.replace(/\$\{AWS::Partition\}/g, Aws.PARTITION)
    .replace(/\$\{AWS::AccountId\}/g, stack.account)
    .replace(/\$\{AWS::Region\}/g, stack.region);
}
