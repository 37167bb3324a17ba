import { App, Aws, Fn, Lazy, Stack, Tags, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnGuardrail } from 'aws-cdk-lib/aws-bedrock';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardrailKeyRemediationAspect, SecureGuardrail, SecureGuardrailProps } from '../../src';
import { cloudFormationProperties } from '../../src/core/schema-validation';
import { AWS_BEDROCK_GUARDRAIL_SCHEMA, AWS_BEDROCK_GUARDRAIL_VERSION_SCHEMA, CFN_SCHEMA_SOURCE } from '../../src/guardrail/private/cfn-schemas.generated';
import { ACCOUNT, MANDATORY_TAGS, newStack, REGION } from '../helpers/synth';

/**
 * Every kind of constraint the CloudFormation registry schemas of AWS::Bedrock::Guardrail and
 * AWS::Bedrock::GuardrailVersion state, and those Bedrock documents beyond them, refused at
 * construction with the one error format; tokens pass untouched.
 */

const BASE: SecureGuardrailProps = { guardrailName: 'valid', mandatoryTags: MANDATORY_TAGS };
const PROFILE = `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail-profile/eu.guardrail.v1:0`;
const POLICY = (id: string) => `arn:aws:bedrock:${REGION}:${ACCOUNT}:automated-reasoning-policy/${id}`;
const TYPES = ['SEXUAL', 'VIOLENCE', 'HATE', 'INSULTS', 'MISCONDUCT', 'PROMPT_ATTACK'];
const PII_TYPES = 'ADDRESS, AGE, AWS_ACCESS_KEY, AWS_SECRET_KEY, CA_HEALTH_NUMBER, CA_SOCIAL_INSURANCE_NUMBER, CREDIT_DEBIT_CARD_CVV, '
  + 'CREDIT_DEBIT_CARD_EXPIRY, CREDIT_DEBIT_CARD_NUMBER, DRIVER_ID, EMAIL, INTERNATIONAL_BANK_ACCOUNT_NUMBER, IP_ADDRESS, LICENSE_PLATE, '
  + 'MAC_ADDRESS, NAME, PASSWORD, PHONE, PIN, SWIFT_CODE, UK_NATIONAL_HEALTH_SERVICE_NUMBER, UK_NATIONAL_INSURANCE_NUMBER, '
  + 'UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER, URL, USERNAME, US_BANK_ACCOUNT_NUMBER, US_BANK_ROUTING_NUMBER, '
  + 'US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER, US_PASSPORT_NUMBER, US_SOCIAL_SECURITY_NUMBER, VEHICLE_IDENTIFICATION_NUMBER';

const filter = (overrides: object = {}) => ({ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH', ...overrides });
const content = (...filters: object[]) => ({ contentPolicyConfig: { filtersConfig: filters } });
const topic = (overrides: object = {}) => ({ name: 'Topic', definition: 'A topic.', type: 'DENY', ...overrides });
const topics = (...items: object[]) => ({ topicPolicyConfig: { topicsConfig: items } });
const pii = (...items: object[]) => ({ sensitiveInformationPolicyConfig: { piiEntitiesConfig: items } });
const regex = (overrides: object = {}) => ({ sensitiveInformationPolicyConfig: { regexesConfig: [{ name: 'r', pattern: '.', action: 'BLOCK', ...overrides }] } });
const grounding = (...items: object[]) => ({ contextualGroundingPolicyConfig: { filtersConfig: items } });
const reasoning = (overrides: object) => ({ automatedReasoningPolicyConfig: { policies: [POLICY('abcdefghijkl')], ...overrides } });
const chars = (n: number, c = 'x') => c.repeat(n);
const quoted = (text: string) => `"${text}" (${[...text].length} characters)`;
const manyTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`Tag${i}`, 'v']));

function messageOf(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

function guardrail(props: object): () => SecureGuardrail {
  return () => new SecureGuardrail(newStack(), 'Guardrail', { ...BASE, ...props } as SecureGuardrailProps);
}

const TIER_NEEDS_PROFILE = (property: string) => `invalid ${property}: received "STANDARD" without crossRegionConfig; `
  + 'allowed: CLASSIC, or STANDARD with crossRegionConfig.guardrailProfileArn (the Standard tier uses cross-Region inference).';
const ASCII_TAG = 'of a-z, A-Z, 0-9, white space and _ . : / = + @ - (a guardrail\'s tags are ASCII)';

describe('SecureGuardrail refuses what the CloudFormation schema or Bedrock refuses, naming the property, the value and what is allowed', () => {
  test.each<[string, object, string]>([
    // Top-level strings: lengths and patterns.
    ['a 51-character name', { guardrailName: chars(51) }, `invalid guardrailName: received ${quoted(chars(51))}; allowed: 1-50 characters of 0-9, a-z, A-Z, - and _.`],
    ['a name with a dot', { guardrailName: 'a.b' }, `invalid guardrailName: received ${quoted('a.b')}; allowed: 1-50 characters of 0-9, a-z, A-Z, - and _.`],
    ['a 201-character description', { description: chars(201) }, `invalid description: received ${quoted(chars(201))}; allowed: 1-200 characters.`],
    ['501-character input messaging', { blockedInputMessaging: chars(501) }, `invalid blockedInputMessaging: received ${quoted(chars(501))}; allowed: 1-500 characters.`],
    ['empty output messaging', { blockedOutputsMessaging: '' }, 'invalid blockedOutputsMessaging: received "" (0 characters); allowed: 1-500 characters.'],

    // Content filters: item counts, enums, required fields, and Bedrock's rules beyond the schema.
    ['seven content filters', content(...TYPES.map((type) => filter({ type })), filter()),
      'invalid contentPolicyConfig.filtersConfig: received a list of 7; allowed: a list of 1-6 items.'],
    ['an empty filtersConfig', content(), 'invalid contentPolicyConfig.filtersConfig: received a list of 0; allowed: a list of 1-6 items.'],
    ['the same filter type twice', content(filter(), filter({ inputStrength: 'LOW' })),
      'invalid contentPolicyConfig.filtersConfig: received type HATE twice; allowed: one filter per type.'],
    ['a strength EXTREME', content(filter({ inputStrength: 'EXTREME' })),
      `invalid contentPolicyConfig.filtersConfig[0].inputStrength: received ${quoted('EXTREME')}; allowed: NONE, LOW, MEDIUM, HIGH.`],
    ['a lower-case output strength', content(filter({ outputStrength: 'high' })),
      `invalid contentPolicyConfig.filtersConfig[0].outputStrength: received ${quoted('high')}; allowed: NONE, LOW, MEDIUM, HIGH.`],
    ['an unknown filter type', content(filter({ type: 'NSFW' })),
      `invalid contentPolicyConfig.filtersConfig[0].type: received ${quoted('NSFW')}; allowed: ${TYPES.join(', ')}.`],
    ['a content action ANONYMIZE', content(filter({ inputAction: 'ANONYMIZE' })),
      `invalid contentPolicyConfig.filtersConfig[0].inputAction: received ${quoted('ANONYMIZE')}; allowed: BLOCK, NONE.`],
    ['a modality AUDIO', content(filter({ inputModalities: ['AUDIO'] })),
      `invalid contentPolicyConfig.filtersConfig[0].inputModalities[0]: received ${quoted('AUDIO')}; allowed: TEXT, IMAGE.`],
    ['three output modalities', content(filter({ outputModalities: ['TEXT', 'IMAGE', 'TEXT'] })),
      'invalid contentPolicyConfig.filtersConfig[0].outputModalities: received a list of 3; allowed: a list of 1-2 items.'],
    ['no input modality', content(filter({ inputModalities: [] })),
      'invalid contentPolicyConfig.filtersConfig[0].inputModalities: received a list of 0; allowed: a list of 1-2 items.'],
    ['a filter without input strength', content({ type: 'HATE', outputStrength: 'HIGH' }),
      'invalid contentPolicyConfig.filtersConfig[0].inputStrength: received undefined; allowed: NONE, LOW, MEDIUM, HIGH (required).'],
    ['a content tier PREMIUM', { contentPolicyConfig: { filtersConfig: [filter()], contentFiltersTierConfig: { tierName: 'PREMIUM' } } },
      `invalid contentPolicyConfig.contentFiltersTierConfig.tierName: received ${quoted('PREMIUM')}; allowed: CLASSIC, STANDARD.`],
    ['the STANDARD content tier without a profile', { contentPolicyConfig: { filtersConfig: [filter()], contentFiltersTierConfig: { tierName: 'STANDARD' } } },
      TIER_NEEDS_PROFILE('contentPolicyConfig.contentFiltersTierConfig.tierName')],
    ['a PROMPT_ATTACK filter on output', content(filter({ type: 'PROMPT_ATTACK', outputStrength: 'LOW' })),
      `invalid contentPolicyConfig.filtersConfig[0].outputStrength (PROMPT_ATTACK): received ${quoted('LOW')}; allowed: NONE.`],

    // Denied topics.
    ['31 topics', topics(...Array.from({ length: 31 }, (_, i) => topic({ name: `t${i}` }))),
      'invalid topicPolicyConfig.topicsConfig: received a list of 31; allowed: a list of 1-30 items.'],
    ['no topic', topics(), 'invalid topicPolicyConfig.topicsConfig: received a list of 0; allowed: a list of 1-30 items.'],
    ['a topic name with a slash', topics(topic({ name: 'Tax/Advice' })),
      `invalid topicPolicyConfig.topicsConfig[0].name: received ${quoted('Tax/Advice')}; allowed: 1-100 characters of 0-9, a-z, A-Z, space and - _ ! ? ..`],
    ['a 101-character topic name', topics(topic({ name: chars(101) })),
      `invalid topicPolicyConfig.topicsConfig[0].name: received ${quoted(chars(101))}; allowed: 1-100 characters of 0-9, a-z, A-Z, space and - _ ! ? ..`],
    ['a 1001-character definition on the STANDARD tier', {
      crossRegionConfig: { guardrailProfileArn: PROFILE },
      topicPolicyConfig: { topicsConfig: [topic({ definition: chars(1001) })], topicsTierConfig: { tierName: 'STANDARD' } },
    }, `invalid topicPolicyConfig.topicsConfig[0].definition: received ${quoted(chars(1001))}; allowed: 1-1000 characters.`],
    ['a 201-character definition on the CLASSIC tier', topics(topic({ definition: chars(201) })),
      `invalid topicPolicyConfig.topicsConfig[0].definition: received ${quoted(chars(201))}; `
      + 'allowed: 1-200 characters with the CLASSIC topics tier (the default); up to 1000 with topicsTierConfig STANDARD.'],
    ['a topic type ALLOW', topics(topic({ type: 'ALLOW' })), `invalid topicPolicyConfig.topicsConfig[0].type: received ${quoted('ALLOW')}; allowed: DENY.`],
    ['six topic examples', topics(topic({ examples: Array.from({ length: 6 }, (_, i) => `Example ${i}`) })),
      'invalid topicPolicyConfig.topicsConfig[0].examples: received a list of 6; allowed: a list of 0-5 items.'],
    ['a 101-character topic example', topics(topic({ examples: [chars(101)] })),
      `invalid topicPolicyConfig.topicsConfig[0].examples[0]: received ${quoted(chars(101))}; allowed: 1-100 characters.`],
    ['a topics tier GOLD', { topicPolicyConfig: { topicsConfig: [topic()], topicsTierConfig: { tierName: 'GOLD' } } },
      `invalid topicPolicyConfig.topicsTierConfig.tierName: received ${quoted('GOLD')}; allowed: CLASSIC, STANDARD.`],
    ['the STANDARD topics tier without a profile', { topicPolicyConfig: { topicsConfig: [topic()], topicsTierConfig: { tierName: 'STANDARD' } } },
      TIER_NEEDS_PROFILE('topicPolicyConfig.topicsTierConfig.tierName')],
    ['a topic action ANONYMIZE', topics(topic({ outputAction: 'ANONYMIZE' })),
      `invalid topicPolicyConfig.topicsConfig[0].outputAction: received ${quoted('ANONYMIZE')}; allowed: BLOCK, NONE.`],

    // Word filters.
    ['a 101-character blocked word', { wordPolicyConfig: { wordsConfig: [{ text: chars(101) }] } },
      `invalid wordPolicyConfig.wordsConfig[0].text: received ${quoted(chars(101))}; allowed: 1-100 characters.`],
    ['an empty blocked word', { wordPolicyConfig: { wordsConfig: [{ text: '' }] } },
      'invalid wordPolicyConfig.wordsConfig[0].text: received "" (0 characters); allowed: at least 1 character.'],
    ['an empty word list', { wordPolicyConfig: { wordsConfig: [] } },
      'invalid wordPolicyConfig.wordsConfig: received a list of 0; allowed: a list of 1-10000 items.'],
    ['a managed word list SLURS', { wordPolicyConfig: { managedWordListsConfig: [{ type: 'SLURS' }] } },
      `invalid wordPolicyConfig.managedWordListsConfig[0].type: received ${quoted('SLURS')}; allowed: PROFANITY.`],
    ['a word action MASK', { wordPolicyConfig: { wordsConfig: [{ text: 'w', inputAction: 'MASK' }] } },
      `invalid wordPolicyConfig.wordsConfig[0].inputAction: received ${quoted('MASK')}; allowed: BLOCK, NONE.`],

    // Sensitive information.
    ['a PII entity type SSN', pii({ type: 'SSN', action: 'BLOCK' }),
      `invalid sensitiveInformationPolicyConfig.piiEntitiesConfig[0].type: received ${quoted('SSN')}; allowed: ${PII_TYPES}.`],
    ['a PII action MASK', pii({ type: 'EMAIL', action: 'MASK' }),
      `invalid sensitiveInformationPolicyConfig.piiEntitiesConfig[0].action: received ${quoted('MASK')}; allowed: BLOCK, ANONYMIZE, NONE.`],
    ['a PII entity without action', pii({ type: 'EMAIL' }),
      'invalid sensitiveInformationPolicyConfig.piiEntitiesConfig[0].action: received undefined; allowed: BLOCK, ANONYMIZE, NONE (required).'],
    ['no PII entity', pii(), 'invalid sensitiveInformationPolicyConfig.piiEntitiesConfig: received a list of 0; allowed: a list of at least 1 item, none repeated.'],
    ['the same PII entity twice', pii({ type: 'EMAIL', action: 'BLOCK' }, { type: 'EMAIL', action: 'BLOCK' }),
      'invalid sensitiveInformationPolicyConfig.piiEntitiesConfig: received a list of 2; allowed: a list of at least 1 item, none repeated.'],
    ['an empty regex name', regex({ name: '' }), 'invalid sensitiveInformationPolicyConfig.regexesConfig[0].name: received "" (0 characters); allowed: 1-100 characters.'],
    ['an empty regex pattern', regex({ pattern: '' }),
      'invalid sensitiveInformationPolicyConfig.regexesConfig[0].pattern: received "" (0 characters); allowed: at least 1 character.'],
    ['a 1001-character regex description', regex({ description: chars(1001) }),
      `invalid sensitiveInformationPolicyConfig.regexesConfig[0].description: received ${quoted(chars(1001))}; allowed: 1-1000 characters.`],
    ['31 regexes', { sensitiveInformationPolicyConfig: { regexesConfig: Array.from({ length: 31 }, (_, i) => ({ name: `r${i}`, pattern: '.', action: 'BLOCK' })) } },
      'invalid sensitiveInformationPolicyConfig.regexesConfig: received a list of 31; allowed: a list of 1-30 items.'],
    ['a regex action REDACT', regex({ outputAction: 'REDACT' }),
      `invalid sensitiveInformationPolicyConfig.regexesConfig[0].outputAction: received ${quoted('REDACT')}; allowed: BLOCK, ANONYMIZE, NONE.`],

    // Contextual grounding.
    ['a grounding type ACCURACY', grounding({ type: 'ACCURACY', threshold: 0.5 }),
      `invalid contextualGroundingPolicyConfig.filtersConfig[0].type: received ${quoted('ACCURACY')}; allowed: GROUNDING, RELEVANCE.`],
    ['a grounding threshold above 1', grounding({ type: 'GROUNDING', threshold: 1.01 }),
      'invalid contextualGroundingPolicyConfig.filtersConfig[0].threshold: received 1.01; allowed: 0 <= value <= 1.'],
    ['a negative grounding threshold', grounding({ type: 'GROUNDING', threshold: -0.5 }),
      'invalid contextualGroundingPolicyConfig.filtersConfig[0].threshold: received -0.5; allowed: value >= 0.'],
    ['no grounding filter', grounding(), 'invalid contextualGroundingPolicyConfig.filtersConfig: received a list of 0; allowed: a list of at least 1 item.'],
    ['the same grounding type twice', grounding({ type: 'RELEVANCE', threshold: 0.5 }, { type: 'RELEVANCE', threshold: 0.7 }),
      'invalid contextualGroundingPolicyConfig.filtersConfig: received type RELEVANCE twice; allowed: one filter per type.'],
    ['a grounding action WARN', grounding({ type: 'GROUNDING', threshold: 0.5, action: 'WARN' }),
      `invalid contextualGroundingPolicyConfig.filtersConfig[0].action: received ${quoted('WARN')}; allowed: BLOCK, NONE.`],

    // Automated Reasoning.
    ['no reasoning policy', reasoning({ policies: [] }), 'invalid automatedReasoningPolicyConfig.policies: received a list of 0; allowed: a list of 1-2 items, none repeated.'],
    ['three reasoning policies', reasoning({ policies: [POLICY('aaaaaaaaaaaa'), POLICY('bbbbbbbbbbbb'), POLICY('cccccccccccc')] }),
      'invalid automatedReasoningPolicyConfig.policies: received a list of 3; allowed: a list of 1-2 items, none repeated.'],
    ['the same reasoning policy twice', reasoning({ policies: [POLICY('aaaaaaaaaaaa'), POLICY('aaaaaaaaaaaa')] }),
      'invalid automatedReasoningPolicyConfig.policies: received a list of 2; allowed: a list of 1-2 items, none repeated.'],
    ['a reasoning policy id of 3 characters', reasoning({ policies: [POLICY('abc')] }),
      `invalid automatedReasoningPolicyConfig.policies[0]: received ${quoted(POLICY('abc'))}; allowed: 15-2048 characters of an Automated Reasoning policy ARN `
      + 'such as arn:aws:bedrock:us-east-1:111122223333:automated-reasoning-policy/abcdefghijkl.'],
    ['a confidence threshold of 1.5', reasoning({ confidenceThreshold: 1.5 }),
      'invalid automatedReasoningPolicyConfig.confidenceThreshold: received 1.5; allowed: 0 <= value <= 1.'],

    // Cross-Region inference.
    ['a guardrail ARN as profile', { crossRegionConfig: { guardrailProfileArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/abc` } },
      `invalid crossRegionConfig.guardrailProfileArn: received ${quoted(`arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/abc`)}; `
      + 'allowed: 15-2048 characters of a guardrail profile ARN such as arn:aws:bedrock:us-east-1:111122223333:guardrail-profile/us.guardrail.v1:0.'],
    ['a profile id instead of its ARN', { crossRegionConfig: { guardrailProfileArn: 'eu.guardrail.v1:0' } },
      `invalid crossRegionConfig.guardrailProfileArn: received ${quoted('eu.guardrail.v1:0')}; `
      + 'allowed: 15-2048 characters of a guardrail profile ARN such as arn:aws:bedrock:us-east-1:111122223333:guardrail-profile/us.guardrail.v1:0.'],

    // Tags, which the guardrail carries as well as its key.
    ['a tag value with an accent', { tags: { Team: 'Équipe' } }, `invalid tags.Team: received ${quoted('Équipe')}; allowed: 0-256 characters ${ASCII_TAG}.`],
    ['a tag key with an accent', { tags: { Équipe: 'a' } }, `invalid tags key "Équipe": received ${quoted('Équipe')}; allowed: 1-128 characters ${ASCII_TAG}.`],
    ['a mandatory tag with an accent', { mandatoryTags: { ...MANDATORY_TAGS, owner: 'Zoë' } },
      `invalid mandatoryTags.owner: received ${quoted('Zoë')}; allowed: 0-256 characters ${ASCII_TAG}.`],
    ['198 tags beside the 3 mandatory ones (201 on the guardrail)', { tags: manyTags(198) },
      'invalid tags (198) with mandatoryTags (3): received a list of 201; allowed: a list of 0-200 items.'],
    ['47 tags on a key the construct creates (51 on the key, KMS takes 50)', { tags: manyTags(47) },
      'invalid tags: received 47 tags, 51 on the key with the 3 of mandatoryTags and BedrockGuardrail; allowed: at most 50 tags on a KMS key, so at most 46 in tags.'],
  ])('%s', (_name, props, message) => {
    expect(messageOf(guardrail(props))).toBe(`[TestStack/Guardrail] SecureGuardrail: ${message}`);
  });

  test.each<[string, string | undefined, string]>([
    ['an empty version description', '', 'invalid description: received "" (0 characters); allowed: 1-200 characters.'],
    ['a 201-character version description', chars(201), `invalid description: received ${quoted(chars(201))}; allowed: 1-200 characters.`],
  ])('GuardrailVersion refuses %s', (_name, description, message) => {
    const secure = new SecureGuardrail(newStack(), 'Guardrail', BASE);
    expect(messageOf(() => secure.createVersion(description))).toBe(`[TestStack/Guardrail/Version] GuardrailVersion: ${message}`);
  });
});

describe('tags are counted as the template holds them, and their characters read as the schemas state them (ECMA-262)', () => {
  const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0123abcd-12ab-34cd-56ef-1234567890ab`;
  const importedKey = (stack: Stack) => kms.Key.fromKeyArn(stack, 'ImportedKey', KEY_ARN);
  const tagsOf = (template: Template, type: string): Array<{ Key: string; Value: string }> =>
    Object.values(template.findResources(type))[0].Properties.Tags;

  function synthesized(props: Partial<SecureGuardrailProps>, after: (stack: Stack) => void = () => {}): Template {
    const stack = newStack();
    new SecureGuardrail(stack, 'Guardrail', { ...BASE, ...props });
    after(stack);
    return Template.fromStack(stack);
  }
  const synthesisError = (message: string) => `Validation failed with the following errors:\n  [TestStack/Guardrail] SecureGuardrail: ${message}`;

  test('accepts exactly 200 tags on a guardrail whose key it does not tag', () => {
    const stack = newStack();
    new SecureGuardrail(stack, 'Guardrail', { ...BASE, tags: manyTags(197), encryptionKey: importedKey(stack) });
    const tags = tagsOf(Template.fromStack(stack), 'AWS::Bedrock::Guardrail');
    expect(tags).toHaveLength(200);
    expect(tags).toEqual(expect.arrayContaining([{ Key: 'Tag196', Value: 'v' }, { Key: 'Owner', Value: MANDATORY_TAGS.owner }]));
  });

  test('accepts 46 tags with a created key, which then carries KMS\'s 50', () => {
    const template = synthesized({ tags: manyTags(46) });
    expect(tagsOf(template, 'AWS::KMS::Key')).toHaveLength(50);
    expect(tagsOf(template, 'AWS::Bedrock::Guardrail')).toHaveLength(49);
  });

  test.each([['a tab', 'a\tb'], ['a line feed', 'a\nb']])('accepts %s in a tag value (\\s of the guardrail schema, white space for KMS)', (_name, value) => {
    const template = synthesized({ tags: { Team: value }, mandatoryTags: { ...MANDATORY_TAGS, owner: `team${value}` } });
    for (const type of ['AWS::Bedrock::Guardrail', 'AWS::KMS::Key']) {
      expect(tagsOf(template, type)).toEqual(expect.arrayContaining([{ Key: 'Team', Value: value }, { Key: 'Owner', Value: `team${value}` }]));
    }
  });

  test('GuardrailKeyRemediationAspect accepts a tab in a mandatory tag, as KMS does', () => {
    expect(messageOf(() => GuardrailKeyRemediationAspect.applyTo(new App(), { mandatoryTags: { ...MANDATORY_TAGS, owner: 'team\tpayments' } }))).toBe('no error');
  });

  test('fails the synthesis when Tags.of brings the guardrail to 201 tags', () => {
    const stack = newStack();
    new SecureGuardrail(stack, 'Guardrail', { ...BASE, tags: manyTags(197), encryptionKey: importedKey(stack) });
    Tags.of(stack).add('CostCenter', 'cc-1');
    expect(messageOf(() => Template.fromStack(stack)))
      .toBe(synthesisError('invalid Tags (those of Tags.of included): received a list of 201; allowed: a list of 0-200 items.'));
  });

  test('fails the synthesis when Tags.of gives the guardrail a character Bedrock does not take', () => {
    expect(messageOf(() => synthesized({}, (stack) => Tags.of(stack).add('Team', 'Équipe'))))
      .toBe(synthesisError(`invalid tag Team: received ${quoted('Équipe')}; allowed: 0-256 characters ${ASCII_TAG}.`));
  });

  test('fails the synthesis when Tags.of brings a created key to 51 tags', () => {
    expect(messageOf(() => synthesized({ tags: manyTags(46) }, (stack) => Tags.of(stack).add('CostCenter', 'cc-1'))))
      .toBe(synthesisError('invalid tags of the key TestStack/Guardrail/Key/Resource: received 51 tags (those of Tags.of included); allowed: at most 50 tags on a KMS key.'));
  });

  test('reports a key shared by two guardrails once when Tags.of brings it over 50 tags', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'TeamKey', { enableKeyRotation: true });
    new SecureGuardrail(stack, 'Guardrail', { ...BASE, encryptionKey: key });
    new SecureGuardrail(stack, 'Second', { ...BASE, guardrailName: 'second', encryptionKey: key });
    Object.entries(manyTags(48)).forEach(([tag, value]) => Tags.of(key).add(tag, value));
    expect(messageOf(() => Template.fromStack(stack)))
      .toBe(synthesisError('invalid tags of the key TestStack/TeamKey/Resource: received 51 tags (those of Tags.of included); allowed: at most 50 tags on a KMS key.'));
  });

  test('counts a tag that Tags.of adds as a token, without judging its value', () => {
    expect(messageOf(() => synthesized({}, (stack) => Tags.of(stack).add('Team', Fn.ref('Team'))))).toBe('no error');
    expect(messageOf(() => synthesized({ tags: manyTags(46) }, (stack) => Tags.of(stack).add('Team', Fn.ref('Team')))))
      .toBe(synthesisError('invalid tags of the key TestStack/Guardrail/Key/Resource: received 51 tags (those of Tags.of included); allowed: at most 50 tags on a KMS key.'));
  });

  test('refuses a key ARN the guardrail\'s KmsKeyArn does not take', () => {
    const stack = newStack();
    const arn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/abc`;
    expect(messageOf(() => new SecureGuardrail(stack, 'Guardrail', { ...BASE, encryptionKey: kms.Key.fromKeyArn(stack, 'Short', arn) })))
      .toBe(`[TestStack/Guardrail] SecureGuardrail: invalid encryptionKey.keyArn: received ${quoted(arn)}; allowed: 1-2048 characters of a KMS key ARN `
        + 'such as arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias).');
  });
});

describe('tokens are never judged by their shape', () => {
  const name = Token.asString(Fn.ref('TenantName'));
  const strength = Lazy.string({ produce: () => 'EXTREME' });
  test.each<[string, object]>([
    ['a name that is a token', { guardrailName: name }],
    ['a name with a token inside', { guardrailName: `${chars(49)}-${Aws.ACCOUNT_ID}` }],
    ['a content policy that is a token', { contentPolicyConfig: Lazy.any({ produce: () => ({ filtersConfig: [] }) }) }],
    ['a filter list that is a token', { contentPolicyConfig: { filtersConfig: Lazy.any({ produce: () => [] }) } }],
    ['a filter that is a token', content(Lazy.any({ produce: () => ({}) }))],
    ['a strength that is a token', content(filter({ inputStrength: strength }))],
    ['a filter type that is a token, next to one of the same type', content(filter({ type: Lazy.string({ produce: () => 'HATE' }) }), filter())],
    ['the STANDARD tier with a profile that is a token', {
      crossRegionConfig: Lazy.any({ produce: () => ({ guardrailProfileArn: PROFILE }) }),
      contentPolicyConfig: { filtersConfig: [filter()], contentFiltersTierConfig: { tierName: 'STANDARD' } },
    }],
    ['a tier that is a token, without a profile', { contentPolicyConfig: { filtersConfig: [filter()], contentFiltersTierConfig: { tierName: strength } } }],
    ['a long definition with a topics tier that is a token', { topicPolicyConfig: { topicsConfig: [topic({ definition: chars(900) })], topicsTierConfig: Lazy.any({ produce: () => ({ tierName: 'STANDARD' }) }) } }],
    ['a PII type that is a token', pii({ type: Fn.ref('PiiType'), action: 'BLOCK' })],
    ['a threshold that is a token', grounding({ type: 'GROUNDING', threshold: Lazy.number({ produce: () => 2 }) })],
    ['a list of policies that is a token', reasoning({ policies: Token.asList(Fn.split(',', Fn.ref('Policies'))) })],
    ['a profile ARN that is a token', { crossRegionConfig: { guardrailProfileArn: Fn.importValue('Profile') } }],
    ['a tag value that is a token', { tags: { Team: Fn.ref('Team') } }],
  ])('accepts %s', (_name, props) => {
    expect(messageOf(guardrail(props))).toBe('no error');
  });

  test('a version description that is a token', () => {
    const secure = new SecureGuardrail(newStack(), 'Guardrail', BASE);
    expect(messageOf(() => secure.createVersion(Lazy.string({ produce: () => '' })))).toBe('no error');
  });
});

describe('the vendored schemas', () => {
  test('say where they come from and of what date', () => {
    expect(CFN_SCHEMA_SOURCE).toEqual({
      publisher: 'AWS CloudFormation registry (resource provider schemas)',
      region: 'us-east-1',
      distribution: 'cfn-lint 1.58.0 (PyPI), cfnlint/data/schemas/',
      schemaDate: '2026-10-20T22:11:15Z',
    });
    expect(AWS_BEDROCK_GUARDRAIL_SCHEMA.typeName).toBe('AWS::Bedrock::Guardrail');
    expect(AWS_BEDROCK_GUARDRAIL_VERSION_SCHEMA.typeName).toBe('AWS::Bedrock::GuardrailVersion');
  });

  test('are validated against CloudFormation names exactly as aws-cdk-lib renders them', () => {
    const props = {
      name: 'valid',
      description: 'd',
      blockedInputMessaging: 'in',
      blockedOutputsMessaging: 'out',
      contentPolicyConfig: { filtersConfig: [filter({ inputModalities: ['TEXT'], inputEnabled: true })], contentFiltersTierConfig: { tierName: 'CLASSIC' } },
      topicPolicyConfig: { topicsConfig: [topic({ examples: ['e'], inputEnabled: false })], topicsTierConfig: { tierName: 'CLASSIC' } },
      wordPolicyConfig: { wordsConfig: [{ text: 'w', outputAction: 'NONE' }], managedWordListsConfig: [{ type: 'PROFANITY', outputEnabled: true }] },
      sensitiveInformationPolicyConfig: {
        piiEntitiesConfig: [{ type: 'EMAIL', action: 'BLOCK', inputAction: 'NONE' }],
        regexesConfig: [{ name: 'r', description: 'd', pattern: '.', action: 'BLOCK' }],
      },
      contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'GROUNDING', threshold: 0.5, enabled: true }] },
      automatedReasoningPolicyConfig: { policies: [POLICY('abcdefghijkl')], confidenceThreshold: 0.5 },
      crossRegionConfig: { guardrailProfileArn: PROFILE },
    };
    const stack = newStack();
    new CfnGuardrail(stack, 'Plain', props);
    const rendered = Object.values(Template.fromStack(stack).findResources('AWS::Bedrock::Guardrail'))[0].Properties;
    expect(cloudFormationProperties(props)).toEqual(rendered);
  });
});
