/**
 * The errors of the monitor layer. Transport failures are the chatter
 * layer's `ConnectionError` and `ProtocolError`.
 *
 * @module
 */

import { ProtocolError } from "../chatter/mod.ts";

/**
 * The monitor sent something that is not the observer protocol: a message
 * type a component never receives, a payload that does not decode as its
 * type, or component data that is not JSON. The connection that carried it
 * is closed (a {@linkcode MonitorComponent} then reconnects, when allowed).
 * It is a chatter `ProtocolError`, so code that handles a broken connection
 * handles this too.
 *
 * @example
 * ```ts
 * import { ObserverProtocolError } from "@hat/eventer/monitor";
 * import { ConnectionError, ProtocolError } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * const err = new ObserverProtocolError(
 *   "HatObserver.MsgMaster",
 *   "unexpected message type",
 * );
 * assert.equal(err.name, "ObserverProtocolError");
 * assert.equal(err.msgType, "HatObserver.MsgMaster");
 * assert.ok(err instanceof ProtocolError && err instanceof ConnectionError);
 * assert.match(err.message, /HatObserver\.MsgMaster: unexpected/);
 * ```
 */
export class ObserverProtocolError extends ProtocolError {
  /** The `data.type` of the offending message. */
  readonly msgType: string;

  /**
   * Creates the error.
   *
   * @param msgType The `data.type` of the offending message.
   * @param problem What was wrong with it.
   * @param options Standard error options (`cause`).
   */
  constructor(msgType: string, problem: string, options?: ErrorOptions) {
    super(`Invalid monitor message ${msgType}: ${problem}`, options);
    this.name = "ObserverProtocolError";
    this.msgType = msgType;
  }
}

/**
 * A component's runner failed: it threw (or rejected) when it was started,
 * or when it was closed. The component reports it to its `onError` and, when
 * the runner could not be started, closes, as the reference does.
 *
 * @example
 * ```ts
 * import { RunnerError } from "@hat/eventer/monitor";
 * import assert from "node:assert/strict";
 *
 * const err = new RunnerError("start", new Error("no engine"));
 * assert.equal(err.name, "RunnerError");
 * assert.equal(err.phase, "start");
 * assert.match(err.message, /start.*no engine/);
 * ```
 */
export class RunnerError extends Error {
  /** When the runner failed. */
  readonly phase: "start" | "close";

  /**
   * Creates the error.
   *
   * @param phase When the runner failed.
   * @param cause What it threw.
   */
  constructor(phase: "start" | "close", cause: unknown) {
    super(
      `The component's runner failed to ${phase}: ${
        (cause as Error)?.message ?? cause
      }`,
      { cause },
    );
    this.name = "RunnerError";
    this.phase = phase;
  }
}
