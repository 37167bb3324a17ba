import { Stack } from 'aws-cdk-lib';
import { asKeyArn, parseTemplateArn } from '../core/arns';
import { flattenIntrinsic, isLiteral } from '../core/cfn-values';

/**
 * The key id that `kms.Key.fromLookup` returns until the CDK CLI has looked the real key up. A
 * template that still holds it was synthesized without the lookup, so nothing about the key is known.
 */
export const LOOKUP_DUMMY_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

/** What a `KmsKeyArn` value turned out to be once its tokens were resolved and flattened. */
export type KeyArnKind =
  /** No value at all: the guardrail uses an AWS owned key. */
  | 'none'
  /** An alias, in any form (name, alias ARN, inside a join or a sub); AWS managed keys are only reachable this way. */
  | 'alias'
  /** The `Key.fromLookup` placeholder: its Region and account are still those of the ARN that holds it. */
  | 'lookup-dummy'
  /** A key ARN whose parts are literal or pseudo parameters (`${AWS::Region}`, ...). */
  | 'key-arn'
  /** A reference that cannot be read at synth: `Ref`, `Fn::GetAtt`, `Fn::ImportValue`, ... */
  | 'reference'
  /** A literal that is not a key ARN (a bare key id, a truncated ARN, ...). */
  | 'malformed';

export interface KeyArnAnalysis {
  readonly kind: KeyArnKind;
  /** The value flattened to text: literals kept, pseudo parameters as `${AWS::Region}`, references as `${…}`. */
  readonly text: string;
  /** For key ARNs (the lookup placeholder included): the Region part, literal or a placeholder. */
  readonly region?: string;
  /** For key ARNs (the lookup placeholder included): the account part, literal or a placeholder. */
  readonly account?: string;
}

/** Classifies a resolved `KmsKeyArn` value. */
export function analyzeKeyArn(resolved: unknown): KeyArnAnalysis {
  const text = flattenIntrinsic(resolved);
  if (text === '') return { kind: 'none', text };
  if (/(^|[:/])alias\//.test(text)) {
    return { kind: 'alias', text };
  }
  const key = asKeyArn(parseTemplateArn(text));
  // The placeholder's key id says nothing about the key, but the ARN around it still names a Region and account.
  const kind = text.includes(LOOKUP_DUMMY_KEY_ID) ? 'lookup-dummy' : 'key-arn';
  if (key) return { kind, text, region: key.region, account: key.account };
  if (kind === 'lookup-dummy') return { kind, text };
  if (isLiteral(text)) return { kind: 'malformed', text };
  return { kind: 'reference', text };
}

/** Resolves a value in the context of a stack and classifies it. */
export function analyzeKeyArnIn(stack: Stack, keyArn: unknown): KeyArnAnalysis {
  return analyzeKeyArn(stack.resolve(keyArn));
}
