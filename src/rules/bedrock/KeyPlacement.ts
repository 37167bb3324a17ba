import { KEY_PLACEMENT } from '../../core/key-checks';
import { guardrailRule } from '../guardrail-rule';

/** The guardrail's key is in the guardrail's own Region and account. */
export default guardrailRule(__filename, {
  info: KEY_PLACEMENT.sentence,
  explanation: 'A guardrail key in another Region makes every use of the guardrail depend on that Region, and a key of another account puts the guardrail\'s confidentiality in the hands of that account\'s key administrators. Use a key of the guardrail\'s own stack environment.',
  check: (guardrail) => {
    if (guardrail.keySource === 'none') return 'not-applicable';
    const { region, account } = guardrail.placement;
    return KEY_PLACEMENT.check({ match: region }, { match: account }) === undefined;
  },
});
