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

/**
 * Who a statement names, as the remediation knows them: role or user ARNs (wildcards allowed, so an
 * IAM path such as `role/apps/*` names every role under it), or a principal tag.
 */
export interface NamedPrincipals {
  /** `undefined` (or empty) with no tag: the whole account, through its IAM policies. */
  readonly arns?: readonly string[];
  /** Principals carrying this tag, through an `aws:PrincipalTag/<key>` condition. */
  readonly principalTag?: { readonly key: string; readonly value: string };
}

/** What a policy document rendered as JSON needs besides its place. */
export interface KeyPolicyPrincipals {
  readonly admins: NamedPrincipals;
  readonly deployers: readonly string[];
  readonly users?: NamedPrincipals;
  readonly auditors?: readonly string[];
  readonly bedrockServicePrincipal?: boolean;
  readonly deletionProtection?: boolean;
}

type Statement = { [key: string]: unknown };

/**
 * The key policy of the standard as a JSON document, for a key created outside CloudFormation (the
 * remediation): the same statements, in the same order, as `GuardrailKeyPolicy.documentFor`.
 * Deployers here are those who put the key on a guardrail (the remediation's own role): they
 * administer it too, since KMS refuses a policy that locks its caller out.
 */
export function keyPolicyJson(place: KeyPolicyPlace, who: KeyPolicyPrincipals): { Version: string; Statement: Statement[] } {
  const root = `arn:${place.partition}:iam::${place.account}:root`;
  const named = (sid: string, actions: readonly string[], principals: NamedPrincipals, conditions: { [operator: string]: unknown } = {}): Statement => {
    const condition: { [operator: string]: unknown } = { ...conditions };
    if (principals.principalTag) {
      condition.StringEquals = { ...(condition.StringEquals as object | undefined), [`aws:PrincipalTag/${principals.principalTag.key}`]: principals.principalTag.value };
    }
    if (principals.arns && principals.arns.length > 0) condition.ArnLike = { 'aws:PrincipalArn': [...principals.arns] };
    return {
      Sid: sid,
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: [...actions],
      Resource: '*',
      ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
    };
  };
  const deny = (sid: string, action: string, condition?: object): Statement =>
    ({ Sid: sid, Effect: 'Deny', Principal: { AWS: '*' }, Action: action, Resource: '*', ...(condition ? { Condition: condition } : {}) });
  const wholeAccountAdmins = !who.admins.principalTag && !(who.admins.arns && who.admins.arns.length > 0);
  const [deployment, grants] = deploymentConditions(place);
  const deployers: NamedPrincipals = { arns: who.deployers };
  const build: { [kind in keyof typeof KEY_POLICY_SIDS]: () => Statement } = {
    administration: () => named(KEY_POLICY_SIDS.administration, KEY_ADMIN_ACTIONS,
      wholeAccountAdmins ? {} : { arns: [...(who.admins.arns ?? []), ...who.deployers], principalTag: who.admins.principalTag }),
    deployment: () => named(KEY_POLICY_SIDS.deployment, GUARDRAIL_DEPLOYMENT_ACTIONS, deployers, deployment),
    deploymentGrants: () => named(KEY_POLICY_SIDS.deploymentGrants, GUARDRAIL_GRANT_ACTIONS, deployers, grants),
    use: () => named(KEY_POLICY_SIDS.use, GUARDRAIL_USE_ACTIONS, who.users ?? {}, { StringEquals: viaBedrock(place) }),
    audit: () => named(KEY_POLICY_SIDS.audit, KEY_AUDIT_ACTIONS, { arns: who.auditors }),
    bedrockService: () => ({
      Sid: KEY_POLICY_SIDS.bedrockService,
      Effect: 'Allow',
      Principal: { Service: 'bedrock.amazonaws.com' },
      Action: [...BEDROCK_SERVICE_ACTIONS],
      Resource: '*',
      Condition: bedrockServiceConditions(place),
    }),
    grantsForAwsResourcesOnly: () => deny(KEY_POLICY_SIDS.grantsForAwsResourcesOnly, 'kms:CreateGrant', GRANTS_FOR_AWS_RESOURCES_ONLY_CONDITION),
    deletionProtection: () => deny(KEY_POLICY_SIDS.deletionProtection, 'kms:ScheduleKeyDeletion'),
  };
  const order = keyPolicyStatementOrder({
    keyUsers: who.users !== undefined,
    keyAuditors: (who.auditors ?? []).length > 0,
    bedrockServicePrincipal: who.bedrockServicePrincipal ?? false,
    deletionProtection: who.deletionProtection ?? true,
  });
  return { Version: '2012-10-17', Statement: order.map((kind) => build[kind]()) };
}
