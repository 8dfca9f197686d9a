// The tree of event types for the page, one level at a time: the next
// segments under a prefix (from the storage, in the order they were first
// registered), sorted naturally (`dev2` before `dev10`), filtered by a
// substring and paged, so that a level with 100,000 segments is shown 200
// at a time. The sort order of a level is kept and extended by the
// segments added since (the storage lists them last), so a growing level
// is not sorted again from scratch for every page.

import type { EventType } from "../../event/mod.ts";
import type { Storage, TypeChild } from "../storage/mod.ts";
import type { WebTypeList } from "./web_protocol.ts";

/** Sort orders kept (levels recently listed). */
const KEPT = 16;

interface Order {
  /** Natural sort key of each child, by its index in the storage's list. */
  keys: string[];
  /** Indexes into the storage's list, in natural order. */
  sorted: number[];
}

/** A sort key comparing digit runs by value (up to 20 digits). */
function naturalKey(segment: string): string {
  return segment.replace(
    /\d+/g,
    (d) => d.length >= 20 ? d : d.padStart(20, "0"),
  );
}

/** Sort orders of recently listed levels of the type tree. */
export class TypeLists {
  #orders = new Map<string, Order>();

  /**
   * One page of the children under `prefix`.
   *
   * @param storage Where the types are.
   * @param prefix The level's path.
   * @param offset Children to skip (after filtering).
   * @param limit Most children to give.
   * @param match Only children whose segment holds this text ("": all).
   */
  list(
    storage: Storage,
    prefix: EventType,
    offset: number,
    limit: number,
    match: string,
  ): WebTypeList {
    const children = storage.typeChildren(prefix);
    const order = this.#order(JSON.stringify(prefix), children);
    let ids = order.sorted;
    if (match !== "") {
      const needle = match.toLowerCase();
      ids = ids.filter((i) =>
        children[i].segment.toLowerCase().includes(needle)
      );
    }
    return {
      children: ids.slice(offset, offset + limit).map((i) => children[i]),
      total: ids.length,
    };
  }

  #order(key: string, children: TypeChild[]): Order {
    let order = this.#orders.get(key);
    if (order !== undefined) this.#orders.delete(key);
    order ??= { keys: [], sorted: [] };
    this.#orders.set(key, order);
    if (this.#orders.size > KEPT) {
      this.#orders.delete(this.#orders.keys().next().value!);
    }
    const known = order.keys.length;
    if (children.length === known) return order;
    const added: number[] = [];
    for (let i = known; i < children.length; i++) {
      order.keys.push(naturalKey(children[i].segment));
      added.push(i);
    }
    const keys = order.keys;
    const cmp = (a: number, b: number) =>
      keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b;
    added.sort(cmp);
    order.sorted = merge(order.sorted, added, cmp);
    return order;
  }
}

function merge(
  a: number[],
  b: number[],
  cmp: (x: number, y: number) => number,
): number[] {
  if (a.length === 0) return b;
  const out = new Array<number>(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) {
    out[k++] = cmp(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  }
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
