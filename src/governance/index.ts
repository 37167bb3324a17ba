export * from './guardrail-key-monitoring';
export * from './guardrail-encryption-config-rule';
export * from './guardrail-compliance-dashboard';
export * from './guardrail-encryption-hook';
