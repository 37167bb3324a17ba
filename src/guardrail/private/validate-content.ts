import { createHash } from 'crypto';
import { aws_bedrock as bedrock, CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AWS_BEDROCK_GUARDRAIL_SCHEMA, AWS_BEDROCK_GUARDRAIL_VERSION_SCHEMA } from './cfn-schemas.generated';
import { Origin, refuse } from '../../core/errors';
import { cloudFormationProperties, l1PropertyPath, PropertyNamer, ResourceSchema } from '../../core/schema-validation';
import { checkNumber, checkOneOf, checkString, inspectable, inspectableObject, unresolved } from '../../core/validation';
import { currentTags, keyTagCountError, MANDATORY_TAG_KEYS } from '../../key/guardrail-tags';

/** A guardrail's properties as `SecureGuardrail` passes them to CloudFormation, without the key. */
export type GuardrailContent = Omit<bedrock.CfnGuardrailProps, 'kmsKeyArn' | 'tags'>;

const GUARDRAIL_DEFINITIONS = AWS_BEDROCK_GUARDRAIL_SCHEMA.definitions;

/** Shape of a cross-Region guardrail profile ARN (from the CloudFormation schema, an ECMA-262 pattern read as ajv reads it). */
export const GUARDRAIL_PROFILE_ARN = new RegExp(GUARDRAIL_DEFINITIONS.GuardrailCrossRegionConfig.properties.GuardrailProfileArn.pattern, 'u');

/** How the schemas' patterns read in a message. A pattern the schema changes reads as itself. */
const PATTERN_TEXTS: { [pattern: string]: string } = {
  [AWS_BEDROCK_GUARDRAIL_SCHEMA.properties.Name.pattern]: 'of 0-9, a-z, A-Z, - and _',
  [GUARDRAIL_DEFINITIONS.TopicConfig.properties.Name.pattern]: 'of 0-9, a-z, A-Z, space and - _ ! ? .',
  [GUARDRAIL_DEFINITIONS.GuardrailCrossRegionConfig.properties.GuardrailProfileArn.pattern]:
    'of a guardrail profile ARN such as arn:aws:bedrock:us-east-1:111122223333:guardrail-profile/us.guardrail.v1:0',
  [GUARDRAIL_DEFINITIONS.Tag.properties.Value.pattern]: 'of a-z, A-Z, 0-9, white space and _ . : / = + @ - (a guardrail\'s tags are ASCII)',
  [GUARDRAIL_DEFINITIONS.AutomatedReasoningPolicyConfig.properties.Policies.items.pattern]:
    'of an Automated Reasoning policy ARN such as arn:aws:bedrock:us-east-1:111122223333:automated-reasoning-policy/abcdefghijkl',
  [AWS_BEDROCK_GUARDRAIL_VERSION_SCHEMA.properties.GuardrailIdentifier.pattern]: 'of a guardrail id or ARN',
  [AWS_BEDROCK_GUARDRAIL_SCHEMA.properties.KmsKeyArn.pattern]:
    'of a KMS key ARN such as arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)',
};

const GUARDRAIL = new ResourceSchema(AWS_BEDROCK_GUARDRAIL_SCHEMA, PATTERN_TEXTS);
const GUARDRAIL_VERSION = new ResourceSchema(AWS_BEDROCK_GUARDRAIL_VERSION_SCHEMA, PATTERN_TEXTS);

/** `SecureGuardrailProps` names the guardrail's `name` `guardrailName`. */
const secureGuardrailPath: PropertyNamer = (segments) =>
  (segments[0] === 'Name' ? ['guardrailName', ...segments.slice(1)].join('.') : l1PropertyPath(segments));

/** Bedrock's limits that its CloudFormation schema does not state (Amazon Bedrock API reference and user guide). */
const WORD_MAX_LENGTH = 100;
const CLASSIC_TOPIC_DEFINITION_MAX_LENGTH = 200;

/**
 * Refuses, before CloudFormation does, content that the guardrail's CloudFormation registry schema or
 * Bedrock refuses. Errors name the properties of `SecureGuardrailProps` (`guardrailName` for `name`).
 */
export function validateGuardrailContent(origin: Origin, content: GuardrailContent): void {
  // Names differ from guardrail to guardrail, and the schema rules a name apart from the rest: the rest
  // is remembered, and the name checked alone.
  const { name, ...rest } = content;
  checkOnce('content', rest, () => validName(name), () => {
    GUARDRAIL.check(origin, cloudFormationProperties(content) as object, secureGuardrailPath);
    validateContentPolicy(origin, content);
    validateTopicPolicy(origin, content);
    validateWordPolicy(origin, content.wordPolicyConfig);
    validateContextualGroundingPolicy(origin, content.contextualGroundingPolicyConfig);
  });
}

/** Whether the schema takes the guardrail's name (a token is not judged). */
function validName(name: string): boolean {
  try {
    GUARDRAIL.check({ owner: 'SecureGuardrail' }, name, secureGuardrailPath, 'properties/Name');
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses tags the guardrail's schema refuses: more than its `Tags` list takes (mandatory tags included),
 * or characters Bedrock does not take (ASCII only, where KMS takes any letter).
 * Mandatory tags are named by their `mandatoryTags` field, others as `tags.<key>`.
 */
export function validateGuardrailTags(origin: Origin, tags: { readonly [key: string]: string }): void {
  const fields = Object.fromEntries(Object.entries(MANDATORY_TAG_KEYS).map(([field, key]) => [key, field]));
  const keys = Object.keys(tags);
  const mandatory = keys.filter((key) => fields[key]).length;
  checkTagList(origin, tags, `tags (${keys.length - mandatory}) with mandatoryTags (${mandatory})`, (key, part) => {
    if (part === 'Key') return `tags key "${key}"`;
    return fields[key] ? `mandatoryTags.${fields[key]}` : `tags.${key}`;
  });
}

/**
 * Fails the synthesis when the guardrail's tags as the template will hold them (tags of `Tags.of`, which
 * aspects add after construction, included) break its schema, or its key's tags exceed what KMS takes.
 * The construct's own tags were checked at construction; this finds what was added since.
 *
 * @param key the key resource of the app the guardrail's tags are applied to, if any
 */
export function validateSynthesizedTags(scope: IConstruct, guardrail: CfnResource, key?: CfnResource): void {
  // A key shared by several guardrails is reported once, by the first of them.
  const checksKey = key !== undefined && !keysWithTagCheck.has(key);
  if (key) keysWithTagCheck.add(key);
  scope.node.addValidation({
    validate: () => {
      const errors: string[] = [];
      try {
        // No path in the message: the validation's own report prefixes it.
        checkTagList({ owner: 'SecureGuardrail' }, currentTags(guardrail), 'Tags (those of Tags.of included)',
          (tagKey, part) => (part === 'Key' ? `tag key "${tagKey}"` : `tag ${tagKey}`));
      } catch (error) {
        errors.push((error as Error).message);
      }
      const keyError = checksKey && keyTagCountError('SecureGuardrail', key);
      if (keyError) errors.push(keyError);
      return errors;
    },
  });
}

const keysWithTagCheck = new WeakSet<CfnResource>();

/** Refuses a key ARN the guardrail's `KmsKeyArn` does not take (a malformed literal: tokens are not judged). */
export function validateGuardrailKeyArn(origin: Origin, keyArn: string): void {
  // A key of the app gives a token, which the schema would refuse and the check then lets through: not worth asking.
  if (unresolved(keyArn)) return;
  GUARDRAIL.check(origin, keyArn, () => 'encryptionKey.keyArn', 'properties/KmsKeyArn');
}

/** Checks tags as the schema's `Tags` list, in the order given. */
function checkTagList(origin: Origin, tags: { readonly [key: string]: string }, listName: string,
  tagName: (key: string, part: 'Key' | 'Value') => string): void {
  const entries = Object.entries(tags);
  checkOnce('tags', entries, () => true, () => GUARDRAIL.check(origin, entries.map(([Key, Value]) => ({ Key, Value })), (segments) => (segments.length === 0
    ? listName
    : tagName(entries[segments[0] as number][0], segments[1] === 'Key' ? 'Key' : 'Value')), 'properties/Tags'));
}

/**
 * Digests of the values found valid, by kind and `identity`: a digest, not the text, so that large
 * contents are not kept. Bounded, so that a long-lived process does not grow it without end.
 */
const validValues = new Set<string>();
const MAX_VALID_VALUES = 10_000;

/**
 * Runs `check` (which throws on what it refuses) unless an identical value passed it before and what
 * the value leaves out passes `alsoValid`: the guardrails of an app mostly repeat the same content and
 * tags (the defaults), so each passes the schema once. Only values `identity` can write are
 * remembered, and only when they pass.
 */
function checkOnce(kind: string, value: unknown, alsoValid: () => boolean, check: () => void): void {
  const id = identity(value);
  const key = id === undefined ? undefined : createHash('sha256').update(`${kind}:${id}`).digest('base64');
  if (key !== undefined && validValues.has(key) && alsoValid()) return;
  check();
  if (key === undefined) return;
  if (validValues.size >= MAX_VALID_VALUES) validValues.clear();
  validValues.add(key);
}

/**
 * Text that tells plain values apart exactly (tokens by their encoded text, which is all a check
 * reads of them), or undefined for anything else (an object with a class, such as a token object, a
 * function, a hole or `undefined` in a list), which is then checked every time. A property that is
 * `undefined` is left out, as the checks and the template leave it out.
 */
function identity(value: unknown): string | undefined {
  return plainData(value, false) ? JSON.stringify(value) ?? 'undefined' : undefined;
}

/** Whether JSON writes the value so that no other value reads the same. */
function plainData(value: unknown, inList: boolean): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // JSON writes NaN and the infinities as null, and -0 as 0.
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'undefined':
      // JSON writes it as null in a list.
      return !inList;
    case 'object': {
      if (value === null) return true;
      const prototype = Object.getPrototypeOf(value);
      if (Array.isArray(value)) {
        if (prototype !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) if (!plainData(value[i], true)) return false;
        return true;
      }
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const key of Object.keys(value)) if (!plainData((value as Record<string, unknown>)[key], false)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** Refuses a guardrail version's properties the version's CloudFormation registry schema refuses. */
export function validateVersionProperties(origin: Origin, properties: bedrock.CfnGuardrailVersionProps): void {
  GUARDRAIL_VERSION.check(origin, cloudFormationProperties(properties) as object, l1PropertyPath);
}

function validateContentPolicy(origin: Origin, content: GuardrailContent): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.ContentPolicyConfigProperty>(content.contentPolicyConfig);
  if (!policy) return;
  const filters = inspectable<bedrock.CfnGuardrail.ContentFilterConfigProperty>(policy.filtersConfig);
  filters.forEach((filter, i) => {
    if (filter.type === 'PROMPT_ATTACK') {
      // Bedrock evaluates prompt attacks on input only; any other output strength is refused at deploy.
      checkOneOf(origin, `contentPolicyConfig.filtersConfig[${i}].outputStrength (PROMPT_ATTACK)`, filter.outputStrength, ['NONE']);
    }
  });
  checkDistinct(origin, 'contentPolicyConfig.filtersConfig', filters.map((filter) => filter.type), 'one filter per type');
  const tier = inspectableObject<bedrock.CfnGuardrail.ContentFiltersTierConfigProperty>(policy.contentFiltersTierConfig);
  checkTierProfile(origin, 'contentPolicyConfig.contentFiltersTierConfig.tierName', tier?.tierName, content);
}

function validateTopicPolicy(origin: Origin, content: GuardrailContent): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.TopicPolicyConfigProperty>(content.topicPolicyConfig);
  if (!policy) return;
  const tier = inspectableObject<bedrock.CfnGuardrail.TopicsTierConfigProperty>(policy.topicsTierConfig);
  checkTierProfile(origin, 'topicPolicyConfig.topicsTierConfig.tierName', tier?.tierName, content);
  // Only a tier known to be CLASSIC (or left out) limits definitions further.
  if (unresolved(policy.topicsTierConfig) || (tier?.tierName !== undefined && tier.tierName !== 'CLASSIC')) return;
  // The Classic tier (the default) takes shorter definitions than the schema's 1000 characters.
  inspectable<bedrock.CfnGuardrail.TopicConfigProperty>(policy.topicsConfig).forEach((topic, i) =>
    checkString(origin, `topicPolicyConfig.topicsConfig[${i}].definition`, topic.definition, {
      min: 1,
      max: CLASSIC_TOPIC_DEFINITION_MAX_LENGTH,
      allowed: `1-${CLASSIC_TOPIC_DEFINITION_MAX_LENGTH} characters with the CLASSIC topics tier (the default); up to 1000 with topicsTierConfig STANDARD`,
    }));
}

/** The STANDARD tier runs on cross-Region inference: Bedrock needs the guardrail's profile. */
function checkTierProfile(origin: Origin, property: string, tierName: string | undefined, content: GuardrailContent): void {
  if (tierName !== 'STANDARD' || content.crossRegionConfig !== undefined) return;
  refuse(origin, `invalid ${property}: received "STANDARD" without crossRegionConfig; allowed: CLASSIC, or STANDARD with `
    + 'crossRegionConfig.guardrailProfileArn (the Standard tier uses cross-Region inference).');
}

function validateWordPolicy(origin: Origin, value: unknown): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.WordPolicyConfigProperty>(value);
  if (!policy) return;
  inspectable<bedrock.CfnGuardrail.WordConfigProperty>(policy.wordsConfig).forEach((word, i) =>
    checkString(origin, `wordPolicyConfig.wordsConfig[${i}].text`, word.text, { min: 1, max: WORD_MAX_LENGTH }));
}

function validateContextualGroundingPolicy(origin: Origin, value: unknown): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.ContextualGroundingPolicyConfigProperty>(value);
  if (!policy) return;
  const filters = inspectable<bedrock.CfnGuardrail.ContextualGroundingFilterConfigProperty>(policy.filtersConfig);
  filters.forEach((filter, i) =>
    // The schema states no upper bound; Bedrock's API reference gives thresholds and scores the range 0-1.
    checkNumber(origin, `contextualGroundingPolicyConfig.filtersConfig[${i}].threshold`, filter.threshold, { min: 0, max: 1 }));
  checkDistinct(origin, 'contextualGroundingPolicyConfig.filtersConfig', filters.map((filter) => filter.type), 'one filter per type');
}

/** Refuses a list whose items repeat a known value (tokens never count as repeats). */
function checkDistinct(origin: Origin, property: string, values: ReadonlyArray<string | undefined>, allowed: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (value === undefined || unresolved(value)) continue;
    if (seen.has(value)) refuse(origin, `invalid ${property}: received type ${value} twice; allowed: ${allowed}.`);
    seen.add(value);
  }
}
