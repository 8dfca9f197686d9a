// One client connection of an eventer server: the init exchange, then a
// reader that takes every message as it arrives and a worker that handles
// register and query requests one at a time, in order. Acks are handled by
// the reader, so an ack arrives even while a register or query callback of
// the same connection is still running (the Python server reads nothing
// while a callback runs, so a callback that waits for an ack deadlocks).

import {
  type Connection,
  ConnectionError,
  type Conversation,
  type Msg,
  ProtocolError,
  SendQueueFullError,
} from "../chatter/mod.ts";
import {
  type Event,
  type QueryParams,
  type QueryResult,
  type RegisterEvent,
  type Status,
  Subscription,
} from "../event/mod.ts";
import type { EventBatch, EventCore } from "../codec/wasm/internal_mod.ts";
import type { BatchHooks } from "./_batch_hooks.ts";
import { isPromiseLike } from "./_common.ts";
import { registerEventsOfBatch } from "./_event_batch.ts";
import {
  decodeInitReq,
  decodeQueryReq,
  decodeQueryReqWasm,
  decodeRegisterReq,
  encodeInitRes,
  encodeQueryRes,
  encodeRegisterRes,
  MSG_TYPE,
} from "./_messages.ts";
import type { ConnectionInfo } from "./connection_info.ts";
import { ServerLimitError, SlowConsumerError } from "./errors.ts";

/** What a connection needs of its server. */
export interface ServerHooks {
  readonly closeTimeout: number;
  readonly requestQueueSize: number;
  /** Seconds between accept and `MsgInitReq`. */
  readonly initTimeout: number;
  readonly maxRegisterEvents: number;
  /** JSON payloads of register events as JsonTextPayload. */
  readonly jsonText: boolean;
  readonly maxQueryResults: number;
  /**
   * The server's Wasm core (codec "wasm"): register requests are scanned
   * with it; null for the TypeScript reference path.
   */
  readonly core: EventCore | null;
  /** The engine's callbacks for requests as bytes (with a core). */
  readonly batchHooks: BatchHooks | undefined;
  status(): Status;
  /** The server accepted the client; false when the server is closing. */
  added(conn: ServerConnection): boolean;
  removed(conn: ServerConnection): void;
  onConnected?(info: ConnectionInfo): void | Promise<void>;
  onDisconnected?(info: ConnectionInfo): void | Promise<void>;
  onRegister?(
    info: ConnectionInfo,
    events: RegisterEvent[],
  ): readonly Event[] | null | void | Promise<readonly Event[] | null | void>;
  onQuery?(
    info: ConnectionInfo,
    params: QueryParams,
  ): QueryResult | Promise<QueryResult>;
  report(error: unknown, info: ConnectionInfo | null): void;
}

const EMPTY_RESULT: QueryResult = Object.freeze({
  events: Object.freeze([]) as readonly Event[],
  moreFollows: false,
});

const MAX_EARLY_ACKS = 64;

function ignoreClosed(): void {}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A client connection of an eventer server. */
export class ServerConnection {
  readonly conn: Connection;
  readonly id: number;
  info: ConnectionInfo | null = null;
  #hooks: ServerHooks;
  #acks = new Map<number, () => void>();
  #earlyAcks = new Set<number>();
  #queue: (Msg | undefined)[] = [];
  #head = 0;
  #working = false;
  #spaceWaiter: (() => void) | null = null;
  #done = false;
  /** Where register requests are scanned (codec "wasm"), made on first use. */
  #batch: EventBatch | null = null;

  constructor(conn: Connection, id: number, hooks: ServerHooks) {
    this.conn = conn;
    this.id = id;
    this.#hooks = hooks;
  }

  /** Runs the connection until it closes; never rejects. */
  async run(): Promise<void> {
    try {
      if (await this.#init()) await this.#read();
    } catch (err) {
      // The chatter server reports the connections it closed for a
      // ProtocolError; other connection errors are just the end.
      if (!(err instanceof ConnectionError)) {
        this.#hooks.report(err, this.info);
      }
    } finally {
      this.#done = true;
      await this.conn.close();
      const info = this.info;
      if (info !== null) this.#hooks.removed(this);
      for (const ack of this.#acks.values()) ack();
      this.#acks.clear();
      this.#spaceWaiter?.();
      if (info !== null && this.#hooks.onDisconnected !== undefined) {
        try {
          await this.#hooks.onDisconnected(info);
        } catch (err) {
          this.#hooks.report(err, info);
        }
      }
    }
  }

  /**
   * Sends `MsgStatusNotify` (already encoded); resolves when sent or the
   * connection closed.
   */
  notifyStatus(data: Uint8Array): Promise<void> {
    try {
      this.conn.trySend({ type: MSG_TYPE.STATUS_NOTIFY, data }, { last: true });
    } catch (err) {
      this.#notifyFailed(err);
    }
    return Promise.resolve();
  }

  /**
   * Sends `MsgEventsNotify` (already encoded); with `withAck`, resolves
   * when the client acked or the connection closed.
   */
  notifyEvents(data: Uint8Array, withAck: boolean): Promise<void> {
    // Never waits for room: a subscriber too far behind is disconnected.
    let conv: Conversation;
    try {
      conv = this.conn.trySend(
        { type: MSG_TYPE.EVENTS_NOTIFY, data },
        { last: !withAck },
      );
    } catch (err) {
      this.#notifyFailed(err);
      return Promise.resolve();
    }
    if (!withAck) return Promise.resolve();
    return Promise.resolve(this.#waitAck(conv));
  }

  #notifyFailed(err: unknown): void {
    if (err instanceof SendQueueFullError) {
      this.#hooks.report(
        new SlowConsumerError(
          this.info?.clientName ?? "",
          this.id,
          err.queuedBytes,
          err.limit,
          { cause: err },
        ),
        this.info,
      );
      this.#done = true;
      this.conn.close();
      return;
    }
    this.#sendFailed(err);
  }

  /**
   * Sends a response without waiting when there is room; otherwise (the
   * client does not read its responses) waits, which pauses this
   * connection's requests only.
   */
  #respond(
    type: string,
    data: Uint8Array,
    conv: Conversation,
  ): void | Promise<void> {
    try {
      this.conn.trySend({ type, data }, { conv, last: true });
      return;
    } catch (err) {
      if (!(err instanceof SendQueueFullError)) return this.#sendFailed(err);
    }
    // Waits for room: `data` may be a view into the server's core, which
    // the next call into it may overwrite.
    return this.conn.send({ type, data: data.slice() }, { conv, last: true })
      .then(ignoreClosed, this.#sendFailed);
  }

  #sendFailed = (err: unknown): void => {
    if (!(err instanceof ConnectionError)) this.#hooks.report(err, this.info);
  };

  #waitAck(conv: Conversation): Promise<void> | void {
    if (this.#earlyAcks.delete(conv.firstId) || this.#done) return;
    return new Promise((resolve) => this.#acks.set(conv.firstId, resolve));
  }

  #ack(msg: Msg): void {
    if (!msg.conv.owner) return;
    const id = msg.conv.firstId;
    const ack = this.#acks.get(id);
    if (ack !== undefined) {
      this.#acks.delete(id);
      ack();
      return;
    }
    // The ack beat the continuation of the send: keep it for #waitAck.
    if (this.#earlyAcks.size >= MAX_EARLY_ACKS) {
      this.#earlyAcks.delete(this.#earlyAcks.values().next().value!);
    }
    this.#earlyAcks.add(id);
  }

  async #init(): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = this.#hooks.initTimeout;
    const req = await Promise.race([
      this.conn.receive(),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeout * 1000);
      }),
    ]).finally(() => clearTimeout(timer));
    if (req === null) {
      this.#hooks.report(
        new ServerLimitError(
          "initTimeout",
          `closing connection ${this.id}: no ${MSG_TYPE.INIT_REQ} within ${timeout} s`,
        ),
        null,
      );
      return false;
    }
    if (req.type !== MSG_TYPE.INIT_REQ || req.conv.owner) {
      this.#hooks.report(
        new ProtocolError(
          `Expected ${MSG_TYPE.INIT_REQ} opening a conversation, got ${
            JSON.stringify(req.type)
          }`,
        ),
        null,
      );
      return false;
    }
    const init = decodeInitReq(req.data);
    let error: string | null = null;
    let info: ConnectionInfo | null = null;
    try {
      info = Object.freeze({
        id: this.id,
        clientName: init.clientName,
        clientToken: init.clientToken,
        subscription: new Subscription(init.subscriptions),
        serverId: init.serverId,
        persisted: init.persisted,
      });
      const r = this.#hooks.onConnected?.(info);
      if (isPromiseLike(r)) await r;
    } catch (err) {
      error = errorText(err);
    }
    if (error === null && this.conn.isOpen) {
      this.info = info;
      if (this.#hooks.added(this)) {
        // Sent with the status of the moment the connection was added, so
        // that every later status change is notified to it.
        const data = encodeInitRes({
          kind: "success",
          status: this.#hooks.status(),
        });
        this.conn.send({ type: MSG_TYPE.INIT_RES, data }, {
          conv: req.conv,
          last: true,
        }).catch(this.#sendFailed);
        return true;
      }
      this.info = null;
      error = "server is closing";
    }
    if (error === null) return false;
    const data = encodeInitRes({ kind: "error", message: error });
    await this.conn.send({ type: MSG_TYPE.INIT_RES, data }, {
      conv: req.conv,
      last: true,
    });
    await this.#waitClosed(this.#hooks.closeTimeout);
    return false;
  }

  async #waitClosed(seconds: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.conn.closed,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, seconds * 1000);
      }),
    ]);
    clearTimeout(timer);
  }

  async #read(): Promise<void> {
    const conn = this.conn;
    for (;;) {
      const msg = await conn.receive();
      switch (msg.type) {
        case MSG_TYPE.EVENTS_ACK:
          this.#ack(msg);
          break;
        case MSG_TYPE.REGISTER_REQ:
        case MSG_TYPE.QUERY_REQ:
          this.#queue.push(msg);
          if (!this.#working) this.#work();
          if (this.#queue.length - this.#head >= this.#hooks.requestQueueSize) {
            await new Promise<void>((resolve) => this.#spaceWaiter = resolve);
            this.#spaceWaiter = null;
          }
          break;
        default:
          this.#hooks.report(
            new ProtocolError(
              `Unexpected message type ${JSON.stringify(msg.type)}`,
            ),
            this.info,
          );
          return;
      }
    }
  }

  async #work(): Promise<void> {
    this.#working = true;
    try {
      while (this.#head < this.#queue.length && !this.#done) {
        const msg = this.#queue[this.#head]!;
        this.#queue[this.#head++] = undefined;
        const wait = msg.type === MSG_TYPE.REGISTER_REQ
          ? this.#register(msg)
          : this.#query(msg);
        if (wait !== undefined) await wait;
        if (this.#spaceWaiter !== null) this.#spaceWaiter();
      }
    } catch (err) {
      if (!(err instanceof ConnectionError)) this.#hooks.report(err, this.info);
      this.#done = true;
      await this.conn.close();
    } finally {
      this.#queue = [];
      this.#head = 0;
      this.#working = false;
    }
  }

  #register(msg: Msg): Promise<void> | undefined {
    const core = this.#hooks.core;
    if (core !== null) {
      const batch = this.#batch ??= core.batch();
      const n = batch.scanRegister(msg.data);
      if (typeof n === "number") return this.#registerBatch(msg, batch, n);
      // Refused by the core, or too large for it: the TypeScript decoder
      // decides (and throws the error of a malformed request).
      this.#doneWith(batch);
    }
    const events = decodeRegisterReq(msg.data, true, this.#hooks.jsonText);
    if (this.#overLimit(msg, events.length)) return this.#registered(msg, null);
    return this.#callRegister(msg, events);
  }

  /** Clears the batch and lets the core give back memory it grew. */
  #doneWith(batch: EventBatch): void {
    batch.clear();
    batch.core.release();
  }

  /**
   * Reports a request over maxRegisterEvents; closes the connection when
   * it wants no response (it could not learn of the failure otherwise).
   */
  #overLimit(msg: Msg, n: number): boolean {
    const max = this.#hooks.maxRegisterEvents;
    if (n <= max) return false;
    const err = new ServerLimitError(
      "maxRegisterEvents",
      `client ${
        JSON.stringify(this.info!.clientName)
      } (connection ${this.id}) registered ${n} events in one request, over maxRegisterEvents ${max}: ${
        msg.last ? "closing the connection" : "failure"
      }`,
    );
    this.#hooks.report(err, this.info);
    if (msg.last) throw new ConnectionError(err.message, { cause: err });
    return true;
  }

  // A request scanned into the batch: to the engine as bytes, or to
  // onRegister as objects built from the entries.
  #registerBatch(
    msg: Msg,
    batch: EventBatch,
    n: number,
  ): Promise<void> | undefined {
    let over: boolean;
    try {
      over = this.#overLimit(msg, n);
    } catch (err) {
      this.#doneWith(batch);
      throw err;
    }
    if (over) {
      this.#doneWith(batch);
      return this.#registered(msg, null);
    }
    const hooks = this.#hooks.batchHooks;
    if (hooks === undefined) {
      let events: RegisterEvent[];
      try {
        events = registerEventsOfBatch(
          batch,
          msg.data,
          this.#hooks.jsonText,
          true,
        );
      } finally {
        this.#doneWith(batch);
      }
      return this.#callRegister(msg, events);
    }
    let r;
    try {
      r = hooks.onRegisterBatch(this.info!, batch, !msg.last);
    } catch (err) {
      this.#doneWith(batch);
      this.#hooks.report(err, this.info);
      return this.#registered(msg, null);
    }
    if (!isPromiseLike(r)) {
      const sent = this.#registeredBytes(msg, r);
      this.#doneWith(batch);
      return sent;
    }
    return Promise.resolve(r).then(
      (bytes) => {
        const sent = this.#registeredBytes(msg, bytes);
        this.#doneWith(batch);
        return sent;
      },
      (err) => {
        this.#doneWith(batch);
        this.#hooks.report(err, this.info);
        return this.#registered(msg, null);
      },
    );
  }

  #registeredBytes(
    msg: Msg,
    data: Uint8Array | null,
  ): Promise<void> | undefined {
    if (msg.last || this.#done) return;
    if (data === null) return this.#registered(msg, null);
    return this.#respond(MSG_TYPE.REGISTER_RES, data, msg.conv) ?? undefined;
  }

  #callRegister(
    msg: Msg,
    events: RegisterEvent[],
  ): Promise<void> | undefined {
    const cb = this.#hooks.onRegister;
    if (cb === undefined) return this.#registered(msg, null);
    let r;
    try {
      r = cb(this.info!, events);
    } catch (err) {
      this.#hooks.report(err, this.info);
      return this.#registered(msg, null);
    }
    if (!isPromiseLike(r)) return this.#registered(msg, r);
    return Promise.resolve(r).then(
      (result) => this.#registered(msg, result),
      (err) => {
        this.#hooks.report(err, this.info);
        return this.#registered(msg, null);
      },
    );
  }

  #registered(
    msg: Msg,
    events: readonly Event[] | null | void,
  ): Promise<void> | undefined {
    if (msg.last || this.#done) return;
    let data: Uint8Array;
    try {
      data = encodeRegisterRes(events ?? null);
    } catch (err) {
      this.#hooks.report(err, this.info);
      data = encodeRegisterRes(null);
    }
    return this.#respond(MSG_TYPE.REGISTER_RES, data, msg.conv) ?? undefined;
  }

  #query(msg: Msg): Promise<void> | undefined {
    const params = this.#hooks.core !== null
      ? decodeQueryReqWasm(msg.data)
      : decodeQueryReq(msg.data);
    const cap = params.kind === "latest"
      ? Infinity
      : this.#hooks.maxQueryResults;
    const hooks = this.#hooks.batchHooks;
    if (hooks !== undefined && this.#hooks.core !== null) {
      const r = hooks.onQueryBytes(this.info!, params, cap);
      if (!isPromiseLike(r)) return this.#queriedBytes(msg, r);
      return Promise.resolve(r).then((bytes) => this.#queriedBytes(msg, bytes));
    }
    const cb = this.#hooks.onQuery;
    if (cb === undefined) return this.#queried(msg, EMPTY_RESULT, cap);
    const r = cb(this.info!, params);
    if (!isPromiseLike(r)) return this.#queried(msg, r, cap);
    return Promise.resolve(r).then((result) => this.#queried(msg, result, cap));
  }

  #queried(
    msg: Msg,
    result: QueryResult,
    cap: number,
  ): Promise<void> | undefined {
    if (this.#done) return;
    // The cap applies to what goes on the wire; the client pages on with
    // lastEventId.
    if (result?.events?.length > cap) {
      result = { events: result.events.slice(0, cap), moreFollows: true };
    }
    const data = encodeQueryRes(result);
    return this.#respond(MSG_TYPE.QUERY_RES, data, msg.conv) ?? undefined;
  }

  #queriedBytes(msg: Msg, data: Uint8Array): Promise<void> | undefined {
    const core = this.#hooks.core!;
    try {
      if (this.#done) return;
      return this.#respond(MSG_TYPE.QUERY_RES, data, msg.conv) ?? undefined;
    } finally {
      core.release();
    }
  }
}
