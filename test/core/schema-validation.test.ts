import { Lazy, Stack } from 'aws-cdk-lib';
import { l1PropertyPath, ResourceSchema } from '../../src/core/schema-validation';

const SCHEMA = {
  typeName: 'Test::Service::Thing',
  additionalProperties: false,
  definitions: { Size: { type: 'integer', maximum: 9 } },
  properties: {
    Flag: { type: 'boolean' },
    Ratio: { type: 'number' },
    Size: { $ref: '#/definitions/Size' },
    Labels: { type: 'object', additionalProperties: false, properties: { 'a/b': { type: 'string', maxLength: 1 } } },
    Items: { type: 'array', maxItems: 1, insertionOrder: false, items: { type: 'string', minLength: 1 } },
  },
  required: ['Size'],
  readOnlyProperties: [],
  primaryIdentifier: [],
  handlers: {},
};
const origin = { owner: 'Test' };
const check = (value: object) => () => new ResourceSchema(SCHEMA).check(origin, value, l1PropertyPath);

describe('ResourceSchema', () => {
  test.each<[string, object, string]>([
    ['a wrong type', { Size: 1, Flag: 'yes' }, 'Test: invalid flag: received "yes" (3 characters); allowed: a value of type boolean.'],
    ['a string for a number without bounds', { Size: 1, Ratio: 'half' }, 'Test: invalid ratio: received "half" (4 characters); allowed: a number.'],
    ['a number above its maximum only', { Size: 10 }, 'Test: invalid size: received 10; allowed: value <= 9.'],
    ['a missing required property, through its $ref', {}, 'Test: invalid size: received undefined; allowed: value <= 9 (required).'],
    ['a name with an escaped slash', { Size: 1, Labels: { 'a/b': 'xy' } }, 'Test: invalid labels.a/b: received "xy" (2 characters); allowed: at most 1 character.'],
    ['a list above its maximum only', { Size: 1, Items: ['a', 'b'] }, 'Test: invalid items: received a list of 2; allowed: a list of at most 1 item.'],
  ])('refuses %s', (_name, value, message) => {
    expect(check(value)).toThrow(new Error(message));
  });

  test('leaves unknown properties to CloudFormation and tokens to deployment', () => {
    // Tokens where the schema refuses what they encode as (an object for an integer, a string for a boolean, a long string).
    const tokens = {
      Size: Lazy.any({ produce: () => 99 }),
      Flag: Lazy.string({ produce: () => 'yes' }),
      Labels: { 'a/b': Lazy.string({ produce: () => 'xy' }) },
      Items: Lazy.list({ produce: () => ['a', 'b'] }),
    };
    expect(check({ ...tokens, Newer: true })).not.toThrow();
    // Resolved, the same values are refused: the tokens were left unjudged, not judged valid.
    expect(check(new Stack().resolve(tokens))).toThrow(/^Test: invalid (size|flag|labels\.a\/b|items): /);
  });

  test('names list items and nested properties as the L1 does', () => {
    expect(l1PropertyPath(['ContentPolicyConfig', 'FiltersConfig', 0, 'Type'])).toBe('contentPolicyConfig.filtersConfig[0].type');
  });
});
