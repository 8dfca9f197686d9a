/**
 * Redundancy of the Event Server (docs/redundancy.md): peers' events kept
 * in sync, and, with a Hat monitor, the group's choice of the active
 * server.
 *
 * - With `monitorComponent`: the server joins the monitor group
 *   ({@linkcode MonitorMember}); the monitor decides whether it is active,
 *   and the other Event Servers of the group are its peers.
 * - With static `peers`: every server is active for its own id and syncs
 *   the others' events.
 *
 * Either way, each peer's events are stored under their own ids by
 * {@linkcode PeerSync} through `Engine.storeSynced` (never through engine
 * modules), and `synced` events tell how far each sync got.
 *
 * @example Two servers syncing through static peers
 * ```ts
 * import { startRedundancy } from "./mod.ts";
 * import { startEngine } from "../engine.ts";
 * import { MemoryStorage } from "../storage/mod.ts";
 * import { resolveConfig } from "../config.ts";
 * import { createLogger } from "../log.ts";
 * import assert from "node:assert/strict";
 *
 * const log = createLogger("error");
 * const addr = { hostname: "127.0.0.1", port: 0 };
 * await using a = await startEngine(addr, { storage: new MemoryStorage(), serverId: 1 });
 * await using b = await startEngine(addr, { storage: new MemoryStorage(), serverId: 2 });
 * const [event] = (await a.register([{ type: ["x"], sourceTimestamp: null, payload: null }]))!;
 * const config = resolveConfig({
 *   serverId: 2,
 *   peers: [{ address: `127.0.0.1:${a.addrs[0].port}`, serverId: 1 }],
 * });
 * await using sync = startRedundancy(b, config, log)!;
 * await sync.synced(1);
 * assert.deepEqual(b.query({ kind: "server", serverId: 1 }).events[1], event);
 * ```
 *
 * @module
 */

import type { ServerConfig } from "../config.ts";
import type { Engine } from "../engine.ts";
import type { Logger } from "../log.ts";
import type { MetricsRegistry } from "../metrics.ts";
import { SYNC_CONNECTIONS, SYNC_LAG, SYNC_STATE } from "../metric_names.ts";
import type { MonitorState } from "../../monitor/mod.ts";
import { MonitorMember } from "./monitor_member.ts";
import { PeerSet } from "./peer_set.ts";
import type { PeerSyncStats } from "./peer_sync.ts";

export { MonitorMember, type MonitorMemberOptions } from "./monitor_member.ts";
export { PeerSet, type PeerSetOptions } from "./peer_set.ts";
export {
  type PeerInfo,
  PeerSync,
  type PeerSyncOptions,
  type PeerSyncState,
  type PeerSyncStats,
} from "./peer_sync.ts";
export { syncedEvent, type SyncedState } from "./synced_event.ts";

/** A server's redundancy: its peers' syncs and its monitor membership. */
export interface Redundancy extends AsyncDisposable {
  /** What each peer's sync did so far. */
  peers(): PeerSyncStats[];
  /** The monitor group's state; `null` without a monitor (or before it). */
  readonly monitor: MonitorState | null;
  /**
   * With a monitor: gives the blessing back and asks for it again (for
   * engine modules); nothing without.
   */
  resetReady(): Promise<void>;
  /**
   * Resolves once the sync from `serverId` reached `SYNCED` (now or
   * later), or the redundancy closed.
   */
  synced(serverId: number): Promise<void>;
  /** Leaves the group (standby first) and stops every sync. */
  close(): Promise<void>;
}

/**
 * Starts what the configuration asks for: the monitor membership, or the
 * syncs of the static peers; `null` when it asks for neither.
 *
 * @param engine The engine (with a monitor, started `standby`).
 * @param config The server's configuration.
 * @param log Where to log.
 * @returns The running redundancy, or `null`.
 */
export function startRedundancy(
  engine: Engine,
  config: ServerConfig,
  log: Logger,
): Redundancy | null {
  const monitor = config.monitorComponent;
  if (monitor === null && config.peers.length === 0) return null;
  const waiters: { serverId: number; resolve(): void }[] = [];
  const check = () => {
    const done = new Set(
      peers.stats().filter((s) => s.state === "SYNCED").map((s) => s.serverId),
    );
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (!done.has(waiters[i].serverId)) continue;
      waiters[i].resolve();
      waiters.splice(i, 1);
    }
  };
  const peers: PeerSet = new PeerSet({
    engine,
    name: config.name,
    clientToken: config.serverToken,
    reconnectDelay: config.peerReconnectDelay * 1000,
    log,
    onChange: check,
  });
  let member: MonitorMember | null = null;
  if (monitor !== null) {
    const bound = engine.addrs[0];
    const published = monitor.eventerAddress ??
      { hostname: config.address.hostname, port: bound.port };
    if (/^(0\.0\.0\.0|::|\[::\])$/.test(published.hostname)) {
      log.warn(
        `publishing eventer address ${published.hostname}:${published.port} ` +
          "to the monitor group: peers on other hosts cannot reach it " +
          '(set monitorComponent.eventerAddress to "host:port")',
      );
    }
    member = new MonitorMember(engine, peers, {
      address: monitor.address,
      name: config.name,
      group: monitor.group,
      serverToken: config.serverToken,
      eventerAddress: published,
      reconnectDelay: 500,
      log,
    });
  } else {
    peers.update(config.peers.map((p) => ({
      serverId: p.serverId,
      address: p.address,
    })));
  }
  const uncollect = collectSyncMetrics(engine.metrics, peers);
  let closing: Promise<void> | null = null;
  const close = () =>
    closing ??= (async () => {
      await member?.close();
      await peers.close();
      uncollect();
      for (const w of waiters.splice(0)) w.resolve();
    })();
  return {
    peers: () => peers.stats(),
    get monitor() {
      return member?.state ?? null;
    },
    resetReady: () => member?.resetReady() ?? Promise.resolve(),
    synced: (serverId) =>
      new Promise<void>((resolve) => {
        waiters.push({ serverId, resolve });
        check();
      }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

const SYNC_STATES = [
  "disconnected",
  "CONNECTED",
  "SYNCING",
  "SYNCED",
  "refused",
] as const;

/**
 * Reads each peer's sync into the metrics at every scrape
 * (`metric_names.ts`: state, lag, connections).
 *
 * @returns Stops reading them.
 */
function collectSyncMetrics(
  metrics: MetricsRegistry,
  peers: PeerSet,
): () => void {
  const stops = [
    metrics.collect(
      SYNC_STATE,
      () =>
        peers.stats().flatMap((s) =>
          SYNC_STATES.map((state) => ({
            labels: { peer: s.serverId, state },
            value: s.state === state ? 1 : 0,
          }))
        ),
    ),
    metrics.collect(
      SYNC_LAG,
      () =>
        peers.stats().filter((s) => s.lagMs !== null).map((s) => ({
          labels: { peer: s.serverId },
          value: s.lagMs! / 1000,
        })),
    ),
    metrics.collect(SYNC_CONNECTIONS, () =>
      peers.stats().map((s) => ({
        labels: { peer: s.serverId },
        value: s.connections,
      }))),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
