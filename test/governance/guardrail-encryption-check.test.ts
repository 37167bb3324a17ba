import { BedrockClient, GetGuardrailCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import {
  ConfigServiceClient,
  Evaluation,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, errors, guardrailArn, invocation, keyArn, keyPolicy, NOTIFICATION_TIME, REGION, RULE_NAME, mockedClientDependencies } from './handler-fixtures';
import { handler } from '../../src/governance/guardrail-encryption-check.lambda';
import {
  EvaluationDependencies,
  EvaluationSettings,
  evaluateGuardrailEncryption,
  settingsFromEnvironment,
} from '../../src/governance/private/handler/evaluate';

const bedrock = mockClient(BedrockClient);
const kms = mockClient(KMSClient);
const config = mockClient(ConfigServiceClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

let lines: string[];

beforeEach(() => {
  bedrock.reset();
  kms.reset();
  config.reset();
  tagging.reset();
  lines = [];
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [], PaginationToken: '' });
});

function deps(settings: Partial<EvaluationSettings> = {}): EvaluationDependencies {
  return mockedClientDependencies((line) => lines.push(line), settings);
}

interface GuardrailFixture {
  readonly id: string;
  readonly kmsKeyArn?: string;
  /** Numbered versions and their keys; the draft has `kmsKeyArn`. */
  readonly versions?: Record<string, string | undefined>;
}

function summaries(list: GuardrailFixture[]) {
  return list.map((g) => guardrailSummary(g.id, 'DRAFT'));
}

function guardrailSummary(id: string, version: string) {
  return {
    id,
    arn: guardrailArn(id),
    name: `name-${id}`,
    status: 'READY' as const,
    version,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

/** The guardrails of the Region: ListGuardrails lists their drafts, and with an identifier their versions. */
function givenGuardrails(...list: GuardrailFixture[]): void {
  bedrock.on(ListGuardrailsCommand).resolves({ guardrails: summaries(list) });
  list.forEach(givenVersions);
}

function givenVersions(g: GuardrailFixture): void {
  const versions: Record<string, string | undefined> = { DRAFT: g.kmsKeyArn, ...g.versions };
  bedrock.on(ListGuardrailsCommand, { guardrailIdentifier: guardrailArn(g.id) })
    .resolves({ guardrails: Object.keys(versions).map((version) => guardrailSummary(g.id, version)) });
  for (const [version, kmsKeyArn] of Object.entries(versions)) {
    bedrock.on(GetGuardrailCommand, { guardrailIdentifier: g.id, guardrailVersion: version }).resolves({
      guardrailId: g.id,
      guardrailArn: guardrailArn(g.id),
      name: `name-${g.id}`,
      version,
      kmsKeyArn,
    } as any);
  }
}

interface KeyFixture {
  readonly manager?: 'AWS' | 'CUSTOMER';
  readonly state?: string;
  readonly rotation?: boolean;
  readonly rotationPeriodDays?: number;
  readonly spec?: string;
  readonly usage?: string;
  readonly origin?: string;
  /** The key policy's statements besides administration; default: one role that decrypts through Bedrock. */
  readonly statements?: object[];
}


function givenKey(arn: string, fixture: KeyFixture = {}): void {
  kms.on(DescribeKeyCommand, { KeyId: arn }).resolves({
    KeyMetadata: {
      KeyId: arn.split('/')[1],
      Arn: arn,
      KeyManager: fixture.manager ?? 'CUSTOMER',
      KeyState: (fixture.state ?? 'Enabled') as any,
      KeySpec: (fixture.spec ?? 'SYMMETRIC_DEFAULT') as any,
      KeyUsage: (fixture.usage ?? 'ENCRYPT_DECRYPT') as any,
      Origin: (fixture.origin ?? 'AWS_KMS') as any,
    },
  });
  const enabled = fixture.rotation ?? true;
  kms.on(GetKeyRotationStatusCommand, { KeyId: arn }).resolves({
    KeyRotationEnabled: enabled,
    RotationPeriodInDays: enabled ? fixture.rotationPeriodDays ?? 365 : undefined,
  });
  kms.on(GetKeyPolicyCommand, { KeyId: arn, PolicyName: 'default' }).resolves({ Policy: keyPolicy(fixture.statements), PolicyName: 'default' });
}

/** What Config kept of an earlier run: the last result of a guardrail. */
function givenLastResult(id: string, compliance: 'COMPLIANT' | 'NON_COMPLIANT', annotation: string, orderingTimestamp = new Date('2026-02-01T00:00:00Z')) {
  return {
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: { ConfigRuleName: RULE_NAME, ResourceType: 'AWS::Bedrock::Guardrail', ResourceId: guardrailArn(id) },
      OrderingTimestamp: orderingTimestamp,
    },
    ComplianceType: compliance,
    Annotation: annotation,
  } as const;
}

function reported(): Evaluation[] {
  return config.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);
}

function reportedFor(id: string): Evaluation {
  const found = reported().filter((e) => e.ComplianceResourceId === guardrailArn(id));
  expect(found).toHaveLength(1);
  return found[0];
}

function kpis(): Record<string, unknown> {
  const record = lines.map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).find((r) => r?._aws);
  expect(record).toBeDefined();
  return record;
}

const GOOD_KEY = keyArn('1111aaaa-1111-1111-1111-111111111111');
/** The KeyRotation finding of the standard's 365 days, worded as the pack words it. */
const ROTATION_FINDING = "[GuardrailEncryption-KeyRotation] The guardrail's KMS key does not rotate automatically at least every 365 days";

describe('compliant guardrails', () => {
  test('a guardrail with an enabled, rotated customer-managed key of the Region is COMPLIANT, with the reason', async () => {
    givenGuardrails({ id: 'good1', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);

    const summary = await evaluateGuardrailEncryption(invocation(), deps());

    expect(reported()).toEqual([{
      ComplianceResourceType: 'AWS::Bedrock::Guardrail',
      ComplianceResourceId: guardrailArn('good1'),
      ComplianceType: 'COMPLIANT',
      Annotation: 'Encrypted with customer-managed key 1111aaaa-1111-1111-1111-111111111111 of this account and Region: enabled, automatic rotation on at least every 365 days, least-privilege key policy.',
      OrderingTimestamp: new Date(NOTIFICATION_TIME),
    }]);
    expect(config.commandCalls(PutEvaluationsCommand)[0].args[0].input).toMatchObject({ ResultToken: 'token-1', TestMode: false });
    expect(summary).toEqual({
      total: 1, encryptedWithCmk: 1, compliant: 1, nonCompliant: 0, notEvaluated: 0, removed: 0, failedEvaluations: 0, remediated: 0, orphanedKeys: 0,
    });
  });

  test('a key in the allow-list is COMPLIANT and says so', async () => {
    givenGuardrails({ id: 'good1', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    await evaluateGuardrailEncryption(invocation(), deps({ allowedKeyArns: new Set([GOOD_KEY]) }));
    expect(reportedFor('good1')).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: expect.stringMatching(/, in the allow-list\.$/) });
  });

  test('guardrails sharing a key read it once', async () => {
    givenGuardrails({ id: 'a', kmsKeyArn: GOOD_KEY }, { id: 'b', kmsKeyArn: GOOD_KEY }, { id: 'c', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(1);
    expect(kms.commandCalls(GetKeyRotationStatusCommand)).toHaveLength(1);
    expect(reported().map((e) => e.ComplianceType)).toEqual(['COMPLIANT', 'COMPLIANT', 'COMPLIANT']);
  });
});

describe('each reason for NON_COMPLIANT', () => {
  const OTHER = keyArn('2222bbbb-2222-2222-2222-222222222222');
  test.each([
    ['no kmsKeyArn (AWS owned key)', undefined, undefined, /\[GuardrailEncryption-CMKRequired\] it has no kmsKeyArn: it is encrypted with an AWS owned key\.$/, false],
    ['an AWS managed key', OTHER, { manager: 'AWS' as const }, /\[GuardrailEncryption-CMKRequired\] its key 2222bbbb-2222-2222-2222-222222222222 is an AWS managed key\.$/, false],
    ['a disabled key', OTHER, { state: 'Disabled' }, /\[GuardrailEncryption-KeyEnabled\] The guardrail's KMS key is disabled \(Enabled: false\)\.$/, true],
    ['a key pending deletion', OTHER, { state: 'PendingDeletion' }, /is pending deletion/, true],
    ['a replica pending deletion', OTHER, { state: 'PendingReplicaDeletion' }, /is pending deletion/, true],
    ['a key in another state', OTHER, { state: 'PendingImport' }, /is in state PendingImport/, true],
    ['rotation off', OTHER, { rotation: false }, /\[GuardrailEncryption-KeyRotation\] The guardrail's KMS key does not rotate automatically at least every 365 days: automatic rotation is off\.$/, true],
  ])('%s', async (_name, kmsKeyArn, key, reason, cmk) => {
    givenGuardrails({ id: 'bad1', kmsKeyArn });
    if (kmsKeyArn) givenKey(kmsKeyArn, key);

    const summary = await evaluateGuardrailEncryption(invocation(), deps());

    expect(reportedFor('bad1')).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(reason) });
    expect(reportedFor('bad1').Annotation).toMatch(/^Non-compliant \(since 2026-03-01T10:00Z\): /);
    expect(summary).toMatchObject({ nonCompliant: 1, notEvaluated: 0, encryptedWithCmk: cmk ? 1 : 0 });
  });

  test('a key of another Region is judged by its ARN, without reading it', async () => {
    const elsewhere = keyArn('3333cccc-3333-3333-3333-333333333333', 'us-east-1');
    givenGuardrails({ id: 'bad1', kmsKeyArn: elsewhere });
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('bad1')).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: 'Non-compliant (since 2026-03-01T10:00Z): [GuardrailEncryption-KeyPlacement] The guardrail\'s KMS key is in another Region or account than the guardrail: '
        + 'it is in us-east-1, not in eu-west-1.',
    });
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(0);
  });

  test('a key of another account is NON_COMPLIANT', async () => {
    const foreign = keyArn('4444dddd-4444-4444-4444-444444444444', REGION, '222222222222');
    givenGuardrails({ id: 'bad1', kmsKeyArn: foreign });
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('bad1').Annotation).toBe('Non-compliant (since 2026-03-01T10:00Z): [GuardrailEncryption-KeyPlacement] The guardrail\'s KMS key is in another Region or account than the guardrail: '
      + `it belongs to account 222222222222, not ${ACCOUNT}.`);
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(0);
  });

  test('a key outside the allow-list is NON_COMPLIANT even when it is otherwise fine', async () => {
    givenGuardrails({ id: 'bad1', kmsKeyArn: OTHER });
    givenKey(OTHER);
    await evaluateGuardrailEncryption(invocation(), deps({ allowedKeyArns: new Set([GOOD_KEY]) }));
    expect(reportedFor('bad1')).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: 'Non-compliant (since 2026-03-01T10:00Z): its key 2222bbbb-2222-2222-2222-222222222222 is not in the allow-list.',
    });
  });

  test('a deleted key is NON_COMPLIANT', async () => {
    givenGuardrails({ id: 'bad1', kmsKeyArn: OTHER });
    kms.on(DescribeKeyCommand).rejects(errors.keyGone());
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('bad1').Annotation).toMatch(/its key 2222bbbb-2222-2222-2222-222222222222 no longer exists/);
  });

  test.each([
    ['imported material', 'EXTERNAL', 'imported key material'],
    ['a custom key store', 'AWS_CLOUDHSM', 'a key of a custom key store'],
    ['an external key store', 'EXTERNAL_KEY_STORE', 'a key of an external key store'],
  ])('a key that cannot rotate (%s) is NON_COMPLIANT, with why', async (_name, origin, why) => {
    givenGuardrails({ id: 'bad1', kmsKeyArn: OTHER });
    givenKey(OTHER, { origin });
    kms.on(GetKeyRotationStatusCommand).rejects(errors.rotationUnsupported());
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('bad1').Annotation).toBe(`Non-compliant (since 2026-03-01T10:00Z): ${ROTATION_FINDING}: KMS cannot rotate it (${why}).`);
  });

  test('a key rotated less often than the standard asks is NON_COMPLIANT; with a longer maximum it is COMPLIANT', async () => {
    givenGuardrails({ id: 'slow', kmsKeyArn: OTHER });
    givenKey(OTHER, { rotationPeriodDays: 730 });
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('slow').Annotation).toBe(`Non-compliant (since 2026-03-01T10:00Z): ${ROTATION_FINDING}: it rotates every 730 days.`);
    config.resetHistory();
    await evaluateGuardrailEncryption(invocation(), deps({ maxRotationDays: 730 }));
    expect(reportedFor('slow')).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: expect.stringMatching(/at least every 730 days/) });
  });

  test('rotation on without a period reported is KMS\'s default, 365 days', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: OTHER });
    givenKey(OTHER);
    kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true });
    await evaluateGuardrailEncryption(invocation(), deps({ maxRotationDays: 180 }));
    expect(reportedFor('g').Annotation).toBe('Non-compliant (since 2026-03-01T10:00Z): [GuardrailEncryption-KeyRotation] The guardrail\'s KMS key does not rotate automatically at least every 180 days: '
      + 'it rotates every 365 days.');
  });

  test.each([
    ['an asymmetric key', 'RSA_2048', 'ENCRYPT_DECRYPT'],
    ['a signing key', 'ECC_NIST_P256', 'SIGN_VERIFY'],
    ['an HMAC key', 'HMAC_256', 'GENERATE_VERIFY_MAC'],
  ])('%s is NON_COMPLIANT, with its spec and usage', async (_name, spec, usage) => {
    givenGuardrails({ id: 'odd', kmsKeyArn: OTHER });
    givenKey(OTHER, { spec, usage });
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('odd').Annotation).toBe('Non-compliant (since 2026-03-01T10:00Z): [GuardrailEncryption-KeySymmetric] The guardrail\'s KMS key is not a symmetric encryption key '
      + `(KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT): it is ${spec}, ${usage}.`);
  });

  test('several reasons are all given', async () => {
    givenGuardrails({ id: 'bad1', kmsKeyArn: OTHER });
    givenKey(OTHER, { state: 'Disabled' });
    await evaluateGuardrailEncryption(invocation(), deps({ allowedKeyArns: new Set([GOOD_KEY]) }));
    expect(reportedFor('bad1').Annotation).toBe(
      'Non-compliant (since 2026-03-01T10:00Z): its key 2222bbbb-2222-2222-2222-222222222222 is not in the allow-list; '
      + '[GuardrailEncryption-KeyEnabled] The guardrail\'s KMS key is disabled (Enabled: false).');
  });

  test('a kmsKeyArn that is not a key ARN is NON_COMPLIANT', async () => {
    givenGuardrails({ id: 'bad1', kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:alias/whatever' });
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('bad1').Annotation).toBe('Non-compliant (since 2026-03-01T10:00Z): [GuardrailEncryption-CMKRequired] its kmsKeyArn arn:aws:kms:eu-west-1:111111111111:alias/whatever is not a key ARN.');
  });

  test('annotations are cut to the 256 characters Config accepts', async () => {
    const longKey = keyArn(`mrk-${'f'.repeat(300)}`, 'us-east-1', '222222222222');
    givenGuardrails({ id: 'bad1', kmsKeyArn: longKey });
    await evaluateGuardrailEncryption(invocation(), deps({ allowedKeyArns: new Set([GOOD_KEY]) }));
    const annotation = reportedFor('bad1').Annotation!;
    expect(annotation).toHaveLength(256);
    expect(annotation.endsWith('…')).toBe(true);
  });
});

describe('the key policy, evaluated as the pack evaluates it', () => {
  const OPEN_KEY = keyArn('3333cccc-3333-3333-3333-333333333333');

  test.each<[string, object[], RegExp]>([
    ['"*" narrowed only to the account', [{ Sid: 'Account', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT } } }],
      /^Non-compliant \(since 2026-03-01T10:00Z\): \[GuardrailEncryption-KeyPolicyLeastPrivilege\] in the policy of its key, statement Account lets any principal of account 111111111111 whose IAM policies allow it call kms:Decrypt directly, /],
    ['a role of another account', [{ Sid: 'Foreign', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/X' }, Action: 'kms:Decrypt', Resource: '*' }],
      /^Non-compliant \(since 2026-03-01T10:00Z\): \[GuardrailEncryption-KeyPolicyLeastPrivilege\] in the policy of its key, statement Foreign lets arn:aws:iam::222222222222:role\/X of another account call /],
    ['the account through another service', [{ Sid: 'S3', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } } }],
      /^Non-compliant \(since 2026-03-01T10:00Z\): \[GuardrailEncryption-KeyPolicyLeastPrivilege\] in the policy of its key, statement S3 lets any principal of account 111111111111 whose IAM policies allow it call kms:Decrypt through another service\.$/],
  ])('a key whose policy lets %s decrypt outside the standard is NON_COMPLIANT, with who and which statement', async (_name, statements, annotation) => {
    givenGuardrails({ id: 'open', kmsKeyArn: OPEN_KEY });
    givenKey(OPEN_KEY, { statements });
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('open')).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(annotation) });
  });

  test('a key policy that cannot be read, or verified, leaves the guardrail not evaluated (but counted as CMK)', async () => {
    const unreadable = keyArn('4444dddd-4444-4444-4444-444444444444');
    const unverifiable = keyArn('5555eeee-5555-5555-5555-555555555555');
    givenGuardrails({ id: 'unreadable', kmsKeyArn: unreadable }, { id: 'unverifiable', kmsKeyArn: unverifiable });
    givenKey(unreadable);
    kms.on(GetKeyPolicyCommand, { KeyId: unreadable, PolicyName: 'default' }).rejects(errors.named('AccessDeniedException', 'no'));
    givenKey(unverifiable, { statements: [{ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }] });
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('unreadable')).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: 'Not evaluated (since 2026-03-01T10:00Z): the policy of its key 4444dddd-4444-4444-4444-444444444444 could not be read: kms:GetKeyPolicy was denied (AccessDeniedException: no).',
    });
    expect(reportedFor('unverifiable').Annotation).toMatch(/^Not evaluated \(since 2026-03-01T10:00Z\): the policy of its key 5555eeee-.* could not be read: it cannot be verified: condition operator IpAddress is not modelled\.$/);
    expect(summary).toMatchObject({ notEvaluated: 2, encryptedWithCmk: 2 });
  });

  test('a definite reason keeps the guardrail NON_COMPLIANT when the policy cannot be read', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: OPEN_KEY });
    givenKey(OPEN_KEY, { rotation: false });
    kms.on(GetKeyPolicyCommand).rejects(errors.named('KMSInternalException', 'down'));
    await evaluateGuardrailEncryption(invocation(), deps({}));
    // With more than one reason, each finding says what was found after its rule id, so all fit in Config's 256 characters.
    expect(reportedFor('g').Annotation).toBe('Non-compliant (since 2026-03-01T10:00Z): its key 3333cccc-3333-3333-3333-333333333333: '
      + '[GuardrailEncryption-KeyRotation] automatic rotation is off; and the policy of its key could not be read (kms:GetKeyPolicy failed (KMSInternalException: down)).');
  });

  test('a key that fails two checks names the key and keeps both rule ids within the annotation', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: OPEN_KEY });
    givenKey(OPEN_KEY, { rotation: false, statements: [{ Sid: 'Foreign', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/X' }, Action: 'kms:Decrypt', Resource: '*' }] });
    await evaluateGuardrailEncryption(invocation(), deps());
    const annotation = reportedFor('g').Annotation!;
    expect(annotation).toMatch(/^Non-compliant \(since 2026-03-01T10:00Z\): its key 3333cccc-3333-3333-3333-333333333333: \[GuardrailEncryption-KeyRotation\] automatic rotation is off; \[GuardrailEncryption-KeyPolicyLeastPrivilege\] in the policy of its key, statement Foreign lets arn:aws:iam:/);
    expect(annotation.length).toBeLessThanOrEqual(256);
  });
});

describe('guardrails that cannot be evaluated are never COMPLIANT', () => {
  test('AccessDenied on GetGuardrail (no kms:Decrypt on a CMK) is reported NON_COMPLIANT with how to fix it', async () => {
    givenGuardrails({ id: 'locked' });
    bedrock.on(GetGuardrailCommand, { guardrailIdentifier: 'locked' }).rejects(errors.bedrockDenied());

    const summary = await evaluateGuardrailEncryption(invocation(), deps());

    expect(reportedFor('locked')).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: "Not evaluated (since 2026-03-01T10:00Z): GetGuardrail was denied (AccessDeniedException); the rule's role needs kms:Decrypt on the guardrail's key (secureGuardrail.grantRead(rule)), or the key is disabled or gone.",
    });
    expect(summary).toMatchObject({ total: 1, nonCompliant: 1, notEvaluated: 1, compliant: 0, encryptedWithCmk: 0 });
    expect(lines).toContain(`NOT_EVALUATED ${guardrailArn('locked')}: ${reportedFor('locked').Annotation}`);
  });

  test('other GetGuardrail errors are reported with their name', async () => {
    givenGuardrails({ id: 'broken' });
    bedrock.on(GetGuardrailCommand).rejects(errors.named('ValidationException', 'bad identifier'));
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('broken').Annotation).toBe('Not evaluated (since 2026-03-01T10:00Z): GetGuardrail failed (ValidationException: bad identifier).');
  });

  test('a partial failure does not stop the other guardrails from being reported', async () => {
    givenGuardrails({ id: 'locked' }, { id: 'good1', kmsKeyArn: GOOD_KEY });
    bedrock.on(GetGuardrailCommand, { guardrailIdentifier: 'locked' }).rejects(errors.bedrockDenied());
    givenKey(GOOD_KEY);
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('good1').ComplianceType).toBe('COMPLIANT');
    expect(reportedFor('locked').ComplianceType).toBe('NON_COMPLIANT');
  });

  test('DescribeKey denied leaves the guardrail not evaluated', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY });
    kms.on(DescribeKeyCommand).rejects(errors.named('AccessDeniedException', 'no'));
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g')).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: 'Not evaluated (since 2026-03-01T10:00Z): its key 1111aaaa-1111-1111-1111-111111111111 could not be read: kms:DescribeKey was denied (AccessDeniedException: no).',
    });
    expect(summary.notEvaluated).toBe(1);
  });

  test('DescribeKey failing after a definite reason still reports that reason', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY });
    kms.on(DescribeKeyCommand).rejects(errors.named('KMSInvalidStateException', 'odd'));
    const summary = await evaluateGuardrailEncryption(invocation(), deps({ allowedKeyArns: new Set(['arn:aws:kms:eu-west-1:111111111111:key/other']) }));
    expect(reportedFor('g').Annotation).toBe(
      'Non-compliant (since 2026-03-01T10:00Z): its key 1111aaaa-1111-1111-1111-111111111111 is not in the allow-list; and its key could not be read (kms:DescribeKey failed (KMSInvalidStateException: odd)).');
    expect(summary.notEvaluated).toBe(0);
  });

  test('DescribeKey returning no metadata leaves the guardrail not evaluated', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY });
    kms.on(DescribeKeyCommand).resolves({});
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g').Annotation).toMatch(/^Not evaluated \(since 2026-03-01T10:00Z\): .*returned no key metadata/);
  });

  test('rotation status denied leaves a customer-managed key not evaluated (but counted as CMK)', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    kms.on(GetKeyRotationStatusCommand).rejects(errors.named('AccessDeniedException', 'no'));
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g')).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: expect.stringMatching(/^Not evaluated \(since 2026-03-01T10:00Z\): the rotation of its key .* could not be read: kms:GetKeyRotationStatus was denied/),
    });
    expect(summary).toMatchObject({ notEvaluated: 1, encryptedWithCmk: 1 });
  });

  test('rotation status failing with a definite reason keeps the reason', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    kms.on(GetKeyRotationStatusCommand).rejects(errors.named('KMSInvalidStateException', 'odd'));
    await evaluateGuardrailEncryption(invocation(), deps({ allowedKeyArns: new Set([keyArn('x')]) }));
    expect(reportedFor('g').Annotation).toMatch(/not in the allow-list; and the rotation of its key could not be read \(kms:GetKeyRotationStatus failed/);
  });

  test('a guardrail deleted between listing and reading is skipped', async () => {
    givenGuardrails({ id: 'gone' }, { id: 'good1', kmsKeyArn: GOOD_KEY });
    bedrock.on(GetGuardrailCommand, { guardrailIdentifier: 'gone' }).rejects(errors.guardrailGone());
    givenKey(GOOD_KEY);
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(reported().map((e) => e.ComplianceResourceId)).toEqual([guardrailArn('good1')]);
    expect(summary.total).toBe(1);
  });
});

describe('listing', () => {
  test('reads every page of ListGuardrails', async () => {
    const page1 = summaries([{ id: 'p1a' }, { id: 'p1b' }]);
    const page2 = summaries([{ id: 'p2a' }]);
    bedrock.on(ListGuardrailsCommand)
      .resolvesOnce({ guardrails: page1, nextToken: 'page-2' })
      .resolvesOnce({ guardrails: page2 });
    for (const id of ['p1a', 'p1b', 'p2a']) givenVersions({ id, kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);

    const summary = await evaluateGuardrailEncryption(invocation(), deps());

    // Without guardrailIdentifier ListGuardrails returns each guardrail's draft once.
    const listCalls = bedrock.commandCalls(ListGuardrailsCommand).filter((c) => !c.args[0].input.guardrailIdentifier);
    expect(listCalls.map((c) => c.args[0].input)).toEqual([{ maxResults: 1000, nextToken: undefined }, { maxResults: 1000, nextToken: 'page-2' }]);
    expect(reported().map((e) => e.ComplianceResourceId).sort()).toEqual(['p1a', 'p1b', 'p2a'].map((id) => guardrailArn(id)));
    expect(summary.total).toBe(3);
  });

  test('an empty account reports an empty evaluation set and zero KPIs', async () => {
    bedrock.on(ListGuardrailsCommand).resolves({ guardrails: [] });

    const summary = await evaluateGuardrailEncryption(invocation(), deps());

    expect(config.commandCalls(PutEvaluationsCommand).map((c) => c.args[0].input.Evaluations)).toEqual([[]]);
    expect(summary).toEqual({
      total: 0, encryptedWithCmk: 0, compliant: 0, nonCompliant: 0, notEvaluated: 0, removed: 0, failedEvaluations: 0, remediated: 0, orphanedKeys: 0,
    });
    expect(kpis()).toMatchObject({ GuardrailsTotal: 0, GuardrailsEncryptedWithCmk: 0, GuardrailsNonCompliant: 0, GuardrailsNotEvaluated: 0 });
  });

  test('a Region where Bedrock is not offered (ValidationException) reports an empty set, writes no KPI and does not fail', async () => {
    bedrock.on(ListGuardrailsCommand).rejects(errors.named('ValidationException', 'The requested operation is not supported in this region'));
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(summary).toEqual({
      total: 0,
      encryptedWithCmk: 0,
      compliant: 0,
      nonCompliant: 0,
      notEvaluated: 0,
      removed: 0,
      remediated: 0,
      failedEvaluations: 0,
      bedrockUnavailable: true,
    });
    expect(config.commandCalls(PutEvaluationsCommand).map((c) => c.args[0].input.Evaluations)).toEqual([[]]);
    expect(lines).toContain('WARNING ListGuardrails was refused in eu-west-1 (ValidationException: The requested operation is not supported in this region), '
      + 'as where Bedrock is not offered: no guardrail evaluated, no KPI written');
    // No zero total, which the dashboard would show as a 100% score.
    expect(lines.some((l) => l.includes('"_aws"'))).toBe(false);
    expect(tagging.commandCalls(GetResourcesCommand)).toHaveLength(0);
  });

  test('a ValidationException on a later page is a failure, not an unsupported Region', async () => {
    bedrock.on(ListGuardrailsCommand)
      .resolvesOnce({ guardrails: summaries([{ id: 'a' }]), nextToken: 'expired' })
      .rejectsOnce(errors.named('ValidationException', 'bad token'));
    await expect(evaluateGuardrailEncryption(invocation(), deps())).rejects.toThrow('bad token');
    expect(config.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
  });

  test('a listing that keeps failing fails the run instead of reporting a partial picture', async () => {
    bedrock.on(ListGuardrailsCommand).rejects(errors.bedrockDenied());
    await expect(evaluateGuardrailEncryption(invocation(), deps())).rejects.toThrow(/kms:Decrypt|not authorized/);
    expect(config.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
  });
});

describe('after the SDK\'s retries', () => {
  // The retries themselves are the SDK's (standard mode, six attempts): test/governance/sdk-retries.test.ts.
  test('a guardrail whose reading still fails is not evaluated, and the run goes on', async () => {
    givenGuardrails({ id: 'g' }, { id: 'good1', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    bedrock.on(GetGuardrailCommand, { guardrailIdentifier: 'g' }).rejects(errors.throttling());
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g').Annotation).toBe('Not evaluated (since 2026-03-01T10:00Z): GetGuardrail failed (ThrottlingException: Rate exceeded).');
    expect(reportedFor('good1').ComplianceType).toBe('COMPLIANT');
    expect(summary.notEvaluated).toBe(1);
  });
});

describe('reporting', () => {
  test('PutEvaluations is called in batches of at most 100', async () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ id: `g${i}`, kmsKeyArn: GOOD_KEY }));
    bedrock.on(ListGuardrailsCommand).resolves({ guardrails: summaries(many) });
    bedrock.on(GetGuardrailCommand).resolves({ kmsKeyArn: GOOD_KEY } as any);
    givenKey(GOOD_KEY);

    await evaluateGuardrailEncryption(invocation(), deps());

    expect(config.commandCalls(PutEvaluationsCommand).map((c) => c.args[0].input.Evaluations!.length)).toEqual([100, 100, 50]);
    expect(new Set(reported().map((e) => e.ComplianceResourceId)).size).toBe(250);
  });

  test('evaluations Config keeps refusing are re-sent, logged, counted in a metric after delivery, and fail the invocation', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY }, { id: 'ok', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    config.on(PutEvaluationsCommand).resolves({
      FailedEvaluations: [{ ComplianceResourceId: guardrailArn('g'), ComplianceResourceType: 'AWS::Bedrock::Guardrail', ComplianceType: 'COMPLIANT', OrderingTimestamp: new Date() }],
    });
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.001);
    try {
      await expect(evaluateGuardrailEncryption(invocation(), deps())).rejects.toThrow(/AWS Config refused 1 evaluation\(s\) after 4 attempts .*the other 1 were delivered/);
    } finally {
      random.mockRestore();
    }
    // The first delivery, then three re-sends of the refused evaluation alone.
    expect(config.commandCalls(PutEvaluationsCommand).map((c) => c.args[0].input.Evaluations!.map((e) => e.ComplianceResourceId))).toEqual([
      [guardrailArn('g'), guardrailArn('ok')], [guardrailArn('g')], [guardrailArn('g')], [guardrailArn('g')],
    ]);
    expect(lines).toContain(`ERROR Config refused the evaluation of ${guardrailArn('g')} (COMPLIANT) 4 times`);
    const delivery = lines.map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).find((r) => r?._aws && 'EvaluationsRefused' in r);
    expect(delivery).toMatchObject({ EvaluationsRefused: 1, GuardrailsLeft: 0 });
    expect(lines.indexOf(JSON.stringify(delivery))).toBeGreaterThan(lines.findIndex((l) => l.startsWith('ERROR Config refused')));
  });

  test('an evaluation refused once is delivered when re-sent, and the invocation succeeds', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    config.on(PutEvaluationsCommand)
      .resolvesOnce({ FailedEvaluations: [{ ComplianceResourceId: guardrailArn('g'), ComplianceResourceType: 'AWS::Bedrock::Guardrail', ComplianceType: 'COMPLIANT', OrderingTimestamp: new Date() }] })
      .resolves({ FailedEvaluations: [] });
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.001);
    try {
      await expect(evaluateGuardrailEncryption(invocation(), deps())).resolves.toMatchObject({ total: 1, failedEvaluations: 0 });
    } finally {
      random.mockRestore();
    }
    expect(config.commandCalls(PutEvaluationsCommand)).toHaveLength(2);
    expect(lines).toContain('WARNING re-sending 1 evaluation(s) Config refused');
  });

  test("the RDK's test token runs PutEvaluations in TestMode", async () => {
    bedrock.on(ListGuardrailsCommand).resolves({ guardrails: [] });
    await evaluateGuardrailEncryption(invocation('TESTMODE'), deps());
    expect(config.commandCalls(PutEvaluationsCommand)[0].args[0].input).toMatchObject({ ResultToken: 'TESTMODE', TestMode: true });
  });

  test('the KPIs are written as one embedded-metric-format record', async () => {
    givenGuardrails({ id: 'good1', kmsKeyArn: GOOD_KEY }, { id: 'aws-owned' }, { id: 'locked' });
    givenKey(GOOD_KEY);
    bedrock.on(GetGuardrailCommand, { guardrailIdentifier: 'locked' }).rejects(errors.bedrockDenied());

    await evaluateGuardrailEncryption(invocation(), deps({ metricNamespace: 'Team/Guardrails' }));

    expect(kpis()).toEqual({
      _aws: {
        Timestamp: Date.parse(NOTIFICATION_TIME),
        CloudWatchMetrics: [{
          Namespace: 'Team/Guardrails',
          Dimensions: [['ConfigRuleName']],
          Metrics: [
            { Name: 'GuardrailsTotal', Unit: 'Count' },
            { Name: 'GuardrailsEncryptedWithCmk', Unit: 'Count' },
            { Name: 'GuardrailsNonCompliant', Unit: 'Count' },
            { Name: 'GuardrailsNotEvaluated', Unit: 'Count' },
            { Name: 'OrphanedGuardrailKeys', Unit: 'Count' },
            { Name: 'OrphanedGuardrailKeysMonthlyCostUsd', Unit: 'None' },
          ],
        }],
      },
      ConfigRuleName: RULE_NAME,
      GuardrailsTotal: 3,
      GuardrailsEncryptedWithCmk: 1,
      GuardrailsNonCompliant: 2,
      GuardrailsNotEvaluated: 1,
      OrphanedGuardrailKeys: 0,
      OrphanedGuardrailKeysMonthlyCostUsd: 0,
    });
  });

  test('KPIs are written even when the evaluations cannot be delivered', async () => {
    bedrock.on(ListGuardrailsCommand).resolves({ guardrails: [] });
    config.on(PutEvaluationsCommand).rejects(errors.named('InvalidResultTokenException'));
    await expect(evaluateGuardrailEncryption(invocation(), deps())).rejects.toThrow('InvalidResultTokenException');
    expect(kpis()).toMatchObject({ GuardrailsTotal: 0 });
  });

  test('an event without a notification time is refused before any call, naming the field', async () => {
    givenGuardrails({ id: 'g' });
    const invokingEvent = JSON.stringify({ awsAccountId: ACCOUNT, messageType: 'ScheduledNotification' });
    await expect(evaluateGuardrailEncryption({ ...invocation(), invokingEvent }, deps()))
      .rejects.toThrow('Malformed AWS Config event: invokingEvent.notificationCreationTime is missing; expected an ISO 8601 date-time');
    expect(bedrock.calls()).toHaveLength(0);
    expect(config.calls()).toHaveLength(0);
  });
});

describe('retiring deleted guardrails', () => {
  test('earlier results of guardrails that no longer exist become NOT_APPLICABLE, across pages', async () => {
    givenGuardrails({ id: 'still', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    const result = (type: string, id: string) => ({
      EvaluationResultIdentifier: { EvaluationResultQualifier: { ResourceType: type, ResourceId: id } },
    });
    config.on(GetComplianceDetailsByConfigRuleCommand)
      .resolvesOnce({ EvaluationResults: [result('AWS::Bedrock::Guardrail', guardrailArn('still')), result('AWS::Bedrock::Guardrail', guardrailArn('deleted1'))], NextToken: 'n' })
      .resolvesOnce({ EvaluationResults: [result('AWS::Bedrock::Guardrail', guardrailArn('deleted2')), result('AWS::::Account', ACCOUNT), {}] });

    const summary = await evaluateGuardrailEncryption(invocation(), deps());

    expect(config.commandCalls(GetComplianceDetailsByConfigRuleCommand).map((c) => c.args[0].input)).toEqual([
      { ConfigRuleName: RULE_NAME, ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'], Limit: 100, NextToken: undefined },
      { ConfigRuleName: RULE_NAME, ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'], Limit: 100, NextToken: 'n' },
    ]);
    expect(reported().filter((e) => e.ComplianceType === 'NOT_APPLICABLE')).toEqual(['deleted1', 'deleted2'].map((id) => ({
      ComplianceResourceType: 'AWS::Bedrock::Guardrail',
      ComplianceResourceId: guardrailArn(id),
      ComplianceType: 'NOT_APPLICABLE',
      Annotation: 'The guardrail no longer exists.',
      OrderingTimestamp: new Date(NOTIFICATION_TIME),
    })));
    expect(summary.removed).toBe(2);
  });

  test('if earlier results cannot be read, the current guardrails are still reported', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    config.on(GetComplianceDetailsByConfigRuleCommand).rejects(errors.named('AccessDeniedException', 'not yet'));
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g').ComplianceType).toBe('COMPLIANT');
    expect(summary.removed).toBe(0);
    expect(lines.some((l) => l.startsWith('WARNING could not read earlier results'))).toBe(true);
  });
});

describe('every version is evaluated, not only the draft', () => {
  const OTHER = keyArn('2222bbbb-2222-2222-2222-222222222222');

  test('versions are listed with the guardrail ARN and each is read; one evaluation per guardrail', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY, versions: { 1: GOOD_KEY, 2: GOOD_KEY } });
    givenKey(GOOD_KEY);
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(bedrock.commandCalls(ListGuardrailsCommand).map((c) => c.args[0].input)).toEqual([
      { maxResults: 1000, nextToken: undefined }, { guardrailIdentifier: guardrailArn('g'), maxResults: 1000, nextToken: undefined },
    ]);
    expect(bedrock.commandCalls(GetGuardrailCommand).map((c) => c.args[0].input.guardrailVersion)).toEqual(['DRAFT', '1', '2']);
    expect(reported()).toHaveLength(1);
    expect(reportedFor('g')).toMatchObject({
      ComplianceType: 'COMPLIANT',
      Annotation: 'All 3 versions are encrypted with customer-managed key 1111aaaa-1111-1111-1111-111111111111 of this account and Region: enabled, automatic rotation on at least every 365 days, least-privilege key policy.',
    });
    expect(summary).toMatchObject({ total: 1, compliant: 1, encryptedWithCmk: 1 });
  });

  test('a numbered version on an AWS owned key makes the guardrail NON_COMPLIANT, though its draft is fine, and names the version', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY, versions: { 1: undefined, 2: GOOD_KEY } });
    givenKey(GOOD_KEY);
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g')).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: 'Non-compliant (since 2026-03-01T10:00Z): version 1: [GuardrailEncryption-CMKRequired] it has no kmsKeyArn: it is encrypted with an AWS owned key.',
    });
    expect(summary).toMatchObject({ nonCompliant: 1, notEvaluated: 0, encryptedWithCmk: 0 });
  });

  test('versions with the same reason are named together, the others apart', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: OTHER, versions: { 1: OTHER, 2: GOOD_KEY, 3: undefined } });
    givenKey(GOOD_KEY);
    givenKey(OTHER, { state: 'Disabled' });
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g').Annotation).toBe('Non-compliant (since 2026-03-01T10:00Z): DRAFT and version 1: [GuardrailEncryption-KeyEnabled] The guardrail\'s KMS key is disabled (Enabled: false); '
      + 'version 3: [GuardrailEncryption-CMKRequired] it has no kmsKeyArn: it is encrypted with an AWS owned key.');
  });

  test('a version that cannot be read leaves the guardrail not evaluated, unless another version is non-compliant', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY, versions: { 1: GOOD_KEY } });
    givenKey(GOOD_KEY);
    bedrock.on(GetGuardrailCommand, { guardrailIdentifier: 'g', guardrailVersion: '1' }).rejects(errors.bedrockDenied());
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g').Annotation).toMatch(/^Not evaluated \(since 2026-03-01T10:00Z\): version 1: GetGuardrail was denied/);

    config.resetHistory();
    bedrock.on(GetGuardrailCommand, { guardrailIdentifier: 'g', guardrailVersion: 'DRAFT' }).resolves({ kmsKeyArn: undefined } as any);
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g').Annotation).toBe('Non-compliant (since 2026-03-01T10:00Z): DRAFT: [GuardrailEncryption-CMKRequired] it has no kmsKeyArn: it is encrypted with an AWS owned key.');
    expect(summary.notEvaluated).toBe(0);
  });

  test('versions whose listing fails leave the guardrail not evaluated; a guardrail deleted meanwhile is skipped', async () => {
    givenGuardrails({ id: 'locked', kmsKeyArn: GOOD_KEY }, { id: 'gone', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    bedrock.on(ListGuardrailsCommand, { guardrailIdentifier: guardrailArn('locked') }).rejects(errors.named('AccessDeniedException', 'no'));
    bedrock.on(ListGuardrailsCommand, { guardrailIdentifier: guardrailArn('gone') }).rejects(errors.guardrailGone());
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(reported().map((e) => [e.ComplianceResourceId, e.Annotation])).toEqual([[guardrailArn('locked'),
      'Not evaluated (since 2026-03-01T10:00Z): its versions could not be listed: ListGuardrails was denied (AccessDeniedException: no).']]);
    expect(summary).toMatchObject({ total: 1, notEvaluated: 1 });
  });

  test('every page of versions is read', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY, versions: { 1: GOOD_KEY, 2: GOOD_KEY } });
    givenKey(GOOD_KEY);
    bedrock.on(ListGuardrailsCommand, { guardrailIdentifier: guardrailArn('g') })
      .resolvesOnce({ guardrails: [guardrailSummary('g', 'DRAFT'), guardrailSummary('g', '1')], nextToken: 'more' })
      .resolvesOnce({ guardrails: [guardrailSummary('g', '2')] });
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(bedrock.commandCalls(GetGuardrailCommand).map((c) => c.args[0].input.guardrailVersion)).toEqual(['DRAFT', '1', '2']);
  });
});

describe('time to remediate, from what Config keeps', () => {
  const OTHER = keyArn('2222bbbb-2222-2222-2222-222222222222');
  const history = (...results: object[]) => config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: results as any });

  test('a guardrail remediated since its last NON_COMPLIANT result reports the time since it became non-compliant', async () => {
    givenGuardrails({ id: 'fixed', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    history(givenLastResult('fixed', 'NON_COMPLIANT', 'Non-compliant (since 2026-02-27T10:00Z): its key is disabled.'));
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(summary.remediated).toBe(1);
    expect(kpis()).toMatchObject({ TimeToRemediate: [2 * 24 * 3600] });
    expect((kpis()._aws as any).CloudWatchMetrics[0].Metrics).toContainEqual({ Name: 'TimeToRemediate', Unit: 'Seconds' });
  });

  test('an older NON_COMPLIANT result without "since" counts from its own time', async () => {
    givenGuardrails({ id: 'fixed', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    history(givenLastResult('fixed', 'NON_COMPLIANT', 'Non-compliant: its key is disabled.', new Date('2026-02-28T10:00:00Z')));
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(kpis()).toMatchObject({ TimeToRemediate: [24 * 3600] });
  });

  test('a guardrail that was only not evaluated (a missing grant, a passing error) is not counted as remediated', async () => {
    givenGuardrails({ id: 'granted', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    history(givenLastResult('granted', 'NON_COMPLIANT', 'Not evaluated (since 2026-02-27T10:00Z): GetGuardrail was denied.'));
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(summary.remediated).toBe(0);
    expect(kpis()).not.toHaveProperty('TimeToRemediate');
  });

  test('a guardrail still non-compliant keeps the moment it became so; a newly non-compliant one starts now', async () => {
    givenGuardrails({ id: 'still', kmsKeyArn: OTHER }, { id: 'new', kmsKeyArn: OTHER }, { id: 'fine', kmsKeyArn: GOOD_KEY });
    givenKey(OTHER, { state: 'Disabled' });
    givenKey(GOOD_KEY);
    history(
      givenLastResult('still', 'NON_COMPLIANT', 'Not evaluated (since 2026-01-15T08:30Z): its key could not be read.'),
      givenLastResult('new', 'COMPLIANT', 'Encrypted with …'),
      givenLastResult('fine', 'COMPLIANT', 'Encrypted with …'),
    );
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('still').Annotation).toMatch(/^Non-compliant \(since 2026-01-15T08:30Z\): /);
    expect(reportedFor('new').Annotation).toMatch(/^Non-compliant \(since 2026-03-01T10:00Z\): /);
    expect(summary.remediated).toBe(0);
    expect(kpis()).not.toHaveProperty('TimeToRemediate');
  });

  test('without the history the moment is unknown, and stays unknown (never restarted) until the guardrail is remediated', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: OTHER });
    givenKey(OTHER, { state: 'Disabled' });
    config.on(GetComplianceDetailsByConfigRuleCommand).rejects(errors.named('AccessDeniedException', 'no'));
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g').Annotation).toMatch(/^Non-compliant \(since unknown\): /);
    expect(kpis()).not.toHaveProperty('TimeToRemediate');

    // The next run reads that result back: still unknown; once remediated, nothing is measured.
    config.resetHistory();
    history(givenLastResult('g', 'NON_COMPLIANT', 'Non-compliant (since unknown): its key is disabled.'));
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g').Annotation).toMatch(/^Non-compliant \(since unknown\): /);
    config.resetHistory();
    givenKey(OTHER);
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(summary.remediated).toBe(0);
  });

  test('more than 100 remediations are spread over several metric records (100 values each at most)', async () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ id: `g${i}`, kmsKeyArn: GOOD_KEY }));
    bedrock.on(ListGuardrailsCommand).resolves({ guardrails: summaries(many) });
    bedrock.on(GetGuardrailCommand).resolves({ kmsKeyArn: GOOD_KEY } as any);
    givenKey(GOOD_KEY);
    history(...many.map((g) => givenLastResult(g.id, 'NON_COMPLIANT', 'Non-compliant (since 2026-03-01T09:00Z): its key is disabled.')));
    await evaluateGuardrailEncryption(invocation(), deps());
    const records = lines.map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).filter((r) => r?._aws && r.TimeToRemediate);
    expect(records.map((r) => r.TimeToRemediate.length)).toEqual([100, 50]);
    expect(records[1]._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'TimeToRemediate', Unit: 'Seconds' }]);
    expect(records[1]).not.toHaveProperty('GuardrailsTotal');
    expect(records.flatMap((r) => r.TimeToRemediate).every((seconds: number) => seconds === 3600)).toBe(true);
  });
});

describe('orphaned keys', () => {
  const ORPHAN = keyArn('3333cccc-3333-3333-3333-333333333333');
  const PENDING = keyArn('4444dddd-4444-4444-4444-444444444444');
  const UNREADABLE_GUARDRAIL_KEY = keyArn('5555eeee-5555-5555-5555-555555555555');
  const tagged = (arn: string, guardrail: string) => ({ ResourceARN: arn, Tags: [{ Key: 'Owner', Value: 'team' }, { Key: 'BedrockGuardrail', Value: guardrail }] });

  beforeEach(() => {
    givenGuardrails({ id: 'good1', kmsKeyArn: GOOD_KEY }, { id: 'locked' });
    bedrock.on(GetGuardrailCommand, { guardrailIdentifier: 'locked' }).rejects(errors.bedrockDenied());
    givenKey(GOOD_KEY);
    givenKey(ORPHAN);
    givenKey(PENDING, { state: 'PendingDeletion' });
  });

  test('keys tagged BedrockGuardrail that no guardrail uses or is named by are counted, with their cost', async () => {
    tagging.on(GetResourcesCommand)
      .resolvesOnce({ ResourceTagMappingList: [tagged(GOOD_KEY, 'renamed-but-still-used'), tagged(ORPHAN, 'deleted-tenant')], PaginationToken: 'next' })
      .resolvesOnce({
        ResourceTagMappingList: [
          tagged(PENDING, 'retired'),
          // The guardrail of this name could not be read: its key is not taken for an orphan.
          tagged(UNREADABLE_GUARDRAIL_KEY, 'name-locked'),
        ],
        PaginationToken: '',
      });
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(tagging.commandCalls(GetResourcesCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceTypeFilters: ['kms:key'], TagFilters: [{ Key: 'BedrockGuardrail' }], PaginationToken: undefined },
      { ResourceTypeFilters: ['kms:key'], TagFilters: [{ Key: 'BedrockGuardrail' }], PaginationToken: 'next' },
    ]);
    expect(summary.orphanedKeys).toBe(1);
    expect(kpis()).toMatchObject({ OrphanedGuardrailKeys: 1, OrphanedGuardrailKeysMonthlyCostUsd: 1 });
    expect(lines).toContain('ORPHANED_KEY 3333cccc-3333-3333-3333-333333333333 (guardrail deleted-tenant): '
      + 'no guardrail of the Region uses it; it is billed at least $1/month until it is scheduled for deletion');
  });

  test('a key whose state cannot be read is counted; a key that no longer exists is not', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [tagged(ORPHAN, 'a'), tagged(PENDING, 'b')] });
    kms.on(DescribeKeyCommand, { KeyId: ORPHAN }).rejects(errors.named('AccessDeniedException', 'no'));
    kms.on(DescribeKeyCommand, { KeyId: PENDING }).rejects(errors.keyGone());
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(summary.orphanedKeys).toBe(1);
  });

  test('without tag:GetResources, orphans are not counted (no metric) and the run goes on', async () => {
    tagging.on(GetResourcesCommand).rejects(errors.named('AccessDeniedException', 'no'));
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(summary.orphanedKeys).toBeUndefined();
    expect(kpis()).not.toHaveProperty('OrphanedGuardrailKeys');
    expect(lines).toContain('WARNING orphaned keys not counted: tag:GetResources was denied (AccessDeniedException: no)');
    expect(reportedFor('good1').ComplianceType).toBe('COMPLIANT');
  });
});

describe('settingsFromEnvironment', () => {
  test('reads the Region, the allow-list and the namespace', () => {
    expect(settingsFromEnvironment({ AWS_REGION: 'eu-west-1', ALLOWED_KEY_ARNS: ` ${GOOD_KEY}, ${keyArn('x')} ,`, METRIC_NAMESPACE: 'Ns', MAX_ROTATION_DAYS: '180' })).toEqual({
      region: 'eu-west-1',
      allowedKeyArns: new Set([GOOD_KEY, keyArn('x')]),
      metricNamespace: 'Ns',
      maxRotationDays: 180,
    });
  });

  test('an empty allow-list means any key; the namespace has a default', () => {
    expect(settingsFromEnvironment({ AWS_DEFAULT_REGION: 'us-east-1', ALLOWED_KEY_ARNS: '' })).toEqual({
      region: 'us-east-1',
      allowedKeyArns: undefined,
      metricNamespace: 'SecureGuardrail',
      maxRotationDays: 365,
    });
  });

  test.each(['89', '2561', '365.5', 'often'])('refuses a rotation maximum of %s days', (days) => {
    expect(() => settingsFromEnvironment({ AWS_REGION: 'eu-west-1', MAX_ROTATION_DAYS: days }))
      .toThrow(`MAX_ROTATION_DAYS is ${days}: expected a whole number of days from 90 to 2560`);
  });

  test('fails without a Region', () => {
    expect(() => settingsFromEnvironment({})).toThrow(/AWS_REGION is not set/);
  });
});

describe('the Lambda entry point', () => {
  const saved = { ...process.env };
  afterEach(() => { process.env = { ...saved }; });

  test('evaluates with clients of the Region and settings from the environment', async () => {
    process.env.AWS_REGION = REGION;
    process.env.ALLOWED_KEY_ARNS = keyArn('only-this');
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const summary = await handler(invocation());
      expect(summary).toMatchObject({ total: 1, nonCompliant: 1 });
      expect(reportedFor('g').Annotation).toMatch(/not in the allow-list/);
      expect(log).toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
  });
});
