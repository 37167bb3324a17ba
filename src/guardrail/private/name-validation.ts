import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { describeValue, stackDisplayName } from '../../core/errors';
import { GuardrailInspector } from '../../detection/guardrail-inspection';
import { NameClash } from '../../detection/name-clash-index';

/**
 * Fails the synthesis of a guardrail whose name, or whose key's alias, another guardrail or key of the
 * app takes in the same account and Region: the deployment would fail on it. The detection core's
 * `GuardrailNameUnique` and `KeyAliasUnique` rules report the same (and, as warnings, clashes with
 * environment-agnostic stacks, which may deploy apart).
 */
export function validateUniqueNames(scope: IConstruct, guardrail: CfnResource): void {
  scope.node.addValidation({
    validate: () => {
      const inspection = GuardrailInspector.forSynthesis(scope).inspect(guardrail);
      if (!inspection) return [];
      const errors: string[] = [];
      const names = certain(inspection.nameClashes);
      if (names.length > 0) {
        errors.push(`SecureGuardrail: invalid guardrailName: received ${describeValue(names[0].name)}; allowed: a name no other guardrail of the app `
          + `takes in ${where(guardrail)} (also given to ${others(names)}).`);
      }
      const aliases = certain(inspection.key?.aliasClashes ?? []);
      if (aliases.length > 0) {
        errors.push(`SecureGuardrail: invalid keyAlias: received ${describeValue(aliases[0].name)}; allowed: an alias no other key of the app `
          + `takes in ${where(guardrail)} (also given to ${others(aliases)}); name the guardrails apart or set keyAlias.`);
      }
      return errors;
    },
  });
}

function certain(clashes: readonly NameClash[]): NameClash[] {
  return clashes.filter((clash) => clash.certain);
}

function where(node: IConstruct): string {
  const stack = Stack.of(node);
  return `account ${stack.account}, Region ${stack.region}`;
}

function others(clashes: readonly NameClash[]): string {
  return clashes.map((clash) => `${clash.other.node.path} in stack ${stackDisplayName(Stack.of(clash.other))}`).join(', ');
}
