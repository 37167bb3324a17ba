import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { GuardrailKeyPolicy } from '../../key-policy/guardrail-key-policy';
import { GUARDRAIL_USE_ACTIONS } from '../../key-policy/private/actions';
import { assertSameAccount } from '../../key-policy/private/principals';
import { addKeyUser } from './key-statements';

export interface GrantApplyOptions {
  /** The construct that grants: errors and warnings are attached to it. */
  readonly scope: IConstruct;
  readonly grantee: iam.IGrantable;
  /** The guardrail ARN and any guardrail-profile ARNs the caller must be allowed to apply. */
  readonly guardrailResourceArns: string[];
  /** The guardrail's key, when known. */
  readonly encryptionKey?: kms.IKey;
}

/**
 * `bedrock:ApplyGuardrail` on the guardrail, and `kms:Decrypt` on its key through Bedrock only, on
 * both sides: the grantee's identity policy and the key policy (which does not delegate use of the
 * key to IAM). When the key policy cannot be changed (imported key), a warning says what to add.
 */
export function grantGuardrailApply(options: GrantApplyOptions): iam.Grant {
  const { scope, grantee, encryptionKey: key } = options;
  const applyGrant = iam.Grant.addToPrincipal({
    grantee,
    actions: ['bedrock:ApplyGuardrail'],
    resourceArns: options.guardrailResourceArns,
  });
  if (!key) return applyGrant;

  assertSameAccount(scope, grantee.grantPrincipal, 'grantee');
  const decryptGrant = iam.Grant.addToPrincipal({
    grantee,
    actions: [...GUARDRAIL_USE_ACTIONS],
    resourceArns: [key.keyArn],
    conditions: { StringEquals: GuardrailKeyPolicy.viaBedrockCondition(scope) },
  });

  const missing = addKeyUser(scope, key, grantee.grantPrincipal);
  if (missing) {
    Annotations.of(scope).addWarningV2(
      'cdk-secure-guardrail:importedKeyGrant',
      'The guardrail key is imported, so its key policy cannot be changed here. For the grantee to apply ' +
      'the guardrail, the key administrators must add this statement to the key policy: ' +
      JSON.stringify(Stack.of(scope).resolve(missing.toStatementJson())),
    );
  }
  return applyGrant.combine(decryptGrant);
}
