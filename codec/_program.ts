// Compiles a resolved type graph into the program that the Wasm scanner
// walks (an Int32Array of nodes, layout in wasm/assembly/scan.ts) and into
// the parallel graph of TapeNodes that the tape readers in TypeScript walk.
// Both follow the rules of the TypeScript decoder: array counts are checked
// against the fewest bytes an item takes, recursive named types count
// against the nesting limit, zero-byte items against their own limit.

import type { ResolvedNamed, ResolvedType } from "./ast.ts";
import { minSize, minSizes, recursiveNodes } from "./_graph.ts";
import { MAX_DEPTH } from "./_encode.ts";
import { MAX_EMPTY_ITEMS } from "./_decode.ts";

export { MAX_DEPTH, MAX_EMPTY_ITEMS };

/** Opcodes of program nodes (must match wasm/assembly/scan.ts). */
export const OP = {
  none: 0,
  boolean: 1,
  integer: 2,
  float: 3,
  string: 4,
  bytes: 5,
  array: 6,
  record: 7,
  choice: 8,
  enter: 9,
} as const;

/** Unit stored for item types that have no finite value. */
const UNIT_INFINITE = 0x7fffffff;

/** A node of a compiled type, as the tape readers see it. */
export type TapeNode =
  | { readonly kind: "none" | "boolean" | "integer" | "float"; index: number }
  | { readonly kind: "string" | "bytes"; index: number }
  | { readonly kind: "array"; index: number; item: TapeNode; unit: number }
  | TapeFields
  | { readonly kind: "enter"; index: number; name: string; type: TapeNode };

/** A Record or Choice node: entry names and types in schema order. */
export interface TapeFields {
  /** Discriminant. */
  readonly kind: "record" | "choice";
  /** Index of the node in the program. */
  index: number;
  /** Entry names. */
  names: readonly string[];
  /** Entry types. */
  types: TapeNode[];
}

/** A compiled type: the Wasm program and the root of its node graph. */
export interface Program {
  /** Program nodes, written into Wasm memory once. */
  readonly code: Int32Array;
  /** The root node. */
  readonly root: TapeNode;
  /** Type name, for messages. */
  readonly name: string;
}

/** Tape slots of a node's value when they are fixed, else -1. */
export function fixedSlots(node: TapeNode): number {
  switch (node.kind) {
    case "none":
      return 0;
    case "boolean":
      return 1;
    case "integer":
    case "float":
    case "bytes":
      return 2;
    case "string":
      return 3;
    case "record": {
      let n = 0;
      for (const t of node.types) {
        const s = fixedSlots(t);
        if (s < 0) return -1;
        n += s;
      }
      return n;
    }
    default:
      return -1;
  }
}

/** Compiles the type `root` (named `name`) into a program. */
export function compileProgram(root: ResolvedType, name: string): Program {
  const named = reachableNamed(root);
  const recursive = recursiveNodes(named);
  const sizes = minSizes(named);
  const code: number[] = [];
  const nodes = new Map<ResolvedType, TapeNode>();

  const emit = (t: ResolvedType): TapeNode => {
    const done = nodes.get(t);
    if (done !== undefined) return done;
    switch (t.kind) {
      case "named": {
        if (!recursive.has(t)) {
          const inner = emit(t.type);
          nodes.set(t, inner);
          return inner;
        }
        const index = code.length;
        code.push(OP.enter, 0);
        const node: TapeNode = {
          kind: "enter",
          index,
          name: t.name,
          type: undefined as unknown as TapeNode,
        };
        nodes.set(t, node);
        node.type = emit(t.type);
        code[index + 1] = node.type.index;
        return node;
      }
      case "array": {
        const index = code.length;
        const unit = minSize(t.item, sizes);
        code.push(OP.array, 0, unit === Infinity ? UNIT_INFINITE : unit);
        const node: TapeNode = {
          kind: "array",
          index,
          unit,
          item: undefined as unknown as TapeNode,
        };
        nodes.set(t, node);
        node.item = emit(t.item);
        code[index + 1] = node.item.index;
        return node;
      }
      case "record":
      case "choice": {
        const index = code.length;
        code.push(OP[t.kind], t.entries.length);
        for (let i = 0; i < t.entries.length; i++) code.push(0);
        const node: TapeFields = {
          kind: t.kind,
          index,
          names: t.entries.map((e) => e.name),
          types: [],
        };
        nodes.set(t, node);
        t.entries.forEach((e, i) => {
          const child = emit(e.type);
          node.types.push(child);
          code[index + 2 + i] = child.index;
        });
        return node;
      }
      default: {
        const node: TapeNode = { kind: t.kind, index: code.length };
        code.push(OP[t.kind]);
        nodes.set(t, node);
        return node;
      }
    }
  };
  const rootNode = emit(root);
  return { code: Int32Array.from(code), root: rootNode, name };
}

function reachableNamed(root: ResolvedType): ResolvedNamed[] {
  const seen = new Set<ResolvedType>();
  const named: ResolvedNamed[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.kind === "named") {
      named.push(t);
      stack.push(t.type);
    } else if (t.kind === "array") {
      stack.push(t.item);
    } else if (t.kind === "record" || t.kind === "choice") {
      for (const e of t.entries) stack.push(e.type);
    }
  }
  return named;
}
