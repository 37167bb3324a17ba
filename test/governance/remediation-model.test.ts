import * as bedrock from '@aws-sdk/client-bedrock';
import { Carried, CarryTable, GUARDRAIL_UPDATE_TABLE, UnknownMemberError, updateRequestFrom } from '../../src/governance/private/remediation/guardrail-update';

/*
 * The remediation rebuilds UpdateGuardrail from GetGuardrail. These tests read the Bedrock API model
 * the AWS SDK ships (@aws-sdk/client-bedrock's schemas: the `GetGuardrailResponse$` and
 * `UpdateGuardrailRequest$` structures), so that a member AWS adds to GetGuardrail, once the SDK
 * knows it, fails here until the remediation carries it or lists it as read-only with a reason.
 */

type Schema = unknown;

/** A schema with its lazy references followed: `() => schema` or `[() => schema, traits]`. */
function deref(schema: Schema): Schema {
  if (typeof schema === 'function') return deref((schema as () => Schema)());
  // A member with traits: [schema, traits].
  if (Array.isArray(schema) && schema.length === 2) return deref(schema[0]);
  return schema;
}

/** The SDK's schema kinds: 3 structure [3, ns, name, traits, names, members], 1 list [1, ns, name, traits, member], 2 map, 0 simple [0, ns, name, traits, type]; 64 list of strings; numbers otherwise. */
interface Member { readonly path: string; readonly leaf: 'string' | 'number' | 'boolean' | 'timestamp' | 'strings' }

function members(schema: Schema, path = ''): Member[] {
  const s = deref(schema);
  if (Array.isArray(s)) {
    switch (s[0]) {
      case 3: return (s[4] as string[]).flatMap((name, i) => members((s[5] as Schema[])[i], `${path}.${name}`));
      case 1: return members(s[4], `${path}[]`);
      case 0: return members(s[4], path);
      default: throw new Error(`schema kind ${s[0]} at ${path} is not read by this test: extend it`);
    }
  }
  const leaf = s === 0 ? 'string' : s === 1 ? 'number' : s === 2 ? 'boolean' : s === 5 ? 'timestamp' : s === 64 ? 'strings' : undefined;
  if (!leaf) throw new Error(`schema ${String(s)} at ${path} is not read by this test: extend it`);
  return [{ path, leaf }];
}

const GET = members((bedrock as any).GetGuardrailResponse$);
const UPDATE = members((bedrock as any).UpdateGuardrailRequest$);

/** Where the table sends a response member, or why it does not. */
function route(path: string): { to: string } | { readOnly: string } | undefined {
  let table: CarryTable | undefined = GUARDRAIL_UPDATE_TABLE;
  const to: string[] = [];
  for (const part of path.slice(1).split('.')) {
    const [name, list] = [part.replace(/\[\]$/, ''), part.endsWith('[]') ? '[]' : ''];
    const rule: Carried | undefined = table?.[name];
    if (!rule) return undefined;
    if ('readOnly' in rule) return rule;
    to.push(rule.to + list);
    table = rule.members;
  }
  return { to: '.' + to.join('.') };
}

/** A GetGuardrail response with every member the SDK knows set, each leaf to a value of its own. */
function fullResponse(): any {
  let n = 0;
  const value = (leaf: Member['leaf']) => {
    n++;
    switch (leaf) {
      case 'string': return `value-${n}`;
      case 'number': return n / 1000;
      case 'boolean': return n % 2 === 0;
      case 'timestamp': return new Date(Date.UTC(2026, 0, 1, 0, 0, n));
      case 'strings': return [`value-${n}-a`, `value-${n}-b`];
    }
  };
  const response: any = {};
  for (const member of GET) set(response, member.path, value(member.leaf));
  return response;
}

/** Sets `.a[].b` (a list of one element at each `[]`). */
function set(target: any, path: string, value: unknown): void {
  const parts = path.slice(1).split('.');
  let at = target;
  parts.forEach((part, i) => {
    const name = part.replace(/\[\]$/, '');
    const last = i === parts.length - 1;
    if (part.endsWith('[]')) {
      at[name] ??= [last ? undefined : {}];
      if (last) at[name][0] = value;
      else at = at[name][0];
    } else if (last) {
      at[name] = value;
    } else {
      at = at[name] ??= {};
    }
  });
}

function get(source: any, path: string): unknown {
  return path.slice(1).split('.').reduce((at, part) => {
    const name = part.replace(/\[\]$/, '');
    const next = at?.[name];
    return part.endsWith('[]') ? next?.[0] : next;
  }, source);
}

describe('the remediation\'s update request, against the Bedrock API model the SDK ships', () => {
  test('the model is read: GetGuardrail has the members the AWS sample lost', () => {
    const paths = GET.map((m) => m.path);
    expect(paths).toEqual(expect.arrayContaining([
      '.kmsKeyArn', '.contextualGroundingPolicy.filters[].threshold', '.automatedReasoningPolicy.policies',
      '.crossRegionDetails.guardrailProfileArn', '.contentPolicy.tier.tierName', '.sensitiveInformationPolicy.regexes[].outputAction',
    ]));
    expect(GET.length).toBeGreaterThan(50);
  });

  test('every member of GetGuardrail is carried into UpdateGuardrail or listed as read-only with a reason', () => {
    const unrouted = GET.filter((member) => route(member.path) === undefined).map((member) => member.path);
    expect(unrouted).toEqual([]);
    for (const member of GET) {
      const where = route(member.path)!;
      if ('readOnly' in where) expect(where.readOnly.length).toBeGreaterThan(10);
    }
  });

  test('every carried member lands on a member UpdateGuardrail has, of the same kind', () => {
    const update = new Map(UPDATE.map((member) => [member.path, member.leaf]));
    const wrong = GET.flatMap((member) => {
      const where = route(member.path)!;
      if ('readOnly' in where) return [];
      return update.get(where.to) === member.leaf ? [] : [`${member.path} -> ${where.to} (${update.get(where.to) ?? 'missing'})`];
    });
    expect(wrong).toEqual([]);
  });

  test('a full response becomes a request with every carried value, and the new key', () => {
    const response = fullResponse();
    const request = updateRequestFrom(response, 'arn:aws:bedrock:eu-west-1:111122223333:guardrail/abc123', 'arn:aws:kms:eu-west-1:111122223333:key/k');
    for (const member of GET) {
      const where = route(member.path)!;
      if ('to' in where) expect([member.path, get(request, where.to)]).toEqual([member.path, get(response, member.path)]);
    }
    expect(request.guardrailIdentifier).toBe('arn:aws:bedrock:eu-west-1:111122223333:guardrail/abc123');
    expect(request.kmsKeyId).toBe('arn:aws:kms:eu-west-1:111122223333:key/k');
    // Nothing the request has that UpdateGuardrail does not know.
    const known = new Set(UPDATE.map((m) => m.path));
    const sent = UPDATE.filter((m) => get(request, m.path) !== undefined).map((m) => m.path);
    expect(sent.length).toBe(known.size);
  });

  test('a member the table does not know stops the remediation before anything is sent', () => {
    const response = fullResponse();
    response.contextualGroundingPolicy.filters[0].futureSetting = 'x';
    response.futurePolicy = { y: 1 };
    expect(() => updateRequestFrom(response, 'arn', 'key')).toThrow(UnknownMemberError);
    expect(() => updateRequestFrom(response, 'arn', 'key')).toThrow(/contextualGroundingPolicy\.filters\[0\]\.futureSetting, futurePolicy/);
  });

  test('the SDK\'s response metadata and absent members are not members', () => {
    const request = updateRequestFrom({ $metadata: { httpStatusCode: 200 }, name: 'g', description: undefined }, 'arn', 'key');
    expect(request).toEqual({ name: 'g', guardrailIdentifier: 'arn', kmsKeyId: 'key' });
  });
});
