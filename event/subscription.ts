/**
 * Subscriptions: sets of event types described by query types.
 *
 * @module
 */

import {
  compareQueryTypes,
  coveredByOther,
  insert,
  intersect,
  intersects,
  matches,
  newNode,
  type TrieNode,
} from "./_query_trie.ts";
import { validateQueryType } from "./query_type.ts";
import type { EventType, QueryType } from "./types.ts";

/**
 * An immutable set of event types given by query types (`?` matches one
 * segment, a last `*` zero or more). The query types are normalized:
 * duplicates and query types covered by another one (`["a", "b"]` by
 * `["a", "*"]`) are dropped, and the rest kept in a fixed order.
 * Normalization is pairwise: two subscriptions of the same event types may
 * still list different query types (`[["a"], ["a", "?", "*"]]` and
 * `[["a", "*"]]`).
 *
 * Matching walks a trie over segments, so it costs time in the depth of the
 * event type (at most two branches, literal and `?`, per segment), not in
 * the number of query types.
 *
 * @example
 * ```ts
 * import { Subscription } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * const sub = new Subscription([["a", "b"], ["a", "*"], ["?", "c"]]);
 * assert.deepEqual(sub.queryTypes(), [["?", "c"], ["a", "*"]]);
 * assert.equal(sub.matches(["a"]), true);
 * assert.equal(sub.matches(["x", "c"]), true);
 * assert.equal(sub.matches(["x", "d"]), false);
 * ```
 */
export class Subscription {
  #root: TrieNode;
  #queryTypes: readonly QueryType[];

  /**
   * Creates a subscription.
   *
   * @param queryTypes The query types.
   * @throws {TypeError} When a query type is not an array of strings or has
   * a `*` before its last segment.
   */
  constructor(queryTypes: Iterable<QueryType>) {
    const all = newNode();
    const unique: QueryType[] = [];
    for (const q of queryTypes) {
      validateQueryType(q);
      if (insert(all, q)) unique.push(q);
    }
    const kept: QueryType[] = [];
    for (const q of unique) {
      if (!coveredByOther(all, q, 0, false)) {
        kept.push(Object.freeze(q.slice()));
      }
    }
    kept.sort(compareQueryTypes);
    if (kept.length === unique.length) {
      this.#root = all;
    } else {
      this.#root = newNode();
      for (const q of kept) insert(this.#root, q);
    }
    this.#queryTypes = Object.freeze(kept);
  }

  /**
   * Tells whether the subscription matches an event type.
   *
   * @param eventType The event type.
   * @returns Whether some query type matches it.
   *
   * @example
   * ```ts
   * import { Subscription } from "@hat/eventer/event";
   * import assert from "node:assert/strict";
   *
   * const sub = new Subscription([["a", "?", "*"]]);
   * assert.equal(sub.matches(["a", "b"]), true);
   * assert.equal(sub.matches(["a"]), false);
   * ```
   */
  matches(eventType: EventType): boolean {
    return matches(this.#root, eventType);
  }

  /**
   * The normalized query types, sorted segment by segment.
   *
   * @returns A new array of (frozen) query types.
   *
   * @example
   * ```ts
   * import { Subscription } from "@hat/eventer/event";
   * import assert from "node:assert/strict";
   *
   * const sub = new Subscription([["b"], ["a"], ["b"], ["*"]]);
   * assert.deepEqual(sub.queryTypes(), [["*"]]);
   * ```
   */
  queryTypes(): QueryType[] {
    return this.#queryTypes.slice();
  }

  /**
   * The subscription matching what this one or any of `others` matches.
   *
   * @param others Other subscriptions.
   * @returns Their union.
   *
   * @example
   * ```ts
   * import { Subscription } from "@hat/eventer/event";
   * import assert from "node:assert/strict";
   *
   * const u = new Subscription([["a", "b"]]).union(new Subscription([["a", "*"]]));
   * assert.deepEqual(u.queryTypes(), [["a", "*"]]);
   * ```
   */
  union(...others: Subscription[]): Subscription {
    const all: QueryType[] = this.#queryTypes.slice();
    for (const other of others) {
      for (const q of other.#queryTypes) all.push(q);
    }
    return new Subscription(all);
  }

  /**
   * The subscription matching exactly what this one and every one of
   * `others` match.
   *
   * @param others Other subscriptions.
   * @returns Their intersection.
   *
   * @example
   * ```ts
   * import { Subscription } from "@hat/eventer/event";
   * import assert from "node:assert/strict";
   *
   * const a = new Subscription([["a", "*"], ["x"]]);
   * const b = new Subscription([["?", "b"], ["y"]]);
   * assert.deepEqual(a.intersection(b).queryTypes(), [["a", "b"]]);
   * ```
   */
  intersection(...others: Subscription[]): Subscription {
    // deno-lint-ignore no-this-alias
    let acc: Subscription = this;
    for (const other of others) {
      const out: QueryType[] = [];
      const prefix: string[] = [];
      for (const q of other.#queryTypes) {
        intersect(acc.#root, q, 0, prefix, out);
      }
      acc = new Subscription(out);
    }
    return acc;
  }

  /**
   * Tells whether no event type matches both subscriptions.
   *
   * @param other The other subscription.
   * @returns Whether they are disjoint.
   *
   * @example
   * ```ts
   * import { Subscription } from "@hat/eventer/event";
   * import assert from "node:assert/strict";
   *
   * const a = new Subscription([["a", "?"]]);
   * assert.equal(a.isDisjoint(new Subscription([["b", "*"]])), true);
   * assert.equal(a.isDisjoint(new Subscription([["?", "c", "*"]])), false);
   * ```
   */
  isDisjoint(other: Subscription): boolean {
    const swap = this.#queryTypes.length > other.#queryTypes.length;
    const root = swap ? this.#root : other.#root;
    for (const q of swap ? other.#queryTypes : this.#queryTypes) {
      if (intersects(root, q, 0)) return false;
    }
    return true;
  }
}
