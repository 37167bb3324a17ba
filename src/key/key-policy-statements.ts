import {
  GUARDRAIL_DEPLOYMENT_ACTIONS,
  GUARDRAIL_GRANT_ACTIONS,
  GUARDRAIL_USE_ACTIONS,
  KEY_ADMIN_ACTIONS,
  KEY_AUDIT_ACTIONS,
} from '../core/kms-actions';

/*
 * The statements of the guardrail key policy as plain data: their ids, actions, conditions and order.
 * `GuardrailKeyPolicy` builds its iam.PolicyStatements from them, and the Config rule's remediation
 * (bundled without aws-cdk-lib) renders the same policy as JSON for a key it creates, so the two
 * cannot drift apart. Pure and without aws-cdk-lib.
 */

/** Where the key lives; tokens are fine here (the construct passes the stack's). */
export interface KeyPolicyPlace {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly urlSuffix: string;
}

/** What Bedrock's service principal may do in the opt-in statement (aws/modern-data-architecture-accelerator issue 46). */
export const BEDROCK_SERVICE_ACTIONS: readonly string[] = ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'];

/** The statement ids, by statement. */
export const KEY_POLICY_SIDS = {
  administration: 'KeyAdministration',
  deployment: 'GuardrailDeploymentThroughBedrock',
  deploymentGrants: 'GuardrailDeploymentGrantsForAwsResources',
  use: 'GuardrailUseThroughBedrock',
  audit: 'GuardrailKeyAudit',
  bedrockService: 'BedrockServiceForGuardrails',
  grantsForAwsResourcesOnly: 'DenyGrantsExceptForAwsResources',
  deletionProtection: 'DenyKeyDeletion',
} as const;

/**
 * The ids of the statements a key needs once its guardrail is applied beyond its named callers: enforced
 * in the account (`GuardrailKeyPolicy.accountUseThroughBedrockStatement`) or shared with the organization
 * (`organizationUseThroughBedrockStatement`). Not part of `keyPolicyJson`'s policy: the remediation leaves
 * such guardrails unchanged and names these statements in its reason.
 */
export const WIDE_USE_SIDS = {
  account: 'EnforcedGuardrailUseThroughBedrock',
  organization: 'SharedGuardrailUseThroughBedrock',
} as const;

/** The `kms:ViaService` condition value (under `StringEquals`): requests Bedrock makes in the key's Region. */
export function viaBedrock(place: Pick<KeyPolicyPlace, 'region' | 'urlSuffix'>): { [key: string]: string } {
  return { 'kms:ViaService': `bedrock.${place.region}.${place.urlSuffix}` };
}

/** The conditions of the deployers' statements, without the principals' own. */
export function deploymentConditions(place: Pick<KeyPolicyPlace, 'region' | 'urlSuffix'>): Array<{ [operator: string]: { [key: string]: unknown } }> {
  const via = viaBedrock(place);
  return [{ StringEquals: via }, { StringEquals: via, Bool: { 'kms:GrantIsForAWSResource': 'true' } }];
}

/** The conditions of the opt-in statement for Bedrock's service principal. */
export function bedrockServiceConditions(place: KeyPolicyPlace): { [operator: string]: { [key: string]: string } } {
  return {
    StringEquals: { 'aws:SourceAccount': place.account },
    ArnLike: { 'aws:SourceArn': `arn:${place.partition}:bedrock:${place.region}:${place.account}:guardrail/*` },
  };
}

/** The condition of the deny of grants that are neither for an AWS resource nor asked by an AWS service (CT.KMS.PR.3). */
export const GRANTS_FOR_AWS_RESOURCES_ONLY_CONDITION = {
  BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
} as const;

/** Which optional statements a policy has. */
export interface KeyPolicyShape {
  readonly keyUsers: boolean;
  readonly keyAuditors: boolean;
  readonly bedrockServicePrincipal: boolean;
  readonly deletionProtection: boolean;
}

/** The statements of a complete policy, in the order `GuardrailKeyPolicy.documentFor` writes them. */
export function keyPolicyStatementOrder(shape: KeyPolicyShape): Array<keyof typeof KEY_POLICY_SIDS> {
  return [
    'administration', 'deployment', 'deploymentGrants',
    ...(shape.keyUsers ? ['use' as const] : []),
    ...(shape.keyAuditors ? ['audit' as const] : []),
    ...(shape.bedrockServicePrincipal ? ['bedrockService' as const] : []),
    'grantsForAwsResourcesOnly',
    ...(shape.deletionProtection ? ['deletionProtection' as const] : []),
  ];
}

/** A principal tag: `aws:PrincipalTag/<key>` equals `value`. */
export interface PrincipalTag {
  readonly key: string;
  readonly value: string;
}

/** What a policy document rendered as JSON names: role or user ARNs (`*` may stand for a name or an IAM path). */
export interface KeyPolicyPrincipals {
  /** Empty: the account root, which lets the account's IAM policies grant administration. */
  readonly admins: readonly string[];
  readonly deployers: readonly string[];
  readonly users?: readonly string[];
  /** Callers named by a principal tag rather than by ARN, in a statement of their own. */
  readonly usersByTag?: PrincipalTag;
  readonly auditors?: readonly string[];
  readonly bedrockServicePrincipal?: boolean;
  readonly deletionProtection?: boolean;
}

/** The statement id of the callers named by principal tag (beside `GuardrailUseThroughBedrock`). */
export const USE_BY_PRINCIPAL_TAG_SID = 'GuardrailUseThroughBedrockByPrincipalTag';

type Statement = { [key: string]: unknown };

/**
 * The key policy of the standard as a JSON document, for a key created outside CloudFormation (the
 * remediation): the same statements, in the same order, as `GuardrailKeyPolicy.documentFor`, with
 * principals named the same way (the account principal narrowed by `aws:PrincipalArn`). Deployers
 * here are those who put the key on a guardrail (the remediation's own role): they administer it
 * too, since KMS refuses a policy that locks its caller out.
 */
export function keyPolicyJson(place: KeyPolicyPlace, who: KeyPolicyPrincipals): { Version: string; Statement: Statement[] } {
  const root = `arn:${place.partition}:iam::${place.account}:root`;
  const allow = (sid: string, actions: readonly string[], condition: { [operator: string]: unknown }): Statement => ({
    // One action is written as a string, as iam.PolicyDocument writes it.
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: root },
    Action: actions.length === 1 ? actions[0] : [...actions],
    Resource: '*',
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  });
  const named = (sid: string, actions: readonly string[], arns: readonly string[], conditions: { [operator: string]: unknown } = {}): Statement =>
    allow(sid, actions, { ...conditions, ArnLike: { 'aws:PrincipalArn': [...arns] } });
  const deny = (sid: string, action: string, condition?: object): Statement =>
    ({ Sid: sid, Effect: 'Deny', Principal: { AWS: '*' }, Action: action, Resource: '*', ...(condition ? { Condition: condition } : {}) });
  const [deployment, grants] = deploymentConditions(place);
  const users = who.users ?? [];
  const build: { [kind in keyof typeof KEY_POLICY_SIDS]: () => Statement[] } = {
    administration: () => [who.admins.length === 0
      ? allow(KEY_POLICY_SIDS.administration, KEY_ADMIN_ACTIONS, {})
      : named(KEY_POLICY_SIDS.administration, KEY_ADMIN_ACTIONS, [...who.admins, ...who.deployers])],
    deployment: () => [named(KEY_POLICY_SIDS.deployment, GUARDRAIL_DEPLOYMENT_ACTIONS, who.deployers, deployment)],
    deploymentGrants: () => [named(KEY_POLICY_SIDS.deploymentGrants, GUARDRAIL_GRANT_ACTIONS, who.deployers, grants)],
    use: () => [
      ...(users.length > 0 ? [named(KEY_POLICY_SIDS.use, GUARDRAIL_USE_ACTIONS, users, { StringEquals: viaBedrock(place) })] : []),
      ...(who.usersByTag ? [allow(USE_BY_PRINCIPAL_TAG_SID, GUARDRAIL_USE_ACTIONS, {
        StringEquals: { ...viaBedrock(place), [`aws:PrincipalTag/${who.usersByTag.key}`]: who.usersByTag.value },
      })] : []),
    ],
    audit: () => [named(KEY_POLICY_SIDS.audit, KEY_AUDIT_ACTIONS, who.auditors ?? [])],
    bedrockService: () => [{
      Sid: KEY_POLICY_SIDS.bedrockService,
      Effect: 'Allow',
      Principal: { Service: 'bedrock.amazonaws.com' },
      Action: [...BEDROCK_SERVICE_ACTIONS],
      Resource: '*',
      Condition: bedrockServiceConditions(place),
    }],
    grantsForAwsResourcesOnly: () => [deny(KEY_POLICY_SIDS.grantsForAwsResourcesOnly, 'kms:CreateGrant', GRANTS_FOR_AWS_RESOURCES_ONLY_CONDITION)],
    deletionProtection: () => [deny(KEY_POLICY_SIDS.deletionProtection, 'kms:ScheduleKeyDeletion')],
  };
  const order = keyPolicyStatementOrder({
    keyUsers: users.length > 0 || who.usersByTag !== undefined,
    keyAuditors: (who.auditors ?? []).length > 0,
    bedrockServicePrincipal: who.bedrockServicePrincipal ?? false,
    deletionProtection: who.deletionProtection ?? true,
  });
  return { Version: '2012-10-17', Statement: order.flatMap((kind) => build[kind]()) };
}
