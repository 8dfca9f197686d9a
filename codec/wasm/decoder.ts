/**
 * {@linkcode WasmDecoder}: SBS decoding through the WebAssembly scanner. One
 * Wasm call per message validates the bytes and leaves a tape of offsets;
 * values are then built from the tape, all at once (`decode`) or as they are
 * read (`decodeLazy`).
 *
 * @module
 */

import type { ResolvedType } from "../ast.ts";
import { SbsDecodeError, type SbsDecodeReason } from "../errors.ts";
import {
  compileProgram,
  MAX_DEPTH,
  MAX_EMPTY_ITEMS,
  type Program,
} from "./_program.ts";
import { type LazyValue, lazyValue } from "./lazy.ts";
import { type TapeCursor, tapeDecoder } from "./_tape.ts";
import type { SbsValue } from "../value.ts";
import { SbsWasm } from "./_instance.ts";

/** Where a {@linkcode WasmDecoder} finds types: a `Repository`. */
export interface TypeSource {
  /** The resolved type of `Module.Type`. */
  resolve(type: string): ResolvedType;
  /** The TypeScript decoder, used when the Wasm one runs out of memory. */
  decode?(type: string, bytes: Uint8Array): unknown;
}

/** Options of {@linkcode WasmDecoder}. */
export interface WasmDecoderOptions {
  /**
   * Wasm memory, in bytes, kept between calls: after a call that left more
   * (a large message), the Wasm instance is replaced by a fresh one.
   *
   * @default 16 MiB
   */
  retainBytes?: number;
  /**
   * Scan with WebAssembly code written for each type (once, when the type
   * is first decoded) rather than with the generic interpreter; both accept
   * exactly the same inputs.
   *
   * @default true
   */
  specialize?: boolean;
}

const EMPTY_TAPE = new Int32Array(0);
const EMPTY_BYTES = new Uint8Array(0);

const PROBLEMS: Record<SbsDecodeReason, string> = {
  truncated: "input ends inside the value",
  length: "invalid length, or a length beyond the remaining bytes",
  choice: "unknown choice index",
  utf8: "invalid UTF-8 in String",
  trailing: "bytes after the value",
  limit: "a decoding limit is exceeded",
};

/**
 * Decodes SBS through the WebAssembly scanner, with the same acceptance
 * rules and the same values as the TypeScript decoder of a `Repository`.
 *
 * Wasm memory is reused between calls; after a call that left more than
 * `retainBytes` (default 16 MiB) the instance is replaced by a fresh one, so
 * one large message does not keep its memory.
 *
 * @example
 * ```ts
 * import { Repository, WasmDecoder } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const repo = new Repository("module M\nP = Record { a: String, b: Array(Integer) }");
 * const bytes = repo.encode("M.P", { a: "x", b: [1, -1] });
 * const wasm = new WasmDecoder(repo);
 * assert.deepEqual(wasm.decode("M.P", bytes), { a: "x", b: [1, -1] });
 * ```
 */
export class WasmDecoder {
  #types: TypeSource;
  #wasm: SbsWasm;
  #programs = new Map<string, Program>();
  #cursor: TapeCursor = { tape: EMPTY_TAPE, t: 0, bytes: EMPTY_BYTES };
  #limits = { depth: MAX_DEPTH, empty: MAX_EMPTY_ITEMS, trailing: false };

  /**
   * Creates a decoder for the types of a repository.
   *
   * @param types Where types are resolved (a `Repository`).
   * @param options Memory policy.
   */
  constructor(types: TypeSource, options: WasmDecoderOptions = {}) {
    this.#types = types;
    this.#wasm = new SbsWasm(options);
  }

  /** Bytes of Wasm memory held now. */
  get memoryBytes(): number {
    return this.#wasm.memoryBytes;
  }

  #program(type: string): Program {
    let p = this.#programs.get(type);
    if (p === undefined) {
      p = compileProgram(this.#types.resolve(type), type);
      this.#programs.set(type, p);
    }
    return p;
  }

  #scan(type: string, bytes: Uint8Array): Program | "memory" {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot decode ${type}: expected a Uint8Array, got ${typeof bytes}`,
      );
    }
    const program = this.#program(type);
    const n = this.#wasm.scan(program, bytes, this.#limits);
    if (typeof n === "number") return program;
    if (n !== "memory") {
      this.#wasm.release();
      throw new SbsDecodeError(n, type, this.#wasm.errorOffset, PROBLEMS[n]);
    }
    this.#wasm.release();
    return n;
  }

  /**
   * Checks that `bytes` is one well-formed value of a type, without
   * building it.
   *
   * @param type Type name, `Module.Type`.
   * @param bytes The encoding.
   * @throws {SbsDecodeError} As the decoder would (same reason and offset).
   *
   * @example
   * ```ts
   * import { Repository, SbsDecodeError, WasmDecoder } from "@hat/eventer/codec";
   * import assert from "node:assert/strict";
   *
   * const repo = new Repository("module M\nS = String");
   * const wasm = new WasmDecoder(repo);
   * wasm.validate("M.S", new Uint8Array([0x81, 0x61]));
   * assert.throws(
   *   () => wasm.validate("M.S", new Uint8Array([0x82, 0x61])),
   *   (e) => e instanceof SbsDecodeError && e.reason === "length",
   * );
   * ```
   */
  validate(type: string, bytes: Uint8Array): void {
    if (this.#scan(type, bytes) === "memory") this.#fallback(type, bytes);
    this.#wasm.release();
  }

  /**
   * Decodes the whole of `bytes` as a value of a type: the same value the
   * TypeScript decoder makes (Bytes are copies).
   *
   * @param type Type name, `Module.Type`.
   * @param bytes The encoding.
   * @returns The value.
   * @throws {SbsDecodeError} When the bytes are not one well-formed value.
   */
  decode(type: string, bytes: Uint8Array): SbsValue {
    const program = this.#scan(type, bytes);
    if (program === "memory") return this.#fallback(type, bytes);
    const c = this.#cursor;
    c.tape = this.#wasm.tape;
    c.t = this.#wasm.tapeBase;
    c.bytes = bytes;
    try {
      return tapeDecoder(program.root)(c) as SbsValue;
    } finally {
      c.tape = EMPTY_TAPE;
      c.bytes = EMPTY_BYTES;
      this.#wasm.release();
    }
  }

  /**
   * Validates `bytes` and gives a view of the value whose parts are built
   * when read. Views keep `bytes`: do not change them while in use.
   *
   * @param type Type name, `Module.Type`.
   * @param bytes The encoding.
   * @returns A primitive value, or a `LazyRecord`, `LazyArray` or
   * `LazyChoice`.
   * @throws {SbsDecodeError} When the bytes are not one well-formed value.
   */
  decodeLazy(type: string, bytes: Uint8Array): LazyValue {
    const program = this.#scan(type, bytes);
    if (program === "memory") {
      throw new SbsDecodeError(
        "limit",
        type,
        0,
        "the value does not fit in WebAssembly memory",
      );
    }
    const base = this.#wasm.tapeBase;
    const tape = this.#wasm.tape.slice(base, base + this.#wasm.tapeLength);
    this.#wasm.release();
    return lazyValue(program.root, tape, 0, bytes, 0);
  }

  #fallback(type: string, bytes: Uint8Array): SbsValue {
    if (this.#types.decode === undefined) {
      throw new SbsDecodeError(
        "limit",
        type,
        0,
        "the value does not fit in WebAssembly memory",
      );
    }
    return this.#types.decode(type, bytes) as SbsValue;
  }
}
