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
 * import { EventerInitError } from "./errors.ts";
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
