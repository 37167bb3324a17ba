import { IConstruct } from 'constructs';
import { ResolvedEncryptionOptions } from '../rules/resolved-encryption-options';

/*
 * The standards that fail the synthesis, and on which guardrails: the compliance report judges each
 * guardrail by them, so that its verdict agrees with what failed the synthesis whatever options the
 * pack and the aspect were given.
 */

/** What enforces a standard at synth. */
export type Enforcer = 'GuardrailEncryptionChecks' | 'GuardrailEncryptionAspect';

/** A standard and what enforces it. */
export interface Enforcement {
  readonly by: Enforcer;
  readonly standard: ResolvedEncryptionOptions;
}

const byApp = new WeakMap<IConstruct, Enforcement[]>();
const byGuardrail = new WeakMap<IConstruct, Enforcement[]>();

/** `by` checks every guardrail of the app containing `scope` against `standard` (the pack). */
export function enforceOnApp(scope: IConstruct, by: Enforcer, standard: ResolvedEncryptionOptions): void {
  add(byApp, scope.node.root, { by, standard });
}

/** `by` checks this guardrail (or custom resource) against `standard` (the aspect). */
export function enforceOn(guardrail: IConstruct, by: Enforcer, standard: ResolvedEncryptionOptions): void {
  add(byGuardrail, guardrail, { by, standard });
}

/** What checks this guardrail at synth, each standard once per enforcer. */
export function enforcementsOf(guardrail: IConstruct): Enforcement[] {
  return distinct([...(byApp.get(guardrail.node.root) ?? []), ...(byGuardrail.get(guardrail) ?? [])]);
}

/** The enforcements among `enforcements`, each once. */
export function distinct(enforcements: readonly Enforcement[]): Enforcement[] {
  const seen = new Map<string, Enforcement>();
  for (const enforcement of enforcements) seen.set(`${enforcement.by}\u0000${JSON.stringify(enforcement.standard)}`, enforcement);
  return [...seen.values()];
}

function add(registry: WeakMap<IConstruct, Enforcement[]>, key: IConstruct, enforcement: Enforcement): void {
  const list = registry.get(key) ?? [];
  if (!registry.has(key)) registry.set(key, list);
  list.push(enforcement);
}
