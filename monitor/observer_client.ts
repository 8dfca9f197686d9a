/**
 * The observer client (Python `hat.monitor.observer.client`): one
 * connection to a Hat monitor server, as a component. It publishes the
 * component's name, group, data and blessing response (`MsgClient`) and
 * follows the state the monitor sends (`MsgServer`); a `MsgClose` from the
 * monitor is a request to close, after which the client closes. Most
 * applications want {@linkcode connectMonitor}, which answers blessings,
 * runs a runner while active and reconnects.
 *
 * @module
 */

import { callSafely, reportSafely } from "./_callback.ts";
import {
  type Address,
  connect as chatterConnect,
  type Connection,
  ConnectionError,
  ProtocolError,
} from "../chatter/mod.ts";
import {
  checkBlessingRes,
  EMPTY_OBSERVER_STATE,
  type ObserverOptions,
  type ResolvedObserverOptions,
  resolveObserverOptions,
} from "./_observer_options.ts";
import {
  decodeMsgServer,
  encodeMsgClient,
  MSG_CLIENT,
  MSG_CLOSE,
  MSG_SERVER,
} from "./_messages.ts";
import { ObserverProtocolError } from "./errors.ts";
import type { BlessingRes, ObserverState } from "./types.ts";

export type { ObserverOptions } from "./_observer_options.ts";

function defaultReport(error: unknown): void {
  console.error("hat monitor component:", error);
}

/**
 * Connects to a monitor server's component port and sends the first
 * `MsgClient`. Resolves once connected; the monitor's first state follows.
 *
 * @param addr The monitor server's address (component port, 23010 by
 * default in Hat).
 * @param options The component's name, group, data, callbacks, and chatter
 * options.
 * @returns The connected client.
 * @throws {ConnectionError} When the connection cannot be made.
 * @throws {TypeError} When an option is invalid.
 *
 * @example Follow a group's state
 * ```ts
 * import { connectObserver, type ObserverState } from "@hat/eventer/monitor";
 * import { listen } from "@hat/eventer/chatter";
 * import { OBSERVER_SBS } from "@hat/eventer/monitor";
 * import { Repository, type SbsValue } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * // A stand-in monitor that lists the component once it introduced itself.
 * const repo = new Repository(OBSERVER_SBS);
 * await using monitor = await listen(async (conn) => {
 *   const msg = await conn.receive();
 *   const client = repo.decode(msg.type, msg.data) as Record<string, SbsValue>;
 *   const info = {
 *     cid: 1, mid: 0, name: ["value", client.name],
 *     group: ["value", client.group], data: client.data, rank: 1,
 *     blessingReq: { token: ["none", null], timestamp: ["none", null] },
 *     blessingRes: client.blessingRes,
 *   };
 *   await conn.send({
 *     type: "HatObserver.MsgServer",
 *     data: repo.encode("HatObserver.MsgServer", {
 *       cid: 1, mid: 0, components: [info],
 *     }),
 *   });
 * }, { hostname: "127.0.0.1", port: 0 });
 *
 * const states = Promise.withResolvers<ObserverState>();
 * await using client = await connectObserver(monitor.addrs[0], {
 *   name: "gui",
 *   group: "gui",
 *   data: { version: 1 },
 *   onState: (state) => states.resolve(state),
 * });
 * const state = await states.promise;
 * assert.equal(state.info?.name, "gui");
 * assert.deepEqual(state.info?.data, { version: 1 });
 * assert.deepEqual(client.state, state);
 * ```
 */
export async function connectObserver(
  addr: Address,
  options: ObserverOptions,
): Promise<ObserverClient> {
  const resolved = resolveObserverOptions(options);
  const conn = await chatterConnect(addr, options);
  const client = new ObserverClient(conn, resolved, options);
  try {
    await client.sendMsgClient();
  } catch (e) {
    await client.close();
    throw e;
  }
  return client;
}

/**
 * One connection to a monitor server, made by {@linkcode connectObserver}.
 * It closes when the connection does, when the monitor sends `MsgClose`,
 * or on `close()`.
 */
export class ObserverClient implements AsyncDisposable {
  #conn: Connection;
  #resolved: ResolvedObserverOptions;
  #blessingRes: BlessingRes;
  #state: ObserverState = EMPTY_OBSERVER_STATE;
  #lastPayload: Uint8Array | null = null;
  #closeRequested = false;
  #closeReason: ConnectionError | undefined;
  #closing = false;
  #onState: ObserverOptions["onState"];
  #onCloseRequest: ObserverOptions["onCloseRequest"];
  #onError: (error: unknown) => void;
  #closed: Promise<void>;

  /**
   * Wraps an open connection; use {@linkcode connectObserver}.
   *
   * @param conn The chatter connection to the monitor.
   * @param resolved The checked options.
   * @param options The callbacks.
   */
  constructor(
    conn: Connection,
    resolved: ResolvedObserverOptions,
    options: Pick<ObserverOptions, "onState" | "onCloseRequest" | "onError">,
  ) {
    this.#conn = conn;
    this.#resolved = resolved;
    this.#blessingRes = resolved.blessingRes;
    this.#onState = options.onState;
    this.#onCloseRequest = options.onCloseRequest;
    this.#onError = options.onError ?? defaultReport;
    this.#closed = this.#receiveLoop();
  }

  /** The last state the monitor sent (empty before the first). */
  get state(): ObserverState {
    return this.#state;
  }

  /** The blessing response last sent to the monitor. */
  get blessingRes(): BlessingRes {
    return this.#blessingRes;
  }

  /** Whether the connection is open. */
  get isOpen(): boolean {
    return this.#conn.isOpen;
  }

  /** Whether the monitor asked this component to close (`MsgClose`). */
  get closeRequested(): boolean {
    return this.#closeRequested;
  }

  /**
   * Why the connection ended, once it has: an {@linkcode
   * ObserverProtocolError} for a bad message, the chatter error otherwise;
   * `undefined` while open, after `close()` and after `MsgClose`.
   */
  get closeReason(): ConnectionError | undefined {
    return this.#closeReason;
  }

  /** Resolves once the client is closed. Never rejects. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /**
   * Sets the blessing response and, when it differs from the last one,
   * sends a `MsgClient` with it.
   *
   * @param res The new response.
   * @returns When it is sent.
   * @throws {ConnectionError} When the client is closed.
   * @throws {TypeError} When `res` is not a blessing response.
   */
  async setBlessingRes(res: BlessingRes): Promise<void> {
    const checked = checkBlessingRes(res, "blessingRes");
    if (
      checked.token === this.#blessingRes.token &&
      checked.ready === this.#blessingRes.ready
    ) return;
    this.#blessingRes = checked;
    await this.sendMsgClient();
  }

  /**
   * Sends a `MsgClient` with the current blessing response.
   *
   * @returns When it is sent.
   * @throws {ConnectionError} When the client is closed.
   */
  async sendMsgClient(): Promise<void> {
    const { name, group, dataText } = this.#resolved;
    await this.#conn.send({
      type: MSG_CLIENT,
      data: encodeMsgClient({
        name,
        group,
        data: dataText,
        blessingRes: this.#blessingRes,
      }),
    });
  }

  /**
   * Closes the connection.
   *
   * @returns When closed.
   */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#conn.close();
    await this.#closed;
  }

  /**
   * Same as {@linkcode ObserverClient.close}.
   *
   * @returns When closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #report(error: unknown): void {
    reportSafely(this.#onError, error);
  }

  #call(fn: () => unknown): void {
    callSafely(fn, this.#onError);
  }

  async #receiveLoop(): Promise<void> {
    try {
      for (;;) {
        const msg = await this.#conn.receive();
        if (msg.type === MSG_SERVER) {
          this.#processServer(msg.data);
        } else if (msg.type === MSG_CLOSE) {
          this.#closeRequested = true;
          const onCloseRequest = this.#onCloseRequest;
          if (onCloseRequest) this.#call(() => onCloseRequest(this));
          break;
        } else {
          throw new ObserverProtocolError(
            msg.type,
            `a component receives only ${MSG_SERVER} and ${MSG_CLOSE}`,
          );
        }
      }
    } catch (e) {
      if (e instanceof ObserverProtocolError) {
        this.#closeReason = e;
        this.#report(e);
      } else if (e instanceof ConnectionError) {
        if (!this.#closing) {
          const reason = this.#conn.closeReason ?? e;
          this.#closeReason = reason;
          // A ProtocolError is a ConnectionError too, but one worth telling.
          if (reason instanceof ProtocolError) this.#report(reason);
        }
      } else {
        this.#closeReason = new ConnectionError(
          `Monitor connection failed: ${(e as Error)?.message ?? e}`,
          { cause: e },
        );
        this.#report(e);
      }
    }
    await this.#conn.close();
  }

  #processServer(payload: Uint8Array): void {
    const last = this.#lastPayload;
    if (last !== null && equalBytes(last, payload)) return;
    const msg = decodeMsgServer(payload);
    this.#lastPayload = payload.slice();
    const info =
      msg.components.find((i) => i.cid === msg.cid && i.mid === msg.mid) ??
        null;
    const state: ObserverState = Object.freeze({
      cid: msg.cid,
      mid: msg.mid,
      info,
      components: Object.freeze(msg.components),
    });
    this.#state = state;
    const onState = this.#onState;
    if (onState) this.#call(() => onState(state, this));
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
