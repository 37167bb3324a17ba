import { Stack } from 'aws-cdk-lib';

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
  /** The `Key.fromLookup` placeholder. */
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
  /** For key ARNs: the Region part, literal or a placeholder. */
  readonly region?: string;
  /** For key ARNs: the account part, literal or a placeholder. */
  readonly account?: string;
}

const PSEUDO_PARAMETERS = new Set(['AWS::Partition', 'AWS::Region', 'AWS::AccountId', 'AWS::URLSuffix']);
const KEY_ARN = /^arn:([^:]+):kms:([^:]*):([^:]*):key\/(.+)$/;

/** True when a flattened piece of text holds no placeholder, i.e. it was a literal in the template. */
export function isLiteral(text: string): boolean {
  return !text.includes('${');
}

/**
 * Flattens a resolved CloudFormation value to text. Literals stay as they are; pseudo parameters
 * become `${AWS::Region}`-style placeholders so that values of env-agnostic stacks compare equal;
 * anything else becomes a `${…}` placeholder naming what it refers to.
 */
export function flattenIntrinsic(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return '${?}';
  if (typeof value !== 'object') return '${?}';

  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) return '${?}';
  const [fn, arg] = entries[0];
  switch (fn) {
    case 'Ref':
      return typeof arg === 'string' && PSEUDO_PARAMETERS.has(arg) ? `\${${arg}}` : `\${Ref:${String(arg)}}`;
    case 'Fn::GetAtt':
      return `\${GetAtt:${Array.isArray(arg) ? arg.join('.') : String(arg)}}`;
    case 'Fn::ImportValue':
      return `\${ImportValue:${flattenIntrinsic(arg)}}`;
    case 'Fn::Join': {
      if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return '${?}';
      return (arg[1] as unknown[]).map(flattenIntrinsic).join(arg[0]);
    }
    case 'Fn::Sub': {
      const [template, variables] = Array.isArray(arg) ? arg : [arg, {}];
      if (typeof template !== 'string') return '${?}';
      const vars = (variables ?? {}) as Record<string, unknown>;
      return template.replace(/\$\{([^}!][^}]*)\}/g, (whole, name: string) =>
        name in vars ? flattenIntrinsic(vars[name]) : PSEUDO_PARAMETERS.has(name) ? whole : `\${Ref:${name}}`);
    }
    default:
      return `\${${fn}}`;
  }
}

/** Classifies a resolved `KmsKeyArn` value. */
export function analyzeKeyArn(resolved: unknown): KeyArnAnalysis {
  const text = flattenIntrinsic(resolved);
  if (text === '') return { kind: 'none', text };
  if (/(^|[:/])alias\//.test(text)) {
    return { kind: 'alias', text };
  }
  if (text.includes(LOOKUP_DUMMY_KEY_ID)) return { kind: 'lookup-dummy', text };
  // Placeholders such as ${AWS::Partition} contain colons: hide them while the ARN is split.
  const placeholders: string[] = [];
  const masked = text.replace(/\$\{[^}]*\}/g, (placeholder) => `\u0000${placeholders.push(placeholder) - 1}\u0000`);
  const unmask = (part: string) => part.replace(/\u0000(\d+)\u0000/g, (_, i: string) => placeholders[Number(i)]);
  const match = KEY_ARN.exec(masked);
  if (match) return { kind: 'key-arn', text, region: unmask(match[2]), account: unmask(match[3]) };
  if (isLiteral(text)) return { kind: 'malformed', text };
  return { kind: 'reference', text };
}

/** Resolves a value in the context of a stack and classifies it. */
export function analyzeKeyArnIn(stack: Stack, keyArn: unknown): KeyArnAnalysis {
  return analyzeKeyArn(stack.resolve(keyArn));
}

/** The outcome of comparing one part of an ARN (Region or account) with the stack's. */
export type PlacementMatch = 'same' | 'different' | 'unknown';

/**
 * Compares an ARN part with the stack's own value. Two placeholders compare equal only when they
 * are the same pseudo parameter (`${AWS::Region}` in an env-agnostic stack).
 */
export function comparePlacement(part: string | undefined, stackValue: string): PlacementMatch {
  if (part === undefined) return 'unknown';
  if (part === stackValue) return 'same';
  return isLiteral(part) && isLiteral(stackValue) ? 'different' : 'unknown';
}

/** The stack's Region and account flattened the same way as ARN parts. */
export function stackPlacement(stack: Stack): { region: string; account: string } {
  return {
    region: flattenIntrinsic(stack.resolve(stack.region)),
    account: flattenIntrinsic(stack.resolve(stack.account)),
  };
}
