// What every eventer client made by `connect()` offers, whether it holds
// one connection (client.ts) or reconnects (_reconnecting_client.ts); a
// public type, exported from client.ts. See docs/failover.md.

import type {
  Event,
  QueryParams,
  QueryResult,
  RegisterEvent,
  Status,
} from "../event/mod.ts";
import type { QueryOptions, RegisterOptions } from "./_client_options.ts";

/**
 * The state of a client's connection (not the server's eventer `status`):
 * `"connected"`; `"reconnecting"` while a client made with `reconnect`
 * looks for a server (its calls wait, see `requestTimeout`); `"closed"`
 * once it is closed for good.
 */
export type ConnectionState = "connected" | "reconnecting" | "closed";

/**
 * An eventer client, made by `connect()`. Closing it (or, without
 * `reconnect`, losing the connection) rejects every `register`/`query`
 * still waiting with a `ConnectionError`.
 *
 * @example Receive notified events with an async iterator
 * ```ts
 * import { connect, listen } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen({ hostname: "127.0.0.1", port: 0 });
 * await using client = await connect(server.addrs[0], "c", {
 *   subscriptions: [["a", "*"]],
 * });
 * assert.equal(client.connectionState, "connected");
 * const event = {
 *   id: { server: 1, session: 1, instance: 1 },
 *   type: ["a", "b"],
 *   timestamp: { s: 1, us: 0 },
 *   sourceTimestamp: null,
 *   payload: { kind: "json" as const, data: { x: 1 } },
 * };
 * const acked = server.notifyEvents([event], { withAck: true });
 * for await (const events of client.events()) {
 *   assert.deepEqual(events, [event]);
 *   break; // done with the batch: it is acknowledged
 * }
 * await acked;
 * ```
 */
export interface Client extends AsyncDisposable, AsyncIterable<Event[]> {
  /**
   * The server's eventer status, as last announced (by the server the
   * client is, or was last, connected to).
   */
  readonly status: Status;

  /**
   * Whether the client is open: connected, or reconnecting (a client made
   * with `reconnect` stays open until it is closed).
   */
  readonly isOpen: boolean;

  /** The state of the connection; see {@linkcode ConnectionState}. */
  readonly connectionState: ConnectionState;

  /** Resolves once the client is closed and every waiting call rejected. */
  readonly closed: Promise<void>;

  /**
   * Registers events (`MsgRegisterReq` with `last: false`) and waits for
   * the server's answer. A request that was sent when the connection
   * dropped rejects with a `ConnectionError` and is never sent again.
   *
   * @param events The events to register.
   * @param options `{ withResponse: true }`, a signal, and whether to wait
   * for a connection.
   * @returns The registered events, or `null` when the server reports a
   * failure.
   * @throws {ConnectionError} When the connection is or gets closed, or no
   * connection came within `requestTimeout`.
   * @throws {TypeError} When an event is not valid.
   */
  register(
    events: readonly RegisterEvent[],
    options: RegisterOptions & { withResponse: true },
  ): Promise<Event[] | null>;
  /**
   * Registers events (`MsgRegisterReq` with `last: true`); the server sends
   * no answer.
   *
   * @param events The events to register.
   * @param options Nothing, or `{ withResponse: false }`, a signal, and
   * whether to wait for a connection.
   * @returns When the request is sent.
   * @throws {ConnectionError} When the connection is closed, or no
   * connection came within `requestTimeout`.
   * @throws {TypeError} When an event is not valid.
   */
  register(
    events: readonly RegisterEvent[],
    options?: RegisterOptions & { withResponse?: false },
  ): Promise<void>;
  /**
   * Registers events (`MsgRegisterReq`). Without `withResponse`, resolves
   * once the request is sent; with it, resolves to the registered events,
   * or `null` when the server reports a failure.
   *
   * @param events The events to register.
   * @param options Whether to wait for the response, a signal, and whether
   * to wait for a connection.
   * @returns The registered events, `null` on failure, or nothing.
   * @throws {ConnectionError} When the connection is or gets closed, or no
   * connection came within `requestTimeout`.
   * @throws {TypeError} When an event is not valid.
   */
  register(
    events: readonly RegisterEvent[],
    options?: RegisterOptions,
  ): Promise<Event[] | null | void>;

  /**
   * Queries events (`MsgQueryReq`). A query that was sent when the
   * connection dropped rejects with a `ConnectionError`.
   *
   * @param params Query parameters (`latest`, `timeseries` or `server`).
   * @param options A signal, and whether to wait for a connection.
   * @returns The server's result.
   * @throws {ConnectionError} When the connection is or gets closed, or no
   * connection came within `requestTimeout`.
   * @throws {TypeError} When the parameters are not valid.
   */
  query(params: QueryParams, options?: QueryOptions): Promise<QueryResult>;

  /**
   * The notified event batches, when no `onEvents` callback is set. A batch
   * that the server asked an ack for is acknowledged when the consumer asks
   * for the next batch or stops iterating. Several iterators share the
   * batches. A client made with `reconnect` goes on across reconnects; after
   * `close`, the batches already received are still given, then the
   * iteration ends.
   *
   * @returns An async iterator of event batches.
   * @throws {TypeError} When the client has an `onEvents` callback.
   */
  events(): AsyncIterableIterator<Event[]>;

  /**
   * Same as {@linkcode Client.events}.
   *
   * @returns An async iterator of event batches.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Event[]>;

  /**
   * Closes the client (and stops reconnecting); resolves once everything is
   * finished.
   *
   * @returns When closed.
   */
  close(): Promise<void>;

  /**
   * Same as {@linkcode Client.close}.
   *
   * @returns When closed.
   */
  [Symbol.asyncDispose](): Promise<void>;
}
