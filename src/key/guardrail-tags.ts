import { CfnResource, TagManager } from 'aws-cdk-lib';
import { MandatoryTags } from './mandatory-tags';
import { fail, Origin, refuse } from '../core/errors';
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
/** Tags by key, validated: only `guardrailTags` makes them. */
export type GuardrailTags = { readonly [key: string]: string } & { readonly [validated]: true };

/**
 * The mandatory tags and any others, validated against what KMS accepts (SecureGuardrail also checks the
 * guardrail's own, ASCII-only, tag schema): mandatory
 * values of 1-256 characters, other values of 0-256, keys of 1-128 that do not use the `aws:` prefix
 * or a mandatory tag's key. Their count is checked where they meet a resource (`checkKeyTagCount`).
 */
export function guardrailTags(origin: Origin, mandatoryTags: MandatoryTags, tags: { readonly [key: string]: string } = {}): GuardrailTags {
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
  return result as GuardrailTags;
}

/**
 * Sets the tags on L1 resources directly (as `Tags.of` would, at the same priority), so that checks
 * reading the tree before synthesis see them, and so that an aspect can tag (an aspect that calls
 * `Tags.of` adds an aspect CDK may not run).
 *
 * @param keepExisting leave a tag the resource already carries as it is
 */
export function applyGuardrailTags(resource: CfnResource, tags: GuardrailTags, keepExisting = false): void {
  const manager = TagManager.of(resource);
  if (!manager) return;
  const existing = keepExisting ? manager.tagValues() : {};
  for (const [key, value] of Object.entries(tags)) {
    if (!(key in existing)) manager.setTag(key, value, TAG_PRIORITY);
  }
}

/**
 * Refuses tags a key cannot carry all: KMS takes 50 user tags per key.
 *
 * @param added the keys of `tags` the library adds itself, beside the mandatory tags and `tags`
 */
export function checkKeyTagCount(origin: Origin, tags: GuardrailTags, added: readonly string[]): void {
  const count = userTagCount(tags);
  if (count <= TAG_LIMITS.maxTagsPerKey) return;
  const mandatory = Object.keys(MANDATORY_TAG_KEYS).length;
  const ours = mandatory + added.length;
  refuse(origin, `invalid tags: received ${count - ours} tags, ${count} on the key with the ${mandatory} of mandatoryTags and ${added.join(', ')}; `
    + `allowed: at most ${TAG_LIMITS.maxTagsPerKey} tags on a KMS key, so at most ${TAG_LIMITS.maxTagsPerKey - ours} in tags.`);
}

/** The tags a resource carries once aspects have run (`Tags.of` included), by key; a tag list that is a token is not seen. */
export function currentTags(resource: CfnResource): { readonly [key: string]: string } {
  return TagManager.of(resource)?.tagValues() ?? {};
}

/**
 * What is wrong with a key's tags as the template will hold them (`Tags.of` included), in the library's
 * format without the construct path, or undefined when KMS takes them.
 */
export function keyTagCountError(owner: string, key: CfnResource): string | undefined {
  const count = userTagCount(currentTags(key));
  if (count <= TAG_LIMITS.maxTagsPerKey) return undefined;
  return `${owner}: invalid tags of the key ${key.node.path}: received ${count} tags (those of Tags.of included); `
    + `allowed: at most ${TAG_LIMITS.maxTagsPerKey} tags on a KMS key.`;
}

/** Tags with the reserved prefix are AWS's, which KMS does not count. */
function userTagCount(tags: { readonly [key: string]: string }): number {
  return Object.keys(tags).filter((key) => unresolved(key) || !key.toLowerCase().startsWith(TAG_LIMITS.reservedPrefix)).length;
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
