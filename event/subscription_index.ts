/**
 * An index of many subscriptions for fan-out: which subscribers want an
 * event of this type?
 *
 * @module
 */

import type { Subscription } from "./subscription.ts";
import type { EventType, QueryType } from "./types.ts";

interface IndexNode<K> {
  children: Map<string, IndexNode<K>> | null;
  any: IndexNode<K> | null;
  /** Keys with a query type ending at this node. */
  leaf: Set<K> | null;
  /** Keys with a query type ending at this node with `*`. */
  star: Set<K> | null;
  /** Number of (key, query type) entries at or below this node. */
  count: number;
}

function newNode<K>(): IndexNode<K> {
  return { children: null, any: null, leaf: null, star: null, count: 0 };
}

/**
 * Subscriptions by key (one per connected client, say) in one shared trie
 * over query type segments whose nodes hold the keys of the query types
 * ending there. {@linkcode SubscriptionIndex.match} walks the trie along
 * the event type, so it costs time in the depth of the type (at most two
 * branches, literal and `?`, per segment) plus the number of keys found,
 * not in the number of subscribers.
 *
 * @typeParam K The subscriber key type (compared as `Set` keys).
 *
 * @example
 * ```ts
 * import { Subscription, SubscriptionIndex } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * const index = new SubscriptionIndex<string>();
 * index.add("c1", new Subscription([["a", "*"]]));
 * index.add("c2", new Subscription([["?", "b"], ["a", "b"]]));
 * index.add("c3", new Subscription([["x"]]));
 * assert.deepEqual(index.match(["a", "b"]).sort(), ["c1", "c2"]);
 * index.delete("c1");
 * assert.deepEqual(index.match(["a", "b"]), ["c2"]);
 * ```
 */
export class SubscriptionIndex<K> {
  #root: IndexNode<K> = newNode();
  #subs = new Map<K, readonly QueryType[]>();

  /**
   * Number of keys in the index.
   *
   * @example
   * ```ts
   * import { Subscription, SubscriptionIndex } from "@hat/eventer/event";
   * import assert from "node:assert/strict";
   *
   * const index = new SubscriptionIndex<number>();
   * index.add(1, new Subscription([["a"]]));
   * assert.equal(index.size, 1);
   * ```
   */
  get size(): number {
    return this.#subs.size;
  }

  /**
   * Tells whether `key` has a subscription in the index.
   *
   * @param key The key.
   * @returns Whether it is present.
   *
   * @example
   * ```ts
   * import { Subscription, SubscriptionIndex } from "@hat/eventer/event";
   * import assert from "node:assert/strict";
   *
   * const index = new SubscriptionIndex<number>();
   * index.add(1, new Subscription([]));
   * assert.equal(index.has(1), true);
   * assert.equal(index.has(2), false);
   * ```
   */
  has(key: K): boolean {
    return this.#subs.has(key);
  }

  /**
   * Sets the subscription of `key` (replacing the one it had).
   *
   * @param key The subscriber.
   * @param subscription What it subscribes to.
   *
   * @example
   * ```ts
   * import { Subscription, SubscriptionIndex } from "@hat/eventer/event";
   * import assert from "node:assert/strict";
   *
   * const index = new SubscriptionIndex<string>();
   * index.add("c", new Subscription([["a"]]));
   * index.add("c", new Subscription([["b"]]));
   * assert.deepEqual(index.match(["a"]), []);
   * assert.deepEqual(index.match(["b"]), ["c"]);
   * ```
   */
  add(key: K, subscription: Subscription): void {
    this.delete(key);
    const queryTypes = subscription.queryTypes();
    this.#subs.set(key, queryTypes);
    for (const q of queryTypes) this.#insert(key, q);
  }

  /**
   * Removes the subscription of `key`.
   *
   * @param key The subscriber.
   * @returns Whether `key` was in the index.
   *
   * @example
   * ```ts
   * import { Subscription, SubscriptionIndex } from "@hat/eventer/event";
   * import assert from "node:assert/strict";
   *
   * const index = new SubscriptionIndex<string>();
   * index.add("c", new Subscription([["a", "?"]]));
   * assert.equal(index.delete("c"), true);
   * assert.equal(index.delete("c"), false);
   * assert.deepEqual(index.match(["a", "b"]), []);
   * ```
   */
  delete(key: K): boolean {
    const queryTypes = this.#subs.get(key);
    if (queryTypes === undefined) return false;
    this.#subs.delete(key);
    for (const q of queryTypes) this.#remove(key, q);
    return true;
  }

  /**
   * Every key whose subscription matches `eventType`, each once, in no
   * particular order.
   *
   * @param eventType The event type.
   * @returns The matching keys.
   *
   * @example
   * ```ts
   * import { Subscription, SubscriptionIndex } from "@hat/eventer/event";
   * import assert from "node:assert/strict";
   *
   * const index = new SubscriptionIndex<number>();
   * index.add(1, new Subscription([["a", "?"], ["?", "b"]]));
   * assert.deepEqual(index.match(["a", "b"]), [1]);
   * ```
   */
  match(eventType: EventType): K[] {
    const found: Set<K>[] = [];
    collect(this.#root, eventType, 0, found);
    if (found.length === 0) return [];
    if (found.length === 1) return Array.from(found[0]);
    const keys = new Set<K>(found[0]);
    for (let i = 1; i < found.length; i++) {
      for (const k of found[i]) keys.add(k);
    }
    return Array.from(keys);
  }

  #insert(key: K, q: QueryType): void {
    let node = this.#root;
    node.count++;
    const n = q.length;
    for (let i = 0; i < n; i++) {
      const seg = q[i];
      if (seg === "*") {
        (node.star ??= new Set()).add(key);
        return;
      }
      let next: IndexNode<K> | undefined;
      if (seg === "?") {
        next = node.any ??= newNode();
      } else {
        const children: Map<string, IndexNode<K>> = node.children ??= new Map();
        next = children.get(seg);
        if (next === undefined) {
          next = newNode();
          children.set(seg, next);
        }
      }
      node = next;
      node.count++;
    }
    (node.leaf ??= new Set()).add(key);
  }

  #remove(key: K, q: QueryType): void {
    // Every node on the path exists: the query type was inserted.
    let node = this.#root;
    node.count--;
    const n = q.length;
    for (let i = 0; i < n; i++) {
      const seg = q[i];
      if (seg === "*") {
        const star = node.star!;
        star.delete(key);
        if (star.size === 0) node.star = null;
        return;
      }
      let next: IndexNode<K>;
      if (seg === "?") {
        next = node.any!;
        if (next.count === 1) {
          node.any = null;
          return;
        }
      } else {
        next = node.children!.get(seg)!;
        if (next.count === 1) {
          node.children!.delete(seg);
          if (node.children!.size === 0) node.children = null;
          return;
        }
      }
      node = next;
      node.count--;
    }
    const leaf = node.leaf!;
    leaf.delete(key);
    if (leaf.size === 0) node.leaf = null;
  }
}

function collect<K>(
  node: IndexNode<K>,
  e: EventType,
  i: number,
  out: Set<K>[],
): void {
  const n = e.length;
  for (;;) {
    if (node.star !== null) out.push(node.star);
    if (i === n) {
      if (node.leaf !== null) out.push(node.leaf);
      return;
    }
    const child = node.children === null ? undefined : node.children.get(e[i]);
    const any = node.any;
    i++;
    if (child === undefined) {
      if (any === null) return;
      node = any;
    } else {
      if (any !== null) collect(any, e, i, out);
      node = child;
    }
  }
}
