/**
 * The plain matching rule of query types against event types.
 *
 * @module
 */

import type { EventType, QueryType } from "./types.ts";

/**
 * Tells whether `eventType` matches `queryType`: `?` matches exactly one
 * segment, a last `*` matches zero or more segments, any other segment
 * matches itself; the empty query type matches only the empty event type.
 *
 * @param eventType The event type.
 * @param queryType The query type.
 * @returns Whether it matches.
 *
 * @example
 * ```ts
 * import { matchesQueryType } from "./query_type.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(matchesQueryType(["a", "b", "c"], ["a", "*"]), true);
 * assert.equal(matchesQueryType(["a", "b"], ["?", "b"]), true);
 * assert.equal(matchesQueryType(["a"], ["a", "?"]), false);
 * ```
 */
export function matchesQueryType(
  eventType: EventType,
  queryType: QueryType,
): boolean {
  const n = queryType.length;
  for (let i = 0; i < n; i++) {
    const q = queryType[i];
    if (q === "*") return true;
    if (i >= eventType.length) return false;
    if (q !== "?" && q !== eventType[i]) return false;
  }
  return eventType.length === n;
}
