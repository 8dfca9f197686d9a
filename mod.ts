/**
 * `@hat/eventer`: the Hat eventer protocol (the client/server protocol of the
 * Hat Event Server, Python `hat-event` 0.9) for Deno and TypeScript.
 *
 * @example The SBS codec is available from the root entry too
 * ```ts
 * import { Writer } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * const w = new Writer();
 * w.integer(0);
 * assert.deepEqual(w.finish(), new Uint8Array([0x80]));
 * ```
 *
 * @module
 */

export * from "./codec/mod.ts";
export * from "./event/mod.ts";
// The chatter transport, as a namespace: its `connect`/`listen` are not the
// eventer's. Also importable by name from `@hat/eventer/chatter`.
export * as chatter from "./chatter/mod.ts";
export { ConnectionError, ProtocolError } from "./chatter/mod.ts";
export * from "./client.ts";
export * from "./server.ts";
// The eventer component: a client of the active Event Server of a Hat
// monitor group (docs/failover.md). The monitor component itself is
// `@hat/eventer/monitor`.
export * from "./component.ts";
