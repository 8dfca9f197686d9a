// Event types interned to small integer ids: storages keep and filter ids,
// not arrays of strings. Lookup walks a trie of Maps, one step per segment.

import {
  type EventType,
  matchesQueryType,
  type QueryType,
} from "../../../event/mod.ts";
import type { TypeChild } from "../storage.ts";

interface Node {
  id: number;
  children: Map<string, Node> | null;
}

/** A predicate over type ids; `null` stands for "every type". */
export type TypeFilter = ((typeId: number) => boolean) | null;

/**
 * A test of ascending type-id lists (a chunk's types): whether one holds a
 * matching type; `null` stands for "every list".
 */
export type TypeListTest = ((types: Uint32Array) => boolean) | null;

/** Up to this many matching types are looked up in a list by bisection. */
const FEW_TYPES = 64;

/**
 * Whether the ascending type ids `types` (a chunk's) hold any of the
 * ascending `ids`: a binary search per id, for a query's few types.
 */
export function holdsAny(types: Uint32Array, ids: Uint32Array): boolean {
  let from = 0;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    let lo = from, hi = types.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (types[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    if (lo < types.length && types[lo] === id) return true;
    from = lo;
  }
  return false;
}

/** Interned event types. */
export class TypeRegistry {
  #root: Node = { id: -1, children: null };
  #types: EventType[] = [];

  /** Number of ids handed out (ids are `0 .. size - 1`). */
  get size(): number {
    return this.#types.length;
  }

  /** The type of an id. */
  type(id: number): EventType {
    return this.#types[id];
  }

  /** The id of a type, or -1 when it was never interned. */
  find(type: EventType): number {
    let node = this.#root;
    for (let i = 0; i < type.length; i++) {
      const next = node.children?.get(type[i]);
      if (next === undefined) return -1;
      node = next;
    }
    return node.id;
  }

  /**
   * The next segments of the interned types that start with `prefix`, in
   * the order they were first seen.
   */
  children(prefix: EventType): TypeChild[] {
    let node = this.#root;
    for (let i = 0; i < prefix.length; i++) {
      const next = node.children?.get(prefix[i]);
      if (next === undefined) return [];
      node = next;
    }
    const out: TypeChild[] = [];
    if (node.children === null) return out;
    for (const [segment, child] of node.children) {
      out.push({
        segment,
        isType: child.id >= 0,
        children: child.children?.size ?? 0,
      });
    }
    return out;
  }

  /** The id of a type, interning it (a frozen copy) when new. */
  intern(type: EventType): number {
    let node = this.#root;
    for (let i = 0; i < type.length; i++) {
      const seg = type[i];
      if (node.children === null) node.children = new Map();
      let next = node.children.get(seg);
      if (next === undefined) {
        next = { id: -1, children: null };
        node.children.set(seg, next);
      }
      node = next;
    }
    if (node.id < 0) {
      node.id = this.#types.length;
      this.#types.push(Object.freeze([...type]));
    }
    return node.id;
  }

  /**
   * The ids of the interned types matching any of `queryTypes`, ascending,
   * found by walking the trie (only the branches the query names); `null`
   * when more than `max` match (or every type does), for which a
   * {@linkcode TypeRegistry.filter} predicate serves better.
   */
  ids(
    queryTypes: readonly QueryType[] | null | undefined,
    max: number,
  ): Uint32Array | null {
    if (queryTypes === null || queryTypes === undefined) return null;
    const found = new Set<number>();
    const add = (id: number) => {
      if (id >= 0) found.add(id);
      return found.size <= max;
    };
    const subtree = (node: Node): boolean => {
      if (!add(node.id)) return false;
      if (node.children !== null) {
        for (const child of node.children.values()) {
          if (!subtree(child)) return false;
        }
      }
      return true;
    };
    const walk = (node: Node, q: QueryType, i: number): boolean => {
      if (i === q.length) return add(node.id);
      const seg = q[i];
      if (seg === "*") return subtree(node);
      if (node.children === null) return true;
      if (seg !== "?") {
        const next = node.children.get(seg);
        return next === undefined || walk(next, q, i + 1);
      }
      for (const child of node.children.values()) {
        if (!walk(child, q, i + 1)) return false;
      }
      return true;
    };
    for (const q of queryTypes) {
      if (!walk(this.#root, q, 0)) return null;
    }
    return Uint32Array.from(found).sort();
  }

  /**
   * A test of chunks' type lists for `queryTypes` (`null`: every type),
   * for one query or cleanup step: a list is looked at once however many
   * chunks share it (consecutive chunks of steady traffic do), by
   * bisection for each of the few matching ids when they are few, else by
   * the {@linkcode TypeRegistry.filter} predicate over its ids. Testing
   * every type of every chunk made type-filtered queries and retention
   * steps grow with the store.
   */
  listTest(queryTypes: readonly QueryType[] | null | undefined): TypeListTest {
    const filter = this.filter(queryTypes);
    if (filter === null) return null;
    const ids = this.ids(queryTypes, FEW_TYPES);
    const test = ids !== null
      ? (list: Uint32Array) => holdsAny(list, ids)
      : (list: Uint32Array) => list.some(filter);
    const held = new Map<Uint32Array, boolean>();
    return (list) => {
      let yes = held.get(list);
      if (yes === undefined) held.set(list, yes = test(list));
      return yes;
    };
  }

  /**
   * A predicate telling whether a type id matches any of `queryTypes`
   * (`null`: every type; `[]`: none), remembering answers per id.
   */
  filter(queryTypes: readonly QueryType[] | null | undefined): TypeFilter {
    if (queryTypes === null || queryTypes === undefined) return null;
    if (queryTypes.some((q) => q.length === 1 && q[0] === "*")) return null;
    const known = new Uint8Array(Math.max(16, this.#types.length * 2));
    let cache = known;
    const types = this.#types;
    return (id) => {
      if (id >= cache.length) {
        const grown = new Uint8Array(Math.max(id + 1, cache.length * 2));
        grown.set(cache);
        cache = grown;
      }
      const c = cache[id];
      if (c !== 0) return c === 1;
      const type = types[id];
      const yes = queryTypes.some((q) => matchesQueryType(type, q));
      cache[id] = yes ? 1 : 2;
      return yes;
    };
  }
}
