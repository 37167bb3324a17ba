import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { handWrittenGuardrail } from '../../benchmarks/hand-written-guardrail';
import { SecureGuardrail } from '../../src';

/** The benchmark's two sides, built as it builds them: two guardrails in a stack of a literal environment. */
function template(build: (stack: Stack, id: string, name: string) => void): Template {
  const app = new App();
  const stack = new Stack(app, 'Tenants0', { env: { account: '111122223333', region: 'eu-central-1' } });
  build(stack, 'Guardrail0', 'tenant-0-0');
  build(stack, 'Guardrail1', 'tenant-0-1');
  return Template.fromStack(stack);
}

const tags = { owner: 'team', workload: 'bench', dataSensitivity: 'internal' };

test('the hand-written equivalent of the benchmark synthesizes the template of default SecureGuardrails, logical ids included', () => {
  const construct = template((stack, id, guardrailName) => new SecureGuardrail(stack, id, { guardrailName, mandatoryTags: tags }));
  const handWritten = template((stack, id, guardrailName) => handWrittenGuardrail(stack, id, { guardrailName, ...tags }));

  expect(Object.keys(construct.toJSON().Resources)).toHaveLength(6);
  expect(handWritten.toJSON()).toEqual(construct.toJSON());
});
