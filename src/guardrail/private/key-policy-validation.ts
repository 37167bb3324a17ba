import { CfnResource } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { describeExposures } from '../../core/key-policy-analysis';
import { GuardrailInspector } from '../../detection/guardrail-inspection';

/**
 * Fails the synthesis of a guardrail whose created key ends up with a policy that is not
 * least-privilege once every grant is in (a wildcard principal among the key users, say): the same
 * evaluation as the `KeyPolicyLeastPrivilege` and `KeyManageable` rules, shared with them through the
 * synthesis's inspector. A policy that cannot be evaluated at synth (a grantee given by an imported
 * ARN) is left to those rules, which report it.
 */
export function validateCreatedKeyPolicy(scope: IConstruct, key: kms.Key): void {
  scope.node.addValidation({
    validate: () => {
      const analysis = GuardrailInspector.forSynthesis(scope).effectiveResource(key.node.defaultChild as CfnResource).keyPolicy!;
      if (analysis.undecidable) return [];
      const errors = describeExposures(analysis.exposures).map((exposure) =>
        `SecureGuardrail: in the policy of its key ${key.node.path}, ${exposure}; allowed: only the roles given grantApply or grantRead, only through Bedrock in the key's Region.`);
      if (!analysis.manageable) {
        errors.push(`SecureGuardrail: no principal of the account may call kms:PutKeyPolicy on its key ${key.node.path}; allowed: a policy that keeps kms:PutKeyPolicy for its administrators (KMS refuses any other).`);
      }
      return errors;
    },
  });
}
