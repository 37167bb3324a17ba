import { Stack } from 'aws-cdk-lib';
import { NonCompliance } from './guardrail-rule';
import { stackDisplayName } from '../core/errors';
import { NameClash } from '../detection/name-clash-index';

/**
 * The finding for names that clash: an error when one is certain, a warning when every clash is with
 * (or in) an environment-agnostic stack. Shared by `GuardrailNameUnique` and `KeyAliasUnique`.
 */
export function clashFinding(clashes: readonly NameClash[], what: string): NonCompliance | undefined {
  if (clashes.length === 0) return undefined;
  const certain = clashes.some((clash) => clash.certain);
  const named = clashes.map((clash) => `${clash.other.node.path} (stack ${stackDisplayName(Stack.of(clash.other))})`);
  const name = clashes[0].name;
  return new NonCompliance(
    `The ${what} name "${name}" is also taken by ${named.join(', ')}${certain ? '' : ', which may deploy elsewhere (an environment-agnostic stack)'}.`,
    certain ? 'error' : 'warning',
  );
}
