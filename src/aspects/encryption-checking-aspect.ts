import { Annotations, App, AspectPriority, Aspects, CfnResource, IAspect, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { originOf } from '../core/errors';
import { GuardrailInspector, mayCreateGuardrail } from '../detection/guardrail-inspection';
import { enforceOn } from '../report/enforcement';
import { GuardrailComplianceReport } from '../report/guardrail-compliance-report';
import { acknowledgeHint } from '../rules/acknowledgements';
import { GuardrailEncryptionOptions } from '../rules/guardrail-encryption-options';
import { ResolvedEncryptionOptions, resolveEncryptionOptions } from '../rules/resolved-encryption-options';
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
 * `strict`), with the same rule ids and messages as `GuardrailEncryptionChecks` and the id to
 * acknowledge it with, so `cdk synth` fails. Findings acknowledged with
 * `Validations.of(scope).acknowledge({ id, reason })` are skipped.
 *
 * It runs with READONLY priority and checks a guardrail once its Stage is final (after every aspect
 * of that Stage, tags included), when CDK validates that Stage.
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
    // The compliance report judges the guardrail by what fails the synthesis: this standard too.
    enforceOn(node, 'GuardrailEncryptionAspect', this.options);
    startValidationPasses(Stage.of(node));
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
    const guardrail = inspectorOfPass(node).inspect(node);
    if (!guardrail) return;
    for (const finding of evaluateRules(guardrail, this.options)) {
      if (finding.acknowledged) continue;
      const message = `[${finding.ruleId}] ${finding.info} ${finding.explanation} ${acknowledgeHint(finding.ruleId)}.`;
      if (finding.level === 'error') {
        Annotations.of(node).addError(message);
      } else {
        Annotations.of(node).addWarningV2(finding.ruleId, message);
      }
    }
  }
}

/** The inspector of the current validation pass of each Stage below the app. */
const stagePasses = new WeakMap<Stage, { inspector: GuardrailInspector }>();

/**
 * CDK synthesizes a Stage's inner Stages first, each with its own aspects and validation, before
 * the Stage's own aspects (the tags of `Tags.of(stage)` among them) run. An inspector shared across
 * those passes would keep what an inner Stage's pass read of the outer Stage's guardrails (the name
 * checks read every guardrail of the app) before their tags were applied. So each Stage below the
 * app reads its guardrails afresh when CDK starts validating it; the app's pass shares the
 * synthesis inspector with the pack and the report, which run once every Stage is final.
 */
function startValidationPasses(stage: Stage | undefined): void {
  if (!stage || App.isApp(stage) || stagePasses.has(stage)) return;
  const pass = { inspector: new GuardrailInspector() };
  stagePasses.set(stage, pass);
  // CDK validates a Stage before the constructs in it.
  stage.node.addValidation({
    validate: () => {
      pass.inspector = new GuardrailInspector();
      return [];
    },
  });
}

function inspectorOfPass(node: IConstruct): GuardrailInspector {
  const stage = Stage.of(node);
  const pass = stage ? stagePasses.get(stage) : undefined;
  return pass ? pass.inspector : GuardrailInspector.forSynthesis(node);
}
