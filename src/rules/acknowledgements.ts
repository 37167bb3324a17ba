import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PACK_NAME } from './guardrail-rule';
import { GUARDRAIL_RULES } from './guardrail-rules';
import { pluginAcknowledgementsAreScoped } from '../core/cdk-internals';

/*
 * A finding of the pack's rules is acknowledged with `Validations.of(scope).acknowledge({ id, reason })`
 * on the guardrail or a scope above it, with the bare rule id (`GuardrailEncryption-KeyVerifiable`) or
 * the plugin-qualified one (`GuardrailEncryption::GuardrailEncryption-KeyVerifiable`). The pack, the
 * aspect and the compliance report decide with these functions, so they agree on what is acknowledged.
 *
 * cdk-nag drops a finding acknowledged with the bare id without a trace; CDK suppresses one acknowledged
 * with the plugin-qualified id and records it, with the reason and where it was given, under
 * `suppressedViolations` in the validation report. `qualifyAcknowledgements` gives the bare form the
 * same record where aws-cdk-lib scopes the plugin-qualified form to its construct.
 */

/** The plugin-qualified id of a rule, as CDK names the pack's findings when it suppresses them. */
export function qualifiedId(ruleId: string): string {
  return `${PACK_NAME}::${ruleId}`;
}

/**
 * The id a finding says to acknowledge it with: the plugin-qualified one, which leaves a record in
 * the validation report, where aws-cdk-lib applies it to the acknowledged scope only; the bare rule id
 * on older aws-cdk-lib, which would apply the plugin-qualified one to every guardrail of the app.
 */
function acknowledgementId(ruleId: string): string {
  return pluginAcknowledgementsAreScoped() ? qualifiedId(ruleId) : ruleId;
}

/**
 * What every finding of the pack and the aspect says about acknowledging it, in the words aws-cdk-lib
 * prints under each finding of a validation plugin.
 */
export function acknowledgeHint(ruleId: string): string {
  return `Acknowledge with '${acknowledgementId(ruleId)}'`;
}

/** An acknowledgement of a rule, as `Validations.acknowledge` recorded it. */
export interface Acknowledgement {
  /** The construct it was given on. */
  readonly scope: IConstruct;
  readonly reason: string;
  /** Given with the plugin-qualified id. */
  readonly qualified: boolean;
}

/**
 * The acknowledgement of a rule that applies to a node: on the node or the closest scope above it
 * that has one (in the given form).
 */
export function findAcknowledgement(node: IConstruct, ruleId: string, form: 'any' | 'bare' | 'qualified' = 'any'): Acknowledgement | undefined {
  for (let current: IConstruct | undefined = node; current; current = current.node.scope) {
    for (const [id, reason] of acknowledgedIds(current)) {
      const qualified = id === qualifiedId(ruleId);
      if (!qualified && id !== ruleId) continue;
      if (form === 'any' || (form === 'qualified') === qualified) return { scope: current, reason, qualified };
    }
  }
  return undefined;
}

/** Whether the rule is acknowledged for the node, in either form. */
export function isAcknowledged(node: IConstruct, ruleId: string): boolean {
  return findAcknowledgement(node, ruleId) !== undefined;
}

/**
 * Gives each acknowledgement of a rule of the pack made with the bare id its plugin-qualified twin, on
 * the same construct with the same reason, so that CDK suppresses the pack's finding and records it
 * as it does for the plugin-qualified form. Only where aws-cdk-lib applies that form to the
 * acknowledged scope alone: before, the twin would hide the rule's findings on every other guardrail.
 */
function qualifyAcknowledgements(root: IConstruct): void {
  if (!pluginAcknowledgementsAreScoped()) return;
  const ruleIds = new Set(GUARDRAIL_RULES.map((rule) => `${PACK_NAME}-${rule.name}`));
  for (const node of root.node.findAll()) {
    const ids = acknowledgedIds(node);
    const present = new Set(ids.map(([id]) => id));
    for (const [id, reason] of ids) {
      if (!ruleIds.has(id) || present.has(qualifiedId(id))) continue;
      node.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [qualifiedId(id)]: reason });
      present.add(qualifiedId(id));
    }
  }
}

/** The pack's rules acknowledged with their plugin-qualified id in the app, with the path of a construct each was given on. */
export function qualifiedAcknowledgements(root: IConstruct): Map<string, string> {
  const given = new Map<string, string>();
  for (const node of root.node.findAll()) {
    for (const [id] of acknowledgedIds(node)) {
      if (id.startsWith(`${PACK_NAME}::`) && !given.has(id.slice(PACK_NAME.length + 2))) {
        given.set(id.slice(PACK_NAME.length + 2), node.node.path || 'the app');
      }
    }
  }
  return given;
}

const qualifying = new WeakSet<IConstruct>();

/**
 * Qualifies the acknowledgements of the app containing `scope` (`qualifyAcknowledgements`) when CDK
 * validates the app: after the app's Stages and aspects, before the validation plugins report.
 */
export function qualifyAcknowledgementsOnValidation(scope: IConstruct): void {
  const root = scope.node.root;
  if (qualifying.has(root)) return;
  qualifying.add(root);
  root.node.addValidation({
    validate: () => {
      qualifyAcknowledgements(root);
      return [];
    },
  });
}

/** The ids acknowledged on one construct, with their reasons; bare ids without aws-cdk-lib's prefix. */
function acknowledgedIds(scope: IConstruct): Array<[string, string]> {
  const ids: Array<[string, string]> = [];
  for (const entry of scope.node.metadata) {
    if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
    for (const [key, reason] of Object.entries(entry.data as Record<string, string>)) {
      // aws-cdk-lib records bare ids with an `annotation::` (or `Annotation::`) prefix.
      ids.push([key.replace(/^annotation::/i, ''), String(reason)]);
    }
  }
  return ids;
}
