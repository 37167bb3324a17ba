import { Annotations, AspectPriority, Aspects, CfnResource, IAspect, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { originOf } from '../core/errors';
import { GuardrailInspector, mayCreateGuardrail } from '../detection/guardrail-inspection';
import { GuardrailComplianceReport } from '../report/guardrail-compliance-report';
import { ResolvedEncryptionOptions, resolveEncryptionOptions } from '../rules/encryption-standard';
import { GuardrailEncryptionOptions } from '../rules/guardrail-encryption-options';
import { evaluateRules } from '../rules/rule-evaluation';

/**
 * Settings of `GuardrailEncryptionAspect.applyTo`.
 */
export interface GuardrailEncryptionAspectProps extends GuardrailEncryptionOptions {
  /**
   * Write the compliance report (`guardrail-compliance.json`) into the cloud assembly.
   *
   * @default true
   */
  readonly report?: boolean;
}

/**
 * Checks every Bedrock guardrail against the customer-managed key standard without cdk-nag: each
 * failed rule becomes an error annotation on the guardrail (a warning for `KeyVerifiable` unless
 * `strict`), with the same rule ids and messages as `GuardrailEncryptionChecks`, so `cdk synth`
 * fails. Findings acknowledged with `Validations.of(scope).acknowledge({ id, reason })` are skipped.
 *
 * It runs with READONLY priority and checks once the whole tree is final (after every aspect, tags
 * included), when CDK validates the app.
 */
export class GuardrailEncryptionAspect implements IAspect {
  /**
   * Adds the aspect to `scope` and to every Stage under it (aspects of an App do not reach into
   * Stages), and enables the compliance report. Call it once the app's Stages exist.
   */
  public static applyTo(scope: IConstruct, props: GuardrailEncryptionAspectProps = {}): GuardrailEncryptionAspect {
    const aspect = new GuardrailEncryptionAspect(props);
    const scopes = [scope, ...scope.node.findAll().filter((node) => Stage.isStage(node) && node !== scope)];
    for (const target of scopes) {
      Aspects.of(target).add(aspect, { priority: AspectPriority.READONLY });
    }
    if (props.report ?? true) GuardrailComplianceReport.enable(scope, props);
    return aspect;
  }

  private readonly options: ResolvedEncryptionOptions;
  private readonly registered = new WeakSet<IConstruct>();

  constructor(options: GuardrailEncryptionOptions = {}) {
    this.options = resolveEncryptionOptions(originOf('GuardrailEncryptionAspect'), options);
  }

  public visit(node: IConstruct): void {
    if (!mayCreateGuardrail(node) || this.registered.has(node)) return;
    this.registered.add(node);
    // Aspects visit the tree depth first: a key visited after its guardrail may still get tags (or
    // anything else) from a mutating aspect. Check once every aspect has run, when CDK validates the
    // tree; the findings become annotations, so the validation itself reports nothing.
    node.node.addValidation({
      validate: () => {
        this.annotate(node);
        return [];
      },
    });
  }

  private annotate(node: CfnResource): void {
    const guardrail = GuardrailInspector.forSynthesis(node).inspect(node);
    if (!guardrail) return;
    for (const finding of evaluateRules(guardrail, this.options)) {
      if (finding.acknowledged) continue;
      const message = `[${finding.ruleId}] ${finding.info} ${finding.explanation}`;
      if (finding.level === 'error') {
        Annotations.of(node).addError(message);
      } else {
        Annotations.of(node).addWarningV2(finding.ruleId, message);
      }
    }
  }
}
