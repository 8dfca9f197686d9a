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
 * import { matchesQueryType } from "@hat/eventer/event";
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

/**
 * Checks that `queryType` is an array of strings whose `*`, if any, is the
 * last segment.
 *
 * @param queryType The value to check.
 * @returns `queryType`, typed.
 * @throws {TypeError} When it is not an array of strings, or has a `*`
 * before its last segment.
 *
 * @example
 * ```ts
 * import { validateQueryType } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(validateQueryType(["a", "?", "*"]), ["a", "?", "*"]);
 * assert.throws(() => validateQueryType(["a", "*", "b"]), /must be the last segment/);
 * assert.throws(() => validateQueryType(["a", 1] as unknown as string[]), TypeError);
 * ```
 */
export function validateQueryType(queryType: QueryType): QueryType {
  if (!Array.isArray(queryType)) {
    throw new TypeError(
      `Invalid query type: expected an array of strings, got ${
        queryType === null ? "null" : typeof queryType
      }`,
    );
  }
  const last = queryType.length - 1;
  for (let i = 0; i <= last; i++) {
    const seg = queryType[i];
    if (typeof seg !== "string") {
      throw new TypeError(
        `Invalid query type: segment ${i} is ${
          seg === null ? "null" : typeof seg
        }, expected a string`,
      );
    }
    if (seg === "*" && i !== last) {
      throw new TypeError(
        `Invalid query type ${
          JSON.stringify(queryType)
        }: "*" must be the last segment`,
      );
    }
  }
  return queryType;
}

/**
 * Tells whether every event type that `specific` matches is matched by
 * `general` too (`general ⊇ specific`). Both must be valid query types.
 *
 * @param general The query type that may cover.
 * @param specific The query type that may be covered.
 * @returns Whether `general` covers `specific`.
 *
 * @example
 * ```ts
 * import { queryTypeCovers } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.equal(queryTypeCovers(["a", "*"], ["a"]), true);
 * assert.equal(queryTypeCovers(["?", "b"], ["a", "b"]), true);
 * assert.equal(queryTypeCovers(["a", "?"], ["a", "*"]), false);
 * ```
 */
export function queryTypeCovers(
  general: QueryType,
  specific: QueryType,
): boolean {
  const n = general.length;
  for (let i = 0; i < n; i++) {
    const g = general[i];
    if (g === "*") return true;
    if (i >= specific.length) return false;
    const s = specific[i];
    if (s === "*") return false;
    if (g !== "?" && g !== s) return false;
  }
  return specific.length === n;
}

/**
 * The query type that matches exactly the event types matched by both `a`
 * and `b`, or `null` when no event type matches both (the intersection of
 * two query types is always one query type or empty).
 *
 * @param a One valid query type.
 * @param b Another valid query type.
 * @returns Their intersection, or `null`.
 *
 * @example
 * ```ts
 * import { intersectQueryTypes } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(intersectQueryTypes(["a", "*"], ["?", "b"]), ["a", "b"]);
 * assert.deepEqual(intersectQueryTypes(["?", "*"], ["a", "?", "*"]), ["a", "?", "*"]);
 * assert.equal(intersectQueryTypes(["a", "?"], ["b", "*"]), null);
 * ```
 */
export function intersectQueryTypes(
  a: QueryType,
  b: QueryType,
): QueryType | null {
  const out: string[] = [];
  for (let i = 0;; i++) {
    if (i === a.length) {
      return i === b.length || b[i] === "*" ? out : null;
    }
    if (i === b.length) return a[i] === "*" ? out : null;
    const x = a[i];
    const y = b[i];
    if (x === "*") {
      for (let j = i; j < b.length; j++) out.push(b[j]);
      return out;
    }
    if (y === "*") {
      for (let j = i; j < a.length; j++) out.push(a[j]);
      return out;
    }
    if (x === "?") out.push(y);
    else if (y === "?" || y === x) out.push(x);
    else return null;
  }
}
