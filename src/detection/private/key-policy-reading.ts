import { CfnResource, Stack } from 'aws-cdk-lib';
import { StackFacts } from './stack-facts';
import { flattenIntrinsic, Placement } from '../../core/cfn-values';
import { analyzeKeyPolicy, KeyPolicyAnalysis, WideUse } from '../../core/key-policy-analysis';

/** IAM resources a key policy may name by reference, and the kind of ARN each has. */
const IDENTITY_TYPES: { readonly [type: string]: string } = { 'AWS::IAM::Role': 'role', 'AWS::IAM::User': 'user' };

/** Hands a key's policy, as the template will hold it, to the key policy analysis. */
export class KeyPolicyReader {
  private readonly identities = new Map<Stack, Map<string, string>>();

  constructor(private readonly stacks: StackFacts) {}

  /**
   * Who may use a key of `stack` with this policy. Roles and users of the stack, which the policy
   * names by reference, are written as ARNs of the stack's account, so that the analysis can place
   * them; any other reference keeps it from deciding.
   *
   * @param wideUse the use the key's enforced or shared guardrail widens, if any
   */
  public analyze(stack: Stack, policy: unknown, wideUse?: WideUse): KeyPolicyAnalysis {
    const placement = this.stacks.placementOf(stack);
    const document = policy ?? {
      // KMS's default key policy: the account may do everything, through IAM.
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${placement.account}:root` }, Action: 'kms:*', Resource: '*' }],
    };
    const identities = this.identitiesOf(stack);
    const flattened = flattenValues(document, placement, (text) => (!text.includes('${GetAtt:') ? text
      : text.replace(/\$\{GetAtt:([^.}]+)\.Arn\}/g, (whole, logicalId: string) => identities.get(logicalId) ?? whole)));
    return analyzeKeyPolicy(flattened, wideUse ? { ...placement, wideUse } : placement);
  }

  /** The IAM roles and users of a stack, by logical id, as ARNs of the stack's account. */
  private identitiesOf(stack: Stack): Map<string, string> {
    let identities = this.identities.get(stack);
    if (!identities) {
      identities = new Map();
      const { account } = this.stacks.placementOf(stack);
      for (const child of stack.node.findAll()) {
        if (!CfnResource.isCfnResource(child) || Stack.of(child) !== stack) continue;
        const kind = IDENTITY_TYPES[child.cfnResourceType];
        if (kind) {
          const logicalId = stack.resolve(child.logicalId) as string;
          identities.set(logicalId, `arn:aws:iam::${account}:${kind}/${logicalId}`);
        }
      }
      this.identities.set(stack, identities);
    }
    return identities;
  }
}

/**
 * A resolved value with every intrinsic in it flattened to text (`flattenIntrinsic`, pseudo
 * parameters read in `environment`), and each string then passed through `rewrite`.
 */
function flattenValues(value: unknown, environment: Placement, rewrite: (text: string) => string): unknown {
  if (typeof value === 'string') return rewrite(value);
  if (Array.isArray(value)) return value.map((item) => flattenValues(item, environment, rewrite));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return rewrite(flattenIntrinsic(value, environment));
  // Every key of every key policy passes here once per synthesis: a plain loop, not entries and fromEntries.
  const flattened: Record<string, unknown> = Object.create(null);
  for (const key of keys) flattened[key] = flattenValues((value as Record<string, unknown>)[key], environment, rewrite);
  return flattened;
}
