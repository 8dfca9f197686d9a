// Compiles a resolved type graph into the program that the Wasm scanner
// walks (an Int32Array of nodes, layout in assembly/scan.ts) and into
// the parallel graph of TapeNodes that the tape readers in TypeScript walk.
// Both follow the rules of the TypeScript decoder: array counts are checked
// against the fewest bytes an item takes, recursive named types count
// against the nesting limit, zero-byte items against their own limit.

import type { ResolvedNamed, ResolvedType } from "../ast.ts";
import { minSize, minSizes, recursiveNodes } from "../_graph.ts";
import { MAX_DEPTH } from "../_encode.ts";
import { MAX_EMPTY_ITEMS } from "../_decode.ts";

export { MAX_DEPTH, MAX_EMPTY_ITEMS };

/** Opcodes of program nodes (must match assembly/scan.ts). */
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

/** What every node has. */
interface NodeBase {
  /** Index of the node in the program. */
  index: number;
  /** Tape slots of a value when they are fixed, else -1. */
  slots: number;
  /** The tape reader, once compiled (see _tape.ts). */
  fn: unknown;
  /** Steps over a value on the tape, once known (see _tape_walk.ts). */
  steps: number[] | null | undefined;
}

/** A node of a compiled type, as the tape readers see it. */
export type TapeNode =
  | NodeBase & { readonly kind: "none" | "boolean" | "integer" | "float" }
  | NodeBase & { readonly kind: "string" | "bytes" }
  | NodeBase & { readonly kind: "array"; item: TapeNode; unit: number }
  | TapeFields
  | NodeBase & { readonly kind: "enter"; name: string; type: TapeNode };

/** A Record or Choice node: entry names and types in schema order. */
export interface TapeFields extends NodeBase {
  /** Discriminant. */
  readonly kind: "record" | "choice";
  /** Entry names. */
  names: readonly string[];
  /** Entry types. */
  types: TapeNode[];
  /** Entry index by name. */
  lookup: ReadonlyMap<string, number>;
}

// Every node has every field, in one order, so that they share one shape.
function node(kind: TapeNode["kind"], index: number): TapeNode {
  return {
    kind,
    index,
    slots: -1,
    fn: undefined,
    steps: undefined,
    item: undefined,
    unit: 0,
    names: undefined,
    types: undefined,
    lookup: undefined,
    type: undefined,
    name: undefined,
  } as unknown as TapeNode;
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

function fixedSlots(node: TapeNode, seen: Set<TapeNode>): number {
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
      if (seen.has(node)) return -1;
      seen.add(node);
      let n = 0;
      for (const t of node.types) {
        const s = fixedSlots(t, seen);
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
        const n = node("enter", index) as TapeNode & { kind: "enter" };
        n.name = t.name;
        nodes.set(t, n);
        n.type = emit(t.type);
        code[index + 1] = n.type.index;
        return n;
      }
      case "array": {
        const index = code.length;
        const unit = minSize(t.item, sizes);
        code.push(OP.array, 0, unit === Infinity ? UNIT_INFINITE : unit);
        const n = node("array", index) as TapeNode & { kind: "array" };
        n.unit = unit;
        nodes.set(t, n);
        n.item = emit(t.item);
        code[index + 1] = n.item.index;
        return n;
      }
      case "record":
      case "choice": {
        const index = code.length;
        code.push(OP[t.kind], t.entries.length);
        for (let i = 0; i < t.entries.length; i++) code.push(0);
        const n = node(t.kind, index) as TapeFields;
        n.names = t.entries.map((e) => e.name);
        n.types = [];
        n.lookup = new Map(n.names.map((name, i) => [name, i]));
        nodes.set(t, n);
        t.entries.forEach((e, i) => {
          const child = emit(e.type);
          n.types.push(child);
          code[index + 2 + i] = child.index;
        });
        return n;
      }
      default: {
        const n = node(t.kind, code.length);
        code.push(OP[t.kind]);
        nodes.set(t, n);
        return n;
      }
    }
  };
  const rootNode = emit(root);
  for (const n of nodes.values()) n.slots = fixedSlots(n, new Set());
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
