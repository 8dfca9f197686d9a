/**
 * The Event Server as a component of a Hat monitor group (hat-event 0.9's
 * `main_runner` with a `monitor_component`): it publishes its data, and
 * while the monitor blesses it runs the engine (`operational`), else keeps
 * it `standby`; the other Event Servers of the group are its peers
 * ({@linkcode PeerSet}). What the monitor decides, and where this differs
 * from the reference (it stays up without its monitor): docs/redundancy.md.
 *
 * @module
 */

import {
  connectMonitor,
  eventServerData,
  eventServerPeers,
  type MonitorComponent,
  type MonitorState,
} from "../../monitor/mod.ts";
import type { Address, Engine } from "../engine.ts";
import type { Logger } from "../log.ts";
import type { PeerSet } from "./peer_set.ts";

/** Options of {@linkcode MonitorMember.start}. */
export interface MonitorMemberOptions {
  /** The monitor's component address. */
  readonly address: Address;
  /** This server's component name. */
  readonly name: string;
  /** The group of this server and its peers. */
  readonly group: string;
  /** This server's token (published; peers must have the same). */
  readonly serverToken: string | null;
  /** The eventer address published to the group. */
  readonly eventerAddress: Address;
  /** Milliseconds between a lost monitor and the next attempt. */
  readonly reconnectDelay: number;
  /**
   * Longest wait in ms, when resetting readiness, for the monitor to see
   * the blessing given back.
   * @default {30000}
   */
  readonly resetReadyTimeout?: number;
  /** Where to log. */
  readonly log: Logger;
}

const where = (a: Address) => `${a.hostname}:${a.port}`;

/**
 * Longest wait in ms, once blessed, for the first connection attempts to
 * the peers (each tells whether the peer is active).
 */
const FIRST_ATTEMPT_WAIT = 1000;

/** A server's membership of a monitor group. */
export class MonitorMember {
  readonly #engine: Engine;
  readonly #peers: PeerSet;
  readonly #options: MonitorMemberOptions;
  #component: MonitorComponent | null = null;
  #closing = false;
  #abort = new AbortController();
  #refused = new Set<string>();
  #done: Promise<void>;
  #resetting: Promise<void> | null = null;

  /**
   * Joins the group (connecting in the background: a monitor that cannot
   * be reached yet is tried again every `reconnectDelay`).
   *
   * @param engine The engine, started `standby`.
   * @param peers The peer syncs, fed from the group's state.
   * @param options Monitor, names, token, published address, delays, log.
   */
  constructor(engine: Engine, peers: PeerSet, options: MonitorMemberOptions) {
    this.#engine = engine;
    this.#peers = peers;
    this.#options = options;
    this.#done = this.#loop();
  }

  /** The group's state (an empty one while not connected). */
  get state(): MonitorState | null {
    return this.#component?.state ?? null;
  }

  /**
   * Gives the blessing back and asks for it again, as the reference's
   * engine "reset monitor ready" does: not ready, wait (at most
   * `resetReadyTimeout`) for the monitor to see the token gone, ready.
   * For engine modules that want another server to take over.
   *
   * @returns When ready again.
   */
  resetReady(): Promise<void> {
    this.#resetting ??= this.#resetReady().finally(() => {
      this.#resetting = null;
    });
    return this.#resetting;
  }

  /**
   * Leaves the group: the engine goes `standby` first if it was active.
   *
   * @returns When left.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.#abort.abort();
    await this.#component?.close();
    await this.#done;
  }

  async #resetReady(): Promise<void> {
    const component = this.#component;
    if (component === null || !component.isOpen) return;
    await component.setReady(false);
    const timeout = this.#options.resetReadyTimeout ?? 30_000;
    const deadline = Date.now() + timeout;
    const states = component.states();
    const timer = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeout);
      this.#abort.signal.addEventListener("abort", () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
      component.closed.then(() => {
        clearTimeout(t);
        resolve();
      });
    });
    try {
      for (;;) {
        const next = await Promise.race([states.next(), timer]);
        if (next === undefined || next.done || Date.now() >= deadline) break;
        if (next.value.info?.blessingRes.token == null) break;
      }
    } finally {
      await states.return?.();
    }
    if (component.isOpen) await component.setReady(true);
  }

  async #loop(): Promise<void> {
    const { address, reconnectDelay, log } = this.#options;
    let failing = false;
    while (!this.#closing) {
      let component: MonitorComponent;
      try {
        component = await this.#connect();
      } catch (error) {
        if (this.#closing) break;
        if (!failing) {
          log.warn(
            `cannot connect to the monitor at ${where(address)} (retrying ` +
              `every ${reconnectDelay / 1000} s): ${(error as Error).message}`,
          );
        }
        failing = true;
        await this.#sleep(reconnectDelay);
        continue;
      }
      failing = false;
      this.#component = component;
      log.info(
        `joined monitor group ${this.#options.group} at ${where(address)} ` +
          `as ${this.#options.name}`,
      );
      // Announced once connected, as the reference's server does.
      await component.setReady(true).catch(() => {});
      await component.closed;
      if (this.#closing) break;
      log.warn(
        `monitor component closed${
          component.closeReason ? `: ${component.closeReason.message}` : ""
        }; joining again`,
      );
      await this.#sleep(reconnectDelay);
    }
  }

  #connect(): Promise<MonitorComponent> {
    const { address, name, group, serverToken, eventerAddress, log } =
      this.#options;
    const engine = this.#engine;
    return connectMonitor(address, {
      name,
      group,
      data: eventServerData({
        serverId: engine.serverId,
        eventerServer: eventerAddress,
        serverToken,
      }),
      reconnect: { delay: this.#options.reconnectDelay / 1000 },
      signal: this.#abort.signal,
      runner: (_component, signal) => this.#runEngine(signal),
      onState: (state) => this.#stateChanged(state),
      onError: (error) => log.warn(`monitor: ${(error as Error).message}`),
    });
  }

  /** The engine runner: active while blessed. */
  #runEngine(signal: AbortSignal) {
    const engine = this.#engine;
    const log = this.#options.log;
    let activated = false;
    const started = (async () => {
      log.debug("blessed and active in the monitor group");
      // Blessed as soon as it joined, a server may not know yet of an
      // active peer: its first attempt to each peer is awaited (briefly).
      await this.#peers.firstAttempts(signal, FIRST_ATTEMPT_WAIT);
      if (this.#peers.remoteActive) {
        log.info("blessed; waiting for the active peer to stand by");
      }
      await this.#peers.whileRemoteActive(signal);
      if (signal.aborted) return;
      activated = true;
      await engine.activate();
      log.info(`active in group ${this.#options.group}: operational`);
    })();
    return {
      close: async () => {
        await started;
        if (!activated) return;
        await engine.deactivate();
        log.info(`standby in group ${this.#options.group}`);
      },
      // An engine that stopped (its storage failed) ends the component.
      closed: engine.closed,
    };
  }

  #stateChanged(state: MonitorState): void {
    // While the monitor is away the peers stay as they were.
    if (!state.connected || state.info === null) return;
    const { group, serverToken, log } = this.#options;
    const own = this.#engine.serverId;
    const peers = [];
    for (const p of eventServerPeers(state, group, { serverToken })) {
      const key = `${p.info.mid}/${p.info.cid}`;
      if (p.serverId === own) {
        if (!this.#refused.has(key)) {
          this.#refused.add(key);
          log.error(
            `Event Server ${p.info.name} at ${where(p.eventerServer)} has ` +
              `server id ${own}, the id of this server ` +
              `(${this.#options.name}): never synced from; two servers of ` +
              "a group must have different ids",
          );
        }
        continue;
      }
      peers.push({
        serverId: p.serverId,
        address: p.eventerServer,
        name: p.info.name,
      });
    }
    this.#peers.update(peers);
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#abort.signal;
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
}
