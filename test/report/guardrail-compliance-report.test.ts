import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { GuardrailComplianceReport, GuardrailEncryptionAspect, SecureGuardrail } from '../../src';
import { complianceMarkdown } from '../../src/core/compliance-markdown';
import { KEY_MONTHLY_COST_USD, KEY_PRICE_READ_ON, KEY_PRICE_SOURCE } from '../../src/core/kms-price';
import { cfnGuardrail } from '../corpus/corpus-app';
import { ENV, MANDATORY_TAGS } from '../helpers/synth';

const OUTSIDE_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e';

function synthesize(build: (app: App) => void): { report: any; printed: string; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
  const app = new App({ outdir });
  build(app);
  let printed = '';
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => { printed += String(chunk); return true; });
  try {
    app.synth();
  } finally {
    stderr.mockRestore();
  }
  const file = fs.readdirSync(outdir).find((f) => f.endsWith('.json') && f.includes('compliance'));
  return { report: file ? JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf-8')) : undefined, printed, outdir };
}

describe('GuardrailComplianceReport', () => {
  const { report, printed, outdir } = synthesize((app) => {
    GuardrailComplianceReport.enable(app);
    const stack = new Stack(app, 'Tenants', { env: ENV });
    const shared = new SecureGuardrail(stack, 'acme', { guardrailName: 'acme', mandatoryTags: MANDATORY_TAGS });
    cfnGuardrail(stack, 'acme-copy', shared.encryptionKey.keyArn);
    cfnGuardrail(stack, 'legacy');
    cfnGuardrail(stack, 'partner', OUTSIDE_KEY);
    new cr.AwsCustomResource(stack, 'Sdk', {
      onCreate: { service: 'Bedrock', action: 'CreateGuardrail', parameters: { name: 'sdk', kmsKeyId: OUTSIDE_KEY }, physicalResourceId: cr.PhysicalResourceId.of('sdk') },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    });
  });

  test('totals the KPIs: share on a CMK, compliance score, distinct keys and their monthly cost', () => {
    expect(report.summary).toEqual({
      guardrails: 5,
      encryptedWithCmk: 4,
      encryptedWithCmkShare: 0.8,
      compliant: 3,
      complianceScore: 0.6,
      nonCompliant: 1,
      unverified: 1,
      distinctKeys: 2,
      estimatedMonthlyKeyCostUsd: 2,
      keyPriceSource: expect.stringContaining('$1 per customer-managed key-month'),
    });
    expect(report.standard).toEqual({
      requiredTags: ['Owner', 'Workload', 'DataSensitivity'], maxRotationDays: 365, minPendingWindowDays: 30, strict: false, allowedKeyArns: [],
    });
  });

  test('prices keys with the one dated KMS price, and says when and where it was read', () => {
    expect(GuardrailComplianceReport.KEY_MONTHLY_COST_USD).toBe(KEY_MONTHLY_COST_USD);
    expect(report.summary.keyPriceSource).toBe(KEY_PRICE_SOURCE);
    expect(KEY_PRICE_READ_ON).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(KEY_PRICE_SOURCE).toContain(`AWS KMS pricing page, us-east-1 list price, read ${KEY_PRICE_READ_ON}: $${KEY_MONTHLY_COST_USD} per customer-managed key-month`);
  });

  test('lists each guardrail with its path, stack, Region, key, status and failed rules', () => {
    expect(report.guardrails).toEqual([
      {
        path: 'Tenants/acme/Resource',
        stack: 'Tenants',
        region: 'eu-west-1',
        account: '111111111111',
        name: 'acme',
        createdBy: 'AWS::Bedrock::Guardrail',
        key: expect.stringMatching(/^Tenants\/acmeKey/),
        keySource: 'in-app',
        status: 'COMPLIANT',
        failedRules: [],
        warnings: [],
        acknowledgedRules: [],
      },
      expect.objectContaining({ path: 'Tenants/acme-copy', key: report.guardrails[0].key, status: 'COMPLIANT' }),
      expect.objectContaining({ path: 'Tenants/legacy', key: null, keySource: 'none', status: 'NON_COMPLIANT', failedRules: ['GuardrailEncryption-CMKRequired'] }),
      expect.objectContaining({ path: 'Tenants/partner', key: OUTSIDE_KEY, keySource: 'outside-app', status: 'UNVERIFIED', warnings: ['GuardrailEncryption-KeyVerifiable'] }),
      expect.objectContaining({ path: 'Tenants/Sdk/Resource/Default', name: 'sdk', createdBy: 'custom resource', key: OUTSIDE_KEY, status: 'COMPLIANT' }),
    ]);
  });

  test('prints one summary line naming the files', () => {
    expect(printed).toBe('Guardrail compliance: 3/5 compliant (60%), 4/5 on a customer-managed key (80%), 2 distinct keys (~$2.00/month). '
      + `Report: ${path.join(outdir, 'guardrail-compliance.json')} (Markdown: ${path.join(outdir, 'guardrail-compliance.md')})\n`);
  });

  test('writes the Markdown beside the JSON: the summary line and a table, the guardrails needing attention first', () => {
    const markdown = fs.readFileSync(path.join(outdir, 'guardrail-compliance.md'), 'utf-8');
    const acmeKey = report.guardrails[0].key;
    expect(markdown).toBe([
      '## Guardrail compliance',
      '',
      'Guardrail compliance: 3/5 compliant (60%), 4/5 on a customer-managed key (80%), 2 distinct keys (~$2.00/month).',
      '',
      '| Guardrail | Stack | Status | Key | Failed rules | Warnings |',
      '|---|---|---|---|---|---|',
      '| `Tenants/legacy` (legacy) | `Tenants` | **NON_COMPLIANT** | none | `GuardrailEncryption-CMKRequired` |  |',
      `| \`Tenants/partner\` (partner) | \`Tenants\` | UNVERIFIED | \`${OUTSIDE_KEY}\` |  | \`GuardrailEncryption-KeyVerifiable\` |`,
      `| \`Tenants/Sdk/Resource/Default\` (sdk) | \`Tenants\` | COMPLIANT | \`${OUTSIDE_KEY}\` |  |  |`,
      `| \`Tenants/acme-copy\` (acme-copy) | \`Tenants\` | COMPLIANT | \`${acmeKey}\` |  |  |`,
      `| \`Tenants/acme/Resource\` (acme) | \`Tenants\` | COMPLIANT | \`${acmeKey}\` |  |  |`,
      '',
    ].join('\n'));
  });

  test('Markdown cells survive pipes and backticks in names', () => {
    expect(complianceMarkdown('s', [{ path: 'A/`odd`', stack: 'A', name: 'x|y', key: null, status: 'COMPLIANT', failedRules: [], warnings: [] }]))
      .toContain('| `` A/`odd` `` (x\\|y) | `A` | COMPLIANT | none |  |  |');
  });

  test('honours its settings; the first enable wins', () => {
    const custom = synthesize((app) => {
      GuardrailComplianceReport.enable(app, { fileName: 'kpi-compliance.json', printSummary: false, keyMonthlyCostUsd: 1.5, requiredTags: ['Owner'] });
      GuardrailComplianceReport.enable(app, { fileName: 'ignored.json' });
      new SecureGuardrail(new Stack(app, 'S', { env: ENV }), 'G', { guardrailName: 'g', mandatoryTags: MANDATORY_TAGS });
    });
    expect(fs.readdirSync(custom.outdir)).toEqual(expect.arrayContaining(['kpi-compliance.json', 'kpi-compliance.md']));
    expect(fs.readdirSync(custom.outdir)).not.toContain('ignored.json');
    expect(custom.printed).toBe('');
    expect(custom.report.summary).toMatchObject({ distinctKeys: 1, estimatedMonthlyKeyCostUsd: 1.5, keyPriceSource: '$1.5 per key-month, as configured' });
    expect(custom.report.standard.requiredTags).toEqual(['Owner']);
  });

  test('judges a guardrail by the standard of each aspect that checks it, and the others by its own options', () => {
    const judged = synthesize((app) => {
      GuardrailComplianceReport.enable(app, { printSummary: false });
      cfnGuardrail(new Stack(app, 'Dev', { env: ENV }), 'dev', OUTSIDE_KEY);
      const prod = new Stage(app, 'Prod', { env: ENV });
      cfnGuardrail(new Stack(prod, 'Tenants'), 'prod', OUTSIDE_KEY);
      GuardrailEncryptionAspect.applyTo(prod, { strict: true, report: false });
    });
    expect(judged.report.guardrails.map((g: any) => [g.path, g.status, g.failedRules, g.warnings])).toEqual([
      ['Dev/dev', 'UNVERIFIED', [], ['GuardrailEncryption-KeyVerifiable']],
      ['Prod/Tenants/prod', 'NON_COMPLIANT', ['GuardrailEncryption-KeyVerifiable'], []],
    ]);
    expect(judged.report.enforcedStandards).toEqual([{ by: 'GuardrailEncryptionAspect', standard: expect.objectContaining({ strict: true }) }]);
    expect(report.enforcedStandards).toEqual([]);
  });

  test('an app without guardrails has no shares', () => {
    const empty = synthesize((app) => GuardrailComplianceReport.enable(app, { printSummary: true }));
    expect(empty.report.summary).toMatchObject({ guardrails: 0, encryptedWithCmkShare: null, complianceScore: null });
    expect(empty.printed).toMatch(/^Guardrail compliance: 0\/0 compliant \(n\/a\)/);
    expect(fs.readFileSync(path.join(empty.outdir, 'guardrail-compliance.md'), 'utf-8')).toContain('No Bedrock guardrail in this app.');
  });

  test.each<[string, () => void, string]>([
    ['a scope outside an App', () => GuardrailComplianceReport.enable(new Construct(undefined as any, 'Root')), 'GuardrailComplianceReport: invalid scope: received "Root" (4 characters); allowed: a construct inside an App.'],
    ['a file name that is not JSON', () => GuardrailComplianceReport.enable(new App(), { fileName: '../report.txt' }),
      'GuardrailComplianceReport: invalid fileName: received "../report.txt" (13 characters); allowed: a file name ending in .json.'],
    ['a negative price', () => GuardrailComplianceReport.enable(new App(), { keyMonthlyCostUsd: -1 }),
      'GuardrailComplianceReport: invalid keyMonthlyCostUsd: received -1; allowed: a price of 0 or more.'],
  ])('refuses %s', (_name, enable, message) => {
    expect(enable).toThrow(message);
  });
});
