import { aws_bedrock as bedrock } from 'aws-cdk-lib';
import { fail, Origin } from '../../core/errors';
import { checkNumber, checkOneOf, checkString, inspectable, inspectableObject } from '../../core/validation';

const FILTER_ACTIONS = ['BLOCK', 'NONE'];
const PII_ACTIONS = ['BLOCK', 'ANONYMIZE', 'NONE'];
const MAX_TOPICS = 30;

/** A guardrail's properties as `SecureGuardrail` passes them to CloudFormation, without the key. */
export type GuardrailContent = Omit<bedrock.CfnGuardrailProps, 'kmsKeyArn' | 'tags'>;

export const GUARDRAIL_NAME_RULE = { min: 1, max: 50, pattern: /^[0-9a-zA-Z_-]+$/, patternText: '0-9, a-z, A-Z, - and _' };
export const DESCRIPTION_RULE = { min: 1, max: 200 };
const MESSAGING_RULE = { min: 1, max: 500 };

/** Shape of a cross-Region guardrail profile ARN (from the CloudFormation schema). */
export const GUARDRAIL_PROFILE_ARN = /^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail-profile\/[a-z0-9-]+[.]guardrail[.]v[0-9:]+$/;

/**
 * Refuses, before CloudFormation does, content that Bedrock would refuse at deployment. Errors name
 * the properties of `SecureGuardrailProps` (`guardrailName` for `name`).
 */
export function validateGuardrailContent(origin: Origin, content: GuardrailContent): void {
  checkString(origin, 'guardrailName', content.name, GUARDRAIL_NAME_RULE);
  checkString(origin, 'description', content.description, DESCRIPTION_RULE);
  checkString(origin, 'blockedInputMessaging', content.blockedInputMessaging, MESSAGING_RULE);
  checkString(origin, 'blockedOutputsMessaging', content.blockedOutputsMessaging, MESSAGING_RULE);
  validateContentPolicy(origin, content.contentPolicyConfig);
  validateTopicPolicy(origin, content.topicPolicyConfig);
  validateWordPolicy(origin, content.wordPolicyConfig);
  validateSensitiveInformationPolicy(origin, content.sensitiveInformationPolicyConfig);
  validateContextualGroundingPolicy(origin, content.contextualGroundingPolicyConfig);
  validateCrossRegionConfig(origin, content.crossRegionConfig);
}

function checkActions(origin: Origin, property: string, item: { inputAction?: string; outputAction?: string }, allowed: string[]): void {
  checkOneOf(origin, `${property}.inputAction`, item.inputAction, allowed);
  checkOneOf(origin, `${property}.outputAction`, item.outputAction, allowed);
}

function validateContentPolicy(origin: Origin, value: unknown): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.ContentPolicyConfigProperty>(value);
  if (!policy) return;
  inspectable<bedrock.CfnGuardrail.ContentFilterConfigProperty>(policy.filtersConfig).forEach((filter, i) => {
    const property = `contentPolicyConfig.filtersConfig[${i}]`;
    checkActions(origin, property, filter, FILTER_ACTIONS);
    if (filter.type === 'PROMPT_ATTACK') {
      // Bedrock evaluates prompt attacks on input only; any other output strength is refused at deploy.
      checkOneOf(origin, `${property}.outputStrength (PROMPT_ATTACK)`, filter.outputStrength, ['NONE']);
    }
  });
}

function validateTopicPolicy(origin: Origin, value: unknown): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.TopicPolicyConfigProperty>(value);
  if (!policy) return;
  const topics = inspectable<bedrock.CfnGuardrail.TopicConfigProperty>(policy.topicsConfig);
  if (Array.isArray(policy.topicsConfig) && policy.topicsConfig.length > MAX_TOPICS) {
    fail(origin, 'topicPolicyConfig.topicsConfig', policy.topicsConfig, `at most ${MAX_TOPICS} topics`);
  }
  topics.forEach((topic, i) => {
    const property = `topicPolicyConfig.topicsConfig[${i}]`;
    checkString(origin, `${property}.name`, topic.name, {
      min: 1, max: 100, pattern: /^[0-9a-zA-Z_ !?.-]+$/, patternText: '0-9, a-z, A-Z, space and - _ ! ? .',
    });
    checkString(origin, `${property}.definition`, topic.definition, { min: 1, max: 1000 });
    checkActions(origin, property, topic, FILTER_ACTIONS);
  });
}

function validateWordPolicy(origin: Origin, value: unknown): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.WordPolicyConfigProperty>(value);
  if (!policy) return;
  inspectable<bedrock.CfnGuardrail.WordConfigProperty>(policy.wordsConfig).forEach((word, i) =>
    checkActions(origin, `wordPolicyConfig.wordsConfig[${i}]`, word, FILTER_ACTIONS));
  inspectable<bedrock.CfnGuardrail.ManagedWordsConfigProperty>(policy.managedWordListsConfig).forEach((list, i) =>
    checkActions(origin, `wordPolicyConfig.managedWordListsConfig[${i}]`, list, FILTER_ACTIONS));
}

function validateSensitiveInformationPolicy(origin: Origin, value: unknown): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.SensitiveInformationPolicyConfigProperty>(value);
  if (!policy) return;
  const entries: Array<[string, { action?: string; inputAction?: string; outputAction?: string }]> = [
    ...inspectable<bedrock.CfnGuardrail.PiiEntityConfigProperty>(policy.piiEntitiesConfig)
      .map((pii, i) => [`sensitiveInformationPolicyConfig.piiEntitiesConfig[${i}]`, pii] as [string, typeof pii]),
    ...inspectable<bedrock.CfnGuardrail.RegexConfigProperty>(policy.regexesConfig)
      .map((regex, i) => [`sensitiveInformationPolicyConfig.regexesConfig[${i}]`, regex] as [string, typeof regex]),
  ];
  for (const [property, entry] of entries) {
    checkOneOf(origin, `${property}.action`, entry.action, PII_ACTIONS);
    checkActions(origin, property, entry, PII_ACTIONS);
  }
}

function validateContextualGroundingPolicy(origin: Origin, value: unknown): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.ContextualGroundingPolicyConfigProperty>(value);
  if (!policy) return;
  inspectable<bedrock.CfnGuardrail.ContextualGroundingFilterConfigProperty>(policy.filtersConfig).forEach((filter, i) => {
    const property = `contextualGroundingPolicyConfig.filtersConfig[${i}]`;
    checkNumber(origin, `${property}.threshold`, filter.threshold, { min: 0, max: 1, maxExclusive: true });
    checkOneOf(origin, `${property}.action`, filter.action, FILTER_ACTIONS);
  });
}

function validateCrossRegionConfig(origin: Origin, value: unknown): void {
  const config = inspectableObject<bedrock.CfnGuardrail.GuardrailCrossRegionConfigProperty>(value);
  if (!config) return;
  checkString(origin, 'crossRegionConfig.guardrailProfileArn', config.guardrailProfileArn, {
    min: 1,
    max: 2048,
    pattern: GUARDRAIL_PROFILE_ARN,
    allowed: 'a guardrail profile ARN such as arn:aws:bedrock:us-east-1:111122223333:guardrail-profile/us.guardrail.v1:0',
  });
}
