/**
 * A small EventBridge pattern matcher covering what the monitoring rules use: exact values, `prefix`,
 * `exists`, `anything-but` (values or prefix), nested objects, arrays in events and `$or`. It follows
 * the documented semantics (a field named in the pattern must be present unless `exists: false`;
 * `anything-but` only matches a present field; an event array matches if any element does).
 */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') return (expected as Array<Record<string, unknown>>).some((branch) => matchesPattern(branch, event));
    const actual = isObject(event) ? event[key] : undefined;
    if (Array.isArray(expected)) return matchesLeaf(expected, actual);
    if (Array.isArray(actual)) return actual.some((element) => matchesPattern(expected as Record<string, unknown>, element));
    return isObject(actual) && matchesPattern(expected as Record<string, unknown>, actual);
  });
}

function matchesLeaf(conditions: unknown[], actual: unknown): boolean {
  if (Array.isArray(actual)) return actual.some((value) => matchesLeaf(conditions, value));
  return conditions.some((condition) => {
    if (!isObject(condition)) return actual !== undefined && condition === actual;
    if ('exists' in condition) return condition.exists === (actual !== undefined);
    if (actual === undefined) return false;
    if ('prefix' in condition) return typeof actual === 'string' && actual.startsWith(String(condition.prefix));
    if ('anything-but' in condition) {
      const excluded = condition['anything-but'];
      if (isObject(excluded) && 'prefix' in excluded) return !(typeof actual === 'string' && actual.startsWith(String(excluded.prefix)));
      return !(Array.isArray(excluded) ? excluded : [excluded]).includes(actual);
    }
    throw new Error(`matcher does not support ${JSON.stringify(condition)}`);
  });
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
