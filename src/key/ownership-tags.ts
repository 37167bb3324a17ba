import { CfnResource, TagManager } from 'aws-cdk-lib';
import { MandatoryTags } from './mandatory-tags';
import { fail, Origin } from '../core/errors';
import { TAG_LIMITS } from '../core/kms-limits';
import { checkString, unresolved } from '../core/validation';

/** The tag each field of `MandatoryTags` becomes. */
export const MANDATORY_TAG_KEYS: { readonly [K in keyof MandatoryTags]: string } = {
  owner: 'Owner',
  workload: 'Workload',
  dataSensitivity: 'DataSensitivity',
};

/** The priority `Tags.of(scope).add` uses by default. */
const TAG_PRIORITY = 100;

declare const validated: unique symbol;
/** Tags by key, validated: only `ownershipTags` makes them. */
export type OwnershipTags = { readonly [key: string]: string } & { readonly [validated]: true };

/**
 * The mandatory tags and any others, validated against what KMS accepts (SecureGuardrail also checks the
 * guardrail's own, ASCII-only, tag schema): mandatory
 * values of 1-256 characters, other values of 0-256, keys of 1-128 that do not use the `aws:` prefix
 * or a mandatory tag's key.
 */
export function ownershipTags(origin: Origin, mandatoryTags: MandatoryTags, tags: { readonly [key: string]: string } = {}): OwnershipTags {
  const result: { [key: string]: string } = {};
  const mandatoryKeys = Object.values(MANDATORY_TAG_KEYS);
  for (const [key, value] of Object.entries(tags)) {
    if (mandatoryKeys.includes(key)) {
      fail(origin, `tags.${key}`, value, `a key other than ${mandatoryKeys.join(', ')} (set them with mandatoryTags)`);
    }
    checkTagKey(origin, `tags key "${key}"`, key);
    checkTagValue(origin, `tags.${key}`, value, false);
    result[key] = value;
  }
  for (const [field, key] of Object.entries(MANDATORY_TAG_KEYS) as Array<[keyof MandatoryTags, string]>) {
    const value = mandatoryTags?.[field];
    if (value === undefined) {
      fail(origin, `mandatoryTags.${field}`, value, `a non-empty tag value of at most ${TAG_LIMITS.valueLength} characters`);
    }
    checkTagValue(origin, `mandatoryTags.${field}`, value, true);
    result[key] = value;
  }
  return result as OwnershipTags;
}

/**
 * Sets the tags on L1 resources directly (as `Tags.of` would, at the same priority), so that checks
 * reading the tree before synthesis see them, and so that an aspect can tag (an aspect that calls
 * `Tags.of` adds an aspect CDK may not run).
 *
 * @param keepExisting leave a tag the resource already carries as it is
 */
export function applyOwnershipTags(resource: CfnResource, tags: OwnershipTags, keepExisting = false): void {
  const manager = TagManager.of(resource);
  if (!manager) return;
  const existing = keepExisting ? manager.tagValues() : {};
  for (const [key, value] of Object.entries(tags)) {
    if (!(key in existing)) manager.setTag(key, value, TAG_PRIORITY);
  }
}

function checkTagKey(origin: Origin, property: string, key: string): void {
  if (unresolved(key)) return;
  if (key.toLowerCase().startsWith(TAG_LIMITS.reservedPrefix)) {
    fail(origin, property, key, `a tag key that does not start with the reserved '${TAG_LIMITS.reservedPrefix}' prefix`);
  }
  checkString(origin, property, key, {
    min: 1, max: TAG_LIMITS.keyLength, pattern: TAG_LIMITS.characters, patternText: TAG_LIMITS.charactersText,
  });
}

function checkTagValue(origin: Origin, property: string, value: string, required: boolean): void {
  checkString(origin, property, value, {
    min: required ? 1 : 0, max: TAG_LIMITS.valueLength, pattern: TAG_LIMITS.characters, patternText: TAG_LIMITS.charactersText,
  });
}
