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
  type ConnectionOptions,
  listen as chatterListen,
  type ListenTlsOptions,
  type Server as ChatterServer,
} from "./chatter/mod.ts";
import {
  type Event,
  type QueryParams,
  type QueryResult,
  type RegisterEvent,
  type Status,
  SubscriptionIndex,
} from "./event/mod.ts";
import { reportError, safeReport } from "./eventer/_common.ts";
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
import { ServerLimitError, SlowConsumerError } from "./eventer/errors.ts";

export type { ConnectionId, ConnectionInfo };
export { ServerLimitError, SlowConsumerError };
export type { ListenTlsOptions } from "./chatter/mod.ts";

const STATUSES: readonly Status[] = [
  "standby",
  "starting",
  "operational",
  "stopping",
];

/** Called when a client connects or disconnects (Python `ConnectionCb`). */
export type ConnectionCallback = (
  info: ConnectionInfo,
) => void | Promise<void>;

/**
 * Called with each register request (Python `RegisterCb`): gives the
 * registered events, or `null` (or nothing) for a failure. If it throws,
 * the error is reported and the client gets `failure` (when it asked for a
 * response).
 */
export type RegisterCallback = (
  info: ConnectionInfo,
  events: RegisterEvent[],
) => readonly Event[] | null | void | Promise<readonly Event[] | null | void>;

/**
 * Called with each query (Python `QueryCb`). If it throws, the error is
 * reported and that client's connection closes (the protocol has no error
 * answer to a query).
 */
export type QueryCallback = (
  info: ConnectionInfo,
  params: QueryParams,
) => QueryResult | Promise<QueryResult>;

/**
 * Options of {@linkcode listen}; the chatter connection options apply to
 * every connection.
 */
export interface ServerOptions extends ConnectionOptions {
  /**
   * Accept TLS with this certificate; plain TCP when absent.
   * @default {undefined}
   */
  tls?: ListenTlsOptions;
  /**
   * Initial status.
   * @default {"standby"}
   */
  status?: Status;
  /**
   * Called when a client sent its init request; if it throws, the client
   * is refused with the error's message.
   * @default {undefined}
   */
  onConnected?: ConnectionCallback;
  /**
   * Called when an accepted client's connection closed.
   * @default {undefined}
   */
  onDisconnected?: ConnectionCallback;
  /**
   * Register callback; without it, every registration fails. Binary payload
   * bytes of the register events are views of the connection's 64 KiB
   * receive buffers (never rewritten): `slice()` those kept for long.
   * @default {undefined}
   */
  onRegister?: RegisterCallback;
  /**
   * JSON payloads of register events reach `onRegister` as
   * {@linkcode JsonTextPayload}s: checked as JSON.parse would check them,
   * but kept as the received text, parsed only if `data` is read, and sent
   * on (notifications, responses) as the same bytes. A server that only
   * stores and forwards payloads then never parses or serializes them;
   * text such as `1e400` stays as it was. Like binary payloads, the text
   * is a view of a receive buffer.
   * @default {false}
   */
  jsonText?: boolean;
  /**
   * Query callback; without it, every query gets an empty result.
   * @default {undefined}
   */
  onQuery?: QueryCallback;
  /**
   * Seconds to wait for a refused client to close before closing.
   * @default {0.5}
   */
  closeTimeout?: number;
  /**
   * Register and query requests of one connection waiting for their turn
   * before the server stops reading that connection.
   * @default {1024}
   */
  requestQueueSize?: number;
  /**
   * Most connections (accepted sockets, initialized or not) held at once;
   * a connection beyond it is closed as soon as it is accepted (reported as
   * a {@linkcode ServerLimitError}).
   * @default {4096}
   */
  maxConnections?: number;
  /**
   * Seconds a new connection may take to send its `MsgInitReq`; a silent
   * or half-sent connection is closed after it (reported as a
   * {@linkcode ServerLimitError}).
   * @default {10}
   */
  initTimeout?: number;
  /**
   * Most events in one register request. A request over it is not passed
   * to `onRegister`: it gets a `failure` response, or, when the client
   * asked for no response, its connection is closed (reported as a
   * {@linkcode ServerLimitError}).
   * @default {100000}
   */
  maxRegisterEvents?: number;
  /**
   * Most events in one query result of a timeseries or server query: a
   * longer result from `onQuery` is cut to it and sent with `moreFollows:
   * true` (the client pages on with `lastEventId`). `onQuery` still gets
   * the client's params unchanged, so a storage that can should stop at
   * the cap itself. Latest queries are not capped (one event per type at
   * most). `Infinity` turns the cap off.
   * @default {10000}
   */
  maxQueryResults?: number;
  /**
   * Largest frame body accepted from a client, in bytes (the chatter
   * option, with a lower default on the server). A peer announcing more
   * is cut off before anything of that size is allocated.
   * @default {16777216}
   */
  maxMessageSize?: number;
  /**
   * Bytes waiting to be sent to one client above which it counts as slow
   * (the chatter option). Notifications never wait: one that would exceed
   * it disconnects that client (reported as a
   * {@linkcode SlowConsumerError}); responses wait, which pauses only that
   * client's requests.
   * @default {4194304}
   */
  sendQueueBytes?: number;
  /**
   * Receives the errors the server handles by itself (a callback that
   * threw, a malformed or unexpected message, a
   * {@linkcode SlowConsumerError} or {@linkcode ServerLimitError}), with
   * the connection's info when known.
   * @default {console.warn for SlowConsumerError and ServerLimitError, console.error otherwise}
   */
  onError?: (error: unknown, info: ConnectionInfo | null) => void;
}

/** Options of {@linkcode Server.notifyEvents}. */
export interface NotifyOptions {
  /**
   * Whether these events are persisted: only clients that asked for
   * persisted (or, when false, for new) events are notified.
   * @default {false}
   */
  persisted?: boolean;
  /**
   * Whether to ask each client for an ack and wait for all of them.
   * @default {false}
   */
  withAck?: boolean;
}

// Access to the server's private parts for listen(), set by a static block.
let internals: {
  accept(server: Server, conn: Connection): Promise<void>;
  started(server: Server, srv: ChatterServer): void;
  report(server: Server, err: unknown, conn: Connection | undefined): void;
};

/** The validated limits of a server. */
interface Limits {
  maxConnections: number;
  initTimeout: number;
  maxRegisterEvents: number;
  maxQueryResults: number;
  maxMessageSize: number;
}

function positiveLimit(name: string, v: number, infinite = false): number {
  if (
    !(Number.isSafeInteger(v) && v >= 1) && !(infinite && v === Infinity)
  ) {
    throw new RangeError(
      `Invalid ${name}: expected a positive integer, got ${v}`,
    );
  }
  return v;
}

function resolveLimits(options: ServerOptions): Limits {
  const initTimeout = options.initTimeout ?? 10;
  // Timers take at most 2^31 - 1 ms; a longer one would fire at once.
  if (!(initTimeout > 0 && initTimeout <= 2147483)) {
    throw new RangeError(
      `Invalid initTimeout: expected seconds in (0, 2147483], got ${initTimeout}`,
    );
  }
  return {
    maxConnections: positiveLimit(
      "maxConnections",
      options.maxConnections ?? 4096,
      true,
    ),
    initTimeout,
    maxRegisterEvents: positiveLimit(
      "maxRegisterEvents",
      options.maxRegisterEvents ?? 100_000,
      true,
    ),
    maxQueryResults: positiveLimit(
      "maxQueryResults",
      options.maxQueryResults ?? 10_000,
      true,
    ),
    maxMessageSize: positiveLimit(
      "maxMessageSize",
      options.maxMessageSize ?? 16 * 1024 * 1024,
    ),
  };
}

function defaultReport(err: unknown): void {
  if (err instanceof SlowConsumerError || err instanceof ServerLimitError) {
    console.warn("hat eventer server:", err.message);
  } else {
    reportError("server", err);
  }
}

function checkStatus(status: unknown): Status {
  if (!STATUSES.includes(status as Status)) {
    throw new TypeError(
      `Invalid status: expected one of ${STATUSES.join(", ")}, got ${
        JSON.stringify(status) ?? String(status)
      }`,
    );
  }
  return status as Status;
}

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
  #runs = new Set<Promise<void>>();
  #closing = false;
  #maxConnections: number;
  #closed: Promise<void>;
  #resolveClosed!: () => void;

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
    this.#hooks = {
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
    for (const c of this.#byConn.values()) {
      if (c.id === id) return c.conn.bufferedAmount;
    }
    return undefined;
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
      return fanout[0].conn.notifyEvents(fanout[0].data, withAck);
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
    const run = c.run();
    this.#runs.add(run);
    return run.finally(() => {
      this.#runs.delete(run);
      this.#byConn.delete(conn);
    });
  }

  #added(conn: Conn): boolean {
    if (this.#closing) return false;
    const info = conn.info!;
    this.#conns.set(conn, info);
    this.#index.add(conn, info.subscription);
    return true;
  }

  #removed(conn: Conn): void {
    if (this.#conns.delete(conn)) this.#index.delete(conn);
  }
}
