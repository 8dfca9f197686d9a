// A trie of query types over segments: literal children, one `?` child and
// flags for a query type ending here (`leaf`) or ending here with `*`
// (`star`). Matching follows both the literal and the `?` child, so its
// cost depends on the depth of the event type, not on the number of query
// types.

import type { EventType, QueryType } from "./types.ts";

export interface TrieNode {
  children: Map<string, TrieNode> | null;
  any: TrieNode | null;
  leaf: boolean;
  star: boolean;
}

export function newNode(): TrieNode {
  return { children: null, any: null, leaf: false, star: false };
}

/** Inserts a valid query type; returns false when it was present already. */
export function insert(root: TrieNode, q: QueryType): boolean {
  let node = root;
  const n = q.length;
  for (let i = 0; i < n; i++) {
    const seg = q[i];
    if (seg === "*") {
      if (node.star) return false;
      node.star = true;
      return true;
    }
    let next: TrieNode | null | undefined;
    if (seg === "?") {
      next = node.any;
      if (next === null) next = node.any = newNode();
    } else {
      if (node.children === null) node.children = new Map();
      next = node.children.get(seg);
      if (next === undefined) {
        next = newNode();
        node.children.set(seg, next);
      }
    }
    node = next;
  }
  if (node.leaf) return false;
  node.leaf = true;
  return true;
}

export function matches(root: TrieNode, e: EventType): boolean {
  return matchFrom(root, e, 0);
}

function matchFrom(node: TrieNode, e: EventType, i: number): boolean {
  const n = e.length;
  for (;;) {
    if (node.star) return true;
    if (i === n) return node.leaf;
    const child = node.children === null ? undefined : node.children.get(e[i]);
    const any = node.any;
    i++;
    if (child === undefined) {
      if (any === null) return false;
      node = any;
    } else {
      if (any !== null && matchFrom(any, e, i)) return true;
      node = child;
    }
  }
}

/**
 * Whether the trie holds a query type other than `q` itself that covers
 * `q`. `dev` tells whether the walk has left `q`'s own path.
 */
export function coveredByOther(
  node: TrieNode,
  q: QueryType,
  i: number,
  dev: boolean,
): boolean {
  if (node.star && (dev || q[i] !== "*")) return true;
  if (i === q.length) return dev && node.leaf;
  const seg = q[i];
  if (seg === "*") return false;
  if (seg === "?") {
    return node.any !== null && coveredByOther(node.any, q, i + 1, dev);
  }
  const child = node.children === null ? undefined : node.children.get(seg);
  if (child !== undefined && coveredByOther(child, q, i + 1, dev)) return true;
  return node.any !== null && coveredByOther(node.any, q, i + 1, true);
}

/** Pushes every query type of the subtree, each prefixed with `prefix`. */
export function collect(
  node: TrieNode,
  prefix: string[],
  out: QueryType[],
): void {
  if (node.leaf) out.push(prefix.slice());
  if (node.star) {
    prefix.push("*");
    out.push(prefix.slice());
    prefix.pop();
  }
  if (node.children !== null) {
    for (const [seg, child] of node.children) {
      prefix.push(seg);
      collect(child, prefix, out);
      prefix.pop();
    }
  }
  if (node.any !== null) {
    prefix.push("?");
    collect(node.any, prefix, out);
    prefix.pop();
  }
}

/**
 * Pushes the intersections of `q[i..]` with every query type of the
 * subtree, each prefixed with `prefix` (the intersection so far). Results
 * may cover one another; the caller normalizes.
 */
export function intersect(
  node: TrieNode,
  q: QueryType,
  i: number,
  prefix: string[],
  out: QueryType[],
): void {
  if (node.star) {
    // Everything below this node intersected with q is covered by this.
    const r = prefix.slice();
    for (let j = i; j < q.length; j++) r.push(q[j]);
    out.push(r);
    return;
  }
  if (i === q.length) {
    if (node.leaf) out.push(prefix.slice());
    return;
  }
  const seg = q[i];
  if (seg === "*") {
    collect(node, prefix, out);
    return;
  }
  if (node.children !== null) {
    if (seg === "?") {
      for (const [s, child] of node.children) {
        prefix.push(s);
        intersect(child, q, i + 1, prefix, out);
        prefix.pop();
      }
    } else {
      const child = node.children.get(seg);
      if (child !== undefined) {
        prefix.push(seg);
        intersect(child, q, i + 1, prefix, out);
        prefix.pop();
      }
    }
  }
  if (node.any !== null) {
    prefix.push(seg);
    intersect(node.any, q, i + 1, prefix, out);
    prefix.pop();
  }
}

/** Whether `q[i..]` intersects some query type of the subtree. */
export function intersects(node: TrieNode, q: QueryType, i: number): boolean {
  if (node.star) return true;
  if (i === q.length) return node.leaf;
  const seg = q[i];
  if (seg === "*") return !isEmpty(node);
  if (node.any !== null && intersects(node.any, q, i + 1)) return true;
  if (node.children === null) return false;
  if (seg !== "?") {
    const child = node.children.get(seg);
    return child !== undefined && intersects(child, q, i + 1);
  }
  for (const child of node.children.values()) {
    if (intersects(child, q, i + 1)) return true;
  }
  return false;
}

function isEmpty(node: TrieNode): boolean {
  return !node.leaf && !node.star && node.any === null &&
    (node.children === null || node.children.size === 0);
}

/** Orders query types segment by segment; a prefix comes first. */
export function compareQueryTypes(a: QueryType, b: QueryType): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}
