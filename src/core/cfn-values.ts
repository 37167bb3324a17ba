import { Stack } from 'aws-cdk-lib';

/**
 * CloudFormation values flattened to text, so that values written in different ways (a literal, a
 * pseudo parameter, a join) can be compared at synth.
 */

const PSEUDO_PARAMETERS = new Set(['AWS::Partition', 'AWS::Region', 'AWS::AccountId', 'AWS::URLSuffix']);

/** True when a flattened piece of text holds no placeholder, i.e. it was a literal in the template. */
export function isLiteral(text: string): boolean {
  return !text.includes('${');
}

/** A stack's Region and account, each literal or a `${AWS::Region}`-style placeholder. */
export interface Placement {
  readonly region: string;
  readonly account: string;
}

/**
 * Flattens a resolved CloudFormation value to text. Literals stay as they are; pseudo parameters
 * become `${AWS::Region}`-style placeholders so that values of env-agnostic stacks compare equal;
 * anything else becomes a `${…}` placeholder naming what it refers to.
 *
 * @param environment where the value deploys (`stackPlacement`): `AWS::AccountId` and `AWS::Region`
 * then read as its account and Region when these are literal, as CloudFormation will resolve them.
 * A template written by hand or included (`CfnInclude`) names the account as `Ref AWS::AccountId`
 * where CDK would write the stack's literal account: both must compare equal.
 */
export function flattenIntrinsic(value: unknown, environment?: Placement): string {
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
      return typeof arg === 'string' && PSEUDO_PARAMETERS.has(arg) ? pseudoParameter(arg, environment) : `\${Ref:${String(arg)}}`;
    case 'Fn::GetAtt':
      return `\${GetAtt:${Array.isArray(arg) ? arg.join('.') : String(arg)}}`;
    case 'Fn::ImportValue':
      return `\${ImportValue:${flattenIntrinsic(arg, environment)}}`;
    case 'Fn::Join': {
      if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return '${?}';
      return (arg[1] as unknown[]).map((part) => flattenIntrinsic(part, environment)).join(arg[0]);
    }
    case 'Fn::Sub': {
      const [template, variables] = Array.isArray(arg) ? arg : [arg, {}];
      if (typeof template !== 'string') return '${?}';
      const vars = (variables ?? {}) as Record<string, unknown>;
      return template.replace(/\$\{([^}!][^}]*)\}/g, (_whole, name: string) =>
        name in vars ? flattenIntrinsic(vars[name], environment)
          : PSEUDO_PARAMETERS.has(name) ? pseudoParameter(name, environment) : `\${Ref:${name}}`);
    }
    default:
      return `\${${fn}}`;
  }
}

/**
 * A pseudo parameter as its placeholder, or as the literal account or Region of the environment.
 * Partition and URL suffix stay placeholders, as CDK writes them even for a literal Region.
 */
function pseudoParameter(name: string, environment: Placement | undefined): string {
  const value = name === 'AWS::AccountId' ? environment?.account : name === 'AWS::Region' ? environment?.region : undefined;
  return value !== undefined && isLiteral(value) ? value : `\${${name}}`;
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
export function stackPlacement(stack: Stack): Placement {
  return {
    region: flattenIntrinsic(stack.resolve(stack.region)),
    account: flattenIntrinsic(stack.resolve(stack.account)),
  };
}
