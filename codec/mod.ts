/**
 * SBS (simple binary serialization): the schema language of the Hat
 * protocols and its encoder/decoder. This entry point runs anywhere
 * JavaScript runs: it knows nothing of sockets or Deno APIs.
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
