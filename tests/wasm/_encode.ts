// A plain encoder over ResolvedType graphs, for tests that run without a
// Repository (it checks nothing: values must fit their types).

import type { ResolvedType } from "../../codec/ast.ts";
import { Writer } from "../../codec/writer.ts";

function write(w: Writer, t: ResolvedType, v: unknown): void {
  switch (t.kind) {
    case "none":
      return;
    case "boolean":
      w.boolean(v as boolean);
      return;
    case "integer":
      w.integer(v as number | bigint);
      return;
    case "float":
      w.float(v as number);
      return;
    case "string":
      w.string(v as string);
      return;
    case "bytes":
      w.bytes(v as Uint8Array);
      return;
    case "array":
      w.integer((v as unknown[]).length);
      for (const x of v as unknown[]) write(w, t.item, x);
      return;
    case "record":
      for (const e of t.entries) {
        write(w, e.type, (v as Record<string, unknown>)[e.name]);
      }
      return;
    case "choice": {
      const [name, x] = v as [string, unknown];
      const i = t.entries.findIndex((e) => e.name === name);
      w.integer(i);
      write(w, t.entries[i].type, x);
      return;
    }
    case "named":
      write(w, t.type, v);
  }
}

/** Encodes `value` as `type`. */
export function encodeGraph(type: ResolvedType, value: unknown): Uint8Array {
  const w = new Writer();
  write(w, type, value);
  return w.finish();
}
