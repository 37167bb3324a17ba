import { ACCOUNT, guardrailArn, keyArn, REGION, RULE_NAME } from './handler-fixtures';
import { FakeAnswer, FakeAwsEndpoint } from './helpers/fake-endpoint';
import { handler } from '../../src/governance/private/remediation/guardrail-key-remediation.lambda';
import { REMEDIATION_ENV, REMEDIATION_TAG } from '../../src/governance/private/remediation/settings';
import { keyPolicyJson } from '../../src/key/key-policy-statements';

/*
 * The remediation function through the AWS SDK's real middleware (serialization, error parsing,
 * retries) against a local endpoint standing in for Bedrock, KMS, the tagging API and AWS Config.
 */

const GUARDRAIL = guardrailArn('abc123');
const GUARDRAIL_PATH = `/guardrails/${encodeURIComponent(GUARDRAIL)}`;
const GET = `GET ${GUARDRAIL_PATH}`;
const UPDATE = `PUT ${GUARDRAIL_PATH}`;
const VERSION = `POST ${GUARDRAIL_PATH}`;
const OWN_ROLE = `arn:aws:iam::${ACCOUNT}:role/remediation`;
const EVALUATOR = `arn:aws:iam::${ACCOUNT}:role/evaluator`;
const APPS = `arn:aws:iam::${ACCOUNT}:role/apps/*`;
const NEW_KEY = keyArn('11111111-2222-3333-4444-555555555555');

/** A guardrail with every kind of setting the AWS sample lost, as GetGuardrail returns it, on an AWS owned key. */
const DRAFT = {
  name: 'support-bot',
  guardrailId: 'abc123',
  guardrailArn: GUARDRAIL,
  version: 'DRAFT',
  status: 'READY',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-02T00:00:00Z',
  blockedInputMessaging: 'Blocked input.',
  blockedOutputsMessaging: 'Blocked output.',
  description: 'Support assistant',
  topicPolicy: { topics: [{ name: 'Investments', definition: 'Advice on investments', examples: ['Buy?'], type: 'DENY', inputAction: 'BLOCK', outputAction: 'NONE', inputEnabled: true, outputEnabled: false }], tier: { tierName: 'STANDARD' } },
  contentPolicy: { filters: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'MEDIUM', inputModalities: ['TEXT', 'IMAGE'], outputModalities: ['TEXT'], inputAction: 'BLOCK', outputAction: 'NONE', inputEnabled: true, outputEnabled: true }], tier: { tierName: 'STANDARD' } },
  wordPolicy: { words: [{ text: 'secret', inputAction: 'BLOCK', outputAction: 'BLOCK', inputEnabled: true, outputEnabled: true }], managedWordLists: [{ type: 'PROFANITY', inputAction: 'NONE', outputAction: 'BLOCK' }] },
  sensitiveInformationPolicy: {
    piiEntities: [{ type: 'EMAIL', action: 'ANONYMIZE', inputAction: 'ANONYMIZE', outputAction: 'BLOCK', inputEnabled: true, outputEnabled: true }],
    regexes: [{ name: 'ticket', description: 'Ticket ids', pattern: 'T-[0-9]+', action: 'BLOCK', inputAction: 'BLOCK', outputAction: 'NONE' }],
  },
  contextualGroundingPolicy: { filters: [{ type: 'GROUNDING', threshold: 0.75, action: 'BLOCK', enabled: true }, { type: 'RELEVANCE', threshold: 0.5, action: 'NONE', enabled: false }] },
  automatedReasoningPolicy: { policies: [`arn:aws:bedrock:${REGION}:${ACCOUNT}:automated-reasoning-policy/p1:1`], confidenceThreshold: 0.9 },
  crossRegionDetails: { guardrailProfileId: 'eu.guardrail.v1:0', guardrailProfileArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail-profile/eu.guardrail.v1:0` },
};

/** What UpdateGuardrail must receive for DRAFT on `key`: every setting, renamed as the request names it. */
function expectedUpdate(key: string) {
  return {
    name: 'support-bot',
    blockedInputMessaging: 'Blocked input.',
    blockedOutputsMessaging: 'Blocked output.',
    description: 'Support assistant',
    topicPolicyConfig: { topicsConfig: DRAFT.topicPolicy.topics, tierConfig: { tierName: 'STANDARD' } },
    contentPolicyConfig: { filtersConfig: DRAFT.contentPolicy.filters, tierConfig: { tierName: 'STANDARD' } },
    wordPolicyConfig: { wordsConfig: DRAFT.wordPolicy.words, managedWordListsConfig: DRAFT.wordPolicy.managedWordLists },
    sensitiveInformationPolicyConfig: {
      piiEntitiesConfig: DRAFT.sensitiveInformationPolicy.piiEntities,
      regexesConfig: DRAFT.sensitiveInformationPolicy.regexes,
    },
    contextualGroundingPolicyConfig: { filtersConfig: DRAFT.contextualGroundingPolicy.filters },
    automatedReasoningPolicyConfig: DRAFT.automatedReasoningPolicy,
    crossRegionConfig: { guardrailProfileIdentifier: DRAFT.crossRegionDetails.guardrailProfileArn },
    kmsKeyId: key,
  };
}

const ok = (body: object): FakeAnswer => ({ status: 200, body });

const RESOURCE_POLICY = `GET /resource-policy/${encodeURIComponent(GUARDRAIL)}`;
const ENFORCED = 'GET /enforcedGuardrailsConfiguration';

/** The policy the remediation writes with the settings below. */
const OWN_POLICY = keyPolicyJson({ partition: 'aws', region: REGION, account: ACCOUNT, urlSuffix: 'amazonaws.com' }, {
  admins: [], deployers: [OWN_ROLE], users: [APPS, EVALUATOR], usersByTag: { key: 'team', value: 'support' }, auditors: [EVALUATOR],
});

/** What KMS says of a key the remediation created, with `metadata` and `policy` changed. */
function createdKey(endpoint: FakeAwsEndpoint, metadata: object = {}, policy: object = OWN_POLICY): void {
  endpoint.script('DescribeKey', ok({
    KeyMetadata: {
      Arn: NEW_KEY, KeyState: 'Enabled', KeyManager: 'CUSTOMER', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS', ...metadata,
    },
  }));
  endpoint.script('GetKeyPolicy', ok({ Policy: JSON.stringify(policy) }));
  endpoint.script('GetKeyRotationStatus', ok({ KeyRotationEnabled: false }));
}

describe('the remediation function, against a local endpoint', () => {
  const endpoint = new FakeAwsEndpoint();
  const saved = { ...process.env };

  const settingsEnv = {
    [REMEDIATION_ENV.partition]: 'aws',
    [REMEDIATION_ENV.account]: ACCOUNT,
    [REMEDIATION_ENV.urlSuffix]: 'amazonaws.com',
    [REMEDIATION_ENV.ownRoleArn]: OWN_ROLE,
    [REMEDIATION_ENV.evaluatorRoleArn]: EVALUATOR,
    [REMEDIATION_ENV.keyUserArns]: APPS,
    [REMEDIATION_ENV.keyUserTag]: JSON.stringify({ key: 'team', value: 'support' }),
    [REMEDIATION_ENV.rotationDays]: '365',
    [REMEDIATION_ENV.tags]: JSON.stringify({ Owner: 'platform', Workload: 'support', DataSensitivity: 'internal' }),
    [REMEDIATION_ENV.publishVersion]: 'false',
    [REMEDIATION_ENV.configRuleName]: RULE_NAME,
  };

  beforeAll(async () => {
    const url = await endpoint.start();
    for (const name of Object.keys(process.env)) {
      if (/^AWS_(ENDPOINT_URL|MAX_ATTEMPTS|RETRY_MODE|PROFILE|IGNORE_CONFIGURED_ENDPOINT_URLS)/.test(name)) delete process.env[name];
    }
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: url, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true',
    });
  });
  beforeEach(() => {
    endpoint.reset();
    Object.assign(process.env, settingsEnv);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    process.env = { ...saved };
    await endpoint.stop();
  });

  const bodies = (operation: string) => endpoint.received.filter((r) => r.operation === operation).map((r) => r.body);
  const operations = () => endpoint.received.map((r) => r.operation);
  // The enforced guardrails are listed while the resource policy is read: in either order.
  const sortedOperations = () => [...operations()].sort();

  test('a guardrail on an AWS owned key gets a key of the standard, with every setting kept', async () => {
    endpoint.script(GET, ok(DRAFT));
    endpoint.script('GetResources', ok({ ResourceTagMappingList: [] }));
    endpoint.script('CreateKey', ok({ KeyMetadata: { Arn: NEW_KEY, KeyId: '11111111-2222-3333-4444-555555555555' } }));

    await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toEqual({
      guardrailArn: GUARDRAIL,
      outcome: 'REMEDIATED',
      reason: `the DRAFT is encrypted with ${NEW_KEY}`,
      keyArn: NEW_KEY,
      keyCreated: true,
      versionPublished: undefined,
      reevaluationRequested: true,
    });

    const [created] = bodies('CreateKey');
    expect(created.KeySpec).toBe('SYMMETRIC_DEFAULT');
    expect(created.KeyUsage).toBe('ENCRYPT_DECRYPT');
    expect(created.Tags).toEqual([
      { TagKey: 'Owner', TagValue: 'platform' },
      { TagKey: 'Workload', TagValue: 'support' },
      { TagKey: 'DataSensitivity', TagValue: 'internal' },
      { TagKey: 'BedrockGuardrail', TagValue: 'support-bot' },
      { TagKey: REMEDIATION_TAG, TagValue: GUARDRAIL },
    ]);
    const policy = JSON.parse(created.Policy);
    expect(policy).toEqual(keyPolicyJson({ partition: 'aws', region: REGION, account: ACCOUNT, urlSuffix: 'amazonaws.com' }, {
      admins: [], deployers: [OWN_ROLE], users: [APPS, EVALUATOR], usersByTag: { key: 'team', value: 'support' }, auditors: [EVALUATOR],
    }));
    // The callers can decrypt, through Bedrock only, by ARN and by principal tag.
    const via = { 'kms:ViaService': `bedrock.${REGION}.amazonaws.com` };
    expect(policy.Statement).toEqual(expect.arrayContaining([
      {
        Sid: 'GuardrailUseThroughBedrock',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: via, ArnLike: { 'aws:PrincipalArn': [APPS, EVALUATOR] } },
      },
      {
        Sid: 'GuardrailUseThroughBedrockByPrincipalTag',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { ...via, 'aws:PrincipalTag/team': 'support' } },
      },
      { Sid: 'DenyKeyDeletion', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:ScheduleKeyDeletion', Resource: '*' },
    ]));
    expect(bodies('EnableKeyRotation')).toEqual([{ KeyId: NEW_KEY, RotationPeriodInDays: 365 }]);
    expect(bodies(UPDATE)).toEqual([expectedUpdate(NEW_KEY)]);
    expect(bodies('StartConfigRulesEvaluation')).toEqual([{ ConfigRuleNames: [RULE_NAME] }]);
    // The rule evaluates the guardrail once it is re-keyed, so that its COMPLIANT result (and the time to remediate) is recorded now.
    expect(operations().indexOf('StartConfigRulesEvaluation')).toBeGreaterThan(operations().indexOf(UPDATE));
    expect(operations()).not.toContain(VERSION);
  });

  test('a guardrail already on a customer-managed key is reported and left alone', async () => {
    const existing = keyArn('customer-key');
    endpoint.script(GET, ok({ ...DRAFT, kmsKeyArn: existing }));
    endpoint.script('GetResources', ok({ ResourceTagMappingList: [] }));
    endpoint.script('DescribeKey', ok({ KeyMetadata: { Arn: existing, KeyManager: 'CUSTOMER', KeyState: 'Disabled' } }));

    await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toEqual({
      guardrailArn: GUARDRAIL,
      outcome: 'UNCHANGED',
      reason: `the guardrail is already encrypted with the customer-managed key ${existing}: a customer-managed key is never replaced`,
      keyArn: existing,
    });
    expect(operations()).toEqual([GET, 'GetResources', 'DescribeKey']);
  });

  test('a key that cannot be described is not replaced either', async () => {
    endpoint.script(GET, ok({ ...DRAFT, kmsKeyArn: keyArn('unreadable') }));
    endpoint.script('DescribeKey', { status: 400, error: 'AccessDeniedException' });
    await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({ outcome: 'UNCHANGED', reason: expect.stringContaining('could not be described (AccessDeniedException') });
    expect(operations()).not.toContain(UPDATE);
    expect(operations()).not.toContain('CreateKey');
  });

  test('a guardrail on an AWS managed key is re-keyed', async () => {
    endpoint.script(GET, ok({ ...DRAFT, kmsKeyArn: keyArn('aws-managed') }));
    endpoint.script('DescribeKey', ok({ KeyMetadata: { KeyManager: 'AWS' } }));
    endpoint.script('CreateKey', ok({ KeyMetadata: { Arn: NEW_KEY } }));
    await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({ outcome: 'REMEDIATED', keyArn: NEW_KEY, keyCreated: true });
    expect(bodies(UPDATE)).toEqual([expectedUpdate(NEW_KEY)]);
  });

  test('a run that stopped after creating the key finds it by its tag and creates no second key', async () => {
    endpoint.script(GET, ok(DRAFT));
    endpoint.script('GetResources', ok({ ResourceTagMappingList: [{ ResourceARN: NEW_KEY, Tags: [{ Key: REMEDIATION_TAG, Value: GUARDRAIL }] }] }));
    createdKey(endpoint);

    await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({ outcome: 'REMEDIATED', keyArn: NEW_KEY, keyCreated: false });
    expect(bodies('GetResources')).toEqual([{ ResourceTypeFilters: ['kms:key'], TagFilters: [{ Key: REMEDIATION_TAG, Values: [GUARDRAIL] }] }]);
    expect(operations()).not.toContain('CreateKey');
    expect(bodies('EnableKeyRotation')).toEqual([{ KeyId: NEW_KEY, RotationPeriodInDays: 365 }]);
    expect(bodies(UPDATE)).toEqual([expectedUpdate(NEW_KEY)]);
  });

  test('a run that stopped after the update publishes the missing version once, and does not update again', async () => {
    process.env[REMEDIATION_ENV.publishVersion] = 'true';
    endpoint.script(GET, ok({ ...DRAFT, kmsKeyArn: NEW_KEY }), ok({ ...DRAFT, version: '2' }), ok({ ...DRAFT, kmsKeyArn: NEW_KEY }));
    endpoint.script('GetResources', ok({ ResourceTagMappingList: [{ ResourceARN: NEW_KEY }] }));
    createdKey(endpoint);
    endpoint.script('GET /guardrails', ok({ guardrails: [{ id: 'abc123', version: 'DRAFT' }, { id: 'abc123', version: '1' }, { id: 'abc123', version: '2' }].map((g) => ({ ...g, arn: GUARDRAIL, name: 'support-bot', status: 'READY', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' })) }));
    endpoint.script(VERSION, ok({ guardrailId: 'abc123', version: '3' }));

    await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({
      outcome: 'REMEDIATED', keyArn: NEW_KEY, keyCreated: false, versionPublished: '3',
    });
    expect(operations()).not.toContain(UPDATE);
    expect(operations()).not.toContain('CreateKey');
    expect(bodies(VERSION)).toEqual([{
      description: `Encrypted with ${NEW_KEY} by the remediation of the guardrail's AWS Config rule`,
      clientRequestToken: 'rekey-11111111-2222-3333-4444-555555555555',
    }]);
  });

  test('no version is published for a guardrail without numbered versions, or whose newest is on the key', async () => {
    process.env[REMEDIATION_ENV.publishVersion] = 'true';
    endpoint.script(GET, ok(DRAFT));
    endpoint.script('CreateKey', ok({ KeyMetadata: { Arn: NEW_KEY } }));
    endpoint.script('GET /guardrails', ok({ guardrails: [] }));
    await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({ outcome: 'REMEDIATED', versionPublished: undefined });

    endpoint.reset();
    endpoint.script(GET, ok({ ...DRAFT, kmsKeyArn: NEW_KEY }), ok({ ...DRAFT, version: '1', kmsKeyArn: NEW_KEY }));
    endpoint.script('GetResources', ok({ ResourceTagMappingList: [{ ResourceARN: NEW_KEY }] }));
    createdKey(endpoint);
    endpoint.script('GET /guardrails', ok({ guardrails: [{ id: 'abc123', arn: GUARDRAIL, version: '1', name: 'n', status: 'READY', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' }] }));
    await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({ outcome: 'REMEDIATED', versionPublished: undefined });
    expect(operations()).not.toContain(VERSION);
  });

  test('throttling is absorbed by the SDK\'s retries', async () => {
    const throttled: FakeAnswer = { status: 429, error: 'ThrottlingException' };
    endpoint.script(GET, throttled, ok(DRAFT));
    endpoint.script('GetResources', { status: 400, error: 'ThrottlingException' }, ok({}));
    endpoint.script('CreateKey', { status: 400, error: 'ThrottlingException' }, ok({ KeyMetadata: { Arn: NEW_KEY } }));
    endpoint.script(UPDATE, throttled, ok({}));

    await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({ outcome: 'REMEDIATED', keyArn: NEW_KEY, keyCreated: true });
    expect(endpoint.attempts('CreateKey')).toEqual(['attempt=1; max=6', 'attempt=2; max=6']);
    expect(endpoint.attempts(UPDATE)).toEqual(['attempt=1; max=6', 'attempt=2; max=6']);
    expect(endpoint.attempts(GET)).toEqual(['attempt=1; max=6', 'attempt=2; max=6']);
    expect(bodies(UPDATE)).toEqual([expectedUpdate(NEW_KEY), expectedUpdate(NEW_KEY)]);
  }, 60_000);

  test('the guardrail\'s own ownership tags win over the settings\'', async () => {
    endpoint.script(GET, ok(DRAFT));
    endpoint.script('POST /listTagsForResource', ok({ tags: [{ key: 'Owner', value: 'support-team' }, { key: 'Other', value: 'x' }] }));
    endpoint.script('CreateKey', ok({ KeyMetadata: { Arn: NEW_KEY } }));
    await handler({ guardrailArn: GUARDRAIL });
    expect(bodies('CreateKey')[0].Tags.slice(0, 3)).toEqual([
      { TagKey: 'Owner', TagValue: 'support-team' },
      { TagKey: 'Workload', TagValue: 'support' },
      { TagKey: 'DataSensitivity', TagValue: 'internal' },
    ]);
  });

  test('a named key is used as it is', async () => {
    const named = keyArn('named-key');
    process.env[REMEDIATION_ENV.keyArn] = named;
    try {
      endpoint.script(GET, ok(DRAFT));
      await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({ outcome: 'REMEDIATED', keyArn: named, keyCreated: false });
      expect(operations()).not.toContain('CreateKey');
      expect(operations()).not.toContain('EnableKeyRotation');
      expect(bodies(UPDATE)).toEqual([expectedUpdate(named)]);
    } finally {
      delete process.env[REMEDIATION_ENV.keyArn];
    }
  });

  test('bad input changes nothing: another account\'s or Region\'s guardrail, no ARN, a guardrail without ownership tags', async () => {
    for (const arn of [guardrailArn('abc123', REGION, '222222222222'), guardrailArn('abc123', 'us-east-1'), 'abc123', undefined]) {
      await expect(handler({ guardrailArn: arn })).rejects.toThrow(/guardrailArn must be the ARN of a guardrail of account 111111111111 in eu-west-1 .*nothing was changed/);
    }
    expect(endpoint.received).toEqual([]);

    process.env[REMEDIATION_ENV.tags] = '{}';
    endpoint.script(GET, ok(DRAFT));
    await expect(handler({ guardrailArn: GUARDRAIL })).rejects.toThrow(`the guardrail ${GUARDRAIL} has no Owner tag and the remediation's tags give none: nothing was changed.`);
    expect(sortedOperations()).toEqual([GET, 'GetResources', RESOURCE_POLICY, ENFORCED, 'POST /listTagsForResource'].sort());
  });

  test('a member the SDK in use does not know is dropped by its deserializer, never sent (the table stops members the SDK knows and the table does not)', async () => {
    endpoint.script(GET, ok({ ...DRAFT, futurePolicy: { on: true } }));
    endpoint.script('CreateKey', ok({ KeyMetadata: { Arn: NEW_KEY } }));
    // The SDK drops members its model does not know; a newer SDK in the runtime would not.
    await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({ outcome: 'REMEDIATED' });
    expect(bodies(UPDATE)).toEqual([expectedUpdate(NEW_KEY)]);
  });

  test('a guardrail still being updated makes the run fail for Config to retry, unchanged', async () => {
    const sleep = jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void) => { fn(); return 0 as any; }) as any);
    endpoint.script(GET, ...Array.from({ length: 11 }, () => ok({ ...DRAFT, status: 'UPDATING' })));
    await expect(handler({ guardrailArn: GUARDRAIL })).rejects.toThrow(`the guardrail ${GUARDRAIL} is still UPDATING: try again later.`);
    sleep.mockRestore();
    expect(operations().filter((o) => o !== GET)).toEqual([]);
  });

  test('the remediation stands when the rule cannot be asked to evaluate now (the time to remediate is then recorded at its next run)', async () => {
    endpoint.script(GET, ok(DRAFT));
    endpoint.script('CreateKey', ok({ KeyMetadata: { Arn: NEW_KEY } }));
    endpoint.script('StartConfigRulesEvaluation', { status: 400, error: 'NoSuchConfigRuleException' });
    await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({ outcome: 'REMEDIATED', reevaluationRequested: false });
  });
  describe('an enforced or shared guardrail is left unchanged: a created key lacks the account-wide or organization statement', () => {
    test('enforced in the account (ListEnforcedGuardrailsConfiguration names it)', async () => {
      endpoint.script(GET, ok(DRAFT));
      endpoint.script(RESOURCE_POLICY, { status: 404, error: 'ResourceNotFoundException' });
      endpoint.script(ENFORCED, ok({ guardrailsConfig: [{ guardrailArn: GUARDRAIL, guardrailVersion: '1' }] }));
      await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toEqual({
        guardrailArn: GUARDRAIL,
        outcome: 'UNCHANGED',
        reason: expect.stringMatching(/^the guardrail is enforced in the account \(ListEnforcedGuardrailsConfiguration\).*EnforcedGuardrailUseThroughBedrock/),
      });
      expect(sortedOperations()).toEqual([GET, 'GetResources', RESOURCE_POLICY, ENFORCED].sort());
    });

    test('shared (GetResourcePolicy returns a policy), even on the key an earlier run put on the DRAFT: no version is published', async () => {
      process.env[REMEDIATION_ENV.publishVersion] = 'true';
      endpoint.script(GET, ok(DRAFT));
      endpoint.script(RESOURCE_POLICY, ok({ resourceArn: GUARDRAIL, resourcePolicy: '{"Version":"2012-10-17","Statement":[]}' }));
      await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({
        outcome: 'UNCHANGED', reason: expect.stringMatching(/^the guardrail is shared .*SharedGuardrailUseThroughBedrock/),
      });
      expect(sortedOperations()).toEqual([GET, 'GetResources', RESOURCE_POLICY, ENFORCED].sort());

      endpoint.reset();
      endpoint.script(GET, ok({ ...DRAFT, kmsKeyArn: NEW_KEY }));
      endpoint.script('GetResources', ok({ ResourceTagMappingList: [{ ResourceARN: NEW_KEY }] }));
      endpoint.script(RESOURCE_POLICY, ok({ resourceArn: GUARDRAIL, resourcePolicy: '{}' }));
      await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({ outcome: 'UNCHANGED', keyArn: NEW_KEY });
      expect(operations()).not.toContain(VERSION);
      expect(operations()).not.toContain('GET /guardrails');
    });

    test('when enforcement cannot be read, nothing is re-keyed blind', async () => {
      endpoint.script(GET, ok(DRAFT));
      endpoint.script(ENFORCED, { status: 403, error: 'AccessDeniedException' });
      await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({
        outcome: 'UNCHANGED', reason: expect.stringMatching(/^whether the guardrail is enforced or shared could not be read \(.*ListEnforcedGuardrailsConfiguration.*AccessDeniedException/),
      });
      expect(operations()).not.toContain('CreateKey');
      expect(operations()).not.toContain(UPDATE);
    });
  });

  describe('a key carrying the remediation tag is used only if it is what the remediation creates', () => {
    const refusedWith = async (reason: RegExp) => {
      await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toEqual({ guardrailArn: GUARDRAIL, outcome: 'UNCHANGED', reason: expect.stringMatching(reason) });
      for (const operation of ['CreateKey', 'EnableKeyRotation', UPDATE]) expect(operations()).not.toContain(operation);
    };
    beforeEach(() => {
      endpoint.script(GET, ok(DRAFT));
      endpoint.script('GetResources', ok({ ResourceTagMappingList: [{ ResourceARN: NEW_KEY }] }));
    });

    test('a key someone tagged, with a policy of their own', async () => {
      createdKey(endpoint, {}, { Version: '2012-10-17', Statement: [{ Sid: 'Mine', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/intruder` }, Action: 'kms:*', Resource: '*' }] });
      await refusedWith(new RegExp(`^the key ${NEW_KEY} carries the tag ${REMEDIATION_TAG} of this guardrail but its policy is not the one the remediation writes`));
    });

    test('the remediation\'s policy with one principal more', async () => {
      const widened = { ...OWN_POLICY, Statement: OWN_POLICY.Statement.map((s: any) => s.Sid === 'GuardrailUseThroughBedrock' ? { ...s, Condition: { ...s.Condition, ArnLike: { 'aws:PrincipalArn': ['*'] } } } : s) };
      createdKey(endpoint, {}, widened);
      await refusedWith(/its policy is not the one the remediation writes/);
    });

    test.each([
      [{ KeyState: 'Disabled' }, /its KeyState is Disabled, not Enabled/],
      [{ KeySpec: 'RSA_2048' }, /its KeySpec is RSA_2048, not SYMMETRIC_DEFAULT/],
      [{ KeyUsage: 'GENERATE_VERIFY_MAC' }, /its KeyUsage is GENERATE_VERIFY_MAC, not ENCRYPT_DECRYPT/],
      [{ Origin: 'EXTERNAL' }, /its Origin is EXTERNAL, not AWS_KMS/],
    ])('a key whose metadata is %j', async (metadata, reason) => {
      createdKey(endpoint, metadata);
      await refusedWith(reason);
    });

    test('a key whose policy cannot be read', async () => {
      createdKey(endpoint);
      endpoint.script('GetKeyPolicy', { status: 400, error: 'AccessDeniedException' });
      await refusedWith(/its policy could not be read \(.*AccessDeniedException/);
    });

    test('a key that no longer exists', async () => {
      endpoint.script('DescribeKey', { status: 400, error: 'NotFoundException' });
      await refusedWith(/but no longer exists/);
    });

    test('the DRAFT already on a tagged key of someone else\'s policy is reported, not called remediated', async () => {
      endpoint.reset();
      endpoint.script(GET, ok({ ...DRAFT, kmsKeyArn: NEW_KEY }));
      endpoint.script('GetResources', ok({ ResourceTagMappingList: [{ ResourceARN: NEW_KEY }] }));
      createdKey(endpoint, {}, { Version: '2012-10-17', Statement: [] });
      await expect(handler({ guardrailArn: GUARDRAIL })).resolves.toMatchObject({ outcome: 'UNCHANGED', keyArn: NEW_KEY, reason: expect.stringMatching(/its policy is not the one/) });
    });
  });
});
