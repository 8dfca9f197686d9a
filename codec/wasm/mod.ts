/**
 * The WebAssembly core of the codec: one AssemblyScript module
 * (`assembly/`, compiled to `sbs.wasm` and inlined as base64 in
 * `_sbs_wasm.ts`) and its binding (`_instance.ts`, the only file that
 * touches `WebAssembly`). It validates SBS in one call per message and
 * leaves offsets instead of values: {@linkcode WasmDecoder} builds values
 * from them (all at once, or lazily), {@linkcode findFrames} finds chatter
 * frame boundaries.
 *
 * Limits: a message too large for wasm32 memory is decoded by the
 * TypeScript decoder instead; memory grown for a large message is given
 * back by replacing the instance (see `WasmDecoderOptions.retainBytes`).
 *
 * @example Validate, decode and read lazily
 * ```ts
 * import { Repository, WasmDecoder } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const repo = new Repository("module M\nP = Record { a: String }");
 * const wasm = new WasmDecoder(repo);
 * const bytes = repo.encode("M.P", { a: "x" });
 * assert.deepEqual(wasm.decode("M.P", bytes), { a: "x" });
 * ```
 *
 * @module
 */

export {
  type TypeSource,
  WasmDecoder,
  type WasmDecoderOptions,
} from "./decoder.ts";
export { LazyArray, LazyChoice, LazyRecord, type LazyValue } from "./lazy.ts";
export {
  findFrames,
  type FindFramesOptions,
  type FramesFound,
} from "./frames.ts";
