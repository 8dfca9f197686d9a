/**
 * The errors of the chatter transport.
 *
 * @module
 */

/**
 * The connection is closed, or closed while the operation was pending. Every
 * pending `send`, `receive` and `drain` of a connection rejects with one when
 * the connection ends; `cause` holds why it ended, when known.
 *
 * @example
 * ```ts
 * import { ConnectionError } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * const err = new ConnectionError("connection closed", { cause: "eof" });
 * assert.equal(err.name, "ConnectionError");
 * assert.equal(err.cause, "eof");
 * ```
 */
export class ConnectionError extends Error {
  /**
   * Creates a connection error.
   *
   * @param message What happened.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionError";
  }
}

/**
 * The peer sent bytes that are not chatter: a malformed or oversized frame,
 * or a body that is not a `HatChatter.Msg`. The connection that received
 * them is closed. It is a {@linkcode ConnectionError}, so code that handles
 * a closed connection handles this too.
 *
 * @example
 * ```ts
 * import { ConnectionError, ProtocolError } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * const err = new ProtocolError("frame length field of 0 bytes");
 * assert.equal(err.name, "ProtocolError");
 * assert.ok(err instanceof ConnectionError);
 * ```
 */
export class ProtocolError extends ConnectionError {
  /**
   * Creates a protocol error.
   *
   * @param message What was wrong with the received bytes.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProtocolError";
  }
}

/**
 * A non-waiting send ({@linkcode Connection.trySend}) found more bytes
 * queued for the peer than the connection's `sendQueueBytes` allows: the
 * peer is not reading fast enough. The connection stays open; what to do
 * with a slow peer is the caller's choice.
 *
 * @example
 * ```ts
 * import { SendQueueFullError } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * const err = new SendQueueFullError(5_000_000, 4_194_304);
 * assert.equal(err.name, "SendQueueFullError");
 * assert.equal(err.queuedBytes, 5_000_000);
 * assert.match(err.message, /5000000 bytes/);
 * ```
 */
export class SendQueueFullError extends Error {
  /** Bytes that were queued (including the refused message). */
  readonly queuedBytes: number;
  /** The `sendQueueBytes` bound. */
  readonly limit: number;

  /**
   * Creates the error.
   *
   * @param queuedBytes Bytes that the queue would have held.
   * @param limit The bound.
   * @param options Standard error options (`cause`).
   */
  constructor(queuedBytes: number, limit: number, options?: ErrorOptions) {
    super(
      `send queue full: ${queuedBytes} bytes would wait for the peer, over sendQueueBytes ${limit}`,
      options,
    );
    this.name = "SendQueueFullError";
    this.queuedBytes = queuedBytes;
    this.limit = limit;
  }
}
