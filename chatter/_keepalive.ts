// Keep-alive of a chatter connection (chatter/connection.ts): pings the
// peer after `pingDelay` without reading from it, and ends the connection
// when nothing arrives within `pingTimeout` of a ping.

import { ConnectionError } from "./errors.ts";

/** What the keep-alive needs of its connection. */
export interface KeepAliveHooks {
  /** Whether the connection has ended. */
  closed(): boolean;
  /** Whether reading is paused by backpressure. */
  paused(): boolean;
  /** Queues a ping, whatever the send queue holds. */
  ping(): void;
  /** Ends the connection with `reason`. */
  terminate(reason: ConnectionError): void;
}

/** The ping timer of one connection; starts at once when `pingDelay > 0`. */
export class KeepAlive {
  #pingDelay: number;
  #pingTimeout: number;
  #hooks: KeepAliveHooks;
  #timer: ReturnType<typeof setTimeout> | undefined;
  // Date.now(), not performance.now(): it is read on every socket read and
  // Deno's performance.now() is an op call (3% of the batch-size-1 profile).
  // Only waits are computed from it (clamped, so a clock step cannot stall
  // keep-alive); whether a ping was answered is told by the read count.
  #lastRead = 0;
  #reads = 0;
  #pingSentAt: number | undefined;
  #readsAtPing = 0;

  /**
   * @param pingDelay Milliseconds; 0 turns keep-alive off.
   * @param pingTimeout Milliseconds.
   * @param hooks The connection's side.
   */
  constructor(pingDelay: number, pingTimeout: number, hooks: KeepAliveHooks) {
    this.#pingDelay = pingDelay;
    this.#pingTimeout = pingTimeout;
    this.#hooks = hooks;
    this.#lastRead = Date.now();
    if (this.#pingDelay > 0) {
      this.#timer = setTimeout(this.#onTimer, this.#pingDelay);
    }
  }

  /** Counts a socket read (or the end of a pause in reading). */
  read(): void {
    this.#lastRead = Date.now();
    this.#reads += 1;
  }

  /** A message arrived: a ping that was out is answered. */
  received(): void {
    if (this.#pingSentAt !== undefined) this.#answered();
  }

  /** Stops the timer for good. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Something arrived while a ping was out: the next ping is due
   * `pingDelay` after it, as in the reference (not when the timeout would
   * have been).
   */
  #answered(): void {
    this.#pingSentAt = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#onTimer, this.#pingDelay);
  }

  #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#hooks.closed()) return;
    const now = Date.now();
    const idle = Math.min(Math.max(0, now - this.#lastRead), this.#pingDelay);
    let wait = this.#pingDelay;
    if (this.#hooks.paused()) {
      // Not reading (backpressure): nothing to expect from the peer.
      this.#pingSentAt = undefined;
    } else if (this.#pingSentAt !== undefined) {
      if (this.#reads === this.#readsAtPing) {
        this.#hooks.terminate(
          new ConnectionError(
            `no answer to ping within ${this.#pingTimeout / 1000} s`,
          ),
        );
        return;
      }
      this.#pingSentAt = undefined;
      wait = this.#pingDelay - idle;
    } else if (idle < this.#pingDelay) {
      wait = this.#pingDelay - idle;
    } else {
      this.#hooks.ping();
      this.#pingSentAt = now;
      this.#readsAtPing = this.#reads;
      wait = this.#pingTimeout;
    }
    this.#timer = setTimeout(this.#onTimer, wait);
  };
}
