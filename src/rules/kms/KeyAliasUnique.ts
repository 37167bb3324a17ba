import { keyRule } from '../guardrail-rule';
import { clashFinding } from '../name-clash';

/** No other key of the app takes one of the key's aliases where it deploys. */
export default keyRule(__filename, {
  info: 'Another key of the app has an alias of the guardrail\'s key where it deploys: KMS refuses an alias name twice in an account and Region.',
  explanation: 'Two guardrails named alike get the same default alias (alias/bedrock-guardrail/<name>), and the second deployment fails on the alias. Give the guardrails unique names or the keys unique aliases (keyAlias). In an environment-agnostic stack the clash is reported as a warning.',
  check: (key) => clashFinding(key.aliasClashes ?? [], 'alias') ?? true,
});
