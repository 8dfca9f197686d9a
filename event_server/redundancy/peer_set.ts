/**
 * The peers a server syncs from (hat-event 0.9's `eventer_client_runner`):
 * one {@linkcode PeerSync} per peer (server id and address), made when the
 * peer appears, told to stop reconnecting when it leaves; and whether a
 * connected peer is active, which keeps this server's engine from starting
 * (the reference's `remote_active`).
 *
 * @module
 */

import type { Address, Engine } from "../engine.ts";
import type { Logger } from "../log.ts";
import { type PeerInfo, PeerSync, type PeerSyncStats } from "./peer_sync.ts";

/** Options of a {@linkcode PeerSet}. */
export interface PeerSetOptions {
  /** The engine that stores the peers' events. */
  readonly engine: Engine;
  /** This server's name: the clients are `event/<name>`. */
  readonly name: string;
  /** The token sent to peers (this server's token). */
  readonly clientToken: string | null;
  /** Milliseconds between a failed attempt and the next. */
  readonly reconnectDelay: number;
  /** Where to log. */
  readonly log: Logger;
  /**
   * Events asked for per catch-up query.
   * @default {4096}
   */
  readonly pageSize?: number;
  /**
   * Notified events held back during a catch-up, at most.
   * @default {100000}
   */
  readonly maxQueued?: number;
  /** Told when a sync's state or counts changed (for metrics). */
  readonly onChange?: (sync: PeerSync) => void;
}

const keyOf = (serverId: number, a: Address) =>
  `${serverId}@${a.hostname}:${a.port}`;

/** The syncs of a server's peers. */
export class PeerSet {
  readonly #options: PeerSetOptions;
  readonly #syncs = new Map<string, PeerSync>();
  #remoteActive = false;
  #wake = Promise.withResolvers<void>();
  #closed = false;

  /**
   * Makes an empty set; see {@linkcode PeerSet.update}.
   *
   * @param options Engine, names, token, delay, log.
   */
  constructor(options: PeerSetOptions) {
    this.#options = options;
  }

  /**
   * Whether a connected peer reports a status other than `standby`: this
   * server's engine does not start meanwhile.
   */
  get remoteActive(): boolean {
    return this.#remoteActive;
  }

  /**
   * Sets the peers: syncs start for new ones; those no longer listed stop
   * reconnecting (their current connection goes on until it ends).
   *
   * @param peers The peers.
   */
  update(peers: readonly PeerInfo[]): void {
    if (this.#closed) return;
    const keys = new Set<string>();
    for (const peer of peers) {
      const key = keyOf(peer.serverId, peer.address);
      keys.add(key);
      const sync = this.#syncs.get(key);
      if (sync !== undefined) {
        sync.setWanted(true);
        continue;
      }
      this.#start(key, peer);
    }
    for (const [key, sync] of this.#syncs) {
      if (!keys.has(key)) sync.setWanted(false);
    }
  }

  /** What each sync did so far. */
  stats(): PeerSyncStats[] {
    return [...this.#syncs.values()].map((s) => s.stats());
  }

  /**
   * Resolves once every peer's first connection attempt settled (so that
   * {@linkcode PeerSet.remoteActive} knows of every reachable peer), at
   * most after `maxMs`, or once `signal` aborted.
   *
   * @param signal Stops waiting.
   * @param maxMs Longest wait (an unreachable host must not hold it up).
   * @returns When settled.
   */
  async firstAttempts(signal: AbortSignal, maxMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bounded = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxMs);
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    try {
      await Promise.race([
        Promise.all([...this.#syncs.values()].map((s) => s.attempted)),
        bounded,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves once no connected peer is active, or `signal` aborted.
   *
   * @param signal Stops waiting.
   * @returns When no peer is active (or aborted).
   */
  async whileRemoteActive(signal: AbortSignal): Promise<void> {
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    while (this.#remoteActive && !signal.aborted) {
      await Promise.race([this.#wake.promise, aborted]);
    }
  }

  /**
   * Stops every sync.
   *
   * @returns When stopped.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#syncs.values()].map((s) => s.close()));
    this.#syncs.clear();
    this.#changed();
  }

  #start(key: string, peer: PeerInfo): void {
    const sync = new PeerSync(peer, {
      ...this.#options,
      onStatus: () => this.#statusChanged(),
    });
    this.#syncs.set(key, sync);
    sync.done.then(() => {
      // A refused peer stays listed (it is not tried again); one that
      // ended because it left is forgotten, or started again when it came
      // back just as its last connection ended.
      if (this.#syncs.get(key) !== sync || sync.state === "refused") return;
      this.#syncs.delete(key);
      if (sync.wanted && !this.#closed) this.#start(key, peer);
      this.#statusChanged();
    });
  }

  #statusChanged(): void {
    let active = false;
    for (const sync of this.#syncs.values()) {
      const status = sync.remoteStatus;
      if (status !== null && status !== "standby") active = true;
    }
    if (active === this.#remoteActive) return;
    this.#remoteActive = active;
    this.#changed();
  }

  #changed(): void {
    const wake = this.#wake;
    this.#wake = Promise.withResolvers();
    wake.resolve();
  }
}
