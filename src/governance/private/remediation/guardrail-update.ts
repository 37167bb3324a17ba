/*
 * How a GetGuardrail response becomes the UpdateGuardrail request that re-keys the guardrail with
 * nothing else changed. Every member of the response, at every depth, is either carried (to the
 * request member named here) or listed as read-only with the reason; a member the table does not know
 * (one AWS adds later, read by a newer SDK in the Lambda runtime) stops the remediation before it
 * changes anything, rather than being dropped by an update. The test over the SDK's shipped schema
 * (test/governance/remediation-model.test.ts) fails when the SDK knows a member the table does not.
 */

/** One member of the response: where it goes in the request, or why it does not. */
export type Carried =
  | { readonly to: string; readonly members?: CarryTable }
  | { readonly readOnly: string };

export interface CarryTable {
  readonly [responseMember: string]: Carried;
}

const TIER = { tierName: { to: 'tierName' } } as const;
const SAME = (...names: string[]): CarryTable => Object.fromEntries(names.map((name) => [name, { to: name }]));
const DIRECTIONS = ['inputAction', 'outputAction', 'inputEnabled', 'outputEnabled'];

/** The GetGuardrail response, member by member. */
export const GUARDRAIL_UPDATE_TABLE: CarryTable = {
  name: { to: 'name' },
  guardrailId: { readOnly: 'identifies the guardrail: sent as guardrailIdentifier (the guardrail\'s ARN)' },
  guardrailArn: { readOnly: 'identifies the guardrail: sent as guardrailIdentifier' },
  version: { readOnly: 'UpdateGuardrail always changes the DRAFT' },
  status: { readOnly: 'set by Bedrock' },
  createdAt: { readOnly: 'set by Bedrock' },
  updatedAt: { readOnly: 'set by Bedrock' },
  statusReasons: { readOnly: 'set by Bedrock (why the status is FAILED)' },
  failureRecommendations: { readOnly: 'set by Bedrock (how to fix a FAILED guardrail)' },
  blockedInputMessaging: { to: 'blockedInputMessaging' },
  blockedOutputsMessaging: { to: 'blockedOutputsMessaging' },
  description: { to: 'description' },
  topicPolicy: {
    to: 'topicPolicyConfig',
    members: {
      topics: { to: 'topicsConfig', members: SAME('name', 'definition', 'examples', 'type', ...DIRECTIONS) },
      tier: { to: 'tierConfig', members: TIER },
    },
  },
  contentPolicy: {
    to: 'contentPolicyConfig',
    members: {
      filters: {
        to: 'filtersConfig',
        members: SAME('type', 'inputStrength', 'outputStrength', 'inputModalities', 'outputModalities', ...DIRECTIONS),
      },
      tier: { to: 'tierConfig', members: TIER },
    },
  },
  wordPolicy: {
    to: 'wordPolicyConfig',
    members: {
      words: { to: 'wordsConfig', members: SAME('text', ...DIRECTIONS) },
      managedWordLists: { to: 'managedWordListsConfig', members: SAME('type', ...DIRECTIONS) },
    },
  },
  sensitiveInformationPolicy: {
    to: 'sensitiveInformationPolicyConfig',
    members: {
      piiEntities: { to: 'piiEntitiesConfig', members: SAME('type', 'action', ...DIRECTIONS) },
      regexes: { to: 'regexesConfig', members: SAME('name', 'pattern', 'action', 'description', ...DIRECTIONS) },
    },
  },
  contextualGroundingPolicy: {
    to: 'contextualGroundingPolicyConfig',
    members: {
      filters: { to: 'filtersConfig', members: SAME('type', 'threshold', 'action', 'enabled') },
      tier: { to: 'tierConfig', members: TIER },
    },
  },
  automatedReasoningPolicy: { to: 'automatedReasoningPolicyConfig', members: SAME('policies', 'confidenceThreshold') },
  crossRegionDetails: {
    to: 'crossRegionConfig',
    members: {
      guardrailProfileArn: { to: 'guardrailProfileIdentifier' },
      guardrailProfileId: { readOnly: 'the same profile as guardrailProfileArn, which is sent' },
    },
  },
  kmsKeyArn: { readOnly: 'the remediation sets kmsKeyId to the new key (and never runs on a guardrail whose key is customer managed)' },
};

/** Thrown when the response holds a member the table does not know: nothing may be dropped silently. */
export class UnknownMemberError extends Error {
  constructor(public readonly paths: readonly string[]) {
    super(`GetGuardrail returned members this remediation does not know, which an update would drop: ${paths.join(', ')}`);
    this.name = 'UnknownMemberError';
  }
}

/**
 * The UpdateGuardrail request that puts `keyArn` on the guardrail and keeps everything else.
 *
 * @throws UnknownMemberError before anything is sent, when the response has a member the table does not know
 */
export function updateRequestFrom(response: object, guardrailArn: string, keyArn: string): { [member: string]: unknown } {
  const unknown: string[] = [];
  const carried = carry(response as Record<string, unknown>, GUARDRAIL_UPDATE_TABLE, '', unknown);
  if (unknown.length > 0) throw new UnknownMemberError(unknown);
  return { ...carried, guardrailIdentifier: guardrailArn, kmsKeyId: keyArn };
}

function carry(source: Record<string, unknown>, table: CarryTable, path: string, unknown: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [member, value] of Object.entries(source)) {
    // The SDK adds $metadata to every response; an absent member may be undefined.
    if (value === undefined || (path === '' && member === '$metadata')) continue;
    const rule = table[member];
    const where = `${path}${member}`;
    if (!rule) {
      unknown.push(where);
      continue;
    }
    if ('readOnly' in rule) continue;
    out[rule.to] = rule.members ? carryValue(value, rule.members, where, unknown) : value;
  }
  return out;
}

function carryValue(value: unknown, members: CarryTable, path: string, unknown: string[]): unknown {
  if (Array.isArray(value)) return value.map((item, i) => carryValue(item, members, `${path}[${i}]`, unknown));
  if (typeof value === 'object' && value !== null) return carry(value as Record<string, unknown>, members, `${path}.`, unknown);
  return value;
}
