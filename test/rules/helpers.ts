import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardrailEncryptionChecks, GuardrailEncryptionChecksProps } from '../../src';
import { cfnGuardrail, compliantKey } from '../corpus/corpus-app';
import { ENV } from '../helpers/synth';

/** The rule ids the pack reports for the guardrail(s) built in a fresh stack, by outcome. */
export function findings(build: (stack: Stack) => void, props: GuardrailEncryptionChecksProps = {}): { errors: string[]; warnings: string[] } {
  const app = new App();
  build(new Stack(app, 'S', { env: ENV }));
  const report = new GuardrailEncryptionChecks(undefined, props).validateScope(app);
  const ids = (severity: string) => report.violations.filter((v) => v.severity === severity).map((v) => v.ruleName).sort();
  return { errors: ids('error'), warnings: ids('warning') };
}

/** A compliant key whose L1 the test may then spoil. */
export function keyWith(stack: Stack, spoil: (key: kms.CfnKey) => void = () => undefined, props: kms.KeyProps = {}): kms.Key {
  const key = compliantKey(stack, 'Key', props);
  spoil(key.node.defaultChild as kms.CfnKey);
  return key;
}

export function guardrailWithKey(stack: Stack, spoil?: (key: kms.CfnKey) => void, props?: kms.KeyProps): void {
  cfnGuardrail(stack, 'Guardrail', keyWith(stack, spoil, props).keyArn);
}

export const NONE = { errors: [], warnings: [] };
export const rule = (name: string) => `GuardrailEncryption-${name}`;
