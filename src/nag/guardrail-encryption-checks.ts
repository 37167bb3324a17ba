import { CfnResource, IPolicyValidationContext, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { IApplyRule, NagMessageLevel, NagPack, NagPackProps, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { originOf } from '../core/errors';
import { GuardrailInspector } from '../detection/guardrail-inspection';
import { GuardrailComplianceReport } from '../report/guardrail-compliance-report';
import { ResolvedEncryptionOptions, resolveEncryptionOptions } from '../rules/encryption-standard';
import { GuardrailEncryptionOptions } from '../rules/guardrail-encryption-options';
import { NonCompliance, PACK_NAME, RuleOutcome } from '../rules/guardrail-rule';
import { GUARDRAIL_RULES } from '../rules/guardrail-rules';
import { CheckResult, levelOf, RuleCheckError, ruleOutcomes } from '../rules/rule-evaluation';

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
    if (scope && (props.report ?? true)) GuardrailComplianceReport.enable(scope, props);
  }

  /**
   * Called by CDK after synthesis: shares what the aspect and the report already read of the app.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.inspector = GuardrailInspector.forSynthesis(context.appConstruct);
    this.sharedPass = true;
    try {
      return super.validate(context);
    } finally {
      this.sharedPass = false;
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
      if (outcome instanceof NonCompliance) {
        const detailed = `${info} ${outcome.detail}`;
        const severity = levelOf(GUARDRAIL_RULES[i], this.options, outcome);
        this.details.set(`${PACK_NAME}-${ruleSuffixOverride}\u0000${node.node.path}`, { description: this.explained ? `${detailed} ${explanation}` : detailed, severity });
      }
      this.applyRule({ ruleSuffixOverride, info, explanation, level, node, rule: () => compliance(outcome) });
    }
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
