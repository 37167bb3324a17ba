/**
 * The IAM permissions the audit needs, each with the SDK command that calls it and why: printed by
 * `--help`, copied into the README, and checked by a test against the commands the audit's bundle
 * sends. Every one is read-only.
 */
export interface AuditPermission {
  readonly action: string;
  /** The SDK command the audit sends; absent for a permission a service uses on the caller's behalf. */
  readonly command?: string;
  /** Sent only for some keys (a policy that opens decrypts through Bedrock): an audit of an account without such a key never calls it. */
  readonly conditional?: boolean;
  readonly why: string;
}

export const AUDIT_PERMISSIONS: readonly AuditPermission[] = [
  { action: 'bedrock:ListGuardrails', command: 'ListGuardrailsCommand', why: 'lists the guardrails of each Region, then the versions of each' },
  { action: 'bedrock:GetGuardrail', command: 'GetGuardrailCommand', why: 'reads the key of every version' },
  {
    action: 'bedrock:GetResourcePolicy',
    command: 'GetResourcePolicyCommand',
    conditional: true,
    why: 'only for a key whose policy lets the organization decrypt through Bedrock: whether its guardrail is shared, which makes that use acceptable',
  },
  {
    action: 'bedrock:ListEnforcedGuardrailsConfiguration',
    command: 'ListEnforcedGuardrailsConfigurationCommand',
    conditional: true,
    why: 'only for a key whose policy lets the account decrypt through Bedrock, once per Region: whether its guardrail is enforced, which makes that use acceptable',
  },
  {
    action: 'kms:Decrypt',
    why: "Bedrock decrypts a guardrail encrypted with a customer-managed key with the caller's permissions during GetGuardrail "
      + '(condition kms:ViaService bedrock.<region>.amazonaws.com is enough); without it that guardrail is reported not evaluated',
  },
  { action: 'kms:DescribeKey', command: 'DescribeKeyCommand', why: "reads each key's manager, state, spec and origin" },
  { action: 'kms:GetKeyRotationStatus', command: 'GetKeyRotationStatusCommand', why: "reads each customer-managed key's automatic rotation" },
  { action: 'kms:GetKeyPolicy', command: 'GetKeyPolicyCommand', why: "reads each customer-managed key's policy for the least-privilege check" },
  { action: 'tag:GetResources', command: 'GetResourcesCommand', why: 'finds the keys tagged BedrockGuardrail, for the orphaned keys' },
];

/** The permissions as an IAM policy document, for `--help` and the README: kms:Decrypt only through Bedrock. */
export function permissionsPolicy(): string {
  const direct = AUDIT_PERMISSIONS.filter((permission) => permission.command !== undefined).map((permission) => permission.action);
  const onBehalf = AUDIT_PERMISSIONS.filter((permission) => permission.command === undefined).map((permission) => permission.action);
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AuditGuardrails', Effect: 'Allow', Action: direct, Resource: '*' },
      { Sid: 'ReadCmkGuardrails', Effect: 'Allow', Action: onBehalf, Resource: '*', Condition: { StringLike: { 'kms:ViaService': 'bedrock.*.amazonaws.com' } } },
    ],
  }, undefined, 2);
}
