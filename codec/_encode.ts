// Compiles resolved types into encode functions. The functions check each
// value as they write it and throw a bare Mismatch when it does not fit; the
// repository then walks the value again with `explainEncode` to build the
// SbsEncodeError with the path. The hot path so builds no path strings.

import type { ResolvedNamed, ResolvedType } from "./ast.ts";
import type { Writer } from "./writer.ts";
import { recordEncoder } from "./_codegen.ts";

/** Encodes `v` into `w`, or throws {@linkcode Mismatch}. */
export type EncodeFn = (w: Writer, v: unknown) => void;

/** Thrown by compiled encoders when a value does not fit; carries nothing. */
export class Mismatch {}

/** Deepest nesting of recursive named types in one value. */
export const MAX_DEPTH = 512;

/** Mutable state shared by the encoders of one repository. */
export interface EncodeState {
  /** Current nesting of recursive named types. */
  depth: number;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    !(v instanceof Uint8Array);
}

const encodeNone: EncodeFn = (_w, v) => {
  if (v !== null) throw new Mismatch();
};

const encodeBoolean: EncodeFn = (w, v) => {
  if (v === true) w.byte(1);
  else if (v === false) w.byte(0);
  else throw new Mismatch();
};

const encodeInteger: EncodeFn = (w, v) => {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new Mismatch();
    w.integer(v);
  } else if (typeof v === "bigint") {
    w.integer(v);
  } else {
    throw new Mismatch();
  }
};

const encodeFloat: EncodeFn = (w, v) => {
  if (typeof v !== "number") throw new Mismatch();
  w.float(v);
};

const encodeString: EncodeFn = (w, v) => {
  if (typeof v !== "string" || !w.string(v)) throw new Mismatch();
};

const encodeBytes: EncodeFn = (w, v) => {
  if (!(v instanceof Uint8Array)) throw new Mismatch();
  w.bytes(v);
};

/** Compiles encoders, once per named type. */
export class EncoderCompiler {
  readonly state: EncodeState = { depth: 0 };
  #recursive: ReadonlySet<ResolvedNamed>;
  #done = new Map<ResolvedNamed, EncodeFn>();
  #pending = new Map<ResolvedNamed, { fn: EncodeFn | undefined }>();

  constructor(recursive: ReadonlySet<ResolvedNamed>) {
    this.#recursive = recursive;
  }

  compile(t: ResolvedType): EncodeFn {
    switch (t.kind) {
      case "none":
        return encodeNone;
      case "boolean":
        return encodeBoolean;
      case "integer":
        return encodeInteger;
      case "float":
        return encodeFloat;
      case "string":
        return encodeString;
      case "bytes":
        return encodeBytes;
      case "array":
        return this.#array(this.compile(t.item));
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

  #named(t: ResolvedNamed): EncodeFn {
    const done = this.#done.get(t);
    if (done !== undefined) return done;
    const pending = this.#pending.get(t);
    if (pending !== undefined) {
      // A cycle: call through the slot, filled in once compiled.
      return (w, v) => pending.fn!(w, v);
    }
    const slot: { fn: EncodeFn | undefined } = { fn: undefined };
    this.#pending.set(t, slot);
    const inner = this.compile(t.type);
    let fn = inner;
    if (this.#recursive.has(t)) {
      const state = this.state;
      fn = (w, v) => {
        // Depth is reset by the repository before each top-level encode.
        if (++state.depth > MAX_DEPTH) throw new Mismatch();
        inner(w, v);
        state.depth--;
      };
    }
    slot.fn = fn;
    this.#pending.delete(t);
    this.#done.set(t, fn);
    return fn;
  }

  #array(item: EncodeFn): EncodeFn {
    return (w, v) => {
      if (!Array.isArray(v)) throw new Mismatch();
      const n = v.length;
      w.uint(n);
      for (let i = 0; i < n; i++) item(w, v[i]);
    };
  }

  #record(names: string[], fns: EncodeFn[]): EncodeFn {
    const generated = recordEncoder(names, fns, isPlainObject, Mismatch);
    if (generated !== undefined) return generated;
    const n = names.length;
    switch (n) {
      case 0:
        return (_w, v) => {
          if (!isPlainObject(v)) throw new Mismatch();
        };
      case 1: {
        const [k0] = names;
        const [f0] = fns;
        return (w, v) => {
          if (!isPlainObject(v)) throw new Mismatch();
          f0(w, v[k0]);
        };
      }
      case 2: {
        const [k0, k1] = names;
        const [f0, f1] = fns;
        return (w, v) => {
          if (!isPlainObject(v)) throw new Mismatch();
          f0(w, v[k0]);
          f1(w, v[k1]);
        };
      }
      case 3: {
        const [k0, k1, k2] = names;
        const [f0, f1, f2] = fns;
        return (w, v) => {
          if (!isPlainObject(v)) throw new Mismatch();
          f0(w, v[k0]);
          f1(w, v[k1]);
          f2(w, v[k2]);
        };
      }
      default:
        return (w, v) => {
          if (!isPlainObject(v)) throw new Mismatch();
          for (let i = 0; i < n; i++) fns[i](w, v[names[i]]);
        };
    }
  }

  #choice(names: string[], fns: EncodeFn[]): EncodeFn {
    const n = names.length;
    if (n === 2) {
      const [k0, k1] = names;
      const [f0, f1] = fns;
      return (w, v) => {
        if (!Array.isArray(v) || v.length !== 2) throw new Mismatch();
        const tag = v[0];
        if (tag === k0) {
          w.byte(0x80);
          f0(w, v[1]);
        } else if (tag === k1) {
          w.byte(0x81);
          f1(w, v[1]);
        } else {
          throw new Mismatch();
        }
      };
    }
    if (n <= 8) {
      return (w, v) => {
        if (!Array.isArray(v) || v.length !== 2) throw new Mismatch();
        const tag = v[0];
        for (let i = 0; i < n; i++) {
          if (tag === names[i]) {
            w.byte(0x80 | i);
            fns[i](w, v[1]);
            return;
          }
        }
        throw new Mismatch();
      };
    }
    const index = new Map(names.map((k, i) => [k, i]));
    return (w, v) => {
      if (!Array.isArray(v) || v.length !== 2) throw new Mismatch();
      const i = index.get(v[0]);
      if (i === undefined) throw new Mismatch();
      w.uint(i);
      fns[i](w, v[1]);
    };
  }
}
