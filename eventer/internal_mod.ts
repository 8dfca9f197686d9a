/**
 * What the Event Server uses of the eventer server beyond its public API:
 * register requests handed over as the batches of the Wasm core they were
 * scanned into (`BATCH_HOOKS`), the server's core and its fan-out of
 * batches (`serverInternals`), event objects built from a batch when
 * something must read them, and the TypeScript writers of register
 * requests (events made as objects join a batch through them) and of
 * query answers. Not exported by the package; see
 * docs/architecture.md and docs/wasm.md.
 *
 * @example
 * ```ts
 * import { listen } from "../server.ts";
 * import { serverInternals } from "./internal_mod.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen({ hostname: "127.0.0.1", port: 0 }, {
 *   codec: "wasm",
 * });
 * assert.notEqual(serverInternals(server).core, null);
 * ```
 *
 * @module
 */

export {
  BATCH_HOOKS,
  type BatchHooks,
  type ServerInternals,
  serverInternals,
} from "./_batch_hooks.ts";
export type { BatchFanout, WrittenEvents } from "./_batch_fanout.ts";
export { eventsOfBatch } from "./_event_batch.ts";
export { encodeQueryRes, encodeRegisterReq } from "./_messages.ts";
