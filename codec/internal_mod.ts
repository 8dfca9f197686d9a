/**
 * What the layers above the codec (the event model, the eventer, the Event
 * Server) use of it beyond its public API (`mod.ts`): helpers whose
 * signatures are made for hot paths rather than for users. Also the writer
 * and the reader alone, for the transport's frame codec (`chatter/`):
 * `mod.ts` would bring the schema parser and the Wasm core with them. Not
 * exported by the package; see docs/architecture.md.
 *
 * @example
 * ```ts
 * import { copyBytes } from "./internal_mod.ts";
 * import assert from "node:assert/strict";
 *
 * const dst = new Uint8Array(2);
 * assert.equal(copyBytes(new Uint8Array([7, 8]), 0, 2, dst, 0), 2);
 * ```
 *
 * @module
 */

export { copyBytes } from "./bytes.ts";
export { uintSize, Writer } from "./writer.ts";
export { Reader } from "./reader.ts";
