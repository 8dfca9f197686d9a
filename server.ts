/**
 * The eventer server (Python `hat.event.eventer.server`): accepts eventer
 * clients, hands their register and query requests to callbacks, and
 * notifies them of the server's status and of events.
 *
 * @example A server that registers events and echoes them to subscribers
 * ```ts
 * import { connect, listen } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * let session = 0;
 * await using server = await listen({ hostname: "127.0.0.1", port: 0 }, {
 *   onRegister: (_info, registerEvents) => {
 *     session++;
 *     const events = registerEvents.map((e, i) => ({
 *       id: { server: 1, session, instance: i + 1 },
 *       timestamp: { s: 1, us: 0 },
 *       ...e,
 *     }));
 *     server.notifyEvents(events);
 *     return events;
 *   },
 * });
 * const seen: string[][] = [];
 * await using client = await connect(server.addrs[0], "c", {
 *   subscriptions: [["*"]],
 *   onEvents: (_client, events) => {
 *     for (const e of events) seen.push([...e.type]);
 *   },
 * });
 * await client.register([{ type: ["x"], sourceTimestamp: null, payload: null }], {
 *   withResponse: true,
 * });
 * assert.deepEqual(seen, [["x"]]); // notified before the response
 * assert.deepEqual(server.connInfos().map((i) => i.clientName), ["c"]);
 * ```
 *
 * @module
 */

import {
  type Address,
  type Connection,
  listen as chatterListen,
  type Server as ChatterServer,
} from "./chatter/mod.ts";
import { type Event, type Status, SubscriptionIndex } from "./event/mod.ts";
import { safeReport } from "./eventer/_common.ts";
import { encodeStatus } from "./eventer/_messages.ts";
import {
  ServerConnection,
  type ServerConnection as Conn,
  type ServerHooks,
} from "./eventer/_server_connection.ts";
import type {
  ConnectionId,
  ConnectionInfo,
} from "./eventer/connection_info.ts";
import { encodeFanout } from "./eventer/_fanout.ts";
import { EventCore } from "./codec/wasm/internal_mod.ts";
import { BatchFanout } from "./eventer/_batch_fanout.ts";
import {
  BATCH_HOOKS,
  type BatchHooks,
  setServerInternals,
} from "./eventer/_batch_hooks.ts";
import { resolveCodec } from "./eventer/_codec.ts";
import { ServerLimitError, SlowConsumerError } from "./eventer/errors.ts";
import {
  checkStatus,
  defaultReport,
  resolveLimits,
} from "./eventer/_server_limits.ts";
import type {
  NotifyOptions,
  ServerOptions,
} from "./eventer/_server_options.ts";

export type { ConnectionId, ConnectionInfo };
export { ServerLimitError, SlowConsumerError };
export type { ListenTlsOptions } from "./chatter/mod.ts";
export type { Codec } from "./eventer/_codec.ts";
export type {
  ConnectionCallback,
  NotifyOptions,
  QueryCallback,
  RegisterCallback,
  ServerOptions,
} from "./eventer/_server_options.ts";

// Access to the server's private parts for listen(), set by a static block.
let internals: {
  accept(server: Server, conn: Connection): Promise<void>;
  started(server: Server, srv: ChatterServer): void;
  report(server: Server, err: unknown, conn: Connection | undefined): void;
};

/**
 * Starts an eventer server listening on `addr` (port 0 picks a free port;
 * see {@linkcode Server.addrs}).
 *
 * @param addr Where to listen.
 * @param options Server and chatter options.
 * @returns The listening server.
 * @throws {TypeError | RangeError} When an option is invalid.
 *
 * @example
 * ```ts
 * import { listen } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen({ hostname: "127.0.0.1", port: 0 }, {
 *   status: "operational",
 * });
 * assert.ok(server.addrs[0].port > 0);
 * assert.deepEqual(server.connInfos(), []);
 * ```
 */
export async function listen(
  addr: Address,
  options: ServerOptions = {},
): Promise<Server> {
  const status = checkStatus(options.status ?? "standby");
  const closeTimeout = options.closeTimeout ?? 0.5;
  if (!(closeTimeout >= 0) || !Number.isFinite(closeTimeout)) {
    throw new RangeError(
      `Invalid closeTimeout: expected seconds >= 0, got ${closeTimeout}`,
    );
  }
  const requestQueueSize = options.requestQueueSize ?? 1024;
  if (!Number.isSafeInteger(requestQueueSize) || requestQueueSize < 1) {
    throw new RangeError(
      `Invalid requestQueueSize: expected a positive integer, got ${requestQueueSize}`,
    );
  }
  const limits = resolveLimits(options);
  const server = new Server(status, options, closeTimeout, requestQueueSize);
  const srv = await chatterListen(
    (conn) => internals.accept(server, conn),
    addr,
    {
      ...options,
      maxMessageSize: limits.maxMessageSize,
      onError: (err, conn) => internals.report(server, err, conn),
    },
  );
  internals.started(server, srv);
  return server;
}

/**
 * An eventer server, made by {@linkcode listen}.
 *
 * @example Notify with ack resolves once the client has taken the events
 * ```ts
 * import { connect, listen } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen({ hostname: "127.0.0.1", port: 0 });
 * let received = 0;
 * await using _client = await connect(server.addrs[0], "c", {
 *   subscriptions: [["a"]],
 *   onEvents: (_client, events) => {
 *     received += events.length;
 *   },
 * });
 * await server.notifyEvents([{
 *   id: { server: 1, session: 1, instance: 1 },
 *   type: ["a"],
 *   timestamp: { s: 0, us: 0 },
 *   sourceTimestamp: null,
 *   payload: null,
 * }], { withAck: true });
 * assert.equal(received, 1);
 * ```
 */
export class Server implements AsyncDisposable {
  #status: Status;
  #hooks: ServerHooks;
  #srv: ChatterServer | null = null;
  #nextId = 1;
  #conns = new Map<Conn, ConnectionInfo>();
  #index = new SubscriptionIndex<Conn>();
  #byConn = new Map<Connection, Conn>();
  #byId = new Map<ConnectionId, Conn>();
  #eventsNotified = 0;
  #runs = new Set<Promise<void>>();
  #closing = false;
  #maxConnections: number;
  #closed: Promise<void>;
  #resolveClosed!: () => void;
  #fanout: BatchFanout | null;

  /**
   * Creates a server that does not listen yet; use {@linkcode listen}.
   *
   * @param status Initial status.
   * @param options The server options.
   * @param closeTimeout Validated `closeTimeout`.
   * @param requestQueueSize Validated `requestQueueSize`.
   */
  constructor(
    status: Status,
    options: ServerOptions,
    closeTimeout: number,
    requestQueueSize: number,
  ) {
    this.#status = status;
    this.#closed = new Promise((resolve) => this.#resolveClosed = resolve);
    const onError = options.onError ?? defaultReport;
    const limits = resolveLimits(options);
    this.#maxConnections = limits.maxConnections;
    const core = resolveCodec(options.codec) === "wasm"
      ? new EventCore()
      : null;
    this.#fanout = core === null
      ? null
      : new BatchFanout(this.#index, core, (n) => this.#eventsNotified += n);
    setServerInternals(this, { core, fanout: this.#fanout });
    this.#hooks = {
      core,
      batchHooks: (options as { [BATCH_HOOKS]?: BatchHooks })[BATCH_HOOKS],
      closeTimeout,
      requestQueueSize,
      initTimeout: limits.initTimeout,
      maxRegisterEvents: limits.maxRegisterEvents,
      jsonText: options.jsonText === true,
      maxQueryResults: limits.maxQueryResults,
      status: () => this.#status,
      added: (conn) => this.#added(conn),
      removed: (conn) => this.#removed(conn),
      onConnected: options.onConnected,
      onDisconnected: options.onDisconnected,
      onRegister: options.onRegister,
      onQuery: options.onQuery,
      report: (err, info) => safeReport((e) => onError(e, info), err),
    };
  }

  static {
    internals = {
      accept: (server, conn) => server.#accept(conn),
      started: (server, srv) => {
        server.#srv = srv;
      },
      report: (server, err, conn) => {
        const c = conn === undefined ? undefined : server.#byConn.get(conn);
        server.#hooks.report(err, c?.info ?? null);
      },
    };
  }

  /** The addresses the server listens on. */
  get addrs(): Address[] {
    return this.#srv!.addrs;
  }

  /** The current status. */
  get status(): Status {
    return this.#status;
  }

  /** Resolves once the server is closed. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /**
   * The infos of the accepted clients still connected (Python
   * `get_conn_infos`).
   *
   * @returns One info per client, in the order they connected.
   */
  connInfos(): ConnectionInfo[] {
    return [...this.#conns.values()];
  }

  /**
   * Bytes waiting to be sent to a connection (for monitoring slow
   * consumers): at most about the connection's `sendQueueBytes` plus one
   * message.
   *
   * @param id The connection's id ({@linkcode ConnectionInfo.id}).
   * @returns The bytes, or `undefined` for no such open connection.
   *
   * @example
   * ```ts
   * import { connect, listen } from "@hat/eventer";
   * import assert from "node:assert/strict";
   *
   * await using server = await listen({ hostname: "127.0.0.1", port: 0 });
   * await using _client = await connect(server.addrs[0], "c");
   * const [info] = server.connInfos();
   * assert.equal(typeof server.bufferedAmount(info.id), "number");
   * assert.equal(server.bufferedAmount(info.id + 1000), undefined);
   * ```
   */
  bufferedAmount(id: ConnectionId): number | undefined {
    return this.#byId.get(id)?.conn.bufferedAmount;
  }

  /**
   * Events notified since the server started, counted once per client
   * they were queued for (for monitoring).
   *
   * @example
   * ```ts
   * import { connect, listen } from "@hat/eventer";
   * import assert from "node:assert/strict";
   *
   * await using server = await listen({ hostname: "127.0.0.1", port: 0 });
   * await using _client = await connect(server.addrs[0], "c", {
   *   subscriptions: [["*"]],
   * });
   * await server.notifyEvents([{
   *   id: { server: 1, session: 1, instance: 1 },
   *   type: ["a"],
   *   timestamp: { s: 0, us: 0 },
   *   sourceTimestamp: null,
   *   payload: null,
   * }]);
   * assert.equal(server.eventsNotified, 1);
   * ```
   */
  get eventsNotified(): number {
    return this.#eventsNotified;
  }

  /**
   * Sets the status and notifies every client of it; does nothing when the
   * status is unchanged.
   *
   * @param status The new status.
   * @returns When the notifications are sent.
   * @throws {TypeError} When `status` is not a status.
   */
  async setStatus(status: Status): Promise<void> {
    checkStatus(status);
    if (status === this.#status) return;
    this.#status = status;
    const data = encodeStatus(status);
    await Promise.all(
      [...this.#conns.keys()].map((c) => c.notifyStatus(data)),
    );
  }

  /**
   * Notifies events to the clients they concern: clients with the same
   * `persisted` flag, whose subscription matches the event type and whose
   * server id is `null` or the event's server. Each client gets its events
   * in one `MsgEventsNotify`, in the given order. Without `withAck`,
   * resolves once sent; with it, once every notified client has acked (or
   * disconnected). The messages are queued before this returns.
   *
   * @param events The events.
   * @param options Persisted flag and ack.
   * @returns When sent, or acked.
   * @throws {TypeError} When an event is not valid.
   */
  notifyEvents(
    events: readonly Event[],
    options: NotifyOptions = {},
  ): Promise<void> {
    const persisted = options.persisted ?? false;
    const withAck = options.withAck ?? false;
    if (this.#conns.size === 0 || events.length === 0) return Promise.resolve();
    let fanout;
    try {
      fanout = encodeFanout(events, persisted, this.#index);
    } catch (err) {
      return Promise.reject(err);
    }
    if (fanout.length === 0) return Promise.resolve();
    if (fanout.length === 1) {
      this.#eventsNotified += fanout[0].count;
      return fanout[0].conn.notifyEvents(fanout[0].data, withAck);
    }
    for (let i = 0; i < fanout.length; i++) {
      this.#eventsNotified += fanout[i].count;
    }
    return Promise.all(
      fanout.map((f) => f.conn.notifyEvents(f.data, withAck)),
    ).then(() => {});
  }

  /**
   * Stops listening and closes every connection; resolves once every
   * connection has finished (disconnected callbacks included).
   *
   * @returns When closed.
   */
  async close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      await this.#srv?.close();
      await Promise.all([...this.#conns.keys()].map((c) => c.conn.close()));
      while (this.#runs.size > 0) await Promise.all(this.#runs);
      this.#resolveClosed();
    }
    await this.#closed;
  }

  /**
   * Same as {@linkcode Server.close}.
   *
   * @returns When closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #accept(conn: Connection): Promise<void> {
    if (this.#closing) return conn.close();
    if (this.#byConn.size >= this.#maxConnections) {
      this.#hooks.report(
        new ServerLimitError(
          "maxConnections",
          `refusing a connection from ${conn.remoteAddr.hostname}:${conn.remoteAddr.port}: ${this.#byConn.size} connections, maxConnections ${this.#maxConnections}`,
        ),
        null,
      );
      return conn.close();
    }
    const c = new ServerConnection(conn, this.#nextId++, this.#hooks);
    this.#byConn.set(conn, c);
    this.#byId.set(c.id, c);
    const run = c.run();
    this.#runs.add(run);
    return run.finally(() => {
      this.#runs.delete(run);
      this.#byConn.delete(conn);
      this.#byId.delete(c.id);
    });
  }

  #added(conn: Conn): boolean {
    if (this.#closing) return false;
    const info = conn.info!;
    this.#conns.set(conn, info);
    this.#index.add(conn, info.subscription);
    this.#fanout?.invalidate();
    return true;
  }

  #removed(conn: Conn): void {
    if (this.#conns.delete(conn)) {
      this.#index.delete(conn);
      this.#fanout?.invalidate();
    }
  }
}
