/**
 * The compliance report as Markdown, for a CI job summary or a pull-request comment: one renderer for
 * the synth-time report (guardrails of an app, by stack) and the account audit (guardrails of an
 * account, by Region), with the summary line and the shares they both compute. Plain code without
 * aws-cdk-lib: the audit's command bundles it.
 */

/** What the Markdown shows of one guardrail. */
export interface MarkdownGuardrail {
  readonly path: string;
  readonly stack: string;
  readonly name: string | null;
  readonly key: string | null;
  readonly status: 'COMPLIANT' | 'NON_COMPLIANT' | 'UNVERIFIED';
  readonly failedRules: readonly string[];
  readonly warnings: readonly string[];
}

/** Where the guardrails of a report live: the stacks of an app, or the Regions of an account. */
export interface MarkdownScope {
  /** The heading of the column that holds `MarkdownGuardrail.stack`. */
  readonly column: string;
  /** The line shown instead of the table when there is no guardrail. */
  readonly empty: string;
}

/** The synth-time report's scope. */
export const APP_SCOPE: MarkdownScope = { column: 'Stack', empty: 'No Bedrock guardrail in this app.' };

const STATUS_ORDER = { NON_COMPLIANT: 0, UNVERIFIED: 1, COMPLIANT: 2 } as const;

/**
 * A heading, the summary line and one table row per guardrail, the ones needing attention first.
 * GitHub-flavoured Markdown, which both job summaries and pull-request comments render.
 */
export function complianceMarkdown(summary: string, guardrails: readonly MarkdownGuardrail[], scope: MarkdownScope = APP_SCOPE): string {
  const rows = [...guardrails]
    // Code-point order: the same on every machine, whatever its locale.
    .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((g) => `| ${code(g.path)}${g.name ? ` (${cell(g.name)})` : ''} | ${code(g.stack)} | ${g.status === 'NON_COMPLIANT' ? '**NON_COMPLIANT**' : g.status} `
      + `| ${g.key ? code(g.key) : 'none'} | ${g.failedRules.map(code).join(', ')} | ${g.warnings.map(code).join(', ')} |`);
  return [
    '## Guardrail compliance',
    '',
    summary,
    '',
    ...(rows.length === 0
      ? [scope.empty]
      : [`| Guardrail | ${scope.column} | Status | Key | Failed rules | Warnings |`, '|---|---|---|---|---|---|', ...rows]),
    '',
  ].join('\n');
}

/** The KPIs both reports total, as the summary line states them. */
export interface ComplianceSummary {
  readonly guardrails: number;
  readonly compliant: number;
  readonly complianceScore: number | null;
  readonly encryptedWithCmk: number;
  readonly encryptedWithCmkShare: number | null;
  readonly distinctKeys: number;
  readonly estimatedMonthlyKeyCostUsd: number;
}

/** `count` as a share of `total`, to three decimals; `null` when there is nothing to share. */
export function share(count: number, total: number): number | null {
  return total === 0 ? null : Math.round((count / total) * 1000) / 1000;
}

/** "Guardrail compliance: 1/2 compliant (50%), …": the line printed and shown above the table. */
export function summaryLine(summary: ComplianceSummary): string {
  return `Guardrail compliance: ${summary.compliant}/${summary.guardrails} compliant (${percent(summary.complianceScore)}), `
    + `${summary.encryptedWithCmk}/${summary.guardrails} on a customer-managed key (${percent(summary.encryptedWithCmkShare)}), `
    + `${summary.distinctKeys} distinct keys (~$${summary.estimatedMonthlyKeyCostUsd.toFixed(2)}/month).`;
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${Math.round(value * 100)}%`;
}

/** Text in a table cell: pipes escaped, on one line. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** Inline code that survives backticks in the text (a longer fence around it). */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const padded = longest > 0 ? ` ${text} ` : text;
  return `${fence}${cell(padded)}${fence}`;
}
