import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { GuardrailKeyPolicy } from '../../key/guardrail-key-policy';
import { addNamedPrincipal } from '../../key/named-principals';

/**
 * Statements this library added to keys, one of each kind per key, so that guardrails sharing a key
 * do not write the same statement (and Sid) twice, and grants add their principals to it.
 */
const deploymentStatementsAdded = new WeakSet<kms.IKey>();
const keyUseStatements = new WeakMap<kms.IKey, iam.PolicyStatement>();
const keyAuditStatements = new WeakMap<kms.IKey, iam.PolicyStatement>();
/** The wide-use statements (account-wide, organization-wide) added to each key, by Sid. */
const wideUseStatements = new WeakMap<kms.IKey, Set<string>>();

/**
 * Adds a statement that widens the key's use (enforcement, sharing) once per key. Returns false when
 * the key policy cannot be changed here (the key is imported).
 */
export function ensureWideUseStatement(key: kms.IKey, statement: iam.PolicyStatement): boolean {
  const added = wideUseStatements.get(key) ?? new Set<string>();
  if (statement.sid !== undefined && added.has(statement.sid)) return true;
  if (!key.addToResourcePolicy(statement, true).statementAdded) return false;
  if (statement.sid !== undefined) added.add(statement.sid);
  wideUseStatements.set(key, added);
  return true;
}

/**
 * Adds the deployment statements to a key of this app. Returns false when the key policy cannot be
 * changed here (the key is imported).
 */
export function ensureDeploymentStatements(scope: IConstruct, key: kms.IKey, deploymentPrincipals?: iam.IPrincipal[]): boolean {
  if (deploymentStatementsAdded.has(key)) return true;
  const added = GuardrailKeyPolicy.deploymentStatements(scope, deploymentPrincipals)
    .map((statement) => key.addToResourcePolicy(statement, true).statementAdded);
  if (added.every(Boolean)) {
    deploymentStatementsAdded.add(key);
    return true;
  }
  return false;
}

/**
 * Adds `principal` to the key's single `GuardrailUseThroughBedrock` statement. Returns the
 * statement the key policy needs when it cannot be changed here (the key is imported).
 */
export function addKeyUser(scope: IConstruct, key: kms.IKey, principal: iam.IPrincipal): iam.PolicyStatement | undefined {
  return addToKeyStatement(keyUseStatements, key, principal, 'grantee', () => GuardrailKeyPolicy.keyUseStatement(scope, [principal]));
}

/**
 * Adds `principal` to the key's single `GuardrailKeyAudit` statement. Returns the statement the key
 * policy needs when it cannot be changed here (the key is imported).
 */
export function addKeyAuditor(scope: IConstruct, key: kms.IKey, principal: iam.IPrincipal): iam.PolicyStatement | undefined {
  return addToKeyStatement(keyAuditStatements, key, principal, 'grantee', () => GuardrailKeyPolicy.keyAuditStatement(scope, [principal]));
}

function addToKeyStatement(
  statements: WeakMap<kms.IKey, iam.PolicyStatement>,
  key: kms.IKey,
  principal: iam.IPrincipal,
  property: string,
  create: () => iam.PolicyStatement,
): iam.PolicyStatement | undefined {
  const existing = statements.get(key);
  if (existing) {
    addNamedPrincipal(existing, principal, property);
    return undefined;
  }
  const statement = create();
  if (key.addToResourcePolicy(statement, true).statementAdded) {
    statements.set(key, statement);
    return undefined;
  }
  return statement;
}
