/**
 * SBS (simple binary serialization): the schema language of the Hat
 * protocols and its encoder/decoder. This entry point runs anywhere
 * JavaScript runs: it knows nothing of sockets or Deno APIs.
 *
 * A {@linkcode Repository} is built from schema texts (see
 * {@linkcode parseSchema} for the grammar) and encodes and decodes values of
 * their types, named `Module.Type`. Values map to JavaScript as follows:
 *
 * | SBS type | JavaScript value |
 * | --- | --- |
 * | None | `null` |
 * | Boolean | `boolean` |
 * | Integer | `number` when it is a safe integer, otherwise `bigint` (encode accepts both) |
 * | Float | `number` (NaN, ±Infinity and -0 included) |
 * | String | `string` (encode rejects lone surrogates) |
 * | Bytes | `Uint8Array` (decode returns copies) |
 * | Array(T) | array |
 * | Record { a: T, ... } | plain object with one property per entry (extra properties are ignored by encode) |
 * | Choice { a: T, ... } | `[entryName, value]`, e.g. `["value", 3]` or `["none", null]` |
 *
 * Limits: decode rejects trailing bytes (the Python reference ignores them),
 * nests recursive types at most 512 deep and makes at most 65536 zero-byte
 * items per value; Integers longer than {@linkcode MAX_INTEGER_BYTES} bytes
 * are rejected.
 *
 * @example Encode and decode a schema's types
 * ```ts
 * import { Repository } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const repo = new Repository(`
 *   module Demo
 *   Msg = Record { id: Integer, tags: Array(String), note: Optional(String) }
 * `);
 * const msg = { id: 2n ** 64n, tags: ["a"], note: ["none", null] };
 * const bytes = repo.encode("Demo.Msg", msg);
 * assert.deepEqual(repo.decode("Demo.Msg", bytes), msg);
 * ```
 *
 * @example Write and read SBS primitives
 * ```ts
 * import { Reader, Writer } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const w = new Writer();
 * w.integer(-65);
 * const r = new Reader(w.finish());
 * assert.equal(r.integer("Prim.Int"), -65);
 * ```
 *
 * @module
 */

export * from "./errors.ts";
export * from "./ast.ts";
export { uintSize, Writer } from "./writer.ts";
export { MAX_INTEGER_BYTES, Reader } from "./reader.ts";
export {
  BUILTIN_TYPES,
  MAX_SCHEMA_NESTING,
  parseSchema,
} from "./schema_parser.ts";
export { Repository } from "./repository.ts";
export {
  findFrames,
  type FindFramesOptions,
  type FramesFound,
  LazyArray,
  LazyChoice,
  LazyRecord,
  type LazyValue,
  type TypeSource,
  WasmDecoder,
  type WasmDecoderOptions,
} from "./wasm/mod.ts";
export type { SbsValue } from "./value.ts";
