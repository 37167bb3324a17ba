import { guardrailRule } from '../guardrail-rule';
import { clashFinding } from '../name-clash';

/** No other guardrail of the app takes the same name where it deploys. */
export default guardrailRule(__filename, {
  info: 'Another guardrail of the app has the same name where it deploys: Bedrock refuses a second guardrail of a name in an account and Region.',
  explanation: 'Two guardrails with one name (per-tenant guardrails named after a template, a stack deployed twice to one account) fail at deployment, minutes in, and their default key aliases collide too. Give each a name unique in its account and Region. In an environment-agnostic stack the clash is reported as a warning: the stacks may deploy to different places.',
  appliesTo: 'any',
  check: (guardrail) => clashFinding(guardrail.nameClashes, 'guardrail') ?? true,
});
