import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { KMSClient } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import * as esbuild from 'esbuild';
import { EXAMPLE_ACCOUNT_ID, exampleAccount, HOME, KEYS, OTHER } from './audit-fixtures';
import { accountWideStatement } from './handler-fixtures';
import { FakeAccount } from './helpers/fake-account';
import { FakeAwsEndpoint, ReceivedRequest } from './helpers/fake-endpoint';
import { main, usage } from '../../src/governance/private/audit/cli';
import { AUDIT_PERMISSIONS } from '../../src/governance/private/audit/permissions';
import { DEFAULT_REGIONS } from '../../src/governance/private/audit/regions';
import { evaluateGuardrailEncryption, settingsFromEnvironment } from '../../src/governance/private/handler/evaluate';
import { SDK_CLIENT_CONFIG } from '../../src/governance/private/handler/sdk';

/*
 * The audit runs its real SDK clients (the default credential chain, the Config rule's retry
 * settings) against a local endpoint standing in for the account: serialization, pagination and
 * retries are the SDK's own.
 */

const ROOT = path.join(__dirname, '..', '..');
const endpoint = new FakeAwsEndpoint();
const saved = { ...process.env };
const silenced: jest.SpyInstance[] = [];
let url: string;

beforeAll(async () => {
  url = await endpoint.start();
  for (const name of Object.keys(process.env)) {
    if (/^AWS_/.test(name)) delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterAll(async () => {
  process.env = { ...saved };
  await endpoint.stop();
});
beforeEach(() => {
  endpoint.reset();
  endpoint.respondWith(exampleAccount().respond);
  // The back-off's jitter drawn small, so that back-offs of seconds take milliseconds.
  silenced.push(jest.spyOn(Math, 'random').mockReturnValue(0.001));
});
afterEach(() => silenced.splice(0).forEach((spy) => spy.mockRestore()));

async function audit(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; } });
  return { code, stdout, stderr };
}

async function auditJson(...argv: string[]): Promise<{ code: number; report: any }> {
  const { code, stdout } = await audit(...argv, '--format', 'json', '--quiet');
  return { code, report: JSON.parse(stdout) };
}

const keyArn = (region: string, id: string) => `arn:aws:kms:${region}:${EXAMPLE_ACCOUNT_ID}:key/${id}`;
const guardrailArn = (region: string, id: string) => `arn:aws:bedrock:${region}:${EXAMPLE_ACCOUNT_ID}:guardrail/${id}`;
const LEGACY_FINDING = 'DRAFT and version 1: [GuardrailEncryption-CMKRequired] it has no kmsKeyArn: it is encrypted with an AWS owned key';
const CONSOLE_FINDING = "DRAFT: [GuardrailEncryption-KeyRotation] The guardrail's KMS key does not rotate automatically at least every 365 days: automatic rotation is off";
const SUMMARY_LINE = 'Guardrail compliance: 2/4 compliant (50%), 3/4 on a customer-managed key (75%), 4 distinct keys (~$4.00/month). '
  + '1 orphaned guardrail key (~$1.00/month).';

/** The IAM action of a request the fake endpoint received. */
function actionOf(request: ReceivedRequest): string {
  if (request.operation === 'GET /guardrails') return 'bedrock:ListGuardrails';
  if (request.operation.startsWith('GET /guardrails/')) return 'bedrock:GetGuardrail';
  return `${request.operation === 'GetResources' ? 'tag' : 'kms'}:${request.operation}`;
}

describe('an account modelled on the example app', () => {
  test('by default every Region where Bedrock is offered: each guardrail and version with its key, the findings, orphaned keys and KPIs as a table; exit 1', async () => {
    const { code, stdout, stderr } = await audit('audit');

    expect(code).toBe(1);
    expect(new Set(endpoint.received.filter((r) => r.operation === 'GET /guardrails').map((r) => r.region))).toEqual(new Set(DEFAULT_REGIONS));
    expect(DEFAULT_REGIONS).toHaveLength(33);
    expect(stdout.split('\n').map((line) => line.trimEnd())).toEqual([
      'REGION        GUARDRAIL                          VERSION  KEY                                                                             STATUS',
      'eu-central-1  legacy-faq-bot (legacyg00001)      DRAFT    AWS owned key                                                                   NON_COMPLIANT',
      '                                                 1        AWS owned key                                                                   NON_COMPLIANT',
      `us-east-1     console-experiment (consoleg0001)  DRAFT    ${keyArn(OTHER, KEYS.consoleDraft)}     NON_COMPLIANT`,
      `                                                 1        ${keyArn(OTHER, KEYS.console)}     COMPLIANT`,
      `eu-central-1  acme-assistant (acmeg0000001)      DRAFT    ${keyArn(HOME, KEYS.acme)}  COMPLIANT`,
      `                                                 1        ${keyArn(HOME, KEYS.acme)}  COMPLIANT`,
      `eu-central-1  globex-assistant (globexg00001)    DRAFT    ${keyArn(HOME, KEYS.globex)}  COMPLIANT`,
      `                                                 1        ${keyArn(HOME, KEYS.globex)}  COMPLIANT`,
      '',
      'Findings:',
      `  eu-central-1 legacy-faq-bot (legacyg00001): Non-compliant: ${LEGACY_FINDING}`,
      `  us-east-1 console-experiment (consoleg0001): Non-compliant: ${CONSOLE_FINDING}`,
      '',
      'Orphaned guardrail keys:',
      `  eu-central-1 ${KEYS.initech} (guardrail initech-assistant): billed ~$1/month until scheduled for deletion`,
      '',
      'Regions:',
      '  eu-south-2: skipped, Bedrock answered as where it is not offered (ValidationException: ValidationException)',
      '  me-central-1: skipped, an opt-in Region this account has not enabled',
      '',
      SUMMARY_LINE,
      '',
    ]);
    // Progress on stderr, guardrail by guardrail.
    expect(stderr).toContain(`Auditing 33 Regions: ${DEFAULT_REGIONS.join(', ')}\n`);
    expect(stderr.split('\n').filter((line) => line.startsWith(`[${HOME}]`))).toEqual([
      '[eu-central-1] 3 guardrails listed',
      '[eu-central-1] 1/3 acme-assistant: COMPLIANT',
      '[eu-central-1] 2/3 globex-assistant: COMPLIANT',
      '[eu-central-1] 3/3 legacy-faq-bot: NON_COMPLIANT',
      '[eu-central-1] done: 1 orphaned key',
    ]);
  });

  test('JSON: the KPIs, every guardrail with its versions, keys, findings and rule ids, and what became of each Region', async () => {
    const { code, report } = await auditJson('audit', '--region', HOME, '--region', `${OTHER},eu-south-2`);
    expect(code).toBe(1);
    expect(report.summary).toEqual({
      guardrails: 4,
      compliant: 2,
      complianceScore: 0.5,
      nonCompliant: 2,
      notEvaluated: 0,
      encryptedWithCmk: 3,
      encryptedWithCmkShare: 0.75,
      distinctKeys: 4,
      estimatedMonthlyKeyCostUsd: 4,
      orphanedKeys: 1,
      orphanedKeysMonthlyCostUsd: 1,
      keyPriceSource: expect.stringMatching(/^AWS KMS pricing page, us-east-1 list price, read \d{4}-\d{2}-\d{2}: \$1 per customer-managed key-month/),
    });
    expect(report.regions).toEqual([
      { region: HOME, status: 'audited', problems: [], orphanedKeys: [`${KEYS.initech} (guardrail initech-assistant)`], orphanedKeysMonthlyCostUsd: 1 },
      { region: OTHER, status: 'audited', problems: [], orphanedKeys: [], orphanedKeysMonthlyCostUsd: 0 },
      { region: 'eu-south-2', status: 'unavailable', problems: ['ValidationException: ValidationException'] },
    ]);
    expect(report.guardrails.map((g: any) => [g.name, g.status, g.encryptedWithCmk, g.failedRules, g.finding])).toEqual([
      ['legacy-faq-bot', 'NON_COMPLIANT', false, ['GuardrailEncryption-CMKRequired'], LEGACY_FINDING],
      ['console-experiment', 'NON_COMPLIANT', true, ['GuardrailEncryption-KeyRotation'], CONSOLE_FINDING],
      ['acme-assistant', 'COMPLIANT', true, [], `All 2 versions are encrypted with customer-managed key ${KEYS.acme} of this account and Region: `
        + 'enabled, automatic rotation on at least every 365 days, least-privilege key policy.'],
      ['globex-assistant', 'COMPLIANT', true, [], expect.stringContaining(`customer-managed key ${KEYS.globex} of this account and Region`)],
    ]);
    expect(report.guardrails[1]).toMatchObject({
      region: OTHER,
      arn: guardrailArn(OTHER, 'consoleg0001'),
      versions: [
        { version: 'DRAFT', kmsKeyArn: keyArn(OTHER, KEYS.consoleDraft), status: 'NON_COMPLIANT' },
        { version: '1', kmsKeyArn: keyArn(OTHER, KEYS.console), status: 'COMPLIANT' },
      ],
    });
    expect(report.guardrails[0].versions).toEqual([{ version: 'DRAFT', status: 'NON_COMPLIANT' }, { version: '1', status: 'NON_COMPLIANT' }]);
  });

  test('Markdown: the synth report\'s table, by Region instead of stack, then the findings and the Regions skipped', async () => {
    const { code, stdout } = await audit('audit', '--region', `${HOME},${OTHER},me-central-1`, '--format', 'markdown', '--quiet');
    expect(code).toBe(1);
    expect(stdout).toBe([
      '## Guardrail compliance',
      '',
      SUMMARY_LINE,
      '',
      '| Guardrail | Region | Status | Key | Failed rules | Warnings |',
      '|---|---|---|---|---|---|',
      `| \`${guardrailArn(HOME, 'legacyg00001')}\` (legacy-faq-bot) | \`${HOME}\` | **NON_COMPLIANT** | none | \`GuardrailEncryption-CMKRequired\` |  |`,
      `| \`${guardrailArn(OTHER, 'consoleg0001')}\` (console-experiment) | \`${OTHER}\` | **NON_COMPLIANT** `
        + `| \`${keyArn(OTHER, KEYS.consoleDraft)}, ${keyArn(OTHER, KEYS.console)}\` | \`GuardrailEncryption-KeyRotation\` |  |`,
      `| \`${guardrailArn(HOME, 'acmeg0000001')}\` (acme-assistant) | \`${HOME}\` | COMPLIANT | \`${keyArn(HOME, KEYS.acme)}\` |  |  |`,
      `| \`${guardrailArn(HOME, 'globexg00001')}\` (globex-assistant) | \`${HOME}\` | COMPLIANT | \`${keyArn(HOME, KEYS.globex)}\` |  |  |`,
      '',
      '### Findings',
      '',
      `- \`${guardrailArn(HOME, 'legacyg00001')}\`: Non-compliant: ${LEGACY_FINDING}`,
      `- \`${guardrailArn(OTHER, 'consoleg0001')}\`: Non-compliant: ${CONSOLE_FINDING}`,
      '',
      '### Regions',
      '',
      // Named, an opt-in Region that cannot be read is not skipped: the audit is incomplete.
      '- me-central-1: NOT AUDITED, ListGuardrails failed: UnrecognizedClientException: UnrecognizedClientException',
      '',
    ].join('\n'));
  });

  test('every list is read to its last page: the result does not depend on the page size', async () => {
    endpoint.respondWith(exampleAccount(100).respond);
    const onePage = await auditJson('audit', '--region', `${HOME},${OTHER}`);
    const onePageRequests = endpoint.received.length;
    endpoint.reset();
    endpoint.respondWith(exampleAccount(1).respond);
    const pageByPage = await auditJson('audit', '--region', `${HOME},${OTHER}`);

    expect(pageByPage).toEqual(onePage);
    const home = endpoint.received.filter((r) => r.region === HOME);
    // Three guardrails, one a page; two versions of each, one a page; four tagged keys, one a page.
    expect(home.filter((r) => r.operation === 'GET /guardrails' && !r.query.has('guardrailIdentifier')).map((r) => r.query.get('nextToken'))).toEqual([null, '1', '2']);
    expect(home.filter((r) => r.query.get('guardrailIdentifier') === guardrailArn(HOME, 'acmeg0000001')).map((r) => r.query.get('nextToken'))).toEqual([null, '1']);
    expect(home.filter((r) => r.operation === 'GetResources').map((r) => r.body.PaginationToken)).toEqual([undefined, '1', '2', '3']);
    expect(endpoint.received.length).toBeGreaterThan(onePageRequests);
  });
});

describe('throttling: the SDK\'s retry strategy (adaptive, 6 attempts), as the Config rule\'s', () => {
  // Adaptive mode slows the client down after each throttle, as it would against AWS: these take seconds.
  jest.setTimeout(60_000);

  test('calls throttled up to five times still succeed: the same audit, having retried', async () => {
    const throttled = { status: 429, error: 'ThrottlingException' };
    const expected = await auditJson('audit', '--region', HOME);
    endpoint.reset();
    endpoint.respondWith(exampleAccount().respond);
    endpoint.script('GET /guardrails', throttled, throttled, throttled, throttled, throttled);
    endpoint.script('GET /guardrails/legacyg00001', throttled, { status: 500, error: 'InternalServerException' });
    endpoint.script('DescribeKey', { status: 400, error: 'ThrottlingException' });
    endpoint.script('GetResources', { status: 400, error: 'ThrottlingException' }, { status: 400, error: 'ThrottlingException' });

    await expect(auditJson('audit', '--region', HOME)).resolves.toEqual(expected);
    const upTo = (n: number) => Array.from({ length: n }, (_, i) => `attempt=${i + 1}; max=6`);
    expect(endpoint.attempts('GET /guardrails').slice(0, 6)).toEqual(upTo(6));
    // The draft and the numbered version are read at once: which of them met the throttle and the error varies, so
    // count the retried requests rather than their order.
    expect(endpoint.attempts('GET /guardrails/legacyg00001').filter((attempt) => attempt !== 'attempt=1; max=6')).toHaveLength(2);
    expect(endpoint.attempts('GetResources').slice(0, 3)).toEqual(upTo(3));
  });

  test('a Region still throttled after six attempts is not audited: exit 3 when nothing else is wrong', async () => {
    endpoint.script('GET /guardrails', ...Array.from({ length: 6 }, () => ({ status: 429, error: 'ThrottlingException' })));
    const { code, stdout } = await audit('audit', '--region', 'us-east-2', '--quiet');
    expect(code).toBe(3);
    expect(stdout).toContain('  us-east-2: NOT AUDITED, ListGuardrails failed: ThrottlingException: ThrottlingException\n');
    expect(endpoint.attempts('GET /guardrails')).toHaveLength(6);
  });
});

describe('exit codes', () => {
  const compliantHome = {
    guardrails: [{ id: 'acmeg0000001', name: 'acme-assistant', versions: { DRAFT: keyArn(HOME, KEYS.acme), 1: keyArn(HOME, KEYS.acme) } }],
    keys: { [KEYS.acme]: { guardrailTag: 'acme-assistant' } },
  };
  const compliantOnly = new FakeAccount(EXAMPLE_ACCOUNT_ID, { [HOME]: compliantHome });

  test('0: every guardrail compliant', async () => {
    endpoint.respondWith(compliantOnly.respond);
    const { code, stdout } = await audit('audit', '--region', HOME, '--quiet');
    expect(code).toBe(0);
    expect(stdout).toContain('Guardrail compliance: 1/1 compliant (100%), 1/1 on a customer-managed key (100%), 1 distinct keys (~$1.00/month). 0 orphaned guardrail keys (~$0.00/month).');
  });

  test('0: no guardrail at all, in a Region without any', async () => {
    const { code, stdout } = await audit('audit', '--region', 'us-west-2', '--quiet');
    expect(code).toBe(0);
    expect(stdout).toBe('No Bedrock guardrail in the audited Regions.\n\n'
      + 'Guardrail compliance: 0/0 compliant (n/a), 0/0 on a customer-managed key (n/a), 0 distinct keys (~$0.00/month). 0 orphaned guardrail keys (~$0.00/month).\n');
  });

  const withoutBedrock = { refuse: { status: 400, error: 'ValidationException' } };

  test('3: a Region named with --region where Bedrock is not offered leaves the audit incomplete', async () => {
    endpoint.respondWith(new FakeAccount(EXAMPLE_ACCOUNT_ID, { [HOME]: compliantHome, 'eu-south-2': withoutBedrock }).respond);
    const { code, stdout } = await audit('audit', '--region', `${HOME},eu-south-2`, '--quiet');
    expect(code).toBe(3);
    expect(stdout).toContain('\nRegions:\n  eu-south-2: NOT AUDITED (a Region named with --region), Bedrock answered as where it is not offered '
      + '(ValidationException: ValidationException)\n');
  });

  test('0: a default run skips the Regions where Bedrock is not offered', async () => {
    endpoint.respondWith(new FakeAccount(EXAMPLE_ACCOUNT_ID, { [HOME]: compliantHome, 'eu-south-2': withoutBedrock }).respond);
    const { code, stdout } = await audit('audit', '--quiet');
    expect(code).toBe(0);
    expect(stdout).toContain('\nRegions:\n  eu-south-2: skipped, Bedrock answered as where it is not offered (ValidationException: ValidationException)\n');
  });

  test('3, not 1: a guardrail whose resource policy cannot be read is not evaluated, not a least-privilege finding', async () => {
    const accountWide = accountWideStatement(HOME, EXAMPLE_ACCOUNT_ID);
    endpoint.respondWith(new FakeAccount(EXAMPLE_ACCOUNT_ID, {
      [HOME]: { ...compliantHome, keys: { [KEYS.acme]: { guardrailTag: 'acme-assistant', statements: [accountWide] } } },
    }).respond);
    endpoint.script(`GET /resource-policy/${encodeURIComponent(guardrailArn(HOME, 'acmeg0000001'))}`,
      // Once for each version.
      ...Array.from({ length: 2 }, () => ({ status: 403, error: 'AccessDeniedException' })));
    const { code, report } = await auditJson('audit', '--region', HOME);
    expect(code).toBe(3);
    expect(report.guardrails[0]).toMatchObject({
      status: 'NOT_EVALUATED',
      failedRules: [],
      finding: expect.stringContaining('it cannot be verified: bedrock:GetResourcePolicy was denied (AccessDeniedException'),
    });
  });

  test('3: a guardrail that could not be read (no kms:Decrypt on its key) leaves the audit incomplete', async () => {
    endpoint.respondWith(compliantOnly.respond);
    endpoint.script('GET /guardrails/acmeg0000001', { status: 403, error: 'AccessDeniedException' });
    const { code, report } = await auditJson('audit', '--region', HOME);
    expect(code).toBe(3);
    expect(report.guardrails[0]).toMatchObject({
      status: 'NOT_EVALUATED',
      finding: expect.stringMatching(/^DRAFT: GetGuardrail was denied \(AccessDeniedException\); /),
      versions: [{ version: 'DRAFT', status: 'NOT_EVALUATED' }, { version: '1', status: 'COMPLIANT' }],
    });
    expect(report.summary).toMatchObject({ notEvaluated: 1, compliant: 0 });
  });

  test('3: orphaned keys that could not be counted are said so, and do not change the verdict', async () => {
    endpoint.respondWith(compliantOnly.respond);
    endpoint.script('GetResources', { status: 400, error: 'AccessDeniedException' });
    const { code, stdout } = await audit('audit', '--region', HOME, '--quiet');
    expect(code).toBe(0);
    expect(stdout).toContain('  eu-central-1: orphaned keys not counted: tag:GetResources was denied (AccessDeniedException: AccessDeniedException)\n');
    expect(stdout).toContain('Orphaned keys: not counted in every Region.');
  });

  test('3: a guardrail whose versions cannot be listed is not evaluated; one deleted since it was listed is left out', async () => {
    const summary = (id: string, name?: string) => ({ id, arn: guardrailArn(HOME, id), name, status: 'READY', version: 'DRAFT', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' });
    endpoint.respondWith((request) => {
      if (request.operation === 'GET /guardrails' && !request.query.has('guardrailIdentifier')) {
        return { status: 200, body: { guardrails: [summary('acmeg0000001', 'acme-assistant'), summary('goneg0000001', 'gone'), summary('brokeng00001')] } };
      }
      if (request.query.get('guardrailIdentifier') === guardrailArn(HOME, 'brokeng00001')) return { status: 403, error: 'AccessDeniedException' };
      return compliantOnly.respond(request);
    });
    const { code, stdout, stderr } = await audit('audit', '--region', HOME);
    expect(code).toBe(3);
    expect(stderr).toContain('[eu-central-1] 2/3 gone: deleted meanwhile\n[eu-central-1] 3/3 brokeng00001: NOT_EVALUATED\n');
    expect(stdout.split('\n').slice(0, 4).map((line) => line.trimEnd())).toEqual([
      'REGION        GUARDRAIL                      VERSION  KEY                                                                             STATUS',
      'eu-central-1  brokeng00001                   -        -                                                                               NOT_EVALUATED',
      `eu-central-1  acme-assistant (acmeg0000001)  DRAFT    ${keyArn(HOME, KEYS.acme)}  COMPLIANT`,
      `                                             1        ${keyArn(HOME, KEYS.acme)}  COMPLIANT`,
    ]);
    expect(stdout).toContain('  eu-central-1 brokeng00001: Not evaluated: its versions could not be listed: ListGuardrails was denied (AccessDeniedException: AccessDeniedException)\n');
    expect(stdout).toContain('Guardrail compliance: 1/2 compliant (50%)');

    // In the synth report's Markdown, a guardrail that could not be judged is UNVERIFIED, as one the pack only warns about.
    const markdown = await audit('audit', '--region', HOME, '--format', 'markdown', '--quiet');
    expect(markdown.stdout).toContain(`| \`${guardrailArn(HOME, 'brokeng00001')}\` | \`${HOME}\` | UNVERIFIED | none |  | \`not evaluated\` |\n`);
    expect(markdown.stdout).toContain(`- \`${guardrailArn(HOME, 'brokeng00001')}\`: Not evaluated: its versions could not be listed: `);
  });

  test('1 wins over 3: non-compliance is reported even when a Region could not be read', async () => {
    const { code } = await audit('audit', '--region', `${HOME},me-central-1`, '--quiet');
    expect(code).toBe(1);
  });

  test.each([
    [['audit', '--region', 'mars-1'], '--region "mars-1": not a Region where Amazon Bedrock is offered. Expected one or more of: af-south-1, '],
    [['audit', '--region', 'eu-west-1,cn-north-1'], '--region "cn-north-1": not a Region where Amazon Bedrock is offered.'],
    [['audit', '--region', ','], '--region was given no Region'],
    [['audit', '--format', 'xml'], '--format "xml": expected one of table, json, markdown'],
    [['audit', '--max-rotation-days', '30'], '--max-rotation-days "30": expected a whole number of days from 90 to 2560'],
    [['audit', '--colour'], "Unknown option '--colour'"],
    [[], 'expected the command "audit", got none'],
    [['remediate'], 'expected the command "audit", got "remediate"'],
  ])('2: %j is refused before any AWS call', async (argv, message) => {
    const { code, stdout, stderr } = await audit(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`cdk-secure-guardrail: ${message}`);
    expect(stderr).toContain('Run "cdk-secure-guardrail --help" for the options.');
    expect(endpoint.received).toEqual([]);
  });

  test('3: a failure outside the judgement (here the clients cannot be made) is reported, not thrown', async () => {
    let stderr = '';
    const code = await main(['audit', '--region', HOME], {
      stdout: () => undefined,
      stderr: (text) => { stderr += text; },
      clients: () => { throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }); },
    });
    expect(code).toBe(3);
    expect(stderr).toContain('cdk-secure-guardrail: the audit failed: CredentialsProviderError: Could not load credentials from any providers\n');
  });

  test('--help: the options, the exit codes and the permissions; exit 0 without any AWS call', async () => {
    const { code, stdout } = await audit('--help');
    expect(code).toBe(0);
    expect(stdout).toBe(usage());
    for (const permission of AUDIT_PERMISSIONS) expect(stdout).toContain(`  ${permission.action}`);
    expect(stdout).toContain('  1  at least one guardrail is non-compliant');
    expect(endpoint.received).toEqual([]);
  });

  test('--max-rotation-days is the standard the keys are judged by, as the Config rule\'s setting', async () => {
    endpoint.respondWith(new FakeAccount(EXAMPLE_ACCOUNT_ID, {
      [HOME]: { guardrails: [{ id: 'acmeg0000001', name: 'acme-assistant', versions: { DRAFT: keyArn(HOME, KEYS.acme) } }], keys: { [KEYS.acme]: { rotationPeriodDays: 180 } } },
    }).respond);
    await expect(auditJson('audit', '--region', HOME, '--max-rotation-days', '90')).resolves.toMatchObject({
      code: 1,
      report: { guardrails: [{ finding: "[GuardrailEncryption-KeyRotation] The guardrail's KMS key does not rotate automatically at least every 90 days: it rotates every 180 days" }] },
    });
  });
});

describe('one implementation with the Config rule', () => {
  test('on the same account, each finding is the Config rule\'s annotation, word for word, and the orphaned keys are the same', async () => {
    const { report } = await auditJson('audit', '--region', `${HOME},${OTHER}`);

    const logged: string[] = [];
    for (const region of [HOME, OTHER]) {
      const config = { ...SDK_CLIENT_CONFIG, region };
      await evaluateGuardrailEncryption({
        invokingEvent: JSON.stringify({ awsAccountId: EXAMPLE_ACCOUNT_ID, notificationCreationTime: '2026-03-01T10:00:00.000Z', messageType: 'ScheduledNotification' }),
        resultToken: 'token',
        configRuleName: 'guardrail-encryption',
        accountId: EXAMPLE_ACCOUNT_ID,
      }, {
        bedrock: new BedrockClient(config),
        kms: new KMSClient(config),
        config: new ConfigServiceClient(config),
        tagging: new ResourceGroupsTaggingAPIClient(config),
        settings: settingsFromEnvironment({ AWS_REGION: region }),
        log: (line) => logged.push(line),
      });
    }
    const annotations = new Map<string, string>(endpoint.received.filter((r) => r.operation === 'PutEvaluations')
      .flatMap((r) => r.body.Evaluations).map((e: any) => [e.ComplianceResourceId, e.Annotation]));

    expect(annotations.size).toBe(4);
    for (const g of report.guardrails) {
      expect(annotations.get(g.arn)).toBe(g.status === 'COMPLIANT' ? g.finding : `Non-compliant (since 2026-03-01T10:00Z): ${g.finding}.`);
    }
    expect(logged.filter((line) => line.startsWith('ORPHANED_KEY')).map((line) => line.split(':')[0]))
      .toEqual(report.regions.flatMap((r: any) => r.orphanedKeys).map((key: string) => `ORPHANED_KEY ${key}`));
  });
});

describe('the permissions it lists', () => {
  test('are the SDK commands its bundle sends, and kms:Decrypt, which Bedrock uses on the caller\'s behalf', async () => {
    const build = await esbuild.build({
      entryPoints: [path.join(ROOT, 'src/governance/private/audit/bin.ts')],
      bundle: true,
      platform: 'node',
      write: false,
      metafile: true,
      logLevel: 'silent',
      outdir: 'out',
    });
    const sources = Object.keys(build.metafile.inputs).filter((file) => file.startsWith('src/'));
    const sent = new Set(sources.flatMap((file) => [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/new (\w+Command)\(/g)].map((m) => m[1])));
    expect(sent).toEqual(new Set(AUDIT_PERMISSIONS.flatMap((p) => p.command ? [p.command] : [])));
    expect(AUDIT_PERMISSIONS.filter((p) => !p.command).map((p) => p.action)).toEqual(['kms:Decrypt']);
  });

  test('are what a whole audit asks of AWS', async () => {
    await audit('audit', '--quiet');
    // The example-modelled account has no key whose policy opens decrypts through Bedrock, which the conditional ones are for.
    const unconditional = AUDIT_PERMISSIONS.filter((p) => p.command && !p.conditional).map((p) => p.action);
    expect(new Set(endpoint.received.map(actionOf))).toEqual(new Set(unconditional));
  });

  test('are listed in the README\'s section on the audit', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Audit an account'), readme.indexOf('\n## ', readme.indexOf('## Audit an account') + 1));
    expect(section.length).toBeGreaterThan(100);
    for (const permission of AUDIT_PERMISSIONS) expect(section).toContain(`\`${permission.action}\``);
  });
});

describe('the npm package\'s command', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const bin = path.join(ROOT, pkg.bin['cdk-secure-guardrail']);

  test('is a bundle under assets/, which the package ships, that needs no dependency', () => {
    expect(pkg.bin).toEqual({ 'cdk-secure-guardrail': 'assets/governance/private/audit/bin/cdk-secure-guardrail.js' });
    const npmignore = fs.readFileSync(path.join(ROOT, '.npmignore'), 'utf8').split('\n');
    expect(npmignore).toContain('!/assets/');
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['ajv']);
    // Built by `npx projen bundle`, which `projen test` runs first.
    const text = fs.readFileSync(bin, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    // The only `require("@aws-sdk/…")` left is quoted in the SDK's error messages about its optional CRT signer.
    expect([...text.matchAll(/require\("(@[^"]+)"\)/g)].map((m) => m[1])).toEqual(['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4-crt']);
  });

  test('run as a process, it audits the account and exits with the code of the verdict', async () => {
    const run = promisify(execFile);
    const env = { PATH: process.env.PATH, AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true' };
    const failure = await run(process.execPath, [bin, 'audit', '--region', `${HOME},${OTHER}`, '--format', 'json'], { env }).then(() => undefined, (error: any) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect(JSON.parse(failure.stdout)).toEqual((await auditJson('audit', '--region', `${HOME},${OTHER}`)).report);
    expect(failure.stderr).toContain('[eu-central-1] 3/3 legacy-faq-bot: NON_COMPLIANT');
  });
});
