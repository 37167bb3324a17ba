export * from './guardrail/secure-guardrail';
export * from './guardrail/guardrail-version';
export * from './key-policy/guardrail-key-policy';
