import { flattenIntrinsic } from '../../core/cfn-values';
import { CRYPTOGRAPHIC_ACTIONS } from '../../core/kms-actions';
import { keyRule } from '../guardrail-rule';

/**
 * The guardrail's key policy is least-privilege: no statement allows `kms:*`, `*` or a wildcard
 * that covers a cryptographic operation; no statement allows the anonymous principal without a
 * condition; no cryptographic operation is delegated to the account root (that is, to every IAM
 * policy of the account) without a `kms:ViaService` condition.
 */
export default keyRule(__filename, {
  info: 'The guardrail\'s KMS key policy is not least-privilege (kms:* or a wildcard cryptographic action, an unconditioned "*" principal, or cryptographic operations delegated to the account root without kms:ViaService).',
  explanation: 'CDK\'s and KMS\'s default key policy lets the account root do kms:*, which lets every IAM administrator decrypt the guardrail\'s policies. Name the principals that may use the key and limit them to Bedrock with kms:ViaService; GuardrailKeyPolicy builds such a policy.',
  check: (key) => {
    const policy = key.properties.KeyPolicy;
    // No policy means KMS's default: the account root may do kms:*.
    if (!policy || !Array.isArray(policy.Statement)) return false;
    return (policy.Statement as any[]).every(isLeastPrivilege);
  },
});

function isLeastPrivilege(statement: any): boolean {
  if (statement?.Effect !== 'Allow') return true;
  if (statement.NotAction !== undefined || statement.NotPrincipal !== undefined) return false;
  const actions = list(statement.Action).map(flattenIntrinsic);
  if (actions.some((action) => action === '*' || action.toLowerCase() === 'kms:*')) return false;
  if (actions.some((action) => isPattern(action) && coversCryptography(action))) return false;

  const principals = principalsOf(statement.Principal);
  const conditioned = statement.Condition !== null && typeof statement.Condition === 'object' && Object.keys(statement.Condition).length > 0;
  if (principals.includes('*') && !conditioned) return false;

  const crypto = actions.some(coversCryptography);
  if (crypto && principals.some(isAccountRoot) && !hasViaService(statement.Condition)) return false;
  return true;
}

function list(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function principalsOf(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (principal && typeof principal === 'object') return list((principal as { AWS?: unknown }).AWS).map(flattenIntrinsic);
  return [];
}

/** The account root, as an ARN (literal or joined) or a bare account id. */
function isAccountRoot(principal: string): boolean {
  return /:iam::.*:root$/.test(principal) || /^([0-9]{12}|\$\{AWS::AccountId\})$/.test(principal);
}

function hasViaService(condition: unknown): boolean {
  if (!condition || typeof condition !== 'object') return false;
  return Object.values(condition).some((entries) =>
    entries && typeof entries === 'object' && Object.keys(entries).some((key) => key.toLowerCase() === 'kms:viaservice'));
}

const CRYPTOGRAPHIC = new Set(CRYPTOGRAPHIC_ACTIONS.map((action) => action.toLowerCase()));
/** Verdicts by action as written: every key policy repeats the same few dozen actions. */
const verdicts = new Map<string, boolean>();

/** IAM action patterns: `*` stands for any run of characters, `?` for one. */
function isPattern(action: string): boolean {
  return action.includes('*') || action.includes('?');
}

/** Whether an action of a policy (`kms:Decrypt`, or a pattern such as `kms:Re*`) covers a cryptographic operation. */
function coversCryptography(action: string): boolean {
  let verdict = verdicts.get(action);
  if (verdict === undefined) {
    if (isPattern(action)) {
      const escaped = action.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
      const pattern = new RegExp(`^${escaped}$`, 'i');
      verdict = CRYPTOGRAPHIC_ACTIONS.some((crypto) => pattern.test(crypto));
    } else {
      verdict = CRYPTOGRAPHIC.has(action.toLowerCase());
    }
    verdicts.set(action, verdict);
  }
  return verdict;
}
