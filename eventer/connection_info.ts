/**
 * What an eventer server knows of a connected client (Python
 * `ConnectionInfo`): the fields of its `MsgInitReq` and the id the server
 * gave the connection.
 *
 * @module
 */

import type { ServerId, Subscription } from "../event/mod.ts";

/** Id of a connection, unique within one server (from 1). */
export type ConnectionId = number;

/**
 * A connected client, as the server's callbacks and
 * `Server.connInfos()` see it. It is frozen.
 *
 * @example
 * ```ts
 * import { type ConnectionInfo, Subscription } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * const info: ConnectionInfo = {
 *   id: 1,
 *   clientName: "c",
 *   clientToken: null,
 *   subscription: new Subscription([["a", "*"]]),
 *   serverId: null,
 *   persisted: false,
 * };
 * assert.ok(info.subscription.matches(["a", "b"]));
 * ```
 */
export interface ConnectionInfo {
  /** Id of the connection. */
  readonly id: ConnectionId;
  /** The client's name. */
  readonly clientName: string;
  /** The client's token, if it gave one. */
  readonly clientToken: string | null;
  /** The client's subscriptions. */
  readonly subscription: Subscription;
  /** Only events of this server are notified to it; `null` for all. */
  readonly serverId: ServerId | null;
  /** Whether it is notified of persisted events (else of new ones). */
  readonly persisted: boolean;
}
