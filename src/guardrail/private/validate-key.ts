import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { checkDays, checkString, fail, unresolved } from './validate';

const OWNER = 'SecureGuardrail';

/** KMS automatic rotation period limits, in days. */
export const ROTATION_DAYS = { min: 90, max: 2560 };
/** KMS deletion waiting period limits, in days. */
export const PENDING_WINDOW_DAYS = { min: 7, max: 30 };

/** Tag limits shared by KMS and Bedrock (the stricter of the two where they differ). */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_CHARACTERS_TEXT = 'letters, digits, spaces and _ . : / = + - @';

export function checkRotationPeriod(value: Duration | undefined): void {
  checkDays(OWNER, 'keyRotationPeriod', value, ROTATION_DAYS.min, ROTATION_DAYS.max);
}

export function checkPendingWindow(value: Duration | undefined): void {
  checkDays(OWNER, 'keyPendingWindow', value, PENDING_WINDOW_DAYS.min, PENDING_WINDOW_DAYS.max);
}

/** Accepts `alias/name` or `name`; returns the full alias name. */
export function normalizeAlias(value: string): string {
  if (unresolved(value)) return value;
  const alias = value.startsWith('alias/') ? value : `alias/${value}`;
  if (alias.startsWith('alias/aws/')) {
    fail(OWNER, 'keyAlias', value, 'an alias outside the reserved alias/aws/ prefix');
  }
  checkString(OWNER, 'keyAlias', alias, {
    min: 7, max: 256, pattern: /^alias\/[a-zA-Z0-9:/_-]+$/, patternText: "'alias/' followed by a-z, A-Z, 0-9, : / _ -",
  });
  return alias;
}

export function checkTagKey(property: string, key: string): void {
  if (unresolved(key)) return;
  if (key.toLowerCase().startsWith('aws:')) fail(OWNER, property, key, "a tag key that does not start with the reserved 'aws:' prefix");
  checkString(OWNER, property, key, { min: 1, max: 128, pattern: TAG_CHARACTERS, patternText: TAG_CHARACTERS_TEXT });
}

export function checkTagValue(property: string, value: string, required: boolean): void {
  checkString(OWNER, property, value, {
    min: required ? 1 : 0, max: 256, pattern: TAG_CHARACTERS, patternText: TAG_CHARACTERS_TEXT,
  });
}

/** Keys are retained (and may be deletion-protected) only under these removal policies. */
export function retains(policy: RemovalPolicy): boolean {
  return policy === RemovalPolicy.RETAIN || policy === RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
}
