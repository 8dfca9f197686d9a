/**
 * `@hat/eventer`: the Hat eventer protocol (the client/server protocol of the
 * Hat Event Server, Python `hat-event` 0.9) for Deno and TypeScript, on the
 * wire byte for byte as the Python implementation.
 *
 * - {@linkcode connect}: the eventer client (`hat.event.eventer.client`):
 *   register and query events, receive the server's status and the events
 *   it subscribed to; with `reconnect`, it fails over between servers.
 * - {@linkcode listen}: the eventer server (`hat.event.eventer.server`):
 *   hands register and query requests to callbacks, notifies subscribers.
 * - The event model (also `@hat/eventer/event`) and the SBS codec (also
 *   `@hat/eventer/codec`); the transport as the `chatter` namespace (also
 *   `@hat/eventer/chatter`). The monitor component is
 *   `@hat/eventer/monitor`, the Event Server and its CLI `@hat/eventer/cli`.
 *
 * Limits: {@linkcode listen} carries the protocol only; what registering
 * means (ids, timestamps, storage) is its callbacks' business, and the
 * Event Server of `@hat/eventer/cli` is one such server. A closed client or
 * server rejects every call it still waits for with `ConnectionError`.
 *
 * @example A server that registers events, and a client that subscribes to them
 * ```ts
 * import { connect, listen, now } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * let session = 0;
 * await using server = await listen({ hostname: "127.0.0.1", port: 0 }, {
 *   onRegister: (_info, registerEvents) => {
 *     session++;
 *     const timestamp = now();
 *     const events = registerEvents.map((e, i) => ({
 *       id: { server: 1, session, instance: i + 1 },
 *       timestamp,
 *       ...e,
 *     }));
 *     server.notifyEvents(events);
 *     return events;
 *   },
 * });
 * await using client = await connect(server.addrs[0], "gateway", {
 *   subscriptions: [["sensor", "*"]],
 * });
 * const registered = await client.register([{
 *   type: ["sensor", "t1"],
 *   sourceTimestamp: null,
 *   payload: { kind: "json", data: { value: 21.5 } },
 * }], { withResponse: true });
 * for await (const events of client.events()) {
 *   assert.deepEqual(events, registered);
 *   break;
 * }
 * const latest = await client.query({ kind: "latest" });
 * assert.deepEqual(latest, { events: [], moreFollows: false }); // no onQuery
 * ```
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
