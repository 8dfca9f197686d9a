/**
 * What a Hat Event Server publishes as its monitor component data, and how
 * its peers and clients read it: `{"server_id", "eventer_server": {"host",
 * "port"}, "server_token"}` (hat-event 0.9's `main_runner`).
 *
 * @module
 */

import type { Address } from "../chatter/mod.ts";
import { isActive } from "./group.ts";
import type { ComponentInfo, JsonValue, ObserverState } from "./types.ts";

/** An Event Server's published data, in this package's names. */
export interface EventServerData {
  /** The server id of its events. */
  readonly serverId: number;
  /** Where its eventer server listens. */
  readonly eventerServer: Address;
  /** The token its eventer clients must send (`null`: none). */
  readonly serverToken: string | null;
}

/** An Event Server found in a monitor's state. */
export interface EventServerComponent extends EventServerData {
  /** Its monitor entry. */
  readonly info: ComponentInfo;
}

/**
 * The component data an Event Server publishes, in the reference's form
 * and key order.
 *
 * @param data The server's id, eventer address and token.
 * @returns JSON data for `connectMonitor`'s `data`.
 * @throws {TypeError} When a field has the wrong type.
 *
 * @example
 * ```ts
 * import { eventServerData } from "@hat/eventer/monitor";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   eventServerData({
 *     serverId: 1,
 *     eventerServer: { hostname: "127.0.0.1", port: 23012 },
 *     serverToken: null,
 *   }),
 *   {
 *     server_id: 1,
 *     eventer_server: { host: "127.0.0.1", port: 23012 },
 *     server_token: null,
 *   },
 * );
 * ```
 */
export function eventServerData(data: EventServerData): JsonValue {
  const { serverId, eventerServer, serverToken } = data;
  if (!Number.isSafeInteger(serverId)) {
    throw new TypeError(`Invalid serverId ${serverId}: expected an integer`);
  }
  if (
    typeof eventerServer?.hostname !== "string" ||
    !Number.isInteger(eventerServer.port)
  ) {
    throw new TypeError("Invalid eventerServer: expected { hostname, port }");
  }
  if (serverToken !== null && typeof serverToken !== "string") {
    throw new TypeError("Invalid serverToken: expected a string or null");
  }
  return {
    server_id: serverId,
    eventer_server: { host: eventerServer.hostname, port: eventerServer.port },
    server_token: serverToken,
  };
}

function field(data: JsonValue, key: string): JsonValue | undefined {
  return typeof data === "object" && data !== null && !Array.isArray(data)
    ? (data as { readonly [key: string]: JsonValue })[key]
    : undefined;
}

/**
 * Reads an Event Server's published data as the reference does: `null`
 * unless `server_id` and `eventer_server.port` are integers,
 * `eventer_server.host` a string and `server_token` a string or null
 * (missing counts as null).
 *
 * @param data A component's `data`.
 * @returns The server's data, or `null` when it is not an Event Server's.
 *
 * @example
 * ```ts
 * import { parseEventServerData } from "@hat/eventer/monitor";
 * import assert from "node:assert/strict";
 *
 * const data = {
 *   server_id: 2,
 *   eventer_server: { host: "10.0.0.2", port: 23012 },
 *   server_token: "t",
 * };
 * assert.deepEqual(parseEventServerData(data), {
 *   serverId: 2,
 *   eventerServer: { hostname: "10.0.0.2", port: 23012 },
 *   serverToken: "t",
 * });
 * assert.equal(parseEventServerData({ server_id: "2" }), null);
 * ```
 */
export function parseEventServerData(
  data: JsonValue,
): EventServerData | null {
  const serverId = field(data, "server_id");
  const eventer = field(data, "eventer_server") ?? null;
  const host = field(eventer, "host");
  const port = field(eventer, "port");
  const token = field(data, "server_token") ?? null;
  if (
    typeof serverId !== "number" || !Number.isInteger(serverId) ||
    typeof host !== "string" ||
    typeof port !== "number" || !Number.isInteger(port) ||
    (token !== null && typeof token !== "string")
  ) return null;
  return {
    serverId,
    eventerServer: { hostname: host, port },
    serverToken: token,
  };
}

/**
 * The active Event Server of `serverGroup`, as `hat.event.component` picks
 * it: the first active component of the group; `null` when there is none,
 * when its data is not an Event Server's, or when `clientToken` is given
 * and differs from its `server_token`.
 *
 * @param components The monitor's components (`state.components`).
 * @param serverGroup The Event Servers' group.
 * @param options `clientToken`: the token this client will send.
 * @returns The active server, or `null`.
 *
 * @example
 * ```ts
 * import { activeEventServer, type ComponentInfo } from "@hat/eventer/monitor";
 * import assert from "node:assert/strict";
 *
 * const server: ComponentInfo = {
 *   cid: 1, mid: 0, name: "event_a", group: "event", rank: 1,
 *   data: {
 *     server_id: 1,
 *     eventer_server: { host: "127.0.0.1", port: 23021 },
 *     server_token: null,
 *   },
 *   blessingReq: { token: 1, timestamp: 1.5 },
 *   blessingRes: { token: 1, ready: true },
 * };
 * const found = activeEventServer([server], "event");
 * assert.equal(found?.serverId, 1);
 * assert.deepEqual(found?.eventerServer, { hostname: "127.0.0.1", port: 23021 });
 * assert.equal(activeEventServer([server], "event", { clientToken: "x" }), null);
 * ```
 */
export function activeEventServer(
  components: readonly ComponentInfo[],
  serverGroup: string,
  options: { clientToken?: string | null } = {},
): EventServerComponent | null {
  const info = components.find((i) => i.group === serverGroup && isActive(i));
  if (info === undefined) return null;
  const data = parseEventServerData(info.data);
  if (data === null) return null;
  const clientToken = options.clientToken ?? null;
  if (clientToken !== null && clientToken !== data.serverToken) return null;
  return { ...data, info };
}

/**
 * The other Event Servers of this server's group, as hat-event's eventer
 * client runner lists the peers it syncs from: every component of `group`
 * but this one (`state.info`), blessed or not, whose data is an Event
 * Server's and, when this server has a `serverToken`, carries the same.
 *
 * @param state This server's monitor state.
 * @param group Its group.
 * @param options `serverToken`: this server's token.
 * @returns The peers, in the monitor's order.
 *
 * @example
 * ```ts
 * import { eventServerPeers, type ComponentInfo } from "@hat/eventer/monitor";
 * import assert from "node:assert/strict";
 *
 * const server = (cid: number, serverId: number): ComponentInfo => ({
 *   cid, mid: 0, name: `event_${cid}`, group: "event", rank: 1,
 *   data: {
 *     server_id: serverId,
 *     eventer_server: { host: "127.0.0.1", port: 23020 + cid },
 *     server_token: null,
 *   },
 *   blessingReq: { token: null, timestamp: null },
 *   blessingRes: { token: null, ready: true },
 * });
 * const components = [server(1, 1), server(2, 2)];
 * const state = { cid: 1, mid: 0, info: components[0], components };
 * assert.deepEqual(
 *   eventServerPeers(state, "event").map((p) => p.serverId),
 *   [2],
 * );
 * ```
 */
export function eventServerPeers(
  state: ObserverState,
  group: string,
  options: { serverToken?: string | null } = {},
): EventServerComponent[] {
  const own = state.info;
  const serverToken = options.serverToken ?? null;
  const peers: EventServerComponent[] = [];
  for (const info of state.components) {
    if (info.group !== group) continue;
    if (own !== null && info.cid === own.cid && info.mid === own.mid) continue;
    const data = parseEventServerData(info.data);
    if (data === null) continue;
    if (serverToken !== null && data.serverToken !== serverToken) continue;
    peers.push({ ...data, info });
  }
  return peers;
}
