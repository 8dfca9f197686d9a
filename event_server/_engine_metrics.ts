// The engine's metrics (names in metric_names.ts): the series it records
// into on its hot paths, looked up once so that recording only adds to
// numbers, and the values read from the eventer server and the storage
// when the metrics are scraped.

import { ProtocolError } from "../chatter/mod.ts";
import type { Status } from "../event/mod.ts";
import { type Server, ServerLimitError, SlowConsumerError } from "../server.ts";
import type { Counter, Histogram, MetricsRegistry } from "./metrics.ts";
import {
  BYTES_WAITING,
  COMMIT_LATENCY,
  CONNECTIONS,
  EVENTS_NOTIFIED,
  EVENTS_REGISTERED,
  EVENTS_STORED,
  EVENTS_SYNCED,
  INFO,
  LIMIT_HITS,
  PROTOCOL_ERRORS,
  QUERIES,
  REGISTER_LATENCY,
  RETENTION_DELETED,
  SLOW_CONSUMER_DROPS,
  STATUS,
  STORAGE_BYTES,
  STORAGE_CHUNKS,
  STORAGE_EVENTS,
  STORAGE_OPEN,
  STORAGE_TYPES,
} from "./metric_names.ts";
import type { Storage, StorageStats } from "./storage/mod.ts";

const STATUSES: readonly Status[] = [
  "standby",
  "starting",
  "operational",
  "stopping",
];

/** What the engine records. */
export class EngineMetrics {
  readonly registered: Counter;
  readonly stored: Counter;
  readonly synced: Counter;
  readonly registerLatency: Histogram;
  readonly commitLatency: Histogram;
  readonly queries: Readonly<Record<string, Counter>>;
  #registry: MetricsRegistry;
  #slowConsumers: Counter;
  #protocolErrors: Counter;

  constructor(registry: MetricsRegistry, serverId: number) {
    this.#registry = registry;
    this.registered = registry.counter(EVENTS_REGISTERED);
    this.stored = registry.counter(EVENTS_STORED);
    this.synced = registry.counter(EVENTS_SYNCED);
    this.registerLatency = registry.histogram(REGISTER_LATENCY);
    this.commitLatency = registry.histogram(COMMIT_LATENCY);
    this.queries = {
      latest: registry.counter(QUERIES, { kind: "latest" }),
      timeseries: registry.counter(QUERIES, { kind: "timeseries" }),
      server: registry.counter(QUERIES, { kind: "server" }),
    };
    this.#slowConsumers = registry.counter(SLOW_CONSUMER_DROPS, {
      transport: "eventer",
    });
    this.#protocolErrors = registry.counter(PROTOCOL_ERRORS);
    registry.gauge(INFO, { server_id: serverId }).set(1);
  }

  /** Counts a failure of a peer that the eventer server reported. */
  countFailure(error: unknown): void {
    if (error instanceof SlowConsumerError) {
      this.#slowConsumers.inc();
    } else if (error instanceof ServerLimitError) {
      this.#registry.counter(LIMIT_HITS, { limit: error.limit }).inc();
    } else if (error instanceof ProtocolError) {
      this.#protocolErrors.inc();
    }
  }

  /**
   * Reads the server's and the storage's figures at each scrape.
   *
   * @returns Stops reading them (for a registry that outlives the engine).
   */
  collect(server: Server, storage: Storage): () => void {
    const m = this.#registry;
    const stat = (key: keyof StorageStats) => () => storage.stats()[key];
    const stops = [
      m.collect(EVENTS_NOTIFIED, () => server.eventsNotified),
      m.collect(CONNECTIONS, () => server.connInfos().length),
      m.collect(BYTES_WAITING, () =>
        server.connInfos().map((info) => ({
          labels: { connection: info.id, client: info.clientName },
          value: server.bufferedAmount(info.id) ?? 0,
        }))),
      m.collect(STATUS, () =>
        STATUSES.map((status) => ({
          labels: { status },
          value: status === server.status ? 1 : 0,
        }))),
      m.collect(STORAGE_OPEN, () => storage.isOpen ? 1 : 0),
      m.collect(STORAGE_EVENTS, stat("events")),
      m.collect(STORAGE_CHUNKS, stat("chunks")),
      m.collect(STORAGE_BYTES, stat("bytes")),
      m.collect(STORAGE_TYPES, stat("types")),
      m.collect(RETENTION_DELETED, stat("retentionDeleted")),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }
}
