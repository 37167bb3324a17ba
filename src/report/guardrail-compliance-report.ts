import * as fs from 'fs';
import * as path from 'path';
import { App, attachCustomSynthesis, ISynthesisSession } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { distinct, enforcementsOf } from './enforcement';
import { complianceMarkdown, share, summaryLine } from '../core/compliance-markdown';
import { fail, originOf } from '../core/errors';
import { KEY_MONTHLY_COST_USD, KEY_PRICE_SOURCE } from '../core/kms-price';
import { GuardrailInspection, GuardrailInspector } from '../detection/guardrail-inspection';
import { GuardrailEncryptionOptions } from '../rules/guardrail-encryption-options';
import { ruleId } from '../rules/guardrail-rule';
import { GUARDRAIL_RULES } from '../rules/guardrail-rules';
import { ResolvedEncryptionOptions, resolveEncryptionOptions } from '../rules/resolved-encryption-options';
import { evaluateRules, Finding } from '../rules/rule-evaluation';

/**
 * Settings of the compliance report. Its standard (the options it shares with the pack and the
 * aspect) judges only the guardrails that no `GuardrailEncryptionChecks` or
 * `GuardrailEncryptionAspect` checks: the others are judged by the standards that check them.
 */
export interface GuardrailComplianceReportProps extends GuardrailEncryptionOptions {
  /**
   * The report's file name in the cloud assembly. The Markdown version is written beside it, with
   * `.md` for `.json` (`guardrail-compliance.md` by default).
   *
   * @default 'guardrail-compliance.json'
   */
  readonly fileName?: string;

  /**
   * Print a one-line summary (to standard error, which the CDK CLI shows) when the report is written.
   *
   * @default true
   */
  readonly printSummary?: boolean;

  /**
   * The monthly price of one customer-managed key, in US dollars, for the cost estimate.
   *
   * @default GuardrailComplianceReport.KEY_MONTHLY_COST_USD (the AWS KMS list price)
   */
  readonly keyMonthlyCostUsd?: number;
}

/** One guardrail of the report. */
interface GuardrailEntry {
  readonly path: string;
  readonly stack: string;
  readonly region: string;
  readonly account: string;
  readonly name: string | null;
  readonly createdBy: 'AWS::Bedrock::Guardrail' | 'custom resource';
  readonly key: string | null;
  readonly keySource: string;
  readonly status: 'COMPLIANT' | 'NON_COMPLIANT' | 'UNVERIFIED';
  readonly failedRules: string[];
  readonly warnings: string[];
  readonly acknowledgedRules: string[];
}

const REPORTS = Symbol.for('cdk-secure-guardrail.compliance-report');

/**
 * The guardrail compliance (KPI) report: on synthesis, `guardrail-compliance.json` in the cloud
 * assembly (and its Markdown version, `guardrail-compliance.md`, ready for a CI job summary or a
 * pull-request comment) lists every guardrail of the app (Stages and nested stacks included) with its key, its
 * status and the rules it fails, and totals the share encrypted with a customer-managed key, the
 * compliance score and the keys' estimated monthly cost.
 *
 * A guardrail's status is what the synthesis decided: each guardrail is judged by the standard of
 * every pack and aspect that checks it (`enforcedStandards`), a rule failing when any of them reports
 * it as an error, so that the report never calls UNVERIFIED what failed the synthesis. The report's
 * own options (`standard`) judge the guardrails nothing checks.
 *
 * `GuardrailEncryptionAspect.applyTo` and `GuardrailEncryptionChecks` enable it for you.
 */
export class GuardrailComplianceReport {
  /** The default file name of the report. */
  public static readonly DEFAULT_FILE_NAME = 'guardrail-compliance.json';

  /**
   * AWS KMS list price of one customer-managed key per month, in US dollars (us-east-1). Each report
   * states when and where it was read (`summary.keyPriceSource`); rotations and requests are billed
   * on top of it.
   */
  public static readonly KEY_MONTHLY_COST_USD = KEY_MONTHLY_COST_USD;

  /**
   * Writes the report when the app containing `scope` is synthesized. Calling it again for the same
   * app changes nothing: the first settings win.
   */
  public static enable(scope: IConstruct, props: GuardrailComplianceReportProps = {}): void {
    const root = scope.node.root;
    const origin = originOf('GuardrailComplianceReport', scope);
    if (!App.isApp(root)) fail(origin, 'scope', scope.node.path, 'a construct inside an App');
    const marked = root as unknown as { [REPORTS]?: boolean };
    if (marked[REPORTS]) return;
    marked[REPORTS] = true;

    const options = resolveEncryptionOptions(origin, props);
    const price = props.keyMonthlyCostUsd ?? GuardrailComplianceReport.KEY_MONTHLY_COST_USD;
    if (!(price >= 0)) fail(origin, 'keyMonthlyCostUsd', price, 'a price of 0 or more');
    const fileName = props.fileName ?? GuardrailComplianceReport.DEFAULT_FILE_NAME;
    if (!/^[\w.-]+\.json$/.test(fileName)) fail(origin, 'fileName', fileName, 'a file name ending in .json');

    // Custom synthesis runs once the tree is final and the assembly directory exists: the one moment
    // at which the report can see every guardrail, Stages included, and land next to the templates.
    attachCustomSynthesis(root as Construct, {
      onSynthesize: (session: ISynthesisSession) => {
        const report = GuardrailComplianceReport.build(root, options, price);
        const file = path.join(session.outdir, fileName);
        fs.writeFileSync(file, JSON.stringify(report, undefined, 2));
        const markdownFile = file.replace(/\.json$/, '.md');
        fs.writeFileSync(markdownFile, complianceMarkdown(summaryLine(report.summary), report.guardrails));
        if (props.printSummary ?? true) process.stderr.write(`${summaryLine(report.summary)} Report: ${file} (Markdown: ${markdownFile})\n`);
      },
    });
  }

  /** The report's content for an app. */
  private static build(root: IConstruct, options: ResolvedEncryptionOptions, price: number) {
    const inspector = GuardrailInspector.forSynthesis(root);
    const guardrails = root.node.findAll()
      .map((node) => inspector.inspect(node))
      .filter((inspection): inspection is GuardrailInspection => inspection !== undefined);

    const entries = guardrails.map((guardrail) => entry(guardrail, options));
    const enforced = distinct(guardrails.flatMap((guardrail) => enforcementsOf(guardrail.node)));
    const keys = new Set(entries.filter((e, i) => e.key !== null && guardrails[i].customerManagedKey).map((e) => e.key));
    const encrypted = guardrails.filter((g) => g.customerManagedKey).length;
    const compliant = entries.filter((e) => e.status === 'COMPLIANT').length;

    return {
      reportVersion: 1,
      generator: 'cdk-secure-guardrail',
      standard: options,
      enforcedStandards: enforced,
      summary: {
        guardrails: entries.length,
        encryptedWithCmk: encrypted,
        encryptedWithCmkShare: share(encrypted, entries.length),
        compliant,
        complianceScore: share(compliant, entries.length),
        nonCompliant: entries.filter((e) => e.status === 'NON_COMPLIANT').length,
        unverified: entries.filter((e) => e.status === 'UNVERIFIED').length,
        distinctKeys: keys.size,
        estimatedMonthlyKeyCostUsd: Math.round(keys.size * price * 100) / 100,
        keyPriceSource: priceSource(price),
      },
      guardrails: entries,
    };
  }

  private constructor() {}
}

function priceSource(price: number): string {
  return price === GuardrailComplianceReport.KEY_MONTHLY_COST_USD ? KEY_PRICE_SOURCE : `$${price} per key-month, as configured`;
}

function entry(guardrail: GuardrailInspection, options: ResolvedEncryptionOptions): GuardrailEntry {
  const findings = findingsOf(guardrail, options);
  const open = findings.filter((f) => !f.acknowledged);
  const failedRules = open.filter((f) => f.level === 'error').map((f) => f.ruleId);
  const warnings = open.filter((f) => f.level === 'warning').map((f) => f.ruleId);
  return {
    path: guardrail.node.node.path,
    stack: guardrail.stack.node.path,
    region: guardrail.environment.region,
    account: guardrail.environment.account,
    name: guardrail.name ?? null,
    createdBy: guardrail.kind === 'resource' ? 'AWS::Bedrock::Guardrail' : 'custom resource',
    key: guardrail.key
      ? `${guardrail.key.stack.node.path}/${guardrail.key.logicalId}`
      : guardrail.keyArn.kind === 'none' ? null : guardrail.keyArn.text,
    keySource: guardrail.keySource,
    status: failedRules.length > 0 ? 'NON_COMPLIANT' : warnings.length > 0 ? 'UNVERIFIED' : 'COMPLIANT',
    failedRules,
    warnings,
    acknowledgedRules: findings.filter((f) => f.acknowledged).map((f) => f.ruleId),
  };
}

/**
 * The findings of a guardrail as the synthesis judged them: by the standard of each pack and aspect
 * that checks it (an error when any of them reports it as one), or by the report's own options when
 * nothing checks it. The report then fails what failed the synthesis, and only that.
 */
function findingsOf(guardrail: GuardrailInspection, options: ResolvedEncryptionOptions): Finding[] {
  const enforcements = enforcementsOf(guardrail.node);
  const standards = new Map((enforcements.length > 0 ? enforcements.map((enforcement) => enforcement.standard) : [options])
    .map((standard) => [JSON.stringify(standard), standard]));
  const found = [...standards.values()].flatMap((standard) => evaluateRules(guardrail, standard));
  return GUARDRAIL_RULES.map((rule) => found.filter((finding) => finding.ruleId === ruleId(rule)))
    .filter((same) => same.length > 0)
    .map((same) => same.find((finding) => finding.level === 'error') ?? same[0]);
}
