import { aws_bedrock as bedrock } from 'aws-cdk-lib';
import type { SecureGuardrailProps } from '../secure-guardrail';
import { checkNumber, checkOneOf, checkString, fail, inspectable, inspectableObject } from './validate';

const OWNER = 'SecureGuardrail';
const FILTER_ACTIONS = ['BLOCK', 'NONE'];
const PII_ACTIONS = ['BLOCK', 'ANONYMIZE', 'NONE'];
const MAX_TOPICS = 30;

/** The guardrail content that `SecureGuardrail` validates before CloudFormation does (messages defaulted). */
export type GuardrailContent = Pick<SecureGuardrailProps,
  'guardrailName' | 'description' | 'contentPolicyConfig' | 'topicPolicyConfig' | 'wordPolicyConfig'
  | 'sensitiveInformationPolicyConfig' | 'contextualGroundingPolicyConfig' | 'crossRegionConfig'>
  & { readonly blockedInputMessaging: string; readonly blockedOutputsMessaging: string };

export const GUARDRAIL_NAME_RULE = { min: 1, max: 50, pattern: /^[0-9a-zA-Z_-]+$/, patternText: '0-9, a-z, A-Z, - and _' };
export const DESCRIPTION_RULE = { min: 1, max: 200 };
const MESSAGING_RULE = { min: 1, max: 500 };

/** Shape of a cross-Region guardrail profile ARN (from the CloudFormation schema). */
export const GUARDRAIL_PROFILE_ARN = /^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail-profile\/[a-z0-9-]+[.]guardrail[.]v[0-9:]+$/;

export function validateGuardrailContent(content: GuardrailContent): void {
  checkString(OWNER, 'guardrailName', content.guardrailName, GUARDRAIL_NAME_RULE);
  checkString(OWNER, 'description', content.description, DESCRIPTION_RULE);
  checkString(OWNER, 'blockedInputMessaging', content.blockedInputMessaging, MESSAGING_RULE);
  checkString(OWNER, 'blockedOutputsMessaging', content.blockedOutputsMessaging, MESSAGING_RULE);
  validateContentPolicy(content.contentPolicyConfig);
  validateTopicPolicy(content.topicPolicyConfig);
  validateWordPolicy(content.wordPolicyConfig);
  validateSensitiveInformationPolicy(content.sensitiveInformationPolicyConfig);
  validateContextualGroundingPolicy(content.contextualGroundingPolicyConfig);
  validateCrossRegionConfig(content.crossRegionConfig);
}

function checkActions(property: string, item: { inputAction?: string; outputAction?: string }, allowed: string[]): void {
  checkOneOf(OWNER, `${property}.inputAction`, item.inputAction, allowed);
  checkOneOf(OWNER, `${property}.outputAction`, item.outputAction, allowed);
}

function validateContentPolicy(value: unknown): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.ContentPolicyConfigProperty>(value);
  if (!policy) return;
  inspectable<bedrock.CfnGuardrail.ContentFilterConfigProperty>(policy.filtersConfig).forEach((filter, i) => {
    const property = `contentPolicyConfig.filtersConfig[${i}]`;
    checkActions(property, filter, FILTER_ACTIONS);
    if (filter.type === 'PROMPT_ATTACK') {
      // Bedrock evaluates prompt attacks on input only; any other output strength is refused at deploy.
      checkOneOf(OWNER, `${property}.outputStrength (PROMPT_ATTACK)`, filter.outputStrength, ['NONE']);
    }
  });
}

function validateTopicPolicy(value: unknown): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.TopicPolicyConfigProperty>(value);
  if (!policy) return;
  const topics = inspectable<bedrock.CfnGuardrail.TopicConfigProperty>(policy.topicsConfig);
  if (Array.isArray(policy.topicsConfig) && policy.topicsConfig.length > MAX_TOPICS) {
    fail(OWNER, 'topicPolicyConfig.topicsConfig', policy.topicsConfig, `at most ${MAX_TOPICS} topics`);
  }
  topics.forEach((topic, i) => {
    const property = `topicPolicyConfig.topicsConfig[${i}]`;
    checkString(OWNER, `${property}.name`, topic.name, {
      min: 1, max: 100, pattern: /^[0-9a-zA-Z_ !?.-]+$/, patternText: '0-9, a-z, A-Z, space and - _ ! ? .',
    });
    checkString(OWNER, `${property}.definition`, topic.definition, { min: 1, max: 1000 });
    checkActions(property, topic, FILTER_ACTIONS);
  });
}

function validateWordPolicy(value: unknown): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.WordPolicyConfigProperty>(value);
  if (!policy) return;
  inspectable<bedrock.CfnGuardrail.WordConfigProperty>(policy.wordsConfig).forEach((word, i) =>
    checkActions(`wordPolicyConfig.wordsConfig[${i}]`, word, FILTER_ACTIONS));
  inspectable<bedrock.CfnGuardrail.ManagedWordsConfigProperty>(policy.managedWordListsConfig).forEach((list, i) =>
    checkActions(`wordPolicyConfig.managedWordListsConfig[${i}]`, list, FILTER_ACTIONS));
}

function validateSensitiveInformationPolicy(value: unknown): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.SensitiveInformationPolicyConfigProperty>(value);
  if (!policy) return;
  const entries: Array<[string, { action?: string; inputAction?: string; outputAction?: string }]> = [
    ...inspectable<bedrock.CfnGuardrail.PiiEntityConfigProperty>(policy.piiEntitiesConfig)
      .map((pii, i) => [`sensitiveInformationPolicyConfig.piiEntitiesConfig[${i}]`, pii] as [string, typeof pii]),
    ...inspectable<bedrock.CfnGuardrail.RegexConfigProperty>(policy.regexesConfig)
      .map((regex, i) => [`sensitiveInformationPolicyConfig.regexesConfig[${i}]`, regex] as [string, typeof regex]),
  ];
  for (const [property, entry] of entries) {
    checkOneOf(OWNER, `${property}.action`, entry.action, PII_ACTIONS);
    checkActions(property, entry, PII_ACTIONS);
  }
}

function validateContextualGroundingPolicy(value: unknown): void {
  const policy = inspectableObject<bedrock.CfnGuardrail.ContextualGroundingPolicyConfigProperty>(value);
  if (!policy) return;
  inspectable<bedrock.CfnGuardrail.ContextualGroundingFilterConfigProperty>(policy.filtersConfig).forEach((filter, i) => {
    const property = `contextualGroundingPolicyConfig.filtersConfig[${i}]`;
    checkNumber(OWNER, `${property}.threshold`, filter.threshold, { min: 0, max: 1, maxExclusive: true });
    checkOneOf(OWNER, `${property}.action`, filter.action, FILTER_ACTIONS);
  });
}

function validateCrossRegionConfig(value: unknown): void {
  const config = inspectableObject<bedrock.CfnGuardrail.GuardrailCrossRegionConfigProperty>(value);
  if (!config) return;
  checkString(OWNER, 'crossRegionConfig.guardrailProfileArn', config.guardrailProfileArn, {
    min: 1,
    max: 2048,
    pattern: GUARDRAIL_PROFILE_ARN,
    allowed: 'a guardrail profile ARN such as arn:aws:bedrock:us-east-1:111122223333:guardrail-profile/us.guardrail.v1:0',
  });
}
