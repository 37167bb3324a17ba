import { FakeAccount } from './helpers/fake-account';

/*
 * An account modelled on the example app (examples/tenant-guardrails.ts, examples/legacy-migration.ts),
 * as the audit would find it deployed: the two tenants' guardrails on their own keys with a published
 * version each, the legacy FAQ bot before its migration (no key), a guardrail made in the console of
 * another Region on a key that does not rotate, and the key of a tenant whose guardrail is gone.
 */
export const EXAMPLE_ACCOUNT_ID = '111122223333';
export const HOME = 'eu-central-1';
export const OTHER = 'us-east-1';

export const KEYS = {
  acme: '1a1a1a1a-1111-4111-8111-111111111111',
  globex: '2b2b2b2b-2222-4222-8222-222222222222',
  initech: '3c3c3c3c-3333-4333-8333-333333333333',
  retired: '4d4d4d4d-4444-4444-8444-444444444444',
  consoleDraft: '5e5e5e5e-5555-4555-8555-555555555555',
  console: '6f6f6f6f-6666-4666-8666-666666666666',
};

export function exampleAccount(pageSize = 2): FakeAccount {
  const key = (region: string, id: string) => `arn:aws:kms:${region}:${EXAMPLE_ACCOUNT_ID}:key/${id}`;
  return new FakeAccount(EXAMPLE_ACCOUNT_ID, {
    [HOME]: {
      guardrails: [
        { id: 'acmeg0000001', name: 'acme-assistant', versions: { DRAFT: key(HOME, KEYS.acme), 1: key(HOME, KEYS.acme) } },
        { id: 'globexg00001', name: 'globex-assistant', versions: { DRAFT: key(HOME, KEYS.globex), 1: key(HOME, KEYS.globex) } },
        { id: 'legacyg00001', name: 'legacy-faq-bot', versions: { DRAFT: undefined, 1: undefined } },
      ],
      keys: {
        [KEYS.acme]: { guardrailTag: 'acme-assistant' },
        [KEYS.globex]: { guardrailTag: 'globex-assistant' },
        [KEYS.initech]: { guardrailTag: 'initech-assistant' },
        [KEYS.retired]: { guardrailTag: 'umbrella-assistant', state: 'PendingDeletion' },
      },
    },
    [OTHER]: {
      guardrails: [
        { id: 'consoleg0001', name: 'console-experiment', versions: { DRAFT: key(OTHER, KEYS.consoleDraft), 1: key(OTHER, KEYS.console) } },
      ],
      keys: { [KEYS.consoleDraft]: { rotation: false }, [KEYS.console]: {} },
    },
    // How a Region answers that Bedrock is not offered there, and an opt-in Region the account has not enabled (not verified against AWS).
    'eu-south-2': { refuse: { status: 400, error: 'ValidationException' } },
    'me-central-1': { refuse: { status: 403, error: 'UnrecognizedClientException' } },
  }, pageSize);
}
