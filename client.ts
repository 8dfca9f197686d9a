/**
 * The eventer client (Python `hat.event.eventer.client`): connects to an
 * eventer server, registers and queries events, and receives the server's
 * status and the events it subscribed to.
 *
 * @example Connect, register, query
 * ```ts
 * import { connect, listen } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen({ hostname: "127.0.0.1", port: 0 }, {
 *   status: "operational",
 *   onRegister: (_info, events) =>
 *     events.map((e, i) => ({
 *       id: { server: 1, session: 1, instance: i + 1 },
 *       timestamp: { s: 0, us: 0 },
 *       ...e,
 *     })),
 * });
 * await using client = await connect(server.addrs[0], "demo");
 * assert.equal(client.status, "operational");
 *
 * const events = await client.register(
 *   [{ type: ["a"], sourceTimestamp: null, payload: null }],
 *   { withResponse: true },
 * );
 * assert.deepEqual(events?.map((e) => e.id.instance), [1]);
 * const result = await client.query({ kind: "latest" });
 * assert.deepEqual(result, { events: [], moreFollows: false });
 * ```
 *
 * @module
 */

import {
  type Address,
  connect as chatterConnect,
  type Connection,
  ConnectionError,
  type Conversation,
  type Msg,
  ProtocolError,
} from "./chatter/mod.ts";
import type {
  Event,
  QueryParams,
  QueryResult,
  RegisterEvent,
  Status,
} from "./event/mod.ts";
import { BatchQueue } from "./eventer/_batch_queue.ts";
import type { EventSink } from "./eventer/_catch_up.ts";
import type { Client, ConnectionState } from "./eventer/_client_interface.ts";
import { isPromiseLike, reportError, safeReport } from "./eventer/_common.ts";
import { EventerInitError } from "./eventer/errors.ts";
import {
  type ClientOptions,
  type EventsCallback,
  type QueryOptions,
  type RegisterOptions,
  resolveClientOptions,
  type StatusCallback,
} from "./eventer/_client_options.ts";
import {
  addressList,
  connectFirst,
  connectReconnecting,
} from "./eventer/_reconnecting_client.ts";
import { resolveReconnect } from "./eventer/_reconnect_options.ts";
import {
  decodeEventsWasm,
  decodeQueryResWasm,
  decodeRegisterResWasm,
} from "./eventer/_event_batch.ts";
import { encodeRegisterReqWasm } from "./eventer/_register_wasm.ts";
import {
  decodeEvents,
  decodeInitRes,
  decodeQueryRes,
  decodeRegisterRes,
  decodeStatus,
  EMPTY,
  encodeInitReq,
  encodeQueryReq,
  encodeRegisterReq,
  MSG_TYPE,
} from "./eventer/_messages.ts";

export { EventerInitError };
export type { Client, ConnectionState } from "./eventer/_client_interface.ts";
export type { Codec } from "./eventer/_codec.ts";
export type {
  CallOptions,
  ClientOptions,
  EventsCallback,
  QueryOptions,
  RegisterOptions,
  StatusCallback,
} from "./eventer/_client_options.ts";
export type {
  DisconnectCallback,
  ReconnectCallback,
  ReconnectInfo,
  ReconnectOptions,
} from "./eventer/_reconnect_options.ts";
export type {
  Address,
  ConnectionOptions,
  ConnectTlsOptions,
} from "./chatter/mod.ts";

interface Pending {
  resolve(value: Event[] | null | QueryResult): void;
  reject(error: Error): void;
}

/** The register requests' encoder and the decoders of one codec. */
interface Coders {
  registerReq(events: readonly RegisterEvent[]): Uint8Array;
  events(data: Uint8Array): Event[];
  registerRes(data: Uint8Array): Event[] | null;
  queryRes(data: Uint8Array): QueryResult;
}

const TS_CODERS: Coders = {
  registerReq: encodeRegisterReq,
  events: decodeEvents,
  registerRes: decodeRegisterRes,
  queryRes: decodeQueryRes,
};

const WASM_CODERS: Coders = {
  registerReq: encodeRegisterReqWasm,
  events: decodeEventsWasm,
  registerRes: decodeRegisterResWasm,
  queryRes: decodeQueryResWasm,
};

const MAX_EARLY = 64;

/** `promise`, or the signal's reason once it aborts (then `onAbort` runs). */
function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  onAbort: () => void,
): Promise<T> {
  if (signal.aborted) {
    onAbort();
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort();
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() =>
      signal.removeEventListener("abort", abort)
    );
  });
}

function sameConv(a: Conversation, b: Conversation): boolean {
  return a.owner === b.owner && a.firstId === b.firstId;
}

/**
 * Connects to an eventer server: opens a chatter connection and sends
 * `MsgInitReq`. Resolves once the server accepted the client. Given a list
 * of addresses, tries them in order and connects to the first that accepts
 * the client. With `reconnect`, the client connects again when its
 * connection drops (see {@linkcode ClientOptions.reconnect} and
 * docs/failover.md); the first connection is still made in one round.
 *
 * @param addr The server's address, or a list of them.
 * @param clientName Name of the client (shown in the server's connection
 * infos, and in the Event Server's eventer events).
 * @param options Client and chatter options.
 * @returns The connected client.
 * @throws {EventerInitError} When the server refuses the client (the
 * message is the server's).
 * @throws {ConnectionError} When the connection fails or closes first.
 * @throws {ProtocolError} When the server answers something else.
 * @throws {TypeError} When an option is invalid.
 *
 * @example Init refused
 * ```ts
 * import { connect, EventerInitError, listen } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen({ hostname: "127.0.0.1", port: 0 }, {
 *   onConnected: (info) => {
 *     if (info.clientToken !== "secret") throw new Error("invalid token");
 *   },
 * });
 * await assert.rejects(
 *   connect(server.addrs[0], "c", { clientToken: "wrong" }),
 *   (e) => e instanceof EventerInitError && e.message === "invalid token",
 * );
 * ```
 */
export async function connect(
  addr: Address | readonly Address[],
  clientName: string,
  options: ClientOptions = {},
): Promise<Client> {
  const addrs = addressList(addr);
  const { init, queueSize } = resolveClientOptions(clientName, options);
  const policy = resolveReconnect(options.reconnect, options.requestTimeout);
  if (policy === null) {
    return await connectFirst(
      addrs,
      (a) => connectOne(a, clientName, options),
    );
  }
  return await connectReconnecting(addrs, options, {
    policy,
    queueSize,
    catchUp: init.persisted && init.subscriptions.length > 0,
    subscriptions: init.subscriptions,
    serverId: init.serverId,
  }, (a, o, sink) => connectOne(a, clientName, o, sink));
}

/** One connection client: the init exchange with `addr`. */
async function connectOne(
  addr: Address,
  clientName: string,
  options: ClientOptions,
  sink?: EventSink,
): Promise<Client> {
  const { init, queueSize, codec } = resolveClientOptions(
    clientName,
    options,
  );
  const data = encodeInitReq(init);

  const conn = await chatterConnect(addr, options);
  // The signal covers the init exchange too: a server that accepts the
  // socket and never answers must not hold connect() forever.
  const signal = options.signal;
  const abort = () => void conn.close();
  signal?.addEventListener("abort", abort, { once: true });
  try {
    signal?.throwIfAborted(); // aborted while the socket was being opened
    const conv = await conn.send({ type: MSG_TYPE.INIT_REQ, data }, {
      last: false,
    });
    const msg = await conn.receive();
    if (msg.type !== MSG_TYPE.INIT_RES || !sameConv(msg.conv, conv)) {
      throw new ProtocolError(
        `Invalid init response: expected ${MSG_TYPE.INIT_RES} in the init ` +
          `conversation, got ${msg.type}`,
      );
    }
    const res = decodeInitRes(msg.data);
    if (res.kind === "error") throw new EventerInitError(res.message);
    return new ConnectionClient(
      conn,
      res.status,
      options,
      sink ?? queueSize,
      codec === "wasm" ? WASM_CODERS : TS_CODERS,
    );
  } catch (err) {
    await conn.close();
    if (signal?.aborted) throw signal.reason;
    throw err;
  } finally {
    signal?.removeEventListener("abort", abort);
  }
}

/**
 * The client of one connection (see {@linkcode Client}): what
 * {@linkcode connect} gives without `reconnect`, and each connection of a
 * client that reconnects. Closing it (or losing the connection) rejects
 * every `register`/`query` still waiting with a `ConnectionError`.
 */
class ConnectionClient implements Client {
  #conn: Connection;
  #status: Status;
  #onStatus: StatusCallback | undefined;
  #onEvents: EventsCallback | undefined;
  #onError: (error: unknown) => void;
  #queue: EventSink | null;
  #pending = new Map<number, Pending>();
  #early = new Map<number, Event[] | null | QueryResult>();
  #open = true;
  #closed: Promise<void>;
  #coders: Coders;

  /**
   * Wraps a connection on which the init exchange succeeded; use
   * {@linkcode connect}.
   *
   * @param conn The chatter connection.
   * @param status The status from the init response.
   * @param options The client options.
   * @param queue Validated `eventsQueueSize`, or where events go instead
   * of a queue of its own.
   * @param coders The encoder and decoders of the client's codec.
   */
  constructor(
    conn: Connection,
    status: Status,
    options: ClientOptions,
    queue: number | EventSink,
    coders: Coders,
  ) {
    this.#conn = conn;
    this.#coders = coders;
    this.#status = status;
    this.#onStatus = options.onStatus;
    this.#onEvents = options.onEvents;
    this.#onError = options.onError ?? ((e) => reportError("client", e));
    this.#queue = this.#onEvents
      ? null
      : typeof queue === "number"
      ? new BatchQueue(queue)
      : queue;
    // A callback still running does not hold up the closing: the watch is
    // on the connection, not on the receive loop.
    this.#closed = conn.closed.then(() => this.#shutdown());
    this.#receiveLoop();
  }

  /** The server's status, as last announced. */
  get status(): Status {
    return this.#status;
  }

  /** Whether the connection is open. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** `"connected"`, then `"closed"`. */
  get connectionState(): ConnectionState {
    return this.#open ? "connected" : "closed";
  }

  /** Resolves once the client is closed and every waiting call rejected. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /**
   * Registers events (`MsgRegisterReq` with `last: false`) and waits for
   * the server's answer.
   *
   * @param events The events to register.
   * @param options `{ withResponse: true }`.
   * @returns The registered events, or `null` when the server reports a
   * failure.
   * @throws {ConnectionError} When the connection is or gets closed.
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
   * @param options Nothing, or `{ withResponse: false }`.
   * @returns When the request is sent.
   * @throws {ConnectionError} When the connection is closed.
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
   * @param options Whether to wait for the response.
   * @returns The registered events, `null` on failure, or nothing.
   * @throws {ConnectionError} When the connection is or gets closed.
   * @throws {TypeError} When an event is not valid.
   */
  register(
    events: readonly RegisterEvent[],
    options?: RegisterOptions,
  ): Promise<Event[] | null | void>;
  async register(
    events: readonly RegisterEvent[],
    options: RegisterOptions = {},
  ): Promise<Event[] | null | void> {
    options.signal?.throwIfAborted();
    const data = this.#coders.registerReq(events);
    const withResponse = options.withResponse === true;
    const conv = await this.#conn.send(
      { type: MSG_TYPE.REGISTER_REQ, data },
      { last: !withResponse },
    );
    if (withResponse) {
      return await this.#wait(conv, options.signal) as Event[] | null;
    }
  }

  /**
   * Queries events (`MsgQueryReq`).
   *
   * @param params Query parameters (`latest`, `timeseries` or `server`).
   * @param options A signal.
   * @returns The server's result.
   * @throws {ConnectionError} When the connection is or gets closed.
   * @throws {TypeError} When the parameters are not valid.
   */
  async query(
    params: QueryParams,
    options: QueryOptions = {},
  ): Promise<QueryResult> {
    options.signal?.throwIfAborted();
    const data = encodeQueryReq(params);
    const conv = await this.#conn.send(
      { type: MSG_TYPE.QUERY_REQ, data },
      { last: false },
    );
    return await this.#wait(conv, options.signal) as QueryResult;
  }

  /**
   * The notified event batches, when no `onEvents` callback is set. A batch
   * that the server asked an ack for is acknowledged when the consumer asks
   * for the next batch or stops iterating. Several iterators share the
   * batches; after `close`, the batches already received are still given,
   * then the iteration ends.
   *
   * @returns An async iterator of event batches.
   * @throws {TypeError} When the client has an `onEvents` callback.
   */
  events(): AsyncIterableIterator<Event[]> {
    if (!(this.#queue instanceof BatchQueue)) {
      throw new TypeError(
        "events() is not available: the client has an onEvents callback",
      );
    }
    return this.#queue.iterate();
  }

  /**
   * Same as {@linkcode Client.events}.
   *
   * @returns An async iterator of event batches.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Event[]> {
    return this.events();
  }

  /**
   * Closes the connection; resolves once everything is finished.
   *
   * @returns When closed.
   */
  async close(): Promise<void> {
    this.#open = false;
    await this.#conn.close();
    await this.#closed;
  }

  /**
   * Same as {@linkcode Client.close}.
   *
   * @returns When closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #wait(
    conv: Conversation,
    signal: AbortSignal | undefined,
  ): Promise<Event[] | null | QueryResult> {
    const early = this.#early.get(conv.firstId);
    if (early !== undefined) {
      this.#early.delete(conv.firstId);
      return Promise.resolve(early);
    }
    if (!this.#open) {
      return Promise.reject(new ConnectionError("The client is closed"));
    }
    const waiting = new Promise<Event[] | null | QueryResult>(
      (resolve, reject) => {
        this.#pending.set(conv.firstId, { resolve, reject });
      },
    );
    return signal === undefined ? waiting : abortable(waiting, signal, () => {
      // An answer that still comes is kept with the early ones (a bounded
      // few) until pushed out.
      this.#pending.delete(conv.firstId);
    });
  }

  #settle(msg: Msg, result: Event[] | null | QueryResult): void {
    if (!msg.conv.owner) return;
    const id = msg.conv.firstId;
    const pending = this.#pending.get(id);
    if (pending !== undefined) {
      this.#pending.delete(id);
      pending.resolve(result);
      return;
    }
    // The answer beat the continuation of the send: keep it for #wait.
    if (this.#early.size >= MAX_EARLY) {
      this.#early.delete(this.#early.keys().next().value!);
    }
    this.#early.set(id, result);
  }

  async #receiveLoop(): Promise<void> {
    try {
      for (;;) {
        const msg = await this.#conn.receive();
        const wait = this.#process(msg);
        if (wait !== undefined) await wait;
      }
    } catch (err) {
      // A ProtocolError is a ConnectionError too, but one worth telling.
      if (err instanceof ProtocolError || !(err instanceof ConnectionError)) {
        safeReport(this.#onError, err);
      }
    }
    this.#open = false;
    await this.#conn.close();
  }

  #shutdown(): void {
    this.#open = false;
    const error = new ConnectionError("The connection is closed");
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.#early.clear();
    this.#queue?.close();
  }

  #process(msg: Msg): Promise<void> | undefined {
    switch (msg.type) {
      case MSG_TYPE.EVENTS_NOTIFY:
        return this.#processEvents(msg);
      case MSG_TYPE.STATUS_NOTIFY: {
        this.#status = decodeStatus(msg.data);
        if (this.#onStatus === undefined) return;
        const r = this.#onStatus(this, this.#status);
        return isPromiseLike<void>(r) ? Promise.resolve(r) : undefined;
      }
      case MSG_TYPE.REGISTER_RES:
        this.#settle(msg, this.#coders.registerRes(msg.data));
        return;
      case MSG_TYPE.QUERY_RES:
        this.#settle(msg, this.#coders.queryRes(msg.data));
        return;
      default:
        throw new ProtocolError(
          `Unexpected message type ${JSON.stringify(msg.type)} from the server`,
        );
    }
  }

  #processEvents(msg: Msg): Promise<void> | undefined {
    const events = this.#coders.events(msg.data);
    const ack = msg.last ? null : () => this.#ack(msg.conv);
    if (this.#onEvents !== undefined) {
      const r = this.#onEvents(this, events);
      if (isPromiseLike<void>(r)) {
        return ack === null ? Promise.resolve(r) : Promise.resolve(r).then(ack);
      }
      if (ack !== null) ack();
      return;
    }
    return this.#queue!.push(events, ack);
  }

  #ack(conv: Conversation): void {
    if (!this.#open) return;
    this.#conn.send({ type: MSG_TYPE.EVENTS_ACK, data: EMPTY }, {
      conv,
      last: true,
    })
      .catch((err) => {
        if (!(err instanceof ConnectionError)) safeReport(this.#onError, err);
      });
  }
}
