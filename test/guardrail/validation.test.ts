import { App, Duration, NestedStack, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SecureGuardrail, SecureGuardrailProps } from '../../src';
import { ResourceSchema } from '../../src/core/schema-validation';
import { ENV, MANDATORY_TAGS, newStack } from '../helpers/synth';

const BASE: SecureGuardrailProps = { guardrailName: 'valid', mandatoryTags: MANDATORY_TAGS };
const GUARDRAIL = 'AWS::Bedrock::Guardrail';
const KEY = 'AWS::KMS::Key';

function construct(props: Partial<SecureGuardrailProps>): () => SecureGuardrail {
  return () => new SecureGuardrail(newStack(), 'Guardrail', { ...BASE, ...props } as SecureGuardrailProps);
}

const filter = (overrides: object) => ({ filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH', ...overrides }] });
const topic = (overrides: object) => ({ topicsConfig: [{ name: 'Topic', definition: 'A topic.', type: 'DENY', ...overrides }] });

describe('SecureGuardrail refuses bad input with the property, the value and what is allowed', () => {
  test.each<[string, Partial<SecureGuardrailProps>, string]>([
    ['an empty name', { guardrailName: '' },
      'SecureGuardrail: invalid guardrailName: received "" (0 characters); allowed: 1-50 characters of 0-9, a-z, A-Z, - and _.'],
    ['a name with spaces', { guardrailName: 'my guardrail' },
      'SecureGuardrail: invalid guardrailName: received "my guardrail" (12 characters); allowed: 1-50 characters of 0-9, a-z, A-Z, - and _.'],
    ['a 51-character name', { guardrailName: 'a'.repeat(51) }, `received "${'a'.repeat(51)}" (51 characters); allowed: 1-50 characters`],
    ['a 201-character description', { description: 'd'.repeat(201) }, 'invalid description: received "ddd'],
    ['an empty description', { description: '' }, 'invalid description: received "" (0 characters); allowed: 1-200 characters.'],
    ['empty input messaging', { blockedInputMessaging: '' }, 'invalid blockedInputMessaging: received "" (0 characters); allowed: 1-500 characters.'],
    ['501-character output messaging', { blockedOutputsMessaging: 'm'.repeat(501) }, '(501 characters); allowed: 1-500 characters.'],
    ['a 89-day rotation period', { keyRotationPeriod: Duration.days(89) },
      'SecureGuardrail: invalid keyRotationPeriod: received "89 days" (7 characters); allowed: a whole number of days from 90 to 2560.'],
    ['a 2561-day rotation period', { keyRotationPeriod: Duration.days(2561) }, 'invalid keyRotationPeriod: received "2561 days"'],
    ['a rotation period in hours', { keyRotationPeriod: Duration.hours(2200) }, 'invalid keyRotationPeriod: received "91 days 16 hours"'],
    ['a 6-day pending window', { keyPendingWindow: Duration.days(6) },
      'SecureGuardrail: invalid keyPendingWindow: received "6 days" (6 characters); allowed: a whole number of days from 7 to 30.'],
    ['a 31-day pending window', { keyPendingWindow: Duration.days(31) }, 'invalid keyPendingWindow: received "31 days"'],
    ['deletion protection with a destroying removal policy', { deletionProtection: true, removalPolicy: RemovalPolicy.DESTROY },
      'SecureGuardrail: invalid deletionProtection: received true; allowed: false with removalPolicy destroy (deletion protection needs RemovalPolicy.RETAIN or RETAIN_ON_UPDATE_OR_DELETE).'],
    ['an alias under alias/aws/', { keyAlias: 'alias/aws/bedrock' },
      'SecureGuardrail: invalid keyAlias: received "alias/aws/bedrock" (17 characters); allowed: an alias outside the reserved alias/aws/ prefix.'],
    ['an alias with spaces', { keyAlias: 'alias/my key' }, "invalid keyAlias: received \"alias/my key\" (12 characters); allowed: 7-256 characters of 'alias/' followed by a-z, A-Z, 0-9, : / _ -."],
    ['an empty owner tag', { mandatoryTags: { ...MANDATORY_TAGS, owner: '' } },
      'SecureGuardrail: invalid mandatoryTags.owner: received "" (0 characters); allowed: 1-256 characters of letters, digits, white space and _ . : / = + - @.'],
    ['a missing workload tag', { mandatoryTags: { owner: 'o', dataSensitivity: 'd' } as any },
      'SecureGuardrail: invalid mandatoryTags.workload: received undefined; allowed: a non-empty tag value of at most 256 characters.'],
    ['a 257-character sensitivity tag', { mandatoryTags: { ...MANDATORY_TAGS, dataSensitivity: 'x'.repeat(257) } }, 'invalid mandatoryTags.dataSensitivity: received "xxx'],
    ['a tag value with forbidden characters', { tags: { CostCenter: 'a#b' } }, 'invalid tags.CostCenter: received "a#b" (3 characters); allowed: 0-256 characters of letters'],
    ['a reserved tag key', { tags: { 'aws:cost': 'x' } },
      'SecureGuardrail: invalid tags key "aws:cost": received "aws:cost" (8 characters); allowed: a tag key that does not start with the reserved \'aws:\' prefix.'],
    ['a 129-character tag key', { tags: { ['k'.repeat(129)]: 'x' } }, '(129 characters); allowed: 1-128 characters'],
    ['a mandatory tag key in tags', { tags: { Owner: 'someone' } },
      'SecureGuardrail: invalid tags.Owner: received "someone" (7 characters); allowed: a key other than Owner, Workload, DataSensitivity (set them with mandatoryTags).'],
    ['a content action other than BLOCK or NONE', { contentPolicyConfig: filter({ inputAction: 'ANONYMIZE' }) },
      'SecureGuardrail: invalid contentPolicyConfig.filtersConfig[0].inputAction: received "ANONYMIZE" (9 characters); allowed: BLOCK, NONE.'],
    ['a content output action other than BLOCK or NONE', { contentPolicyConfig: filter({ outputAction: 'block' }) }, 'invalid contentPolicyConfig.filtersConfig[0].outputAction: received "block"'],
    ['a PROMPT_ATTACK filter on output', { contentPolicyConfig: filter({ type: 'PROMPT_ATTACK', outputStrength: 'HIGH' }) },
      'SecureGuardrail: invalid contentPolicyConfig.filtersConfig[0].outputStrength (PROMPT_ATTACK): received "HIGH" (4 characters); allowed: NONE.'],
    ['31 topics', { topicPolicyConfig: { topicsConfig: Array.from({ length: 31 }, (_, i) => ({ name: `t${i}`, definition: 'd', type: 'DENY' })) } },
      'SecureGuardrail: invalid topicPolicyConfig.topicsConfig: received a list of 31; allowed: a list of 1-30 items.'],
    ['a topic name with forbidden characters', { topicPolicyConfig: topic({ name: 'Tax/Advice' }) },
      'invalid topicPolicyConfig.topicsConfig[0].name: received "Tax/Advice" (10 characters); allowed: 1-100 characters of 0-9, a-z, A-Z, space and - _ ! ? ..'],
    ['a 101-character topic name', { topicPolicyConfig: topic({ name: 'n'.repeat(101) }) }, '(101 characters); allowed: 1-100 characters'],
    ['an empty topic definition', { topicPolicyConfig: topic({ definition: '' }) }, 'invalid topicPolicyConfig.topicsConfig[0].definition: received "" (0 characters); allowed: 1-1000 characters.'],
    ['a topic action other than BLOCK or NONE', { topicPolicyConfig: topic({ outputAction: 'ANONYMIZE' }) }, 'invalid topicPolicyConfig.topicsConfig[0].outputAction: received "ANONYMIZE"'],
    ['a word action other than BLOCK or NONE', { wordPolicyConfig: { wordsConfig: [{ text: 'w', inputAction: 'MASK' }] } }, 'invalid wordPolicyConfig.wordsConfig[0].inputAction: received "MASK"'],
    ['a managed word list action other than BLOCK or NONE', { wordPolicyConfig: { managedWordListsConfig: [{ type: 'PROFANITY', outputAction: 'ANONYMIZE' }] } },
      'invalid wordPolicyConfig.managedWordListsConfig[0].outputAction: received "ANONYMIZE" (9 characters); allowed: BLOCK, NONE.'],
    ['a PII action other than BLOCK, ANONYMIZE or NONE', { sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'MASK' }] } },
      'SecureGuardrail: invalid sensitiveInformationPolicyConfig.piiEntitiesConfig[0].action: received "MASK" (4 characters); allowed: BLOCK, ANONYMIZE, NONE.'],
    ['a PII input action other than BLOCK, ANONYMIZE or NONE', { sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'BLOCK', inputAction: 'DROP' }] } },
      'invalid sensitiveInformationPolicyConfig.piiEntitiesConfig[0].inputAction: received "DROP"'],
    ['a regex action other than BLOCK, ANONYMIZE or NONE', { sensitiveInformationPolicyConfig: { regexesConfig: [{ name: 'r', pattern: '.', action: 'BLOCK', outputAction: 'DROP' }] } },
      'invalid sensitiveInformationPolicyConfig.regexesConfig[0].outputAction: received "DROP"'],
    ['a grounding threshold above 1', { contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'GROUNDING', threshold: 1.5 }] } },
      'SecureGuardrail: invalid contextualGroundingPolicyConfig.filtersConfig[0].threshold: received 1.5; allowed: 0 <= value <= 1.'],
    ['a negative grounding threshold', { contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'RELEVANCE', threshold: -0.1 }] } }, 'threshold: received -0.1; allowed: value >= 0.'],
    ['a grounding action other than BLOCK or NONE', { contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'RELEVANCE', threshold: 0.5, action: 'WARN' }] } },
      'invalid contextualGroundingPolicyConfig.filtersConfig[0].action: received "WARN"'],
    ['a malformed guardrail profile ARN', { crossRegionConfig: { guardrailProfileArn: 'arn:aws:bedrock:us-east-1:111111111111:guardrail/abc' } },
      'SecureGuardrail: invalid crossRegionConfig.guardrailProfileArn: received "arn:aws:bedrock:us-east-1:111111111111:guardrail/abc" (52 characters); allowed: 15-2048 characters of a guardrail profile ARN such as arn:aws:bedrock:us-east-1:111122223333:guardrail-profile/us.guardrail.v1:0.'],
    ['a tag value a guardrail refuses (not ASCII)', { tags: { 'team:name': 'Équipe 7' } },
      'SecureGuardrail: invalid tags.team:name: received "Équipe 7" (8 characters); allowed: 0-256 characters of a-z, A-Z, 0-9, white space and _ . : / = + @ - (a guardrail\'s tags are ASCII).'],
  ])('%s', (_name, props, message) => {
    expect(construct(props)).toThrow(message);
  });

  const topics = Array.from({ length: 30 }, (_, i) => ({ name: `Topic ${i}!?.`, definition: 'd', type: 'DENY' }));
  test.each<[string, Partial<SecureGuardrailProps>, string, Record<string, unknown>]>([
    ['a 50-character name of every allowed character', { guardrailName: `Az09-_${'x'.repeat(44)}` }, GUARDRAIL, { Name: `Az09-_${'x'.repeat(44)}` }],
    ['a 200-character description', { description: 'd'.repeat(200) }, GUARDRAIL, { Description: 'd'.repeat(200) }],
    ['rotation at the lower limit', { keyRotationPeriod: Duration.days(90) }, KEY, { RotationPeriodInDays: 90 }],
    ['rotation at the upper limit', { keyRotationPeriod: Duration.days(2560) }, KEY, { RotationPeriodInDays: 2560 }],
    ['a pending window at the lower limit', { keyPendingWindow: Duration.days(7) }, KEY, { PendingWindowInDays: 7 }],
    ['a grounding threshold of 0', { contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'GROUNDING', threshold: 0 }] } },
      GUARDRAIL, { ContextualGroundingPolicyConfig: { FiltersConfig: [{ Type: 'GROUNDING', Threshold: 0 }] } }],
    ['a grounding threshold of 1', { contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'GROUNDING', threshold: 1 }] } },
      GUARDRAIL, { ContextualGroundingPolicyConfig: { FiltersConfig: [{ Type: 'GROUNDING', Threshold: 1 }] } }],
    ['30 topics', { topicPolicyConfig: { topicsConfig: topics } },
      GUARDRAIL, { TopicPolicyConfig: { TopicsConfig: topics.map((t) => ({ Name: t.name, Definition: t.definition, Type: t.type })) } }],
    ['PII anonymization', { sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE', inputAction: 'NONE', outputAction: 'ANONYMIZE' }] } },
      GUARDRAIL, { SensitiveInformationPolicyConfig: { PiiEntitiesConfig: [{ Type: 'EMAIL', Action: 'ANONYMIZE', InputAction: 'NONE', OutputAction: 'ANONYMIZE' }] } }],
    ['a GovCloud guardrail profile', { crossRegionConfig: { guardrailProfileArn: 'arn:aws-us-gov:bedrock:us-gov-west-1:111111111111:guardrail-profile/us-gov.guardrail.v1:0' } },
      GUARDRAIL, { CrossRegionConfig: { GuardrailProfileArn: 'arn:aws-us-gov:bedrock:us-gov-west-1:111111111111:guardrail-profile/us-gov.guardrail.v1:0' } }],
    ['tag values with every allowed character class', { tags: { 'team:name': 'Team 7 _.:/=+-@' } }, GUARDRAIL, { Tags: Match.arrayWith([{ Key: 'team:name', Value: 'Team 7 _.:/=+-@' }]) }],
    ['an empty optional tag value', { tags: { Note: '' } }, GUARDRAIL, { Tags: Match.arrayWith([{ Key: 'Note', Value: '' }]) }],
  ])('accepts %s, as given', (_name, props, type, properties) => {
    // Accepted and kept: a value dropped or altered after validation would not reach the template.
    Template.fromStack(Stack.of(construct(props)())).hasResourceProperties(type, properties);
  });
});

describe('errors say which construct refused the input', () => {
  test('a bad guardrailName in stack S, construct G, names S/G', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new SecureGuardrail(stack, 'G', { ...BASE, guardrailName: 'bad name' }))
      .toThrow(new Error('[S/G] SecureGuardrail: invalid guardrailName: received "bad name" (8 characters); allowed: 1-50 characters of 0-9, a-z, A-Z, - and _.'));
  });

  test('a stack whose name is a token is named by its path, never as a token', () => {
    const parent = new Stack(new App(), 'Parent', { env: ENV });
    const nested = new NestedStack(parent, 'Tenants');
    const guardrail = new SecureGuardrail(parent, 'G', BASE);
    let message = '';
    try {
      guardrail.grantApply(new Role(nested, 'App', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(Token.isUnresolved(nested.stackName)).toBe(true);
    expect(message).toMatch(/^\[Parent\/G\] SecureGuardrail.grantApply: invalid grantee: received Parent\/Tenants\/App of stack Parent\/Tenants, but the guardrail's key is in stack Parent/);
    expect(message).not.toContain('Token[');
  });
});

describe('content and tags that guardrails repeat pass the schema once', () => {
  test('a second guardrail with the same content and tags has only its name checked, and is still refused what the schema refuses', () => {
    const check = jest.spyOn(ResourceSchema.prototype, 'check');
    try {
      const stack = newStack();
      // Content and tags no other test gives, so that the first guardrail is checked in full.
      const props = { ...BASE, description: 'Content that several guardrails repeat.', tags: { Purpose: 'repeated' } };
      const checks = (at?: string) => check.mock.calls.filter((call) => call[3] === at).length;
      new SecureGuardrail(stack, 'First', { ...props, guardrailName: 'first' });
      const [contentChecks, tagChecks] = [checks(), checks('properties/Tags')];
      expect([contentChecks, tagChecks]).toEqual([1, 1]);
      // The key's ARN is a token, which no schema judges.
      expect(checks('properties/KmsKeyArn')).toBe(0);

      new SecureGuardrail(stack, 'Second', { ...props, guardrailName: 'second' });
      expect([checks(), checks('properties/Tags'), checks('properties/Name')]).toEqual([contentChecks, tagChecks, 1]);

      expect(() => new SecureGuardrail(stack, 'BadName', { ...props, guardrailName: 'not valid' }))
        .toThrow('SecureGuardrail: invalid guardrailName: received "not valid" (9 characters); allowed: 1-50 characters of 0-9, a-z, A-Z, - and _.');
      expect(() => new SecureGuardrail(stack, 'BadContent', { ...props, guardrailName: 'third', blockedInputMessaging: '' }))
        .toThrow('invalid blockedInputMessaging: received "" (0 characters); allowed: 1-500 characters.');
      expect(() => new SecureGuardrail(stack, 'BadTag', { ...props, guardrailName: 'fourth', tags: { Purpose: 'repeated', Team: 'Zürich' } }))
        .toThrow('invalid tags.Team');
    } finally {
      check.mockRestore();
    }
  });
});
