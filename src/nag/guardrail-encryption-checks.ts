import { CfnResource, IPolicyValidationContext, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';
import { IApplyRule, NagMessageLevel, NagPack, NagPackProps, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { pluginAcknowledgementsAreScoped } from '../core/cdk-internals';
import { originOf } from '../core/errors';
import { GuardrailInspector } from '../detection/guardrail-inspection';
import { enforceOnApp } from '../report/enforcement';
import { GuardrailComplianceReport } from '../report/guardrail-compliance-report';
import { findAcknowledgement, qualifiedAcknowledgements, qualifiedId, qualifyAcknowledgementsOnValidation } from '../rules/acknowledgements';
import { GuardrailEncryptionOptions } from '../rules/guardrail-encryption-options';
import { NonCompliance, PACK_NAME, RuleOutcome } from '../rules/guardrail-rule';
import { GUARDRAIL_RULES } from '../rules/guardrail-rules';
import { ResolvedEncryptionOptions, resolveEncryptionOptions } from '../rules/resolved-encryption-options';
import { CheckResult, failed, levelOf, RuleCheckError, ruleOutcomes } from '../rules/rule-evaluation';

/**
 * Settings of the `GuardrailEncryptionChecks` pack.
 */
export interface GuardrailEncryptionChecksProps extends NagPackProps, GuardrailEncryptionOptions {
  /**
   * Write the compliance report (`guardrail-compliance.json`) into the cloud assembly when the app of
   * `scope` is synthesized. Needs `scope`.
   *
   * @default true
   */
  readonly report?: boolean;
}

/**
 * A cdk-nag v3 rule pack that reports every Bedrock guardrail of the app without a customer-managed
 * KMS key that meets the standard (rules in RULES.md). Register it on the app:
 *
 * ```ts
 * Validations.of(app).addPlugins(new GuardrailEncryptionChecks(app));
 * ```
 */
export class GuardrailEncryptionChecks extends NagPack {
  public readonly name = PACK_NAME;
  private readonly options: ResolvedEncryptionOptions;
  /** What cdk-nag reports of each rule, which depends only on the options. */
  private readonly ruleDescriptions: ReadonlyArray<Omit<IApplyRule, 'node' | 'rule'>>;
  private inspector = new GuardrailInspector();
  private sharedPass = false;
  /** Whether descriptions carry the explanation too (cdk-nag's `verbose`). */
  private readonly explained: boolean;
  /** What a finding says beyond its rule's cause, and its level, by rule id and construct path, for this pass. */
  private readonly details = new Map<string, { readonly description: string; readonly severity: 'error' | 'warning' }>();
  /**
   * Findings of this synthesis acknowledged with the bare rule id, which cdk-nag drops, that a
   * plugin-qualified acknowledgement covers too: reported so that CDK suppresses and records them.
   */
  private acknowledged: PolicyViolation[] = [];
  /** Errors of this synthesis that nothing acknowledges, by rule id and construct path. */
  private readonly unacknowledgedErrors = new Set<string>();

  constructor(scope?: IConstruct, props: GuardrailEncryptionChecksProps = {}) {
    super(scope, props);
    this.packName = PACK_NAME;
    this.explained = props.verbose ?? false;
    this.options = resolveEncryptionOptions(originOf('GuardrailEncryptionChecks', scope), props);
    this.ruleDescriptions = GUARDRAIL_RULES.map((rule) => ({
      ruleSuffixOverride: rule.name,
      info: rule.info(this.options),
      explanation: rule.explanation,
      level: rule.level(this.options) === 'error' ? NagMessageLevel.ERROR : NagMessageLevel.WARN,
    }));
    if (scope) {
      enforceOnApp(scope, 'GuardrailEncryptionChecks', this.options);
      qualifyAcknowledgementsOnValidation(scope);
      if (props.report ?? true) GuardrailComplianceReport.enable(scope, props);
    }
  }

  /**
   * Called by CDK after synthesis: shares what the aspect and the report already read of the app.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.inspector = GuardrailInspector.forSynthesis(context.appConstruct);
    this.sharedPass = true;
    this.acknowledged = [];
    this.unacknowledgedErrors.clear();
    try {
      const report = super.validate(context);
      const violations = pluginAcknowledgementsAreScoped() ? report.violations : this.unhidden(report.violations, context.appConstruct);
      return {
        ...report,
        // CDK takes the acknowledged ones out of the report and records them; success counts only the others.
        violations: [...violations, ...this.acknowledged],
        success: violations.every((violation) => violation.severity !== 'error' && violation.severity !== 'fatal'),
      };
    } finally {
      this.sharedPass = false;
      this.acknowledged = [];
      this.unacknowledgedErrors.clear();
    }
  }

  /**
   * Validates a construct tree directly (tests, or CDK versions without `appConstruct` in the
   * validation context). Each call reads the tree afresh.
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    if (!this.sharedPass) this.inspector = new GuardrailInspector();
    this.details.clear();
    return this.withDetails(super.validateScope(scope));
  }

  protected checkResource(node: CfnResource): void {
    const guardrail = this.inspector.inspect(node);
    if (!guardrail) return;
    const outcomes = ruleOutcomes(guardrail, this.options);
    for (let i = 0; i < this.ruleDescriptions.length; i++) {
      const { ruleSuffixOverride, info, explanation, level } = this.ruleDescriptions[i];
      const outcome = outcomes[i];
      const id = `${PACK_NAME}-${ruleSuffixOverride}`;
      const severity = levelOf(GUARDRAIL_RULES[i], this.options, outcome);
      if (outcome instanceof NonCompliance) {
        this.details.set(`${id}\u0000${node.node.path}`, { description: this.describe(info, explanation, outcome), severity });
      }
      if (this.sharedPass && failed(outcome)) this.noteForCdk(node, id, severity, this.describe(info, explanation, outcome));
      this.applyRule({ ruleSuffixOverride, info, explanation, level, node, rule: () => compliance(outcome) });
    }
  }

  /** What CDK's handling of acknowledgements, after the pack reports, needs to know of a finding. */
  private noteForCdk(node: CfnResource, id: string, severity: 'error' | 'warning', description: string): void {
    if (findAcknowledgement(node, id, 'qualified')) {
      if (findAcknowledgement(node, id, 'bare')) {
        this.acknowledged.push({ ruleName: id, description, severity, violatingResources: [{ constructPath: node.node.path, locations: ['Properties'] }] });
      }
    } else if (severity === 'error' && !findAcknowledgement(node, id, 'bare')) {
      this.unacknowledgedErrors.add(`${id}\u0000${node.node.path}`);
    }
  }

  /**
   * Before aws-cdk-lib 2.271.0, CDK suppresses a rule's findings on every resource once its
   * plugin-qualified id is acknowledged anywhere in the app (aws/aws-cdk#38495): an error on a
   * guardrail nothing acknowledged would pass the synthesis unseen, while the aspect and the report
   * still fail it. It is reported as fatal instead, which CDK never suppresses.
   */
  private unhidden(violations: readonly PolicyViolation[], root: IConstruct): PolicyViolation[] {
    if (this.unacknowledgedErrors.size === 0) return [...violations];
    const qualified = qualifiedAcknowledgements(root);
    return violations.flatMap((violation) => {
      const given = qualified.get(violation.ruleName);
      const exposed = violation.violatingResources.filter((r) => this.unacknowledgedErrors.has(`${violation.ruleName}\u0000${r.constructPath}`));
      if (given === undefined || exposed.length === 0) return [violation];
      const rest = violation.violatingResources.filter((r) => !exposed.includes(r));
      return [
        ...(rest.length > 0 ? [{ ...violation, violatingResources: rest }] : []),
        {
          ...violation,
          severity: 'fatal',
          description: `${violation.description} Fatal so that this aws-cdk-lib does not hide it: it would apply the acknowledgement `
            + `'${qualifiedId(violation.ruleName)}' given on ${given} to every guardrail (aws-cdk-lib 2.271.0 applies it to that scope only).`,
          violatingResources: exposed,
        },
      ];
    });
  }

  /** A finding's description, as cdk-nag and `withDetails` write it. */
  private describe(info: string, explanation: string, outcome: CheckResult): string {
    if (outcome instanceof RuleCheckError) {
      return `Rule threw an error during validation. ${this.explained ? outcome.message : 'This is generally caused by a parameter referencing an intrinsic function.'}`;
    }
    const detailed = outcome instanceof NonCompliance ? `${info} ${outcome.detail}` : info;
    return this.explained ? `${detailed} ${explanation}` : detailed;
  }

  /**
   * cdk-nag reports each rule once, with one description and one severity for all the resources that
   * fail it. A finding that says what in particular fails the rule (which statement lets whom do what)
   * gets a violation of its own, so that each resource keeps its own description, and its own severity
   * when the finding sets one (a name clash with an environment-agnostic stack is a warning).
   * Warnings are reported without failing the synthesis: only an error does, as with the aspect.
   */
  private withDetails(report: PolicyValidationPluginReport): PolicyValidationPluginReport {
    const violations = report.violations.flatMap((violation) => {
      const groups = new Map<string, { description: string; severity: string; resources: typeof violation.violatingResources }>();
      for (const resource of violation.violatingResources) {
        const detail = this.details.get(`${violation.ruleName}\u0000${resource.constructPath}`);
        const description = detail?.description ?? violation.description;
        const severity = detail?.severity ?? violation.severity ?? 'error';
        const group = `${severity}\u0000${description}`;
        if (!groups.has(group)) groups.set(group, { description, severity, resources: [] });
        groups.get(group)!.resources.push(resource);
      }
      return [...groups.values()].map(({ description, severity, resources }) =>
        ({ ...violation, description, severity, violatingResources: resources }));
    });
    return { ...report, violations, success: violations.every((violation) => violation.severity !== 'error') };
  }
}

const NAG_COMPLIANCE: Record<RuleOutcome, NagRuleCompliance> = {
  'compliant': NagRuleCompliance.COMPLIANT,
  'non-compliant': NagRuleCompliance.NON_COMPLIANT,
  'not-applicable': NagRuleCompliance.NOT_APPLICABLE,
};

/** cdk-nag reports a rule that throws as a violation of that rule alone. */
function compliance(result: CheckResult): NagRuleCompliance {
  if (result instanceof RuleCheckError) throw result.error;
  if (result instanceof NonCompliance) return NagRuleCompliance.NON_COMPLIANT;
  return NAG_COMPLIANCE[result];
}
