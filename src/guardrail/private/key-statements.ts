import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { GuardrailKeyPolicy } from '../../key/guardrail-key-policy';

/**
 * Statements this library added to keys it did not create, one set per key, so that guardrails
 * sharing a key do not write the same statement (and Sid) twice.
 */
const deploymentStatementsAdded = new WeakSet<kms.IKey>();
const keyUseStatements = new WeakMap<kms.IKey, iam.PolicyStatement>();

/**
 * Adds the deployment statements to a key of this app. Returns false when the key policy cannot be
 * changed here (the key is imported).
 */
export function ensureDeploymentStatements(scope: IConstruct, key: kms.IKey, deploymentPrincipal?: iam.IPrincipal): boolean {
  if (deploymentStatementsAdded.has(key)) return true;
  const added = GuardrailKeyPolicy.deploymentStatements(scope, deploymentPrincipal)
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
  const existing = keyUseStatements.get(key);
  if (existing) {
    existing.addPrincipals(principal);
    return undefined;
  }
  const statement = GuardrailKeyPolicy.keyUseStatement(scope, [principal]);
  if (key.addToResourcePolicy(statement, true).statementAdded) {
    keyUseStatements.set(key, statement);
    return undefined;
  }
  return statement;
}
