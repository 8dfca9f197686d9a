/**
 * A chatter connection over a Deno stream connection (TCP or TLS).
 *
 * @module
 */

import {
  ConnectionError,
  ProtocolError,
  SendQueueFullError,
} from "./errors.ts";
import { FrameParser } from "./frame.ts";
import { MsgDecoder, type WireMsg, writeMsgFrame } from "./msg_codec.ts";
import type {
  Address,
  ConnectionOptions,
  Conversation,
  Msg,
  MsgData,
  SendOptions,
} from "./types.ts";
import { SendQueue } from "./_send_queue.ts";
import { resolveOptions } from "./_options.ts";
import { KeepAlive } from "./_keepalive.ts";
import { ReceiveQueue } from "./_receive_queue.ts";

const PING = "HatChatter.Ping";
const PONG = "HatChatter.Pong";
const EMPTY = new Uint8Array(0);
/**
 * Received bytes go into slabs of this size that are never written twice:
 * a message's data is a view of its slab (no copy per message), and a new
 * slab is taken once less than {@linkcode MIN_READ_SIZE} of it is left.
 */
const SLAB_SIZE = 64 * 1024;
const MIN_READ_SIZE = 16 * 1024;

/**
 * One chatter connection: sends and receives `HatChatter.Msg` frames,
 * numbering its messages, keeping the link alive with pings, and bounding
 * what it buffers in both directions. Obtain one from `connect` or from the
 * callback of `listen`.
 *
 * Every `send`, `receive` and `drain` still pending when the connection ends
 * rejects with a {@linkcode ConnectionError}; messages received before the
 * end stay receivable. A malformed or oversized frame from the peer closes
 * the connection with a {@linkcode ProtocolError}, which `receive` reports.
 * `close()` discards what is still queued for writing: `await drain()` first
 * to deliver it.
 *
 * @example Request and reply over loopback
 * ```ts
 * import { connect, listen } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen(async (conn) => {
 *   const req = await conn.receive();
 *   await conn.send({ type: "Pong", data: req.data }, { conv: req.conv });
 * }, { hostname: "127.0.0.1", port: 0 });
 * await using conn = await connect(server.addrs[0]);
 * const conv = await conn.send({ type: "Ping", data: new Uint8Array([1]) });
 * const res = await conn.receive();
 * assert.deepEqual(res.conv, { owner: true, firstId: conv.firstId });
 * assert.deepEqual(res.data, new Uint8Array([1]));
 * ```
 */
export class Connection {
  #conn: Deno.Conn;
  #receiveQueueSize: number;
  #maxMessageSize: number;
  #sendQueueBytes: number;
  #localAddr: Address;
  #remoteAddr: Address;

  #nextId = 1;
  #reason: ConnectionError | undefined;
  #closed: Promise<void>;

  #parser: FrameParser;
  #decoder = new MsgDecoder();
  #received = new ReceiveQueue();
  #readDone: Promise<void>;

  #send: SendQueue;
  #scratch: WireMsg = {
    id: 0,
    first: 0,
    owner: true,
    token: true,
    last: true,
    data: { type: "", data: EMPTY },
  };

  #keepAlive: KeepAlive;

  /**
   * Wraps an open stream connection and starts reading it.
   *
   * @param conn The TCP or TLS connection; the new object owns it.
   * @param options Keep-alive, queue and size options.
   */
  constructor(conn: Deno.Conn, options: ConnectionOptions = {}) {
    const o = resolveOptions(options);
    this.#receiveQueueSize = o.receiveQueueSize;
    this.#maxMessageSize = o.maxMessageSize;
    this.#sendQueueBytes = o.sendQueueBytes;
    this.#parser = new FrameParser({ maxMessageSize: o.maxMessageSize });
    this.#send = new SendQueue(conn, {
      maxMessages: o.sendQueueSize,
      maxBytes: o.sendQueueBytes,
      onError: (e) =>
        this.#terminate(new ConnectionError("write failed", { cause: e })),
    });
    this.#conn = conn;
    setNoDelay(conn);
    this.#localAddr = toAddress(conn.localAddr);
    this.#remoteAddr = toAddress(conn.remoteAddr);
    this.#keepAlive = new KeepAlive(o.pingDelay, o.pingTimeout, {
      closed: () => this.#reason !== undefined,
      paused: () => this.#received.paused,
      ping: () => {
        this.#send.forceReserve();
        this.#enqueue({ type: PING, data: EMPTY }, undefined, false, true);
      },
      terminate: (reason) => this.#terminate(reason),
    });
    this.#readDone = this.#readLoop();
    this.#closed = this.#readDone.then(() => this.#send.done());
  }

  /** Local address of the socket. */
  get localAddr(): Address {
    return this.#localAddr;
  }

  /** Address of the peer. */
  get remoteAddr(): Address {
    return this.#remoteAddr;
  }

  /** Whether the connection is still open. */
  get isOpen(): boolean {
    return this.#reason === undefined;
  }

  /**
   * Why the connection ended (a {@linkcode ProtocolError} when the peer
   * sent something malformed), or `undefined` while it is open.
   */
  get closeReason(): ConnectionError | undefined {
    return this.#reason;
  }

  /** Resolves (never rejects) once the connection has ended and released its socket. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** Bytes queued for writing and not yet written (for monitoring). */
  get bufferedAmount(): number {
    return this.#send.bytes;
  }

  /**
   * Queues a message for writing and resolves to its conversation: a new
   * one owned by this side unless `options.conv` is given. Waits while the
   * send queue is full.
   *
   * @param data Payload type name and bytes.
   * @param options Conversation and flags.
   * @returns The conversation the message belongs to.
   */
  async send(data: MsgData, options: SendOptions = {}): Promise<Conversation> {
    if (this.#reason !== undefined) throw this.#closedError();
    if (!this.#send.tryReserve()) await this.#send.reserve();
    return this.#enqueueReserved(data, options);
  }

  /**
   * Queues a message for writing without ever waiting: throws
   * {@linkcode SendQueueFullError} when the bytes already queued plus this
   * message would exceed `sendQueueBytes` (a single larger message is still
   * accepted into an empty queue). Only the byte bound applies, not
   * `sendQueueSize`. For a server that must not wait on a slow peer.
   *
   * @param data Payload type name and bytes.
   * @param options Conversation and flags.
   * @returns The conversation the message belongs to.
   * @throws {SendQueueFullError} When the peer is too far behind.
   * @throws {ConnectionError} When the connection is closed.
   *
   * @example
   * ```ts
   * import { connect, listen, SendQueueFullError } from "@hat/eventer/chatter";
   * import assert from "node:assert/strict";
   *
   * // A peer that never receives (and so soon stops reading the socket):
   * // the queue fills up and trySend fails at once instead of waiting.
   * await using server = await listen(() => {}, {
   *   hostname: "127.0.0.1",
   *   port: 0,
   * }, { receiveQueueSize: 1 });
   * await using conn = await connect(server.addrs[0], {
   *   sendQueueBytes: 1024 * 1024,
   * });
   * const data = new Uint8Array(256 * 1024);
   * let error: unknown;
   * for (let i = 0; i < 1000 && error === undefined; i++) {
   *   try {
   *     conn.trySend({ type: "X", data });
   *   } catch (e) {
   *     error = e;
   *   }
   *   await new Promise((r) => setTimeout(r, 0));
   * }
   * assert.ok(error instanceof SendQueueFullError);
   * assert.ok(conn.bufferedAmount <= 1024 * 1024 + 256 * 1024 + 64);
   * ```
   */
  trySend(data: MsgData, options: SendOptions = {}): Conversation {
    if (this.#reason !== undefined) throw this.#closedError();
    const queued = this.#send.bytes;
    const size = queued + (data?.data?.length ?? 0);
    if (queued > 0 && size > this.#sendQueueBytes) {
      throw new SendQueueFullError(size, this.#sendQueueBytes);
    }
    this.#send.forceReserve();
    return this.#enqueueReserved(data, options);
  }

  /** Enqueues into a reserved slot, giving the slot back on failure. */
  #enqueueReserved(data: MsgData, options: SendOptions): Conversation {
    try {
      return this.#enqueue(
        data,
        options.conv,
        options.last ?? true,
        options.token ?? true,
      );
    } catch (e) {
      this.#send.release();
      throw e;
    }
  }

  /** Encodes one frame into the send queue; a slot is already reserved. */
  #enqueue(
    data: MsgData,
    conv: Conversation | undefined,
    last: boolean,
    token: boolean,
  ): Conversation {
    const id = this.#nextId;
    const msg = this.#scratch;
    msg.id = id;
    msg.first = conv === undefined ? id : conv.firstId;
    msg.owner = conv === undefined ? true : conv.owner;
    msg.token = token;
    msg.last = last;
    msg.data.type = data.type;
    msg.data.data = data.data;
    try {
      const w = this.#send.writer;
      const start = w.pos;
      writeMsgFrame(w, msg);
      const bodySize = w.pos - start - 1 - w.buf[start];
      if (bodySize > this.#maxMessageSize) {
        w.pos = start;
        throw new RangeError(
          `Message body of ${bodySize} bytes exceeds maxMessageSize ${this.#maxMessageSize}`,
        );
      }
    } finally {
      msg.data.data = EMPTY;
    }
    this.#nextId = id + 1;
    this.#send.commit();
    return conv ?? { owner: true, firstId: id };
  }

  /**
   * Resolves to the next received message. Rejects with
   * {@linkcode ConnectionError} once the connection has ended and every
   * message received before has been taken ({@linkcode ProtocolError} when
   * it ended because of the peer's bytes).
   *
   * @returns The next message.
   */
  receive(): Promise<Msg> {
    return this.#received.receive(this.#reason);
  }

  /**
   * Received messages until the connection ends. A plain close ends the
   * iteration; a {@linkcode ProtocolError} is thrown.
   *
   * @returns An iterator over received messages.
   */
  async *[Symbol.asyncIterator](): AsyncIterableIterator<Msg> {
    for (;;) {
      try {
        yield await this.receive();
      } catch (e) {
        if (e instanceof ProtocolError || !(e instanceof ConnectionError)) {
          throw e;
        }
        return;
      }
    }
  }

  /**
   * Resolves when everything queued so far has been written to the socket;
   * rejects with {@linkcode ConnectionError} if the connection ends first.
   */
  async drain(): Promise<void> {
    if (this.#reason !== undefined) throw this.#closedError();
    await this.#send.drain();
    if (this.#reason !== undefined) throw this.#closedError();
  }

  /** Closes the connection; resolves once it has ended. */
  close(): Promise<void> {
    this.#terminate(new ConnectionError("connection closed"));
    return this.#closed;
  }

  /** Closes the connection (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #closedError(): ConnectionError {
    return new ConnectionError("connection closed", { cause: this.#reason });
  }

  async #readLoop(): Promise<void> {
    let slab = new Uint8Array(SLAB_SIZE);
    let used = 0;
    const parser = this.#parser;
    try {
      while (this.#reason === undefined) {
        if (SLAB_SIZE - used < MIN_READ_SIZE) {
          slab = new Uint8Array(SLAB_SIZE);
          used = 0;
        }
        const chunk = slab.subarray(used);
        const n = await this.#conn.read(chunk);
        if (n === null) {
          this.#terminate(
            parser.atBoundary
              ? new ConnectionError("connection closed by the peer")
              : new ConnectionError("connection closed by the peer mid-frame"),
          );
          return;
        }
        this.#keepAlive.read();
        const pushed = chunk.subarray(0, n);
        used += n;
        parser.push(pushed);
        while (parser.advance()) {
          // A body inside the chunk stays where it is; one assembled from
          // several chunks may be in the parser's reused buffer.
          const ping = this.#handleBody(
            parser.body,
            parser.bodyStart,
            parser.bodyEnd,
            parser.body === pushed,
          );
          if (ping !== undefined) {
            // A pong waits for room like any message, so a peer that pings
            // without reading our answers stops being read instead of
            // growing the queue.
            if (!this.#send.tryReserve()) await this.#send.reserve();
            this.#enqueue({ type: PONG, data: EMPTY }, ping, true, true);
          }
          if (this.#received.length >= this.#receiveQueueSize) {
            await this.#received.pause();
            // Not reading was our choice: the peer's silence was not its
            // (counted as a read, so a ping out meanwhile is not timed out).
            this.#keepAlive.read();
          }
          if (this.#reason !== undefined) return;
        }
      }
    } catch (e) {
      this.#terminate(
        e instanceof ConnectionError
          ? e
          : new ConnectionError("read failed", { cause: e }),
      );
    }
  }

  /** Decodes and dispatches one body; returns the conversation of a ping. */
  #handleBody(
    body: Uint8Array,
    start: number,
    end: number,
    view: boolean,
  ): Conversation | undefined {
    const d = this.#decoder;
    try {
      d.decode(body, start, end, view);
    } catch (e) {
      throw new ProtocolError(
        `malformed HatChatter.Msg: ${(e as Error).message}`,
        { cause: e },
      );
    }
    this.#keepAlive.received();
    const conv = { owner: !d.owner, firstId: d.first };
    const type = d.type;
    if (type === PING) return conv;
    if (type === PONG) return undefined;
    const msg: Msg = {
      type,
      data: d.data,
      conv,
      first: d.owner && d.first === d.id,
      last: d.last,
      token: d.token,
    };
    this.#received.push(msg);
    return undefined;
  }

  #terminate(reason: ConnectionError): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#keepAlive.stop();
    try {
      this.#conn.close();
    } catch {
      // Already closed by Deno (e.g. after a failed handshake).
    }
    this.#received.rejectAll(reason);
    this.#send.close(this.#closedError());
    this.#received.resume();
  }
}

/** The address of a socket end, or an empty one when it has no hostname. */
function toAddress(addr: Deno.Addr): Address {
  return "hostname" in addr
    ? { hostname: addr.hostname, port: addr.port }
    : { hostname: "", port: 0 };
}

/**
 * Turns Nagle's algorithm off on a TCP socket: a message written right after
 * another (a notification, then a response) must not wait for the peer's
 * delayed ACK (~40 ms). Deno's `TlsConn` has no such method; `connect` sets
 * it on the TCP socket before starting TLS, accepted TLS sockets keep the
 * system default.
 */
function setNoDelay(conn: Deno.Conn): void {
  const tcp = conn as Partial<Deno.TcpConn>;
  if (typeof tcp.setNoDelay !== "function") return;
  try {
    tcp.setNoDelay(true);
  } catch {
    // A socket already closed by the peer: reading it will tell.
  }
}
