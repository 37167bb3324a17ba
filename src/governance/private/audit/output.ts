import { AccountAudit, AuditedGuardrail } from './audit';
import { ComplianceSummary, complianceMarkdown, MarkdownGuardrail, share, summaryLine } from '../../../core/compliance-markdown';
import { KEY_MONTHLY_COST_USD, KEY_PRICE_SOURCE } from '../../../core/kms-price';
import { VersionOutcome } from '../handler/guardrail-judgement';

/** The exit codes of the command, documented in its help and the README. */
export const EXIT = {
  /** Every guardrail found is compliant, and every Region was audited (or skipped as without Bedrock, or not enabled). */
  compliant: 0,
  /** At least one guardrail is non-compliant. */
  nonCompliant: 1,
  /** Bad command-line input: nothing was called. */
  usage: 2,
  /** Nothing non-compliant was found, but the audit is incomplete: a Region or a guardrail could not be read, or the command failed. */
  incomplete: 3,
} as const;

export type OutputFormat = 'table' | 'json' | 'markdown';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'markdown'];

/** The KPIs of the audit: the synth report's, plus the orphaned keys. */
export interface AuditSummary extends ComplianceSummary {
  readonly nonCompliant: number;
  readonly notEvaluated: number;
  /** `null` when they could not be counted in some audited Region. */
  readonly orphanedKeys: number | null;
  readonly orphanedKeysMonthlyCostUsd: number | null;
  readonly keyPriceSource: string;
}

export function summarize(audit: AccountAudit): AuditSummary {
  const { guardrails } = audit;
  const encrypted = guardrails.filter((g) => g.encryptedWithCmk);
  const compliant = guardrails.filter((g) => g.status === 'COMPLIANT').length;
  const keys = new Set(encrypted.flatMap((g) => g.keyIds.map((id) => `${g.region}/${id}`)));
  const audited = audit.regions.filter((region) => region.status === 'audited');
  const counted = audited.every((region) => region.orphanedKeys !== undefined);
  const orphaned = audited.reduce((sum, region) => sum + (region.orphanedKeys?.length ?? 0), 0);
  return {
    guardrails: guardrails.length,
    compliant,
    complianceScore: share(compliant, guardrails.length),
    nonCompliant: guardrails.filter((g) => g.status === 'NON_COMPLIANT').length,
    notEvaluated: guardrails.filter((g) => g.status === 'NOT_EVALUATED').length,
    encryptedWithCmk: encrypted.length,
    encryptedWithCmkShare: share(encrypted.length, guardrails.length),
    distinctKeys: keys.size,
    estimatedMonthlyKeyCostUsd: keys.size * KEY_MONTHLY_COST_USD,
    orphanedKeys: counted ? orphaned : null,
    orphanedKeysMonthlyCostUsd: counted ? audited.reduce((sum, region) => sum + (region.orphanedKeysMonthlyCostUsd ?? 0), 0) : null,
    keyPriceSource: KEY_PRICE_SOURCE,
  };
}

/** Non-compliance wins over incompleteness: a pipeline learns of what is certainly wrong first. */
export function exitCodeOf(audit: AccountAudit): number {
  if (audit.guardrails.some((g) => g.status === 'NON_COMPLIANT')) return EXIT.nonCompliant;
  const incomplete = audit.regions.some((region) => region.status === 'failed' || (audit.named && region.status === 'unavailable'))
    || audit.guardrails.some((g) => g.status === 'NOT_EVALUATED');
  return incomplete ? EXIT.incomplete : EXIT.compliant;
}

export function render(audit: AccountAudit, format: OutputFormat): string {
  switch (format) {
    case 'json': return `${JSON.stringify(asJson(audit), undefined, 2)}\n`;
    case 'markdown': return asMarkdown(audit);
    default: return asTable(audit);
  }
}

function asJson(audit: AccountAudit) {
  return {
    reportVersion: 1,
    generator: 'cdk-secure-guardrail audit',
    summary: summarize(audit),
    regions: audit.regions,
    guardrails: sorted(audit.guardrails),
  };
}

function auditLine(audit: AccountAudit): string {
  const summary = summarize(audit);
  const orphans = summary.orphanedKeys === null
    ? 'Orphaned keys: not counted in every Region.'
    : `${summary.orphanedKeys} orphaned guardrail key${summary.orphanedKeys === 1 ? '' : 's'} (~$${summary.orphanedKeysMonthlyCostUsd!.toFixed(2)}/month).`;
  return `${summaryLine(summary)} ${orphans}`;
}

function asMarkdown(audit: AccountAudit): string {
  const rows: MarkdownGuardrail[] = audit.guardrails.map((g) => ({
    path: g.arn,
    stack: g.region,
    name: g.name ?? null,
    key: keysOf(g),
    status: g.status === 'NOT_EVALUATED' ? 'UNVERIFIED' : g.status,
    failedRules: g.failedRules,
    warnings: g.status === 'NOT_EVALUATED' ? ['not evaluated'] : [],
  }));
  const sections = [complianceMarkdown(auditLine(audit), rows, { column: 'Region', empty: 'No Bedrock guardrail in the audited Regions.' })];
  const findings = sorted(audit.guardrails).filter((g) => g.status !== 'COMPLIANT');
  if (findings.length > 0) {
    sections.push(['### Findings', '', ...findings.map((g) => `- \`${g.arn}\`: ${lead(g)}: ${g.finding}`), ''].join('\n'));
  }
  const notes = regionNotes(audit);
  if (notes.length > 0) sections.push(['### Regions', '', ...notes.map((note) => `- ${note}`), ''].join('\n'));
  return sections.join('\n');
}

function asTable(audit: AccountAudit): string {
  const rows = sorted(audit.guardrails).flatMap((g) => g.versions.length === 0
    ? [[g.region, label(g), '-', '-', g.status]]
    : g.versions.map((v, i) => [i === 0 ? g.region : '', i === 0 ? label(g) : '', v.version, keyOf(v), v.status]));
  const lines = rows.length === 0 ? ['No Bedrock guardrail in the audited Regions.'] : columns([['REGION', 'GUARDRAIL', 'VERSION', 'KEY', 'STATUS'], ...rows]);
  const findings = sorted(audit.guardrails).filter((g) => g.status !== 'COMPLIANT');
  if (findings.length > 0) lines.push('', 'Findings:', ...findings.map((g) => `  ${g.region} ${label(g)}: ${lead(g)}: ${g.finding}`));
  const orphans = audit.regions.flatMap((region) => (region.orphanedKeys ?? []).map((key) => `  ${region.region} ${key}: billed ~$${KEY_MONTHLY_COST_USD}/month until scheduled for deletion`));
  if (orphans.length > 0) lines.push('', 'Orphaned guardrail keys:', ...orphans);
  const notes = regionNotes(audit);
  if (notes.length > 0) lines.push('', 'Regions:', ...notes.map((note) => `  ${note}`));
  lines.push('', auditLine(audit));
  return `${lines.join('\n')}\n`;
}

/** What became of the Regions not fully audited. */
function regionNotes(audit: AccountAudit): string[] {
  return audit.regions.flatMap((region) => {
    switch (region.status) {
      case 'failed': return [`${region.region}: NOT AUDITED, ${region.problems.join('; ')}`];
      case 'unavailable': return [`${region.region}: ${audit.named ? 'NOT AUDITED (a Region named with --region)' : 'skipped'}, Bedrock answered as where it is not offered (${region.problems.join('; ')})`];
      case 'not-enabled': return [`${region.region}: skipped, an opt-in Region this account has not enabled`];
      default: return region.problems.map((problem) => `${region.region}: ${problem}`);
    }
  });
}

function lead(g: AuditedGuardrail): string {
  return g.status === 'NOT_EVALUATED' ? 'Not evaluated' : 'Non-compliant';
}

function label(g: AuditedGuardrail): string {
  return g.name === undefined ? (g.id ?? g.arn) : `${g.name} (${g.id ?? g.arn})`;
}

/** The keys its versions name, as the synth report's Key column: `null` (shown "none") when they name none. */
function keysOf(g: AuditedGuardrail): string | null {
  const keys = [...new Set(g.versions.flatMap((v) => v.kmsKeyArn === undefined ? [] : [v.kmsKeyArn]))];
  return keys.length === 0 ? null : keys.join(', ');
}

/** A version's key; a version that could not be read has none known. */
function keyOf(v: VersionOutcome): string {
  return v.kmsKeyArn ?? (v.status === 'NOT_EVALUATED' ? 'unknown (not read)' : 'AWS owned key');
}

/** Non-compliant first, then by Region and ARN: the same order on every machine. */
function sorted(guardrails: readonly AuditedGuardrail[]): AuditedGuardrail[] {
  const order = { NON_COMPLIANT: 0, NOT_EVALUATED: 1, COMPLIANT: 2 } as const;
  const key = (g: AuditedGuardrail) => `${order[g.status]}\u0000${g.region}\u0000${g.arn}`;
  return [...guardrails].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function columns(rows: readonly string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}
