/**
 * The error of the eventer layer: a server that refuses a client at
 * initialization. Transport failures are the chatter layer's
 * `ConnectionError` and `ProtocolError`.
 *
 * @module
 */

/**
 * The server refused the client's `MsgInitReq` (for example because of a
 * wrong client token). The message is the server's text, unchanged.
 *
 * @example
 * ```ts
 * import { EventerInitError } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * const err = new EventerInitError("invalid client token");
 * assert.ok(err instanceof Error);
 * assert.equal(err.name, "EventerInitError");
 * assert.equal(err.message, "invalid client token");
 * ```
 */
export class EventerInitError extends Error {
  /**
   * Creates the error.
   *
   * @param message The server's error text.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EventerInitError";
  }
}

/**
 * Reported by the eventer server (to its `onError`) when it disconnects a
 * subscriber that fell behind: a notification would have made the bytes
 * waiting to be sent to it exceed the connection's `sendQueueBytes`. The
 * message names the client and its connection id. Other clients are not
 * affected.
 *
 * @example
 * ```ts
 * import { SlowConsumerError } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * const err = new SlowConsumerError("gui", 7, 5_000_000, 4_194_304);
 * assert.equal(err.name, "SlowConsumerError");
 * assert.equal(err.connectionId, 7);
 * assert.match(err.message, /"gui" \(connection 7\)/);
 * ```
 */
export class SlowConsumerError extends Error {
  /** The client's name. */
  readonly clientName: string;
  /** The server's id of the connection. */
  readonly connectionId: number;

  /**
   * Creates the error.
   *
   * @param clientName The client's name.
   * @param connectionId The connection id.
   * @param queuedBytes Bytes the send queue would have held.
   * @param limit The connection's `sendQueueBytes`.
   * @param options Standard error options (`cause`).
   */
  constructor(
    clientName: string,
    connectionId: number,
    queuedBytes: number,
    limit: number,
    options?: ErrorOptions,
  ) {
    super(
      `disconnecting slow client ${
        JSON.stringify(clientName)
      } (connection ${connectionId}): ${queuedBytes} bytes would wait to be sent to it, over sendQueueBytes ${limit}`,
      options,
    );
    this.name = "SlowConsumerError";
    this.clientName = clientName;
    this.connectionId = connectionId;
  }
}

/**
 * Reported by the eventer server (to its `onError`) when a peer exceeds one
 * of its limits (`maxConnections`, `initTimeout`, `maxRegisterEvents`);
 * `limit` names the option.
 *
 * @example
 * ```ts
 * import { ServerLimitError } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * const err = new ServerLimitError("initTimeout", "no MsgInitReq within 10 s");
 * assert.equal(err.name, "ServerLimitError");
 * assert.equal(err.limit, "initTimeout");
 * ```
 */
export class ServerLimitError extends Error {
  /** The name of the exceeded option. */
  readonly limit: string;

  /**
   * Creates the error.
   *
   * @param limit The name of the exceeded option.
   * @param message What happened.
   * @param options Standard error options (`cause`).
   */
  constructor(limit: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ServerLimitError";
    this.limit = limit;
  }
}
