export * from './guardrail-key-monitoring';
export * from './guardrail-encryption-config-rule';
export * from './guardrail-compliance-dashboard';
export * from './guardrail-findings-hub';
export * from './guardrail-governance-baseline';
export * from './guardrail-encryption-remediation';
export * from './guardrail-encryption-hook';
