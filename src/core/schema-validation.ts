import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { fail, Origin } from './errors';
import { unresolved } from './validation';

/**
 * Validation of CloudFormation properties against the resource's CloudFormation registry schema, with
 * errors in the library's one format. A value that is a token (or lies inside one) is never judged:
 * only deployment knows it.
 */

/** Keywords of the CloudFormation resource schema language that constrain no value. */
const CLOUDFORMATION_KEYWORDS = [
  'typeName', 'sourceUrl', 'documentationUrl', 'primaryIdentifier', 'additionalIdentifiers',
  'readOnlyProperties', 'writeOnlyProperties', 'createOnlyProperties', 'conditionalCreateOnlyProperties',
  'deprecatedProperties', 'nonPublicProperties', 'nonPublicDefinitions', 'propertyTransform',
  'handlers', 'tagging', 'insertionOrder', 'arrayType', 'relationshipRef', 'replacementStrategy',
];

/** How a property path reads in a message, from the path's CloudFormation segments. */
export type PropertyNamer = (segments: ReadonlyArray<string | number>) => string;

/** A part of a JSON schema, as far as messages need to read it. */
interface SchemaNode {
  readonly $ref?: string;
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly properties?: { readonly [name: string]: SchemaNode };
}

/** A CloudFormation registry schema, compiled once. */
export class ResourceSchema {
  private compiled = new Map<string, ValidateFunction>();
  private ajv?: Ajv;

  /**
   * @param schema the registry schema, as published
   * @param patternTexts how the schema's patterns read in a message, by pattern (otherwise the pattern itself)
   */
  constructor(private readonly schema: object, private readonly patternTexts: { readonly [pattern: string]: string } = {}) {}

  /**
   * Refuses the first value of `properties` (CloudFormation names, or the value of the node `at`) the schema refuses.
   *
   * @param at validate against the schema node at this JSON pointer (`definitions/Tag`, `properties/Tags`)
   *   instead of the whole resource
   */
  public check(origin: Origin, properties: unknown, nameOf: PropertyNamer, at?: string): void {
    const validate = this.validator(at);
    if (validate(properties)) return;
    for (const error of validate.errors ?? []) {
      // Unknown properties are left to CloudFormation: a newer aws-cdk-lib may know properties this schema does not.
      if (error.keyword === 'additionalProperties') continue;
      const segments = pathOf(error);
      if (throughToken(properties, segments)) continue;
      fail(origin, nameOf(segments), valueAt(properties, segments), this.allowed(error));
    }
  }

  /** What the failing schema node allows, whole: the length and the pattern of a string, both bounds of a list. */
  private allowed(error: ErrorObject): string {
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      const node = this.resolve((error.parentSchema as SchemaNode).properties?.[missing] ?? {});
      return `${describeNode(node, this.patternTexts)} (required)`;
    }
    return describeNode(this.resolve(error.parentSchema as SchemaNode), this.patternTexts);
  }

  private resolve(node: SchemaNode): SchemaNode {
    if (!node.$ref) return node;
    const name = node.$ref.replace('#/definitions/', '');
    return this.resolve((this.schema as { definitions: { [name: string]: SchemaNode } }).definitions[name]);
  }

  private validator(at?: string): ValidateFunction {
    const key = at ?? '';
    let validate = this.compiled.get(key);
    if (!validate) {
      if (!this.ajv) {
        // verbose: errors carry their schema node, which the message reads. Formats are cfn-lint's annotations, not
        // constraints. Registry schemas leave out `type: object` at their root, which strictTypes would refuse.
        // Registry schemas' patterns are ECMA-262 regular expressions. With the `u` flag (unicodeRegExp, ajv's default,
        // stated so that no upgrade drops it) `\p{L}` is a Unicode property, and `\s` is every white space of ECMA-262
        // (tab and no-break space included) with or without it. ajv 8 counts lengths in code points, as JSON Schema does.
        this.ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, validateFormats: false, unicodeRegExp: true });
        this.ajv.addVocabulary(CLOUDFORMATION_KEYWORDS);
        this.ajv.addSchema(this.schema, 'resource');
      }
      validate = this.ajv.getSchema(at ? `resource#/${at}` : 'resource')!;
      this.compiled.set(key, validate);
    }
    return validate;
  }
}

/**
 * CloudFormation properties from an L1's properties: CloudFormation names are the L1 names with a
 * capital first letter. Tokens are kept as they are; undefined properties are left out.
 */
export function cloudFormationProperties(value: unknown): unknown {
  if (value === undefined || value === null || unresolved(value)) return value;
  if (Array.isArray(value)) return value.map(cloudFormationProperties);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .map(([name, item]) => [name.charAt(0).toUpperCase() + name.slice(1), cloudFormationProperties(item)]));
}

/** The L1 path of CloudFormation segments: `contentPolicyConfig.filtersConfig[0].type`. */
export function l1PropertyPath(segments: ReadonlyArray<string | number>): string {
  return segments.reduce<string>((path, segment) => (typeof segment === 'number'
    ? `${path}[${segment}]`
    : `${path}${path ? '.' : ''}${segment.charAt(0).toLowerCase()}${segment.slice(1)}`), '');
}

function pathOf(error: ErrorObject): Array<string | number> {
  const segments: Array<string | number> = error.instancePath.split('/').slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  if (error.keyword === 'required') segments.push((error.params as { missingProperty: string }).missingProperty);
  return segments;
}

function valueAt(root: unknown, segments: ReadonlyArray<string | number>): unknown {
  return segments.reduce<unknown>((value, segment) => (value as { [key: string]: unknown } | undefined)?.[segment], root);
}

/** True when the value at the path, or anything on the way to it, is a token. */
function throughToken(root: unknown, segments: ReadonlyArray<string | number>): boolean {
  let value = root;
  for (const segment of [undefined, ...segments]) {
    if (segment !== undefined) value = (value as { [key: string]: unknown } | undefined)?.[segment];
    if (unresolved(value)) return true;
  }
  return false;
}

function describeNode(node: SchemaNode, patternTexts: { readonly [pattern: string]: string }): string {
  if (node.enum) return node.enum.join(', ');
  switch (node.type) {
    case 'array':
      return `a list of ${bounds(node.minItems, node.maxItems, 'item')}${node.uniqueItems ? ', none repeated' : ''}`;
    case 'number':
    case 'integer':
      if (node.minimum === undefined && node.maximum === undefined) return 'a number';
      if (node.maximum === undefined) return `value >= ${node.minimum}`;
      return node.minimum === undefined ? `value <= ${node.maximum}` : `${node.minimum} <= value <= ${node.maximum}`;
    case 'string': {
      const length = bounds(node.minLength, node.maxLength, 'character');
      if (node.pattern === undefined) return length;
      return `${length} ${patternTexts[node.pattern] ?? `matching ${node.pattern}`}`;
    }
    default:
      return `a value of type ${node.type}`;
  }
}

function bounds(min: number | undefined, max: number | undefined, unit: string): string {
  if (min !== undefined && max !== undefined) return `${min}-${max} ${unit}s`;
  if (max !== undefined) return `at most ${max} ${unit}${max === 1 ? '' : 's'}`;
  return `at least ${min ?? 0} ${unit}${min === 1 ? '' : 's'}`;
}
