// The slow path for errors: walks a value (encode) or the bytes (decode)
// again, interpreting the type graph and keeping the path of every value, to
// report where a compiled encoder or decoder failed. It makes the same
// checks, in the same order, as `_encode.ts` and `_decode.ts`.

import type { ResolvedNamed, ResolvedType } from "./ast.ts";
import { MAX_DEPTH } from "./_encode.ts";
import type { DecodeReader } from "./_decode.ts";
import { minSize } from "./_graph.ts";
import { SbsEncodeError } from "./errors.ts";
import { typeName } from "./_resolve.ts";

/** Names what a JavaScript value is, for error messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `array of length ${v.length}`;
  if (v instanceof Uint8Array) return "Uint8Array";
  switch (typeof v) {
    case "number":
      if (Number.isNaN(v)) return "NaN";
      if (!Number.isFinite(v)) return `${v}`;
      if (!Number.isInteger(v)) return `non-integer number ${v}`;
      if (!Number.isSafeInteger(v)) return `unsafe integer ${v} (use a bigint)`;
      return "number";
    case "string":
      return v.isWellFormed() ? "string" : "string with a lone surrogate";
    case "object":
      return "object";
    default:
      return typeof v;
  }
}

/** Finds why `value` does not fit `type`; `undefined` when it fits. */
export function explainEncode(
  type: ResolvedType,
  value: unknown,
  path: string,
  recursive: ReadonlySet<ResolvedNamed>,
): SbsEncodeError | undefined {
  let depth = 0;
  const fail = (p: string, t: ResolvedType, v: unknown) =>
    new SbsEncodeError(p, `expected ${typeName(t)}, got ${describe(v)}`);
  const walk = (
    t: ResolvedType,
    v: unknown,
    p: string,
  ): SbsEncodeError | undefined => {
    switch (t.kind) {
      case "none":
        return v === null ? undefined : fail(p, t, v);
      case "boolean":
        return typeof v === "boolean" ? undefined : fail(p, t, v);
      case "integer":
        return typeof v === "bigint" || Number.isSafeInteger(v)
          ? undefined
          : fail(p, t, v);
      case "float":
        return typeof v === "number" ? undefined : fail(p, t, v);
      case "string":
        return typeof v === "string" && v.isWellFormed()
          ? undefined
          : fail(p, t, v);
      case "bytes":
        return v instanceof Uint8Array ? undefined : fail(p, t, v);
      case "array":
        if (!Array.isArray(v)) return fail(p, t, v);
        for (let i = 0; i < v.length; i++) {
          const e = walk(t.item, v[i], `${p}[${i}]`);
          if (e !== undefined) return e;
        }
        return undefined;
      case "record": {
        if (
          typeof v !== "object" || v === null || Array.isArray(v) ||
          v instanceof Uint8Array
        ) {
          return new SbsEncodeError(
            p,
            `expected Record (a plain object), got ${describe(v)}`,
          );
        }
        const o = v as Record<string, unknown>;
        for (const entry of t.entries) {
          const q = `${p}.${entry.name}`;
          if (!(entry.name in o)) {
            return new SbsEncodeError(q, `missing Record entry`);
          }
          const e = walk(entry.type, o[entry.name], q);
          if (e !== undefined) return e;
        }
        return undefined;
      }
      case "choice": {
        const names = t.entries.map((e) => e.name);
        if (!Array.isArray(v) || v.length !== 2) {
          return new SbsEncodeError(
            p,
            `expected Choice ([name, value] with name one of ${
              names.join(", ")
            }), got ${describe(v)}`,
          );
        }
        const entry = t.entries.find((e) => e.name === v[0]);
        if (entry === undefined) {
          return new SbsEncodeError(
            p,
            `unknown Choice entry ${JSON.stringify(String(v[0]))}` +
              ` (expected one of ${names.join(", ")})`,
          );
        }
        return walk(entry.type, v[1], `${p}.${entry.name}`);
      }
      case "named": {
        if (!recursive.has(t)) return walk(t.type, v, p);
        if (++depth > MAX_DEPTH) {
          return new SbsEncodeError(
            p,
            `recursive types nest deeper than ${MAX_DEPTH} (a cyclic value?)`,
          );
        }
        const e = walk(t.type, v, p);
        depth--;
        return e;
      }
    }
  };
  return walk(type, value, path);
}

/**
 * Decodes `r` as `type` like the compiled decoder, throwing the
 * SbsDecodeError with the path of the value where the input is malformed.
 */
export function explainDecode(
  type: ResolvedType,
  r: DecodeReader,
  path: string,
  sizes: ReadonlyMap<ResolvedNamed, number>,
  recursive: ReadonlySet<ResolvedNamed>,
): void {
  const walk = (t: ResolvedType, p: string): void => {
    switch (t.kind) {
      case "none":
        return;
      case "boolean":
        r.boolean(p);
        return;
      case "integer":
        r.integer(p);
        return;
      case "float":
        r.float(p);
        return;
      case "string":
        r.string(p);
        return;
      case "bytes":
        r.bytesView(p);
        return;
      case "array": {
        const unit = minSize(t.item, sizes);
        const at = r.pos;
        const n = r.length(p, unit);
        if (unit === 0) r.countEmpty(n, p, at);
        for (let i = 0; i < n; i++) walk(t.item, `${p}[${i}]`);
        return;
      }
      case "record":
        for (const e of t.entries) walk(e.type, `${p}.${e.name}`);
        return;
      case "choice": {
        const at = r.pos;
        const i = r.integer(p);
        if (typeof i !== "number" || i < 0 || i >= t.entries.length) {
          r.fail("choice", p, `unknown choice index ${i}`, at);
        }
        const e = t.entries[i];
        walk(e.type, `${p}.${e.name}`);
        return;
      }
      case "named":
        if (recursive.has(t)) {
          r.enter(p);
          walk(t.type, p);
          r.depth--;
        } else {
          walk(t.type, p);
        }
        return;
    }
  };
  walk(type, path);
}
