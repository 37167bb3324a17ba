import { BedrockClient, GetGuardrailCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import {
  ConfigServiceClient,
  Evaluation,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, errors, guardrailArn, invocation, keyArn, NOTIFICATION_TIME, REGION, RULE_NAME } from './handler-fixtures';
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

let lines: string[];
let sleeps: number[];

beforeEach(() => {
  bedrock.reset();
  kms.reset();
  config.reset();
  lines = [];
  sleeps = [];
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
});

function deps(settings: Partial<EvaluationSettings> = {}): EvaluationDependencies {
  return {
    bedrock: new BedrockClient({ region: REGION }),
    kms: new KMSClient({ region: REGION }),
    config: new ConfigServiceClient({ region: REGION }),
    settings: { region: REGION, metricNamespace: 'SecureGuardrail', ...settings },
    log: (line) => lines.push(line),
    retry: { sleep: async (ms) => { sleeps.push(ms); }, random: () => 1 },
  };
}

interface GuardrailFixture {
  readonly id: string;
  readonly kmsKeyArn?: string;
}

function summaries(list: GuardrailFixture[]) {
  return list.map((g) => ({
    id: g.id,
    arn: guardrailArn(g.id),
    name: `name-${g.id}`,
    status: 'READY' as const,
    version: 'DRAFT',
    createdAt: new Date(0),
    updatedAt: new Date(0),
  }));
}

function givenGuardrails(...list: GuardrailFixture[]): void {
  bedrock.on(ListGuardrailsCommand).resolves({ guardrails: summaries(list) });
  for (const g of list) {
    bedrock.on(GetGuardrailCommand, { guardrailIdentifier: g.id }).resolves({
      guardrailId: g.id,
      guardrailArn: guardrailArn(g.id),
      name: `name-${g.id}`,
      version: 'DRAFT',
      kmsKeyArn: g.kmsKeyArn,
    } as any);
  }
}

interface KeyFixture {
  readonly manager?: 'AWS' | 'CUSTOMER';
  readonly state?: string;
  readonly rotation?: boolean;
  /** The key policy's statements besides administration; default: one role that decrypts through Bedrock. */
  readonly statements?: object[];
}

/** A key policy as GuardrailKeyPolicy writes it, with `statements` for its use. */
function keyPolicy(statements: object[] = [{
  Sid: 'GuardrailUseThroughBedrock',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'kms:Decrypt',
  Resource: '*',
  Condition: { StringEquals: { 'kms:ViaService': `bedrock.${REGION}.amazonaws.com` }, ArnLike: { 'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNT}:role/App`] } },
}]): string {
  const administration = { Sid: 'KeyAdministration', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['kms:DescribeKey', 'kms:PutKeyPolicy'], Resource: '*' };
  return JSON.stringify({ Version: '2012-10-17', Statement: [administration, ...statements] });
}

function givenKey(arn: string, fixture: KeyFixture = {}): void {
  kms.on(DescribeKeyCommand, { KeyId: arn }).resolves({
    KeyMetadata: {
      KeyId: arn.split('/')[1],
      Arn: arn,
      KeyManager: fixture.manager ?? 'CUSTOMER',
      KeyState: (fixture.state ?? 'Enabled') as any,
    },
  });
  kms.on(GetKeyRotationStatusCommand, { KeyId: arn }).resolves({ KeyRotationEnabled: fixture.rotation ?? true });
  kms.on(GetKeyPolicyCommand, { KeyId: arn, PolicyName: 'default' }).resolves({ Policy: keyPolicy(fixture.statements), PolicyName: 'default' });
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

describe('compliant guardrails', () => {
  test('a guardrail with an enabled, rotated customer-managed key of the Region is COMPLIANT, with the reason', async () => {
    givenGuardrails({ id: 'good1', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);

    const summary = await evaluateGuardrailEncryption(invocation(), deps());

    expect(reported()).toEqual([{
      ComplianceResourceType: 'AWS::Bedrock::Guardrail',
      ComplianceResourceId: guardrailArn('good1'),
      ComplianceType: 'COMPLIANT',
      Annotation: 'Encrypted with customer-managed key 1111aaaa-1111-1111-1111-111111111111 of this account and Region: enabled, automatic rotation on, least-privilege key policy.',
      OrderingTimestamp: new Date(NOTIFICATION_TIME),
    }]);
    expect(config.commandCalls(PutEvaluationsCommand)[0].args[0].input).toMatchObject({ ResultToken: 'token-1', TestMode: false });
    expect(summary).toEqual({ total: 1, encryptedWithCmk: 1, compliant: 1, nonCompliant: 0, notEvaluated: 0, removed: 0, failedEvaluations: 0 });
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
    ['no kmsKeyArn (AWS owned key)', undefined, undefined, /no kmsKeyArn: it is encrypted with an AWS owned key/, false],
    ['an AWS managed key', OTHER, { manager: 'AWS' as const }, /is an AWS managed key/, false],
    ['a disabled key', OTHER, { state: 'Disabled' }, /is disabled/, true],
    ['a key pending deletion', OTHER, { state: 'PendingDeletion' }, /is pending deletion/, true],
    ['a replica pending deletion', OTHER, { state: 'PendingReplicaDeletion' }, /is pending deletion/, true],
    ['a key in another state', OTHER, { state: 'PendingImport' }, /is in state PendingImport/, true],
    ['rotation off', OTHER, { rotation: false }, /automatic rotation of its key 2222bbbb-2222-2222-2222-222222222222 is off/, true],
  ])('%s', async (_name, kmsKeyArn, key, reason, cmk) => {
    givenGuardrails({ id: 'bad1', kmsKeyArn });
    if (kmsKeyArn) givenKey(kmsKeyArn, key);

    const summary = await evaluateGuardrailEncryption(invocation(), deps());

    expect(reportedFor('bad1')).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(reason) });
    expect(reportedFor('bad1').Annotation).toMatch(/^Non-compliant: /);
    expect(summary).toMatchObject({ nonCompliant: 1, notEvaluated: 0, encryptedWithCmk: cmk ? 1 : 0 });
  });

  test('a key of another Region is judged by its ARN, without reading it', async () => {
    const elsewhere = keyArn('3333cccc-3333-3333-3333-333333333333', 'us-east-1');
    givenGuardrails({ id: 'bad1', kmsKeyArn: elsewhere });
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('bad1')).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: 'Non-compliant: its key is in us-east-1, not in eu-west-1.' });
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(0);
  });

  test('a key of another account is NON_COMPLIANT', async () => {
    const foreign = keyArn('4444dddd-4444-4444-4444-444444444444', REGION, '222222222222');
    givenGuardrails({ id: 'bad1', kmsKeyArn: foreign });
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('bad1').Annotation).toBe(`Non-compliant: its key belongs to account 222222222222, not ${ACCOUNT}.`);
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(0);
  });

  test('a key outside the allow-list is NON_COMPLIANT even when it is otherwise fine', async () => {
    givenGuardrails({ id: 'bad1', kmsKeyArn: OTHER });
    givenKey(OTHER);
    await evaluateGuardrailEncryption(invocation(), deps({ allowedKeyArns: new Set([GOOD_KEY]) }));
    expect(reportedFor('bad1')).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: 'Non-compliant: its key 2222bbbb-2222-2222-2222-222222222222 is not in the allow-list.',
    });
  });

  test('a deleted key is NON_COMPLIANT', async () => {
    givenGuardrails({ id: 'bad1', kmsKeyArn: OTHER });
    kms.on(DescribeKeyCommand).rejects(errors.keyGone());
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('bad1').Annotation).toMatch(/its key 2222bbbb-2222-2222-2222-222222222222 no longer exists/);
  });

  test('a key whose material cannot rotate (imported) is NON_COMPLIANT', async () => {
    givenGuardrails({ id: 'bad1', kmsKeyArn: OTHER });
    givenKey(OTHER);
    kms.on(GetKeyRotationStatusCommand).rejects(errors.rotationUnsupported());
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('bad1').Annotation).toMatch(/cannot rotate automatically \(imported or external key material\)/);
  });

  test('several reasons are all given', async () => {
    givenGuardrails({ id: 'bad1', kmsKeyArn: OTHER });
    givenKey(OTHER, { state: 'Disabled' });
    await evaluateGuardrailEncryption(invocation(), deps({ allowedKeyArns: new Set([GOOD_KEY]) }));
    expect(reportedFor('bad1').Annotation).toBe(
      'Non-compliant: its key 2222bbbb-2222-2222-2222-222222222222 is not in the allow-list; its key 2222bbbb-2222-2222-2222-222222222222 is disabled.');
  });

  test('a kmsKeyArn that is not a key ARN is NON_COMPLIANT', async () => {
    givenGuardrails({ id: 'bad1', kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:alias/whatever' });
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('bad1').Annotation).toMatch(/is not a key ARN/);
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
      /^Non-compliant: in the policy of its key 3333cccc-3333-3333-3333-333333333333, statement Account lets any principal of account 111111111111 whose IAM policies allow it call kms:Decrypt directly, /],
    ['a role of another account', [{ Sid: 'Foreign', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/X' }, Action: 'kms:Decrypt', Resource: '*' }],
      /statement Foreign lets arn:aws:iam::222222222222:role\/X of another account call /],
    ['the account through another service', [{ Sid: 'S3', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } } }],
      /statement S3 lets any principal of account 111111111111 whose IAM policies allow it call kms:Decrypt through another service\.$/],
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
      Annotation: 'Not evaluated: the policy of its key 4444dddd-4444-4444-4444-444444444444 could not be read: kms:GetKeyPolicy was denied (AccessDeniedException: no).',
    });
    expect(reportedFor('unverifiable').Annotation).toMatch(/^Not evaluated: the policy of its key 5555eeee-.* could not be read: it cannot be verified: condition operator IpAddress is not modelled\.$/);
    expect(summary).toMatchObject({ notEvaluated: 2, encryptedWithCmk: 2 });
  });

  test('a definite reason keeps the guardrail NON_COMPLIANT when the policy cannot be read', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: OPEN_KEY });
    givenKey(OPEN_KEY, { rotation: false });
    kms.on(GetKeyPolicyCommand).rejects(errors.named('KMSInternalException', 'down'));
    await evaluateGuardrailEncryption(invocation(), deps({}));
    expect(reportedFor('g').Annotation).toMatch(/rotation of its key 3333cccc-.* is off; and the policy of its key could not be read \(kms:GetKeyPolicy failed/);
  });
});

describe('guardrails that cannot be evaluated are never COMPLIANT', () => {
  test('AccessDenied on GetGuardrail (no kms:Decrypt on a CMK) is reported NON_COMPLIANT with how to fix it', async () => {
    givenGuardrails({ id: 'locked' });
    bedrock.on(GetGuardrailCommand, { guardrailIdentifier: 'locked' }).rejects(errors.bedrockDenied());

    const summary = await evaluateGuardrailEncryption(invocation(), deps());

    expect(reportedFor('locked')).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: "Not evaluated: GetGuardrail was denied (AccessDeniedException); the rule's role needs kms:Decrypt on the guardrail's key (secureGuardrail.grantRead(rule)).",
    });
    expect(summary).toMatchObject({ total: 1, nonCompliant: 1, notEvaluated: 1, compliant: 0, encryptedWithCmk: 0 });
    expect(lines).toContain(`NOT_EVALUATED ${guardrailArn('locked')}: ${reportedFor('locked').Annotation}`);
  });

  test('other GetGuardrail errors are reported with their name', async () => {
    givenGuardrails({ id: 'broken' });
    bedrock.on(GetGuardrailCommand).rejects(errors.named('ValidationException', 'bad identifier'));
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('broken').Annotation).toBe('Not evaluated: GetGuardrail failed (ValidationException: bad identifier).');
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
      Annotation: 'Not evaluated: its key 1111aaaa-1111-1111-1111-111111111111 could not be read: kms:DescribeKey was denied (AccessDeniedException: no).',
    });
    expect(summary.notEvaluated).toBe(1);
  });

  test('DescribeKey failing after a definite reason still reports that reason', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY });
    kms.on(DescribeKeyCommand).rejects(errors.named('KMSInvalidStateException', 'odd'));
    const summary = await evaluateGuardrailEncryption(invocation(), deps({ allowedKeyArns: new Set(['arn:aws:kms:eu-west-1:111111111111:key/other']) }));
    expect(reportedFor('g').Annotation).toBe(
      'Non-compliant: its key 1111aaaa-1111-1111-1111-111111111111 is not in the allow-list; and its key could not be read (kms:DescribeKey failed (KMSInvalidStateException: odd)).');
    expect(summary.notEvaluated).toBe(0);
  });

  test('DescribeKey returning no metadata leaves the guardrail not evaluated', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY });
    kms.on(DescribeKeyCommand).resolves({});
    await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g').Annotation).toMatch(/^Not evaluated: .*returned no key metadata/);
  });

  test('rotation status denied leaves a customer-managed key not evaluated (but counted as CMK)', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    kms.on(GetKeyRotationStatusCommand).rejects(errors.named('AccessDeniedException', 'no'));
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(reportedFor('g')).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: expect.stringMatching(/^Not evaluated: the rotation of its key .* could not be read: kms:GetKeyRotationStatus was denied/),
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
    bedrock.on(GetGuardrailCommand).resolves({ kmsKeyArn: GOOD_KEY } as any);
    givenKey(GOOD_KEY);

    const summary = await evaluateGuardrailEncryption(invocation(), deps());

    const listCalls = bedrock.commandCalls(ListGuardrailsCommand);
    expect(listCalls.map((c) => c.args[0].input)).toEqual([{ nextToken: undefined }, { nextToken: 'page-2' }]);
    // Without guardrailIdentifier ListGuardrails returns each guardrail's draft once.
    expect(listCalls.every((c) => !('guardrailIdentifier' in c.args[0].input))).toBe(true);
    expect(reported().map((e) => e.ComplianceResourceId).sort()).toEqual(['p1a', 'p1b', 'p2a'].map((id) => guardrailArn(id)));
    expect(summary.total).toBe(3);
  });

  test('an empty account reports an empty evaluation set and zero KPIs', async () => {
    bedrock.on(ListGuardrailsCommand).resolves({ guardrails: [] });

    const summary = await evaluateGuardrailEncryption(invocation(), deps());

    expect(config.commandCalls(PutEvaluationsCommand).map((c) => c.args[0].input.Evaluations)).toEqual([[]]);
    expect(summary).toEqual({ total: 0, encryptedWithCmk: 0, compliant: 0, nonCompliant: 0, notEvaluated: 0, removed: 0, failedEvaluations: 0 });
    expect(kpis()).toMatchObject({ GuardrailsTotal: 0, GuardrailsEncryptedWithCmk: 0, GuardrailsNonCompliant: 0, GuardrailsNotEvaluated: 0 });
  });

  test('a listing that keeps failing fails the run instead of reporting a partial picture', async () => {
    bedrock.on(ListGuardrailsCommand).rejects(errors.bedrockDenied());
    await expect(evaluateGuardrailEncryption(invocation(), deps())).rejects.toThrow(/kms:Decrypt|not authorized/);
    expect(config.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
  });
});

describe('throttling', () => {
  test('throttled calls are retried with exponential back-off, then succeed', async () => {
    bedrock.on(ListGuardrailsCommand)
      .rejectsOnce(errors.throttling())
      .rejectsOnce(errors.throttling())
      .resolves({ guardrails: summaries([{ id: 'g' }]) });
    bedrock.on(GetGuardrailCommand).rejectsOnce(errors.throttling()).resolves({ kmsKeyArn: GOOD_KEY } as any);
    givenKey(GOOD_KEY);
    config.on(PutEvaluationsCommand).rejectsOnce(errors.named('ThrottlingException')).resolves({});

    await evaluateGuardrailEncryption(invocation(), deps());

    expect(bedrock.commandCalls(ListGuardrailsCommand)).toHaveLength(3);
    expect(bedrock.commandCalls(GetGuardrailCommand)).toHaveLength(2);
    const puts = config.commandCalls(PutEvaluationsCommand);
    expect(puts).toHaveLength(2);
    expect(puts[1].args[0].input.Evaluations).toEqual(puts[0].args[0].input.Evaluations);
    expect(puts[1].args[0].input.Evaluations!.map((e) => e.ComplianceType)).toEqual(['COMPLIANT']);
    // random() = 1: the full back-off ceiling, 200 ms doubled per retry.
    expect(sleeps).toEqual([200, 400, 200, 200]);
  });

  test('a guardrail still throttled after every attempt is not evaluated, the run goes on', async () => {
    givenGuardrails({ id: 'g' });
    bedrock.on(GetGuardrailCommand).rejects(errors.throttling());
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(bedrock.commandCalls(GetGuardrailCommand)).toHaveLength(6);
    expect(reportedFor('g').Annotation).toBe('Not evaluated: GetGuardrail failed (ThrottlingException: Rate exceeded).');
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

  test('evaluations Config refuses are counted and logged', async () => {
    givenGuardrails({ id: 'g', kmsKeyArn: GOOD_KEY });
    givenKey(GOOD_KEY);
    config.on(PutEvaluationsCommand).resolves({
      FailedEvaluations: [{ ComplianceResourceId: guardrailArn('g'), ComplianceResourceType: 'AWS::Bedrock::Guardrail', ComplianceType: 'COMPLIANT', OrderingTimestamp: new Date() }],
    });
    const summary = await evaluateGuardrailEncryption(invocation(), deps());
    expect(summary.failedEvaluations).toBe(1);
    expect(lines).toContain(`ERROR Config refused the evaluation of ${guardrailArn('g')} (COMPLIANT)`);
  });

  test("the console's test invocations run in TestMode", async () => {
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
          ],
        }],
      },
      ConfigRuleName: RULE_NAME,
      GuardrailsTotal: 3,
      GuardrailsEncryptedWithCmk: 1,
      GuardrailsNonCompliant: 2,
      GuardrailsNotEvaluated: 1,
    });
  });

  test('KPIs are written even when the evaluations cannot be delivered', async () => {
    bedrock.on(ListGuardrailsCommand).resolves({ guardrails: [] });
    config.on(PutEvaluationsCommand).rejects(errors.named('InvalidResultTokenException'));
    await expect(evaluateGuardrailEncryption(invocation(), deps())).rejects.toThrow('InvalidResultTokenException');
    expect(kpis()).toMatchObject({ GuardrailsTotal: 0 });
  });

  test('without a notification time the clock orders the evaluations', async () => {
    givenGuardrails({ id: 'g' });
    const now = new Date('2026-04-01T00:00:00Z');
    await evaluateGuardrailEncryption({ ...invocation(), invokingEvent: 'not json' }, { ...deps(), now: () => now });
    expect(reportedFor('g').OrderingTimestamp).toEqual(now);
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

describe('settingsFromEnvironment', () => {
  test('reads the Region, the allow-list and the namespace', () => {
    expect(settingsFromEnvironment({ AWS_REGION: 'eu-west-1', ALLOWED_KEY_ARNS: ` ${GOOD_KEY}, ${keyArn('x')} ,`, METRIC_NAMESPACE: 'Ns' })).toEqual({
      region: 'eu-west-1',
      allowedKeyArns: new Set([GOOD_KEY, keyArn('x')]),
      metricNamespace: 'Ns',
    });
  });

  test('an empty allow-list means any key; the namespace has a default', () => {
    expect(settingsFromEnvironment({ AWS_DEFAULT_REGION: 'us-east-1', ALLOWED_KEY_ARNS: '' })).toEqual({
      region: 'us-east-1',
      allowedKeyArns: undefined,
      metricNamespace: 'SecureGuardrail',
    });
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
