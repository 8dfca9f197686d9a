// Compiles resolved types into decode functions. They check everything the
// error path checks (`_explain.ts` decodes again with paths to report it),
// but only carry offsets: the repository builds the message on failure.

import type { ResolvedNamed, ResolvedType } from "./ast.ts";
import { minSize } from "./_graph.ts";
import { MAX_DEPTH } from "./_encode.ts";
import { Reader } from "./reader.ts";
import { recordDecoder } from "./_codegen.ts";

/** Most zero-byte items (e.g. `Array(None)` elements) one decode may make. */
export const MAX_EMPTY_ITEMS = 65536;

/** A reader with the per-decode limits. */
export class DecodeReader extends Reader {
  /** Current nesting of recursive named types. */
  depth = 0;
  /** Zero-byte items decoded so far. */
  empty = 0;

  /** Counts `n` zero-byte items against {@linkcode MAX_EMPTY_ITEMS}. */
  countEmpty(n: number, path: string, at: number): void {
    this.empty += n;
    if (this.empty > MAX_EMPTY_ITEMS) {
      this.fail(
        "limit",
        path,
        `more than ${MAX_EMPTY_ITEMS} zero-byte items in one value`,
        at,
      );
    }
  }

  /** Enters a recursive named type. */
  enter(path: string): void {
    if (++this.depth > MAX_DEPTH) {
      this.fail("limit", path, `recursive types nest deeper than ${MAX_DEPTH}`);
    }
  }
}

/** Decodes one value from the reader. */
export type DecodeFn = (r: DecodeReader) => unknown;

const decodeNone: DecodeFn = () => null;
const decodeBoolean: DecodeFn = (r) => r.boolean("");
const decodeInteger: DecodeFn = (r) => r.integer("");
const decodeFloat: DecodeFn = (r) => r.float("");
const decodeString: DecodeFn = (r) => r.string("");
const decodeBytes: DecodeFn = (r) => r.bytesCopy("");

/** Compiles decoders, once per named type. */
export class DecoderCompiler {
  #sizes: ReadonlyMap<ResolvedNamed, number>;
  #recursive: ReadonlySet<ResolvedNamed>;
  #done = new Map<ResolvedNamed, DecodeFn>();
  #pending = new Map<ResolvedNamed, { fn: DecodeFn | undefined }>();

  constructor(
    sizes: ReadonlyMap<ResolvedNamed, number>,
    recursive: ReadonlySet<ResolvedNamed>,
  ) {
    this.#sizes = sizes;
    this.#recursive = recursive;
  }

  compile(t: ResolvedType): DecodeFn {
    switch (t.kind) {
      case "none":
        return decodeNone;
      case "boolean":
        return decodeBoolean;
      case "integer":
        return decodeInteger;
      case "float":
        return decodeFloat;
      case "string":
        return decodeString;
      case "bytes":
        return decodeBytes;
      case "array":
        return this.#array(this.compile(t.item), minSize(t.item, this.#sizes));
      case "record":
        return this.#record(
          t.entries.map((e) => e.name),
          t.entries.map((e) => this.compile(e.type)),
        );
      case "choice":
        return this.#choice(
          t.entries.map((e) => e.name),
          t.entries.map((e) => this.compile(e.type)),
        );
      case "named":
        return this.#named(t);
    }
  }

  #named(t: ResolvedNamed): DecodeFn {
    const done = this.#done.get(t);
    if (done !== undefined) return done;
    const pending = this.#pending.get(t);
    if (pending !== undefined) return (r) => pending.fn!(r);
    const slot: { fn: DecodeFn | undefined } = { fn: undefined };
    this.#pending.set(t, slot);
    const inner = this.compile(t.type);
    let fn = inner;
    if (this.#recursive.has(t)) {
      // Depth is reset by the repository before each top-level decode.
      fn = (r) => {
        r.enter("");
        const v = inner(r);
        r.depth--;
        return v;
      };
    }
    slot.fn = fn;
    this.#pending.delete(t);
    this.#done.set(t, fn);
    return fn;
  }

  #array(item: DecodeFn, unit: number): DecodeFn {
    if (unit === 0) {
      return (r) => {
        const at = r.pos;
        const n = r.length("", 0);
        r.countEmpty(n, "", at);
        const a: unknown[] = [];
        for (let i = 0; i < n; i++) a.push(item(r));
        return a;
      };
    }
    return (r) => {
      const n = r.length("", unit);
      // n is bounded by the remaining input, so preallocating is safe.
      const a: unknown[] = [];
      for (let i = 0; i < n; i++) a.push(item(r));
      return a;
    };
  }

  #record(names: string[], fns: DecodeFn[]): DecodeFn {
    const generated = recordDecoder(names, fns);
    if (generated !== undefined) return generated;
    const n = names.length;
    return (r) => {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) o[names[i]] = fns[i](r);
      return o;
    };
  }

  #choice(names: string[], fns: DecodeFn[]): DecodeFn {
    const n = names.length;
    return (r) => {
      const at = r.pos;
      let i: number | bigint;
      // One-byte indexes (0 to 63) are the common case.
      if (at < r.end && r.bytes[at] >= 0x80 && r.bytes[at] < 0xc0) {
        i = r.bytes[at] & 0x3f;
        r.pos = at + 1;
      } else {
        i = r.integer("");
      }
      if (typeof i !== "number" || i < 0 || i >= n) {
        return r.fail("choice", "", `unknown choice index ${i}`, at);
      }
      return [names[i], fns[i](r)];
    };
  }
}
