/**
 * The monitor component (Python `hat.monitor.component`, plus reconnects):
 * a component of a Hat monitor group that answers its blessing, runs the
 * application's runner while it is active, and follows the group's state.
 * The blessing handshake, and why the runner stops before the token is
 * given back: `docs/monitor.md`.
 *
 * @module
 */

import { callSafely, reportSafely } from "./_callback.ts";
import {
  type Address,
  ConnectionError,
  type ConnectOptions,
} from "../chatter/mod.ts";
import {
  type MonitorOptions,
  type ResolvedMonitorOptions,
  resolveMonitorOptions,
} from "./_component_options.ts";
import { type RunningRunner, startRunner } from "./_runner.ts";
import { EMPTY_OBSERVER_STATE } from "./_observer_options.ts";
import { connectObserver, type ObserverClient } from "./observer_client.ts";
import type { MonitorState } from "./types.ts";

export {
  DEFAULT_RECONNECT_DELAY,
  type MonitorOptions,
  type ReconnectOptions,
} from "./_component_options.ts";
export type { RunnerFn, RunnerHandle } from "./_runner.ts";

/** Unwinds the handshake when its connection or the component ends. */
const STOP = Symbol("stop");

const DISCONNECTED: MonitorState = Object.freeze({
  ...EMPTY_OBSERVER_STATE,
  connected: false,
  active: false,
});

function defaultReport(error: unknown): void {
  console.error("hat monitor component:", error);
}

/**
 * Connects to a monitor server as a component and starts following its
 * group. Resolves once the first connection is made; later losses are
 * reconnected (see `reconnect`).
 *
 * @param addr The monitor server's address (component port).
 * @param options Name, group, data, readiness, runner, callbacks,
 * reconnect and chatter options.
 * @returns The component.
 * @throws {ConnectionError} When the first connection cannot be made.
 * @throws {TypeError} When an option is invalid.
 *
 * @example Become active in a group of one
 * ```ts
 * import { connectMonitor } from "@hat/eventer/monitor";
 * import { listen } from "@hat/eventer/chatter";
 * import { OBSERVER_SBS } from "@hat/eventer/monitor";
 * import { Repository, type SbsValue } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * // A stand-in monitor: blesses a ready component with token 7 and echoes
 * // its response, as a Hat monitor does.
 * const repo = new Repository(OBSERVER_SBS);
 * await using monitor = await listen(async (conn) => {
 *   for await (const msg of conn) {
 *     const c = repo.decode(msg.type, msg.data) as Record<string, SbsValue>;
 *     const res = c.blessingRes as { ready: boolean };
 *     const token = res.ready ? ["value", 7] : ["none", null];
 *     const info = {
 *       cid: 1, mid: 0, name: ["value", c.name], group: ["value", c.group],
 *       data: c.data, rank: 1,
 *       blessingReq: { token, timestamp: ["none", null] },
 *       blessingRes: c.blessingRes,
 *     };
 *     await conn.send({
 *       type: "HatObserver.MsgServer",
 *       data: repo.encode("HatObserver.MsgServer", {
 *         cid: 1, mid: 0, components: [info],
 *       }),
 *     });
 *   }
 * }, { hostname: "127.0.0.1", port: 0 });
 *
 * const running = Promise.withResolvers<void>();
 * await using component = await connectMonitor(monitor.addrs[0], {
 *   name: "a",
 *   group: "g",
 *   ready: true,
 *   runner: () => {
 *     running.resolve();
 *     return () => {}; // how to stop it
 *   },
 * });
 * await running.promise;
 * assert.equal(component.active, true);
 * assert.equal(component.state.info?.blessingRes.token, 7);
 * ```
 */
export async function connectMonitor(
  addr: Address,
  options: MonitorOptions,
): Promise<MonitorComponent> {
  const resolved = resolveMonitorOptions(options);
  const component = new MonitorComponent(addr, options, resolved);
  await component.start(options.signal);
  return component;
}

/**
 * A component of a monitor group, made by {@linkcode connectMonitor}. Its
 * state can be read (`state`), watched (`onState`) or iterated
 * (`states()`).
 */
export class MonitorComponent implements AsyncDisposable {
  #addr: Address;
  #options: MonitorOptions;
  #resolved: ResolvedMonitorOptions;
  #onError: (error: unknown) => void;
  #ready: boolean;
  #token: number | null = null;
  #client: ObserverClient | null = null;
  #active = false;
  #state: MonitorState = DISCONNECTED;
  #version = 0;
  #wake = Promise.withResolvers<void>();
  #closing = false;
  #abort = new AbortController();
  #closeReason: Error | undefined;
  #done: Promise<void> = Promise.resolve();
  #started = false;

  /**
   * Prepares a component; use {@linkcode connectMonitor}.
   *
   * @param addr The monitor's address.
   * @param options The options as given.
   * @param resolved The checked options.
   */
  constructor(
    addr: Address,
    options: MonitorOptions,
    resolved: ResolvedMonitorOptions,
  ) {
    this.#addr = addr;
    this.#options = options;
    this.#resolved = resolved;
    this.#ready = resolved.ready;
    this.#onError = options.onError ?? defaultReport;
  }

  /**
   * Makes the first connection and starts the component; called once by
   * {@linkcode connectMonitor}.
   *
   * @param signal Aborts the first connection attempt.
   * @returns When connected.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#started) throw new TypeError("The component is already started");
    this.#started = true;
    const client = await this.#open(signal);
    this.#done = this.#run(client);
  }

  /** The group's state, and whether this component is connected and active. */
  get state(): MonitorState {
    return this.#state;
  }

  /** Whether the component is active (its runner runs). */
  get active(): boolean {
    return this.#active;
  }

  /** Whether the component says it is ready to be blessed. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Whether the component is open (not closed, not closing). */
  get isOpen(): boolean {
    return !this.#closing;
  }

  /**
   * Why the component closed by itself, once it has: the monitor's close
   * request ends it with `undefined`, a lost connection without reconnect
   * with the `ConnectionError`, a failed runner with its `RunnerError`.
   */
  get closeReason(): Error | undefined {
    return this.#closeReason;
  }

  /** Resolves once the component is closed. Never rejects. */
  get closed(): Promise<void> {
    return this.#done;
  }

  /**
   * Says whether the component is ready to be blessed, and tells the
   * monitor when it changed (at once when connected, else on the next
   * connection). Not ready closes the runner and gives the blessing back.
   *
   * @param ready The new readiness.
   * @returns When the monitor has been told (or will be, on reconnect).
   * @throws {ConnectionError} When the component is closed.
   * @throws {TypeError} When `ready` is not a boolean.
   */
  async setReady(ready: boolean): Promise<void> {
    if (typeof ready !== "boolean") {
      throw new TypeError(`Invalid ready: expected a boolean`);
    }
    if (this.#closing) {
      throw new ConnectionError("The monitor component is closed");
    }
    if (ready === this.#ready) return;
    this.#ready = ready;
    this.#changed();
    await this.#sendRes();
  }

  /**
   * The component's states: the current one at once, then each change.
   * A consumer that falls behind gets the newest state, not a backlog. The
   * iteration ends once the component is closed.
   *
   * @returns An async iterator of states.
   */
  async *states(): AsyncIterableIterator<MonitorState> {
    let seen = -1;
    for (;;) {
      if (seen !== this.#version) {
        seen = this.#version;
        yield this.#state;
        continue;
      }
      if (this.#closing && this.#client === null) return;
      await this.#wake.promise;
    }
  }

  /**
   * Same as {@linkcode MonitorComponent.states}.
   *
   * @returns An async iterator of states.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<MonitorState> {
    return this.states();
  }

  /**
   * Closes the runner (when active), then the connection; stops
   * reconnecting.
   *
   * @returns When closed.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.#abort.abort(new ConnectionError("The monitor component is closed"));
    this.#changed();
    await this.#done;
  }

  /**
   * Same as {@linkcode MonitorComponent.close}.
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

  /** Wakes whatever waits for a change. */
  #changed(): void {
    const wake = this.#wake;
    this.#wake = Promise.withResolvers<void>();
    wake.resolve();
  }

  /** Recomputes the state; tells `onState` and iterators when it changed. */
  #update(): void {
    const client = this.#client;
    const observed = client?.state ?? EMPTY_OBSERVER_STATE;
    const connected = client !== null;
    const prev = this.#state;
    if (
      prev.connected === connected && prev.active === this.#active &&
      prev.cid === observed.cid && prev.mid === observed.mid &&
      prev.info === observed.info && prev.components === observed.components
    ) return;
    this.#state = Object.freeze({
      ...observed,
      connected,
      active: this.#active,
    });
    this.#version++;
    this.#changed();
    const onState = this.#options.onState;
    const state = this.#state;
    if (onState) this.#call(() => onState(state, this));
  }

  async #open(signal?: AbortSignal): Promise<ObserverClient> {
    const signals = [this.#abort.signal];
    if (signal !== undefined) signals.push(signal);
    const options: ConnectOptions = this.#options;
    const { name, group } = this.#resolved.observer;
    const client = await connectObserver(this.#addr, {
      ...options,
      signal: AbortSignal.any(signals),
      name,
      group,
      data: this.#options.data ?? null,
      blessingRes: { token: null, ready: this.#ready },
      onState: () => {
        if (this.#client === client) this.#update();
        this.#changed();
      },
      onCloseRequest: () => {
        const onCloseRequest = this.#options.onCloseRequest;
        if (onCloseRequest) this.#call(() => onCloseRequest(this));
      },
      onError: (e) => this.#report(e),
    });
    this.#token = null;
    this.#client = client;
    client.closed.then(() => this.#changed());
    this.#update();
    return client;
  }

  async #run(first: ObserverClient): Promise<void> {
    let client: ObserverClient | null = first;
    while (client !== null) {
      const runnerEnded = await this.#serve(client);
      await client.close();
      this.#client = null;
      this.#token = null;
      this.#update();
      if (this.#closing || runnerEnded) break;
      if (client.closeRequested) break;
      if (this.#resolved.reconnectDelay === null) {
        this.#closeReason = client.closeReason ??
          new ConnectionError("The monitor closed the connection");
        break;
      }
      client = await this.#reconnect(this.#resolved.reconnectDelay);
    }
    this.#closing = true;
    this.#abort.abort();
    this.#changed();
  }

  async #reconnect(delay: number): Promise<ObserverClient | null> {
    let reported = false;
    while (!this.#closing) {
      if (!await this.#sleep(delay)) return null;
      try {
        return await this.#open();
      } catch (e) {
        if (this.#closing) return null;
        if (!reported) this.#report(e);
        reported = true;
      }
    }
    return null;
  }

  /** Waits `ms`; `false` when the component closes first. */
  #sleep(ms: number): Promise<boolean> {
    const signal = this.#abort.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Sends the current blessing response, when connected. */
  async #sendRes(): Promise<void> {
    const client = this.#client;
    if (client === null) return;
    try {
      await client.setBlessingRes({ token: this.#token, ready: this.#ready });
    } catch (e) {
      // The connection is gone: the next one starts with the current
      // response.
      if (!(e instanceof ConnectionError)) throw e;
    }
  }

  /**
   * Waits until `pick` gives a value, re-evaluating it on every change.
   * Throws STOP when the connection or the component ends first.
   */
  async #until<T>(
    client: ObserverClient,
    pick: () => T | undefined,
  ): Promise<T> {
    for (;;) {
      if (this.#closing || !client.isOpen) throw STOP;
      const value = pick();
      if (value !== undefined) return value;
      await this.#wake.promise;
    }
  }

  #requestToken(client: ObserverClient): number | null {
    return client.state.info?.blessingReq.token ?? null;
  }

  /**
   * The handshake on one connection. Returns `true` when the runner ended
   * on its own while active (the component then closes), `false` when the
   * connection or the component ended.
   */
  async #serve(client: ObserverClient): Promise<boolean> {
    let runner: RunningRunner | null = null;
    try {
      for (;;) {
        const token = await this.#until(client, () => {
          const t = this.#requestToken(client);
          return this.#ready && t !== null ? t : undefined;
        });
        if (this.#token !== token) {
          this.#token = token;
          await this.#sendRes();
        }
        const blessed = await this.#until(client, () => {
          if (!this.#ready || this.#token === null) return false;
          const info = client.state.info;
          if (info?.blessingRes.token !== this.#token) return undefined;
          return info.blessingReq.token === this.#token;
        });
        if (!blessed) {
          // The reference keeps its token here until the next blessing; a
          // BLESS_ONE monitor would then bless nobody else meanwhile.
          if (this.#token !== null && this.#requestToken(client) === null) {
            this.#token = null;
            await this.#sendRes();
          }
          continue;
        }
        this.#active = true;
        this.#update();
        const runnerFn = this.#options.runner;
        if (runnerFn !== undefined) {
          try {
            runner = await startRunner(runnerFn, this);
          } catch (e) {
            this.#closeReason = e as Error;
            this.#report(e);
            return true;
          }
        }
        const stillBlessed = () =>
          this.#ready && this.#requestToken(client) === this.#token;
        const ended = runner?.ended.then(() => true);
        const lost = this.#until(
          client,
          () => stillBlessed() ? undefined : false,
        );
        const runnerEnded = await (ended ? Promise.race([ended, lost]) : lost);
        lost.catch(() => {});
        await this.#stopRunner(runner);
        runner = null;
        if (runnerEnded && stillBlessed() && client.isOpen && !this.#closing) {
          return true;
        }
        this.#token = null;
        await this.#sendRes();
      }
    } catch (e) {
      if (e !== STOP) {
        this.#closeReason = e as Error;
        this.#report(e);
        return true;
      }
      return false;
    } finally {
      await this.#stopRunner(runner);
    }
  }

  async #stopRunner(runner: RunningRunner | null): Promise<void> {
    if (runner !== null) await runner.close((e) => this.#report(e));
    if (this.#active) {
      this.#active = false;
      this.#update();
    }
  }
}
