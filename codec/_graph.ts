// Facts about the resolved type graph that encoders and decoders share:
// which named types are recursive, and the fewest bytes a value can take.

import type { ResolvedNamed, ResolvedType } from "./ast.ts";

/** Named types that can contain themselves (lie on a cycle). */
export function recursiveNodes(
  nodes: Iterable<ResolvedNamed>,
): Set<ResolvedNamed> {
  const result = new Set<ResolvedNamed>();
  for (const node of nodes) {
    const seen = new Set<ResolvedNamed>();
    const stack: ResolvedType[] = [node.type];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (t.kind === "named") {
        if (t === node) {
          result.add(node);
          break;
        }
        if (!seen.has(t)) {
          seen.add(t);
          stack.push(t.type);
        }
      } else if (t.kind === "array") {
        stack.push(t.item);
      } else if (t.kind === "record" || t.kind === "choice") {
        for (const e of t.entries) stack.push(e.type);
      }
    }
  }
  return result;
}

/**
 * Fewest bytes any value of each named type encodes to (`Infinity` for a
 * type with no finite value), by fixed-point iteration over the cycles.
 */
export function minSizes(
  nodes: Iterable<ResolvedNamed>,
): Map<ResolvedNamed, number> {
  const all = [...nodes];
  const sizes = new Map<ResolvedNamed, number>();
  for (const n of all) sizes.set(n, Infinity);
  for (let round = 0; round <= all.length + 1; round++) {
    let changed = false;
    for (const n of all) {
      const s = minSize(n.type, sizes);
      if (s < sizes.get(n)!) {
        sizes.set(n, s);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return sizes;
}

/** Fewest bytes a value of `t` encodes to, given the sizes of named types. */
export function minSize(
  t: ResolvedType,
  sizes: ReadonlyMap<ResolvedNamed, number>,
): number {
  switch (t.kind) {
    case "none":
      return 0;
    case "float":
      return 8;
    case "boolean":
    case "integer":
    case "string":
    case "bytes":
    case "array":
      return 1;
    case "record": {
      let s = 0;
      for (const e of t.entries) s += minSize(e.type, sizes);
      return s;
    }
    case "choice": {
      let s = Infinity;
      for (const e of t.entries) s = Math.min(s, minSize(e.type, sizes));
      return 1 + s;
    }
    case "named":
      return sizes.get(t) ?? Infinity;
  }
}
