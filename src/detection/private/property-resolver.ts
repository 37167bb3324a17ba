import { IFragmentConcatenator, IPostProcessor, IResolvable, IResolveContext, Stack, Token, TokenizedStringFragments, Tokenization } from 'aws-cdk-lib';
import { PolicyDocument } from 'aws-cdk-lib/aws-iam';

/**
 * Resolves resource properties in their stack as `Stack.resolve` does, for less work when many
 * resources of a stack are read.
 *
 * Resolving tokens is what reading a resource costs: the literal parts of a value are shared, not
 * copied. The same token strings recur in every resource of a stack (the deployment role's ARN and
 * the `kms:ViaService` value in each key policy, the partition in each ARN), so each distinct token
 * string is resolved once per stack and remembered.
 * That is sound because the inspector runs once the tree no longer changes: a token string then
 * resolves to the same value each time in the same stack.
 *
 * Token strings, whether one token or text with tokens in it, and token objects are resolved here
 * the way CDK's default token resolver and its CloudFormation joiner do it, so that what each token
 * produces goes through the same memory (a token sees an empty document path). Other kinds of token
 * (numbers, lists, maps with token keys, class instances) are resolved by `Stack.resolve`; a token
 * that asks for resolution options sends the whole value there.
 *
 * A `PolicyDocument` is read as its statements (`toJSON()`), not through its own resolution, which
 * may also merge statements, drop duplicates and number statement ids: none of these changes who may
 * do what, which is all a check reads of a policy.
 */
export class PropertyResolver {
  private readonly resolved = new Map<string, unknown>();
  /** Tokens being resolved, one inside the other: a token that produces itself never ends. */
  private depth = 0;

  constructor(private readonly stack: Stack) {}

  public resolve(value: unknown): unknown {
    try {
      return this.resolveValue(value);
    } catch (error) {
      if (error instanceof NeedsStackResolution) return this.stack.resolve(value);
      throw error;
    }
  }

  /**
   * The value resolved: what resolves to nothing is dropped, as `Stack.resolve` drops it, and parts
   * without tokens are shared with the value, not copied (nothing here changes what it reads).
   */
  private resolveValue(value: unknown): unknown {
    if (typeof value === 'string') return mayBeToken(value) ? this.resolveString(value) : value;
    if (typeof value === 'number') return Token.isUnresolved(value) ? this.stack.resolve(value) : value;
    if (value === null || typeof value !== 'object' || value instanceof Date) return value;
    if (value instanceof PolicyDocument) return this.resolveValue(value.toJSON());
    if (Tokenization.isResolvable(value)) return this.resolveToken(value);
    if (Array.isArray(value)) {
      if (!Token.isUnresolved(value)) return this.resolveArray(value);
      // A list token (`Lazy.list`, the principals of each key policy statement) is the token it
      // encodes, resolved as CDK's resolver resolves a list: through the memory here.
      const token = Tokenization.reverseList(value);
      return token ? this.resolveToken(token) : this.stack.resolve(value);
    }
    if (Object.getPrototypeOf(value) !== Object.prototype) return this.stack.resolve(value);
    return this.resolveObject(value as Record<string, unknown>);
  }

  /** Copies an array only from the first item that resolution changes: literal parts are shared. */
  private resolveArray(array: readonly unknown[]): unknown[] {
    let copy: unknown[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const item = this.resolveValue(array[i]);
      // Dropping an item is a change too, even when it was undefined already.
      if (copy === undefined && (item !== array[i] || item === undefined)) copy = array.slice(0, i);
      if (copy !== undefined && item !== undefined) copy.push(item);
    }
    return copy ?? (array as unknown[]);
  }

  private resolveObject(object: Record<string, unknown>): unknown {
    const keys = Object.keys(object);
    if (keys.some((key) => Token.isUnresolved(key))) return this.stack.resolve(object);
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const raw = object[keys[i]];
      const item = this.resolveValue(raw);
      if (copy === undefined && (item !== raw || item === undefined)) {
        copy = {};
        for (let j = 0; j < i; j++) copy[keys[j]] = object[keys[j]];
      }
      if (copy !== undefined && item !== undefined) copy[keys[i]] = item;
    }
    return copy ?? object;
  }

  private resolveString(value: string): unknown {
    if (!this.resolved.has(value)) {
      const token = wholeToken(value);
      this.resolved.set(value, token ? this.resolveToken(token)
        // Text holding only numbers that are tokens has no `Token[` marker: CDK's resolver finds them.
        : value.includes('Token[') ? this.resolveFragments(Tokenization.reverseString(value)) : this.stack.resolve(value));
    }
    return this.resolved.get(value);
  }

  /** Text with tokens in it, joined as CDK joins it for a template (`DefaultTokenResolver.resolveString`). */
  private resolveFragments(fragments: TokenizedStringFragments): unknown {
    return fragments.mapTokens({ mapToken: (token) => this.resolveToken(token) }).join(CLOUDFORMATION_CONCAT);
  }

  /** `DefaultTokenResolver.resolveToken`, with what the token produces resolved through the memory. */
  private resolveToken(token: IResolvable): unknown {
    let postProcessor: IPostProcessor | undefined;
    const context: IResolveContext = {
      scope: this.stack,
      preparing: false,
      documentPath: [],
      registerPostProcessor: (processor) => { postProcessor = processor; },
      resolve: (inner: unknown, options?: object) => {
        if (options !== undefined) throw new NeedsStackResolution();
        return this.resolveValue(inner);
      },
    };
    if (this.depth >= MAX_DEPTH) throw new NeedsStackResolution();
    this.depth++;
    try {
      const resolved = context.resolve(token.resolve(context));
      return postProcessor ? postProcessor.postProcess(resolved, context) : resolved;
    } finally {
      this.depth--;
    }
  }
}

const MAX_DEPTH = 100;

/**
 * Joins the parts of a text as CDK's CloudFormation resolver does: literals run together, anything
 * else makes an `Fn::Join` with an empty delimiter, nested joins flattened into it. aws-cdk-lib does
 * not export its joiner; the tests compare the outcome with `Stack.resolve`, so a change there shows.
 */
const CLOUDFORMATION_CONCAT: IFragmentConcatenator = {
  join(left: unknown, right: unknown): unknown {
    const parts = [left, right].filter((part) => part !== undefined);
    if (parts.length === 0) return '';
    if (parts.length === 1) return parts[0];
    if (isConcatenable(parts[0]) && isConcatenable(parts[1])) return `${parts[0]}${parts[1]}`;
    const joined: unknown[] = [];
    parts.forEach((part) => appendToJoin(joined, part));
    return { 'Fn::Join': ['', joined] };
  },
};

function appendToJoin(joined: unknown[], part: unknown): void {
  if (isEmptyDelimiterJoin(part)) {
    part['Fn::Join'][1].forEach((piece) => appendToJoin(joined, piece));
    return;
  }
  const last = joined.length - 1;
  if (last >= 0 && isConcatenable(joined[last]) && isConcatenable(part)) joined[last] = `${joined[last]}${part}`;
  else joined.push(part);
}

function isConcatenable(value: unknown): value is string | number {
  return (typeof value === 'string' || typeof value === 'number') && !Token.isUnresolved(value);
}

function isEmptyDelimiterJoin(value: unknown): value is { 'Fn::Join': [string, unknown[]] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const join = (value as Record<string, unknown>)['Fn::Join'];
  return keys.length === 1 && Array.isArray(join) && join[0] === '' && Array.isArray(join[1]) && !Token.isUnresolved(join[1]);
}

/** The token a string stands for when it is nothing but that token (`${Token[...]}`). */
export function wholeToken(text: string): IResolvable | undefined {
  const whole = text.startsWith('${Token[') && text.endsWith(']}') && text.indexOf('${', 2) === -1;
  return whole ? Tokenization.reverseCompleteString(text) : undefined;
}

/** Cheap test first, as CDK's resolver does: encoded strings and numbers carry these markers. */
function mayBeToken(text: string): boolean {
  return text.includes('Token[') || text.includes('e+289');
}

/** A token asked for resolution options that only `Stack.resolve` honours. */
class NeedsStackResolution extends Error {}
