import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import {
  BEDROCK_SERVICE_ACTIONS,
  bedrockServiceConditions,
  deploymentConditions,
  GRANTS_FOR_AWS_RESOURCES_ONLY_CONDITION,
  KEY_POLICY_SIDS,
  WIDE_USE_SIDS,
  KeyPolicyPlace,
  keyPolicyStatementOrder,
  viaBedrock,
} from './key-policy-statements';
import { accountRoot, namedPrincipalStatement, namingOnce, stackPrincipal } from './named-principals';
import { GuardrailOrganizationScope, organizationCondition } from './organization-scope';
import { Origin, originOf, refuse, stackDisplayName } from '../core/errors';
import {
  GUARDRAIL_DEPLOYMENT_ACTIONS,
  GUARDRAIL_GRANT_ACTIONS,
  GUARDRAIL_USE_ACTIONS,
  KEY_ADMIN_ACTIONS,
  KEY_AUDIT_ACTIONS,
} from '../core/kms-actions';

const OWNER = 'GuardrailKeyPolicy';

/**
 * Who may do what with a guardrail's customer-managed key.
 *
 * Roles and users are named through an `aws:PrincipalArn` condition on the account principal, so that
 * a role deleted and re-created with the same name keeps its access; their own IAM policies must then
 * allow the actions too (`SecureGuardrail`'s grants add them; see docs/key-policy.md).
 */
export interface GuardrailKeyPolicyProps {
  /**
   * Roles or users that administer the key: describe, tag, rotate, enable/disable, change its policy
   * and schedule its deletion (unless `deletionProtection`). They are never allowed to encrypt,
   * decrypt, re-encrypt, generate data keys or create grants. Their IAM policies must allow the
   * administration actions.
   *
   * @default - the account root of the key's stack, which lets IAM policies of that account grant
   * the administration actions (and only those)
   */
  readonly keyAdmins?: iam.IPrincipal[];

  /**
   * The roles that deploy the guardrail's stack: the synthesizer's CloudFormation execution role, a
   * role given to `cdk deploy --role-arn`, a pipeline's CloudFormation action role, StackSets'
   * execution role, a Service Catalog launch role. Bedrock's CloudFormation handlers use the key on
   * their behalf (DescribeKey, GenerateDataKey, Decrypt, CreateGrant for AWS resources), only through
   * Bedrock in the key's Region. They also administer the key, because CloudFormation updates the key
   * policy with them and KMS refuses a policy that would lock its caller out.
   *
   * @default - the CloudFormation execution role of the synthesizer of the stack (of the top-level
   * stack for a nested stack): `DefaultStackSynthesizer`, `BootstraplessSynthesizer`; other
   * synthesizers must set it
   */
  readonly deploymentPrincipals?: iam.IPrincipal[];

  /**
   * Roles or users that apply the guardrail. They get `kms:Decrypt` only, only through Bedrock in
   * the key's Region.
   *
   * @default - none; `SecureGuardrail.grantApply` adds them as it grants
   */
  readonly keyUsers?: iam.IPrincipal[];

  /**
   * Roles or users that audit the key: DescribeKey, GetKeyPolicy, GetKeyRotationStatus and
   * ListResourceTags, none of which exposes key material. They keep working with explicit
   * `keyAdmins`, which take the account's IAM policies out of the key policy.
   *
   * @default - none; `SecureGuardrail.grantRead` adds them as it grants
   */
  readonly keyAuditors?: iam.IPrincipal[];

  /**
   * Explicitly deny `kms:ScheduleKeyDeletion` to every principal. Lifting the deny takes a reviewed
   * key policy change (see the crypto-shredding runbook in the README).
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * Also allow Bedrock's service principal (`bedrock.amazonaws.com`) Decrypt, DescribeKey and
   * GenerateDataKey, only for guardrails of the key's account and Region (`aws:SourceAccount`,
   * `aws:SourceArn`), so that it cannot act as a confused deputy. AWS's guardrail documentation does
   * not ask for it; turn it on only if a deployment is refused without it.
   *
   * @default false
   */
  readonly bedrockServicePrincipal?: boolean;
}

/**
 * The least-privilege key policy standard for Bedrock guardrail keys.
 *
 * | Statement (Sid)                            | Principal                     | Actions                                                   | Condition |
 * |--------------------------------------------|-------------------------------|-----------------------------------------------------------|-----------|
 * | `KeyAdministration`                        | key admins + deployers        | management actions, no cryptographic operation            | `aws:PrincipalArn` when admins are named |
 * | `GuardrailDeploymentThroughBedrock`        | deployers                     | Decrypt, DescribeKey, GenerateDataKey                     | `kms:ViaService` = Bedrock in the key's Region, `aws:PrincipalArn` |
 * | `GuardrailDeploymentGrantsForAwsResources` | deployers                     | CreateGrant                                               | same, and `kms:GrantIsForAWSResource` |
 * | `GuardrailUseThroughBedrock`               | principals given `grantApply` | Decrypt                                                   | `kms:ViaService`, `aws:PrincipalArn` |
 * | `GuardrailKeyAudit`                        | principals given `grantRead`  | DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListResourceTags | `aws:PrincipalArn` |
 * | `BedrockServiceForGuardrails` (opt-in)     | `bedrock.amazonaws.com`       | Decrypt, DescribeKey, GenerateDataKey                     | `aws:SourceAccount`, `aws:SourceArn` |
 * | `DenyGrantsExceptForAwsResources` (Deny)   | everyone                      | CreateGrant                                               | neither for an AWS resource nor by an AWS service (AWS Control Tower CT.KMS.PR.3) |
 * | `DenyKeyDeletion` (Deny)                   | everyone                      | ScheduleKeyDeletion                                       | none      |
 *
 * No statement delegates a cryptographic operation to the account root unconditioned, so an IAM
 * administrator who is not a key user cannot decrypt the guardrail's configuration, directly or
 * through Bedrock (for the limits of that, see the README's threat model).
 *
 * Use `documentFor` for a whole document (the policy of a new `kms.Key`) or the statement methods to
 * bring an existing key up to the standard.
 */
export class GuardrailKeyPolicy {
  /**
   * A complete key policy document for a guardrail key in `scope`'s stack.
   */
  public static documentFor(scope: IConstruct, props: GuardrailKeyPolicyProps = {}): iam.PolicyDocument {
    return namingOnce(() => {
      const deployers = props.deploymentPrincipals ?? [GuardrailKeyPolicy.defaultDeploymentPrincipal(scope)];
      // The order and the statements are those the remediation writes as JSON (key-policy-statements).
      const order = keyPolicyStatementOrder({
        keyUsers: (props.keyUsers ?? []).length > 0,
        keyAuditors: (props.keyAuditors ?? []).length > 0,
        bedrockServicePrincipal: props.bedrockServicePrincipal ?? false,
        deletionProtection: props.deletionProtection ?? true,
      });
      const statements = order.flatMap((kind): iam.PolicyStatement[] => {
        switch (kind) {
          case 'administration': return [GuardrailKeyPolicy.administrationStatement(scope, props.keyAdmins, deployers)];
          case 'deployment': return GuardrailKeyPolicy.deploymentStatements(scope, deployers);
          case 'deploymentGrants': return [];
          case 'use': return [GuardrailKeyPolicy.keyUseStatement(scope, props.keyUsers!)];
          case 'audit': return [GuardrailKeyPolicy.keyAuditStatement(scope, props.keyAuditors!)];
          case 'bedrockService': return [GuardrailKeyPolicy.bedrockServiceStatement(scope)];
          case 'grantsForAwsResourcesOnly': return [GuardrailKeyPolicy.grantsForAwsResourcesOnlyStatement()];
          case 'deletionProtection': return [GuardrailKeyPolicy.deletionProtectionStatement()];
        }
      });
      return new iam.PolicyDocument({ statements });
    });
  }

  /**
   * Key administration without any cryptographic operation.
   *
   * @param keyAdmins the administrators; default: the account root of the stack
   * @param deploymentPrincipals also made administrators so CloudFormation can keep updating the
   * policy; default: the synthesizer's CloudFormation execution role
   */
  public static administrationStatement(
    scope: IConstruct,
    keyAdmins?: iam.IPrincipal[],
    deploymentPrincipals?: iam.IPrincipal[],
  ): iam.PolicyStatement {
    const origin = originOf(OWNER, scope);
    const deployers = GuardrailKeyPolicy.deployers(origin, scope, deploymentPrincipals);
    const admins = keyAdmins && keyAdmins.length > 0 ? keyAdmins : [accountRoot(scope)];
    return namedPrincipalStatement(origin, scope, {
      sid: KEY_POLICY_SIDS.administration,
      principals: { keyAdmins: admins, deploymentPrincipals: deployers },
      accountAllowedIn: 'keyAdmins',
      actions: KEY_ADMIN_ACTIONS,
    });
  }

  /**
   * What Bedrock's CloudFormation handlers need from the key on the deployers' behalf, only through
   * Bedrock in the stack's Region.
   *
   * @param deploymentPrincipals default: the synthesizer's CloudFormation execution role
   */
  public static deploymentStatements(scope: IConstruct, deploymentPrincipals?: iam.IPrincipal[]): iam.PolicyStatement[] {
    const origin = originOf(OWNER, scope);
    const principals = GuardrailKeyPolicy.deployers(origin, scope, deploymentPrincipals);
    const [deployment, grants] = deploymentConditions(placeOf(scope));
    return [
      namedPrincipalStatement(origin, scope, {
        sid: KEY_POLICY_SIDS.deployment,
        principals: { deploymentPrincipals: principals },
        actions: GUARDRAIL_DEPLOYMENT_ACTIONS,
        conditions: deployment,
      }),
      namedPrincipalStatement(origin, scope, {
        sid: KEY_POLICY_SIDS.deploymentGrants,
        principals: { deploymentPrincipals: principals },
        actions: GUARDRAIL_GRANT_ACTIONS,
        conditions: grants,
      }),
    ];
  }

  /**
   * `kms:Decrypt` for roles or users that apply the guardrail, only through Bedrock in the stack's
   * Region. `SecureGuardrail.grantApply` adds its grantees to it until synthesis.
   */
  public static keyUseStatement(scope: IConstruct, keyUsers: iam.IPrincipal[]): iam.PolicyStatement {
    const origin = originOf(OWNER, scope);
    if (keyUsers.length === 0) refuse(origin, 'keyUsers must name at least one principal; received an empty list.');
    return namedPrincipalStatement(origin, scope, {
      sid: KEY_POLICY_SIDS.use,
      principals: { keyUsers },
      actions: GUARDRAIL_USE_ACTIONS,
      conditions: { StringEquals: GuardrailKeyPolicy.viaBedrockCondition(scope) },
      growing: true,
    });
  }

  /**
   * Reading the key's metadata, policy, rotation and tags (no key material) for roles or users that
   * audit it. `SecureGuardrail.grantRead` adds its grantees to it until synthesis.
   */
  public static keyAuditStatement(scope: IConstruct, keyAuditors: iam.IPrincipal[]): iam.PolicyStatement {
    const origin = originOf(OWNER, scope);
    if (keyAuditors.length === 0) refuse(origin, 'keyAuditors must name at least one principal; received an empty list.');
    return namedPrincipalStatement(origin, scope, {
      sid: KEY_POLICY_SIDS.audit, principals: { keyAuditors }, actions: KEY_AUDIT_ACTIONS, growing: true,
    });
  }

  /**
   * The opt-in statement for Bedrock's service principal, limited to guardrails of the stack's
   * account and Region (`aws:SourceAccount`, `aws:SourceArn`).
   */
  public static bedrockServiceStatement(scope: IConstruct): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: KEY_POLICY_SIDS.bedrockService,
      principals: [new iam.ServicePrincipal('bedrock.amazonaws.com')],
      actions: [...BEDROCK_SERVICE_ACTIONS],
      resources: ['*'],
      conditions: bedrockServiceConditions(placeOf(scope)),
    });
  }

  /**
   * `kms:Decrypt` for every caller of the stack's account, only through Bedrock in the stack's Region
   * (`kms:ViaService`, `kms:CallerAccount`): the statement a key needs once its guardrail is enforced
   * in the account, because every Bedrock inference call of the account then applies the guardrail
   * with the caller's own permissions. It widens who can decrypt the guardrail's configuration from
   * the named key users to every principal of the account whose IAM policies allow `kms:Decrypt` on
   * the key, still only through Bedrock; without it every other Bedrock workload of the account fails.
   * The same shape as the statement of AWS managed keys ("Allow access through <service> for all
   * principals in the account that are authorized to use it").
   */
  public static accountUseThroughBedrockStatement(scope: IConstruct): iam.PolicyStatement {
    const stack = Stack.of(scope);
    return new iam.PolicyStatement({
      sid: WIDE_USE_SIDS.account,
      principals: [new iam.AnyPrincipal()],
      actions: [...GUARDRAIL_USE_ACTIONS],
      resources: ['*'],
      conditions: { StringEquals: { ...GuardrailKeyPolicy.viaBedrockCondition(scope), 'kms:CallerAccount': stack.account } },
    });
  }

  /**
   * `kms:Decrypt` for every caller of the organization (or of its units), only through Bedrock in
   * the stack's Region (`kms:ViaService`, and `aws:PrincipalOrgID` or `aws:PrincipalOrgPaths`): the
   * statement a key needs once its guardrail is shared with the organization for organization-level
   * enforcement. Whether Bedrock decrypts a shared guardrail for a caller of another account with
   * the caller's identity (a forward access session, as for a caller of the key's account) is not
   * documented by AWS: see docs/enforced-guardrails.md.
   */
  public static organizationUseThroughBedrockStatement(scope: IConstruct, organization: GuardrailOrganizationScope): iam.PolicyStatement {
    const origin = originOf(OWNER, scope);
    const membership = organizationCondition(origin, organization);
    return new iam.PolicyStatement({
      sid: WIDE_USE_SIDS.organization,
      principals: [new iam.AnyPrincipal()],
      actions: [...GUARDRAIL_USE_ACTIONS],
      resources: ['*'],
      conditions: {
        StringEquals: { ...GuardrailKeyPolicy.viaBedrockCondition(scope), ...membership.StringEquals },
        ...(membership['ForAnyValue:StringLike'] ? { 'ForAnyValue:StringLike': membership['ForAnyValue:StringLike'] } : {}),
      },
    });
  }

  /**
   * An explicit deny of `kms:CreateGrant` unless the grant is for an AWS resource or an AWS service
   * asks: the statement AWS Control Tower's proactive control CT.KMS.PR.3 requires. It removes nothing
   * the other statements allow (the deployers' grants are for AWS resources).
   */
  public static grantsForAwsResourcesOnlyStatement(): iam.PolicyStatement {
    return denyEveryone(KEY_POLICY_SIDS.grantsForAwsResourcesOnly, 'kms:CreateGrant',
      { BoolIfExists: { ...GRANTS_FOR_AWS_RESOURCES_ONLY_CONDITION.BoolIfExists } });
  }

  /**
   * An explicit deny of `kms:ScheduleKeyDeletion` for every principal.
   */
  public static deletionProtectionStatement(): iam.PolicyStatement {
    return denyEveryone(KEY_POLICY_SIDS.deletionProtection, 'kms:ScheduleKeyDeletion');
  }

  /**
   * The `kms:ViaService` condition (for use under `StringEquals`) that limits a statement to
   * requests Bedrock makes in the stack's Region.
   */
  public static viaBedrockCondition(scope: IConstruct): { [key: string]: string } {
    return viaBedrock(placeOf(scope));
  }

  /**
   * The principal that deploys `scope`'s stack: the CloudFormation execution role of its synthesizer,
   * or of the top-level stack's synthesizer for a nested stack (CloudFormation creates nested stacks
   * with the parent's role).
   *
   * @throws when the synthesizer has no CloudFormation execution role (for example
   * `CliCredentialsStackSynthesizer`): pass `deploymentPrincipals` explicitly then.
   */
  public static defaultDeploymentPrincipal(scope: IConstruct): iam.IPrincipal {
    const stack = Stack.of(scope);
    let deployed = stack;
    while (deployed.nestedStackParent) deployed = deployed.nestedStackParent;
    const roleArn = cloudFormationExecutionRoleArn(deployed, stack);
    if (!roleArn) {
      refuse(originOf(OWNER, scope),
        `deploymentPrincipals is required for stack '${stackDisplayName(deployed)}': its synthesizer ` +
        `(${deployed.synthesizer.constructor.name}) has no CloudFormation execution role; received none; ` +
        'allowed: the IAM roles of the stack\'s account that deploy it (for example iam.Role.fromRoleArn(...)).');
    }
    // One object per stack and role: each key of the stack names it, and it is then checked once.
    return stackPrincipal(scope, `deployment role ${roleArn}`, () => new iam.ArnPrincipal(roleArn));
  }

  private static deployers(origin: Origin, scope: IConstruct, deploymentPrincipals?: iam.IPrincipal[]): iam.IPrincipal[] {
    if (deploymentPrincipals === undefined) return [GuardrailKeyPolicy.defaultDeploymentPrincipal(scope)];
    if (deploymentPrincipals.length === 0) refuse(origin, 'deploymentPrincipals must name at least one principal; received an empty list.');
    return deploymentPrincipals;
  }

  private constructor() {}
}

/** The stack's partition, Region, account and URL suffix (tokens unless the stack's environment is known). */
function placeOf(scope: IConstruct): KeyPolicyPlace {
  const stack = Stack.of(scope);
  return { partition: stack.partition, region: stack.region, account: stack.account, urlSuffix: stack.urlSuffix };
}

function denyEveryone(sid: string, action: string, conditions?: { [operator: string]: unknown }): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: [action], resources: ['*'], conditions });
}

/**
 * The ARN of the role that deploys `deployed` (a top-level stack), with the placeholders the CLI fills
 * in for asset manifests replaced by the pseudo parameters of `stack`, where the ARN is used.
 */
function cloudFormationExecutionRoleArn(deployed: Stack, stack: Stack): string | undefined {
  const synthesizer = deployed.synthesizer as { cloudFormationExecutionRoleArn?: string };
  let arn: string | undefined;
  try {
    arn = synthesizer.cloudFormationExecutionRoleArn;
  } catch {
    // DefaultStackSynthesizer throws from the getter until it is bound to a stack.
    return undefined;
  }
  return arn
    ?.replace(/\$\{AWS::Partition\}/g, Aws.PARTITION)
    .replace(/\$\{AWS::AccountId\}/g, stack.account)
    .replace(/\$\{AWS::Region\}/g, stack.region);
}
