/**
 * The component side of the Hat monitor observer protocol (hat-monitor
 * 0.8): join a monitor group, publish data, follow the group's state and
 * its blessing, run something while blessed.
 *
 * - {@linkcode connectMonitor}: a component (`hat.monitor.component`)
 *   that answers its blessing by itself, runs a runner while active, and
 *   reconnects after a lost monitor connection (`reconnect`; the Python
 *   Event Server stops instead).
 * - {@linkcode connectObserver}: one raw connection
 *   (`hat.monitor.observer.client`): set the blessing response yourself.
 * - {@linkcode isActive}, {@linkcode activeComponent},
 *   {@linkcode activeEventServer}, {@linkcode eventServerPeers},
 *   {@linkcode eventServerData}, {@linkcode parseEventServerData}: reading
 *   a group's state the way hat-event's servers and clients do.
 *
 * Every message is its own chatter conversation (`MsgClient` up,
 * `MsgServer` and `MsgClose` down); the component's `data` travels as JSON
 * text written as Python's `json.dumps` writes it, so the bytes are those of
 * a Python component.
 *
 * Limits: the component side only (no monitor server, no master/slave
 * protocol); `data` is fixed for a component's lifetime, as in the
 * reference.
 *
 * @example A component that runs while the monitor blesses it
 * ```ts
 * import { connectMonitor, type MonitorState } from "@hat/eventer/monitor";
 * import { listen } from "@hat/eventer/chatter";
 * import { OBSERVER_SBS } from "@hat/eventer/monitor";
 * import { Repository, type SbsValue } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * // Stand-in monitor: blesses a ready component (token 1) and echoes it.
 * const repo = new Repository(OBSERVER_SBS);
 * await using monitor = await listen(async (conn) => {
 *   for await (const msg of conn) {
 *     const c = repo.decode(msg.type, msg.data) as Record<string, SbsValue>;
 *     const res = c.blessingRes as { ready: boolean };
 *     await conn.send({
 *       type: "HatObserver.MsgServer",
 *       data: repo.encode("HatObserver.MsgServer", {
 *         cid: 5, mid: 0, components: [{
 *           cid: 5, mid: 0, name: ["value", c.name],
 *           group: ["value", c.group], data: c.data, rank: 1,
 *           blessingReq: {
 *             token: res.ready ? ["value", 1] : ["none", null],
 *             timestamp: ["none", null],
 *           },
 *           blessingRes: c.blessingRes,
 *         }],
 *       }),
 *     });
 *   }
 * }, { hostname: "127.0.0.1", port: 0 });
 *
 * await using component = await connectMonitor(monitor.addrs[0], {
 *   name: "worker",
 *   group: "workers",
 *   data: { version: 2 },
 *   runner: (_component, signal) => {
 *     // work until signal aborts
 *     return () => assert.ok(signal.aborted);
 *   },
 * });
 * await component.setReady(true);
 * let seen: MonitorState | undefined;
 * for await (const state of component.states()) {
 *   if (state.active) {
 *     seen = state;
 *     break;
 *   }
 * }
 * assert.equal(seen?.cid, 5);
 * assert.deepEqual(seen?.info?.data, { version: 2 });
 * await component.setReady(false); // the runner is closed
 * ```
 *
 * @module
 */

export type {
  BlessingReq,
  BlessingRes,
  ComponentInfo,
  JsonValue,
  MonitorState,
  ObserverState,
} from "./types.ts";
export type {
  Address,
  ConnectionOptions,
  ConnectOptions,
  ConnectTlsOptions,
} from "../chatter/mod.ts";
export { ConnectionError, ProtocolError } from "../chatter/mod.ts";
export { ObserverProtocolError, RunnerError } from "./errors.ts";
export { OBSERVER_SBS } from "./observer_schema.ts";
export {
  connectObserver,
  ObserverClient,
  type ObserverOptions,
} from "./observer_client.ts";
export {
  connectMonitor,
  DEFAULT_RECONNECT_DELAY,
  MonitorComponent,
  type MonitorOptions,
  type ReconnectOptions,
  type RunnerFn,
  type RunnerHandle,
} from "./component.ts";
export { activeComponent, isActive } from "./group.ts";
export {
  activeEventServer,
  type EventServerComponent,
  type EventServerData,
  eventServerData,
  eventServerPeers,
  parseEventServerData,
} from "./event_server_data.ts";
