export * from './guardrail/secure-guardrail';
export * from './guardrail/guardrail-version';
export * from './key-policy/guardrail-key-policy';
export * from './detection/guardrail-encryption-options';
export * from './nag/guardrail-encryption-checks';
export * from './aspects/guardrail-encryption-aspect';
export * from './aspects/guardrail-key-remediation-aspect';
export * from './report/guardrail-compliance-report';
