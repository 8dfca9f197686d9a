/**
 * The eventer component (Python `hat.event.component`): an application
 * that joins a Hat monitor group as a component of its own and, while it
 * is active there, keeps an eventer client connected to the active Event
 * Server of a server group, running the application's runner with it.
 * When the active server changes or the connection drops, the runner is
 * closed, and made again with a client of the next server.
 *
 * - The active server is the first component of `serverGroup` whose
 *   blessing request and response carry the same token, with valid Event
 *   Server data and, when the client gives a token, that server token.
 * - The client subscribes to events of the active server's id unless
 *   `serverId` says otherwise (as in the reference).
 * - A failed or lost connection is tried again every `reconnectDelay`
 *   (0.5 s) while the server stays active.
 * - A runner that ends on its own (its handle's `closed` settles) while
 *   its client is connected closes the component; one that throws when
 *   made closes it too, unless its client closed meanwhile. One whose
 *   close fails with a `ConnectionError` once its client is closed is not
 *   reported: that is the lost connection, not the runner, failing.
 *
 * See docs/failover.md.
 *
 * @example A gateway that registers through whichever server is active
 * ```ts
 * import { connectComponent, listen } from "@hat/eventer";
 * import { OBSERVER_SBS } from "@hat/eventer/monitor";
 * import { listen as chatterListen } from "@hat/eventer/chatter";
 * import { Repository, type SbsValue } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * // An Event Server stand-in, and a monitor stand-in that lists it as the
 * // active server of group "event" and blesses every ready component.
 * await using server = await listen({ hostname: "127.0.0.1", port: 0 }, {
 *   status: "operational",
 *   onRegister: (_info, events) =>
 *     events.map((e, i) => ({
 *       id: { server: 1, session: 1, instance: i + 1 },
 *       timestamp: { s: 1, us: 0 },
 *       ...e,
 *     })),
 * });
 * const repo = new Repository(OBSERVER_SBS);
 * const eventServer = {
 *   cid: 1, mid: 0, name: ["value", "event_a"], group: ["value", "event"],
 *   data: JSON.stringify({
 *     server_id: 1,
 *     eventer_server: { host: "127.0.0.1", port: server.addrs[0].port },
 *     server_token: null,
 *   }),
 *   rank: 1,
 *   blessingReq: { token: ["value", 1], timestamp: ["value", 1.5] },
 *   blessingRes: { token: ["value", 1], ready: true },
 * };
 * await using monitor = await chatterListen(async (conn) => {
 *   for await (const msg of conn) {
 *     const c = repo.decode(msg.type, msg.data) as Record<string, SbsValue>;
 *     const res = c.blessingRes as { ready: boolean };
 *     const me = {
 *       cid: 2, mid: 0, name: ["value", c.name], group: ["value", c.group],
 *       data: c.data, rank: 1,
 *       blessingReq: {
 *         token: res.ready ? ["value", 2] : ["none", null],
 *         timestamp: ["none", null],
 *       },
 *       blessingRes: c.blessingRes,
 *     };
 *     await conn.send({
 *       type: "HatObserver.MsgServer",
 *       data: repo.encode("HatObserver.MsgServer", {
 *         cid: 2, mid: 0, components: [eventServer, me],
 *       }),
 *     });
 *   }
 * }, { hostname: "127.0.0.1", port: 0 });
 *
 * const registered = Promise.withResolvers<number>();
 * await using component = await connectComponent(monitor.addrs[0], {
 *   name: "gateway1",
 *   group: "gateway",
 *   serverGroup: "event",
 *   clientName: "gateway1",
 *   ready: true,
 *   runner: async (_component, active, client) => {
 *     const events = await client.register(
 *       [{ type: ["gateway", "up"], sourceTimestamp: null, payload: null }],
 *       { withResponse: true },
 *     );
 *     registered.resolve(events![0].id.server);
 *     assert.equal(active.serverId, 1);
 *     return () => {}; // how to stop it
 *   },
 * });
 * assert.equal(await registered.promise, 1);
 * assert.equal(component.server?.info.name, "event_a");
 * ```
 *
 * @module
 */

import { type Address, ConnectionError } from "./chatter/mod.ts";
import { connect } from "./client.ts";
import type { Event, Status } from "./event/mod.ts";
import type { Client } from "./eventer/_client_interface.ts";
import {
  type ComponentOptions,
  resolveComponentOptions,
  type ResolvedComponentOptions,
} from "./eventer/_component_options.ts";
import {
  activeEventServer,
  connectMonitor,
  type EventServerComponent,
  type MonitorComponent,
  type MonitorState,
  RunnerError,
} from "./monitor/mod.ts";
import {
  callSafely,
  reportSafely,
  type RunningRunner,
  startRunner,
} from "./monitor/internal_mod.ts";

export type {
  ComponentOptions,
  ComponentRunner,
  ComponentRunnerHandle,
} from "./eventer/_component_options.ts";
// What the runner and the callbacks are given, and a runner's failure.
export type { EventServerComponent, MonitorState } from "./monitor/mod.ts";
export { RunnerError } from "./monitor/mod.ts";

function defaultReport(error: unknown): void {
  console.error("hat eventer component:", error);
}

function sameServer(
  a: EventServerComponent | null,
  b: EventServerComponent | null,
): boolean {
  if (a === null || b === null) return a === b;
  return a.serverId === b.serverId &&
    a.eventerServer.hostname === b.eventerServer.hostname &&
    a.eventerServer.port === b.eventerServer.port &&
    a.serverToken === b.serverToken;
}

/**
 * Connects to a Hat monitor server as a component and, while it is active
 * there, to the active Event Server of `serverGroup` (Python
 * `hat.event.component.connect`). Resolves once the monitor connection is
 * made.
 *
 * @param addr The monitor server's component address.
 * @param options Names, groups, the runner, callbacks, eventer client
 * options.
 * @returns The component.
 * @throws {ConnectionError} When the monitor cannot be reached.
 * @throws {TypeError | RangeError} When an option is invalid.
 *
 * @example Invalid options are refused before connecting
 * ```ts
 * import { connectComponent } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(
 *   connectComponent({ hostname: "127.0.0.1", port: 1 }, {
 *     name: "c", group: "g", serverGroup: "event", clientName: "c",
 *     runner: () => {}, reconnectDelay: -1,
 *   }),
 *   RangeError,
 * );
 * ```
 */
export async function connectComponent(
  addr: Address,
  options: ComponentOptions,
): Promise<EventerComponent> {
  const resolved = resolveComponentOptions(options);
  const component = new EventerComponent(options, resolved);
  await component.start(addr);
  return component;
}

/**
 * An eventer component, made by {@linkcode connectComponent}.
 */
export class EventerComponent implements AsyncDisposable {
  #options: ComponentOptions;
  #resolved: ResolvedComponentOptions;
  #onError: (error: unknown) => void;
  #monitor: MonitorComponent | null = null;
  #server: EventServerComponent | null = null;
  #client: Client | null = null;
  #wake = Promise.withResolvers<void>();
  #closing = false;
  #reported = false;

  /**
   * Prepares a component; use {@linkcode connectComponent}.
   *
   * @param options The options as given.
   * @param resolved The checked options.
   */
  constructor(options: ComponentOptions, resolved: ResolvedComponentOptions) {
    this.#options = options;
    this.#resolved = resolved;
    this.#onError = options.onError ?? defaultReport;
  }

  /**
   * Connects to the monitor; called once by {@linkcode connectComponent}.
   *
   * @param addr The monitor's address.
   * @returns When connected.
   */
  async start(addr: Address): Promise<void> {
    if (this.#monitor !== null) {
      throw new TypeError("The component is already started");
    }
    const o = this.#options;
    this.#monitor = await connectMonitor(addr, {
      ...o.monitorConnection,
      signal: o.signal,
      name: o.name,
      group: o.group,
      data: o.data ?? null,
      ready: o.ready ?? false,
      reconnect: o.monitorReconnect ?? true,
      runner: (_monitor, signal) => this.#runActive(signal),
      onState: (state) => this.#stateChanged(state),
      onCloseRequest: () => {
        const cb = o.onCloseRequest;
        if (cb) return cb(this);
      },
      onError: (e) => this.#report(e),
    });
  }

  /** The monitor group's state, and whether this component is active. */
  get state(): MonitorState {
    return this.#monitor!.state;
  }

  /** Whether the component says it is ready to be blessed. */
  get ready(): boolean {
    return this.#monitor!.ready;
  }

  /** The active Event Server of `serverGroup`, or `null`. */
  get server(): EventServerComponent | null {
    return this.#server;
  }

  /** The client of the runner now running, or `null`. */
  get client(): Client | null {
    return this.#client;
  }

  /** Whether the component is open. */
  get isOpen(): boolean {
    return !this.#closing && (this.#monitor?.isOpen ?? false);
  }

  /** Resolves once the component is closed. Never rejects. */
  get closed(): Promise<void> {
    return this.#monitor!.closed;
  }

  /**
   * Says whether the component is ready to be blessed in its group (Python
   * `set_ready`); not ready closes the runner and its client.
   *
   * @param ready The new readiness.
   * @returns When the monitor has been told.
   * @throws {ConnectionError} When the component is closed.
   */
  setReady(ready: boolean): Promise<void> {
    return this.#monitor!.setReady(ready);
  }

  /**
   * The monitor group's states: the current one, then each change; ends
   * once the component is closed.
   *
   * @returns An async iterator of states.
   */
  states(): AsyncIterableIterator<MonitorState> {
    return this.#monitor!.states();
  }

  /**
   * Closes the runner, its client and the monitor connection.
   *
   * @returns When closed.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.#changed();
    await this.#monitor?.close();
  }

  /**
   * Same as {@linkcode EventerComponent.close}.
   *
   * @returns When closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #report(error: unknown): void {
    reportSafely(this.#onError, error);
  }

  #changed(): void {
    const wake = this.#wake;
    this.#wake = Promise.withResolvers();
    wake.resolve();
  }

  #stateChanged(state: MonitorState): void {
    // While the monitor is away nothing is known: the client goes on with
    // the server it has (the monitor component stops being active, which
    // closes it anyway).
    if (state.connected) {
      const server = activeEventServer(
        state.components,
        this.#options.serverGroup,
        { clientToken: this.#options.clientToken ?? null },
      );
      if (!sameServer(server, this.#server)) {
        this.#server = server;
        this.#changed();
      }
    }
    const cb = this.#options.onState;
    if (cb) callSafely(() => cb(this, state), this.#onError);
  }

  /**
   * The monitor component's runner: while this component is active, a
   * client of the active server at a time. Its `closed` settles when a
   * runner closed itself, which closes the monitor component (and so
   * this one).
   */
  #runActive(signal: AbortSignal) {
    const done = this.#activeLoop(signal);
    return {
      close: () => done,
      closed: done.then((ended) => {
        if (!ended) return new Promise<never>(() => {});
      }),
    };
  }

  /** Resolves `true` when a runner ended on its own (closes everything). */
  async #activeLoop(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted && !this.#closing) {
      const server = this.#server;
      if (server === null) {
        await this.#until(signal);
        continue;
      }
      const session = new AbortController();
      const stop = () => session.abort();
      signal.addEventListener("abort", stop, { once: true });
      const watch = (async () => {
        while (!session.signal.aborted) {
          if (!sameServer(this.#server, server) || this.#closing) stop();
          else await this.#until(session.signal);
        }
      })();
      try {
        if (await this.#clientLoop(server, session.signal)) return true;
      } finally {
        stop();
        signal.removeEventListener("abort", stop);
        await watch;
      }
    }
    return false;
  }

  /** Waits for a change, or the signal. */
  #until(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      this.#wake.promise.then(done);
    });
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /**
   * Clients of one server, one after the other, until `signal` aborts.
   * Resolves `true` when a runner ended on its own while its client was
   * connected.
   */
  async #clientLoop(
    server: EventServerComponent,
    signal: AbortSignal,
  ): Promise<boolean> {
    const o = this.#options;
    const delay = this.#resolved.reconnectDelay;
    while (!signal.aborted) {
      let client: Client;
      try {
        client = await connect(server.eventerServer, o.clientName, {
          ...this.#resolved.client,
          serverId: this.#resolved.serverId === undefined
            ? server.serverId
            : this.#resolved.serverId,
          signal,
          onStatus: o.onStatus
            ? (c: Client, s: Status) => o.onStatus!(this, c, s)
            : undefined,
          onEvents: o.onEvents
            ? (c: Client, e: Event[]) => o.onEvents!(this, c, e)
            : undefined,
          onError: (e) => this.#report(e),
        });
      } catch (error) {
        if (signal.aborted) return false;
        if (!this.#reported) this.#report(error);
        this.#reported = true;
        await this.#sleep(delay, signal);
        continue;
      }
      this.#reported = false;
      this.#client = client;
      let runner: RunningRunner | null = null;
      try {
        try {
          runner = await startRunner(
            (_c, runnerSignal) => o.runner(this, server, client, runnerSignal),
            this,
          );
        } catch (error) {
          // A runner that failed because its client went away (or the
          // server changed) while it was made is made again with the next
          // one; otherwise, as in the reference, it ends the component.
          if (!signal.aborted && client.isOpen) {
            this.#report(error);
            return true;
          }
        }
        if (runner !== null) {
          const aborted = new Promise<"aborted">((resolve) => {
            if (signal.aborted) resolve("aborted");
            signal.addEventListener("abort", () => resolve("aborted"), {
              once: true,
            });
          });
          const outcome = await Promise.race([
            client.closed.then(() => "client" as const),
            runner.ended.then(() => "runner" as const),
            aborted,
          ]);
          if (outcome === "runner" && client.isOpen && !signal.aborted) {
            return true;
          }
        }
      } finally {
        await runner?.close((e) => {
          // A runner's work cut short by its lost connection is not a
          // failure of its own: the connection's loss is what is handled.
          if (
            !client.isOpen && e instanceof RunnerError &&
            e.cause instanceof ConnectionError
          ) return;
          this.#report(e);
        });
        this.#client = null;
        await client.close().catch((e) => {
          if (!(e instanceof ConnectionError)) this.#report(e);
        });
      }
      await this.#sleep(delay, signal);
    }
    return false;
  }
}
