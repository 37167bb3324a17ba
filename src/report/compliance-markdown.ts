/** The compliance report as Markdown: for a CI job summary or a pull-request comment. */

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

const STATUS_ORDER = { NON_COMPLIANT: 0, UNVERIFIED: 1, COMPLIANT: 2 } as const;

/**
 * A heading, the summary line and one table row per guardrail, the ones needing attention first.
 * GitHub-flavoured Markdown, which both job summaries and pull-request comments render.
 */
export function complianceMarkdown(summaryLine: string, guardrails: readonly MarkdownGuardrail[]): string {
  const rows = [...guardrails]
    // Code-point order: the same on every machine, whatever its locale.
    .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((g) => `| ${code(g.path)}${g.name ? ` (${cell(g.name)})` : ''} | ${code(g.stack)} | ${g.status === 'NON_COMPLIANT' ? '**NON_COMPLIANT**' : g.status} `
      + `| ${g.key ? code(g.key) : 'none'} | ${g.failedRules.map(code).join(', ')} | ${g.warnings.map(code).join(', ')} |`);
  return [
    '## Guardrail compliance',
    '',
    summaryLine,
    '',
    ...(rows.length === 0
      ? ['No Bedrock guardrail in this app.']
      : ['| Guardrail | Stack | Status | Key | Failed rules | Warnings |', '|---|---|---|---|---|---|', ...rows]),
    '',
  ].join('\n');
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
