/**
 * {@linkcode Repository}: a set of SBS schemas, resolved and compiled, that
 * encodes and decodes values of their types.
 *
 * @module
 */

import type { ResolvedNamed, ResolvedType } from "./ast.ts";
import { type EncodeFn, EncoderCompiler, Mismatch } from "./_encode.ts";
import { type DecodeFn, DecoderCompiler, DecodeReader } from "./_decode.ts";
import { explainDecode, explainEncode } from "./_explain.ts";
import { minSizes, recursiveNodes } from "./_graph.ts";
import { Resolver } from "./_resolve.ts";
import {
  SbsDecodeError,
  SbsEncodeError,
  SbsError,
  SbsSchemaError,
} from "./errors.ts";
import { parseSchema } from "./schema_parser.ts";
import type { SbsValue } from "./value.ts";
import { Writer } from "./writer.ts";

/**
 * SBS schemas resolved into types that encode and decode values.
 *
 * Every reference is resolved when the repository is built: an unknown module
 * or type, or a wrong number of type arguments, throws
 * {@linkcode SbsSchemaError} from the constructor. Each type is compiled once,
 * on first use, into specialized encode and decode functions.
 *
 * Decoding is strict: truncated input, a length or count beyond the
 * remaining bytes, an unknown choice index, invalid UTF-8 and bytes left
 * after the value all throw {@linkcode SbsDecodeError} (the Python reference
 * ignores trailing bytes; this repository does not). As in the reference, a
 * Boolean byte other than 0 decodes as `true` and an Integer may carry
 * redundant leading groups. Recursive types nest at most 512 deep, and one
 * decode makes at most 65536 zero-byte items (such as `Array(None)`
 * elements). Record entries not in the schema are ignored by encode.
 *
 * @example Encode and decode an eventer message
 * ```ts
 * import { Repository } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const repo = new Repository(`
 *   module Demo
 *   Point = Record { x: Integer, y: Integer }
 *   Shape = Choice { dot: Point, line: Array(Point) }
 *   Maybe = Optional(Shape)
 * `);
 * const value = ["value", ["dot", { x: 1, y: -1 }]];
 * const bytes = repo.encode("Demo.Maybe", value);
 * assert.deepEqual(bytes, new Uint8Array([0x81, 0x80, 0x81, 0xff]));
 * assert.deepEqual(repo.decode("Demo.Maybe", bytes), value);
 * ```
 */
export class Repository {
  #named: ReadonlyMap<string, ResolvedNamed>;
  #recursive: ReadonlySet<ResolvedNamed>;
  #sizes: ReadonlyMap<ResolvedNamed, number>;
  #encodeCompiler: EncoderCompiler;
  #decodeCompiler: DecoderCompiler;
  #encoders = new Map<string, EncodeFn>();
  #decoders = new Map<string, DecodeFn>();
  #writer = new Writer(4096);
  #writerBusy = false;

  /**
   * Parses and resolves schema texts, one module each.
   *
   * @param schemas SBS schema texts.
   * @throws {SbsSchemaError} When a text does not parse, a module is given
   * twice, or a reference does not resolve.
   */
  constructor(...schemas: string[]) {
    const modules = schemas.map((text) => parseSchema(text));
    let resolver: Resolver;
    try {
      resolver = new Resolver(modules);
    } catch (e) {
      if (e instanceof SbsError) throw e;
      throw new SbsSchemaError(`cannot resolve the schemas: ${e}`, {
        cause: e,
      });
    }
    this.#named = resolver.named;
    this.#recursive = recursiveNodes(this.#named.values());
    this.#sizes = minSizes(this.#named.values());
    this.#encodeCompiler = new EncoderCompiler(this.#recursive);
    this.#decodeCompiler = new DecoderCompiler(this.#sizes, this.#recursive);
  }

  /**
   * Gives the resolved type of `Module.Type` (instances of parametric types
   * are named like `Prim.Entry(String Integer)`).
   *
   * @param type Type name.
   * @returns The `named` node of the type.
   * @throws {SbsSchemaError} When there is no such type.
   *
   * @example
   * ```ts
   * import { Repository } from "@hat/eventer/codec";
   * import assert from "node:assert/strict";
   *
   * const repo = new Repository("module M\nT = Optional(Integer)");
   * const t = repo.resolve("M.T");
   * assert.equal(t.kind, "named");
   * assert.equal(t.kind === "named" && t.type.kind, "named");
   * ```
   */
  resolve(type: string): ResolvedType {
    const node = this.#named.get(type);
    if (node === undefined) {
      throw new SbsSchemaError(
        `unknown SBS type ${JSON.stringify(type)} (expected Module.Type)`,
      );
    }
    return node;
  }

  /**
   * Encodes a value of a type.
   *
   * @param type Type name, `Module.Type`.
   * @param value A value of the type (see {@linkcode SbsValue}).
   * @returns The encoding, in a buffer of its own.
   * @throws {SbsEncodeError} When the value does not fit the type; the error
   * names the path of the offending value.
   * @throws {SbsSchemaError} When there is no such type.
   *
   * @example
   * ```ts
   * import { Repository, SbsEncodeError } from "@hat/eventer/codec";
   * import assert from "node:assert/strict";
   *
   * const repo = new Repository("module M\nId = Record { server: Integer }");
   * assert.deepEqual(repo.encode("M.Id", { server: 64 }), new Uint8Array([0x00, 0xc0]));
   * assert.throws(
   *   () => repo.encode("M.Id", { server: "1" }),
   *   (e) => e instanceof SbsEncodeError && e.message === "M.Id.server: expected Integer, got string",
   * );
   * ```
   */
  encode(type: string, value: SbsValue): Uint8Array {
    const fn = this.#encoders.get(type) ?? this.#compileEncoder(type);
    if (this.#writerBusy) {
      // Re-entered (from a getter of the value): use a writer of its own.
      const w = new Writer();
      this.#encode(fn, type, value, w);
      return w.finish();
    }
    const w = this.#writer;
    w.reset();
    this.#writerBusy = true;
    try {
      this.#encode(fn, type, value, w);
      return w.finish();
    } finally {
      this.#writerBusy = false;
    }
  }

  /**
   * Encodes a value of a type at the end of a writer. On failure the writer
   * is left as it was.
   *
   * @param type Type name, `Module.Type`.
   * @param value A value of the type.
   * @param writer Where to write.
   * @throws {SbsEncodeError} When the value does not fit the type.
   * @throws {SbsSchemaError} When there is no such type.
   *
   * @example
   * ```ts
   * import { Repository, Writer } from "@hat/eventer/codec";
   * import assert from "node:assert/strict";
   *
   * const repo = new Repository("module M\nB = Boolean");
   * const w = new Writer();
   * repo.encodeInto("M.B", true, w);
   * repo.encodeInto("M.B", false, w);
   * assert.deepEqual(w.finish(), new Uint8Array([1, 0]));
   * ```
   */
  encodeInto(type: string, value: SbsValue, writer: Writer): void {
    const fn = this.#encoders.get(type) ?? this.#compileEncoder(type);
    this.#encode(fn, type, value, writer);
  }

  /**
   * Decodes the whole of `bytes` as a value of a type.
   *
   * @param type Type name, `Module.Type`.
   * @param bytes The encoding; every byte must belong to the value.
   * @returns The value (see {@linkcode SbsValue}); Bytes are copies.
   * @throws {SbsDecodeError} When the bytes are not one well-formed value of
   * the type; the error gives the path of the value and the byte offset.
   * @throws {SbsSchemaError} When there is no such type.
   * @throws {TypeError} When `bytes` is not a Uint8Array.
   *
   * @example
   * ```ts
   * import { Repository, SbsDecodeError } from "@hat/eventer/codec";
   * import assert from "node:assert/strict";
   *
   * const repo = new Repository("module M\nP = Record { a: String, b: Integer }");
   * assert.deepEqual(repo.decode("M.P", new Uint8Array([0x81, 0x61, 0x82])), { a: "a", b: 2 });
   * assert.throws(
   *   () => repo.decode("M.P", new Uint8Array([0x81, 0x61])),
   *   (e) => e instanceof SbsDecodeError && e.path === "M.P.b" && e.offset === 2,
   * );
   * ```
   */
  decode(type: string, bytes: Uint8Array): SbsValue {
    const fn = this.#decoders.get(type) ?? this.#compileDecoder(type);
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot decode ${type}: expected a Uint8Array, got ${typeof bytes}`,
      );
    }
    const r = new DecodeReader(bytes);
    let value: unknown;
    try {
      value = fn(r);
    } catch (e) {
      throw this.#decodeError(type, bytes, e);
    }
    if (r.pos !== r.end) {
      r.fail("trailing", type, `${r.end - r.pos} bytes after the value`);
    }
    return value as SbsValue;
  }

  #compileEncoder(type: string): EncodeFn {
    const node = this.resolve(type) as ResolvedNamed;
    const fn = this.#encodeCompiler.compile(node);
    this.#encoders.set(type, fn);
    return fn;
  }

  #compileDecoder(type: string): DecodeFn {
    const node = this.resolve(type) as ResolvedNamed;
    const fn = this.#decodeCompiler.compile(node);
    this.#decoders.set(type, fn);
    return fn;
  }

  #encode(fn: EncodeFn, type: string, value: unknown, w: Writer): void {
    const start = w.pos;
    this.#encodeCompiler.state.depth = 0;
    try {
      fn(w, value);
    } catch (e) {
      w.pos = start;
      throw this.#encodeError(type, value, e);
    }
  }

  #encodeError(type: string, value: unknown, cause: unknown): Error {
    if (!(cause instanceof Mismatch) && !(cause instanceof RangeError)) {
      // Thrown by the value itself (a getter): not ours to wrap.
      return cause as Error;
    }
    let err: SbsEncodeError | undefined;
    try {
      err = explainEncode(
        this.#named.get(type)!,
        value,
        type,
        this.#recursive,
      );
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
    return err ??
      new SbsEncodeError(type, `value does not fit the type (${cause})`);
  }

  #decodeError(type: string, bytes: Uint8Array, cause: unknown): Error {
    const r = new DecodeReader(bytes);
    try {
      explainDecode(
        this.#named.get(type)!,
        r,
        type,
        this.#sizes,
        this.#recursive,
      );
    } catch (e) {
      if (e instanceof SbsDecodeError) return e;
      return new SbsDecodeError(
        "limit",
        type,
        r.pos,
        `nesting too deep for the call stack`,
        { cause: e },
      );
    }
    // The error path found nothing: report what the compiled decoder threw.
    if (cause instanceof SbsDecodeError) return cause;
    return new SbsDecodeError("limit", type, r.pos, `${cause}`, { cause });
  }
}
