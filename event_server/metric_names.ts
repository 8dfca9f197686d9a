/**
 * Every metric of the Event Server, named `hat_eventer_…`, in one scheme:
 * the engine's, the storage's, the web view's, the sync with peers' and the
 * engine modules'. Each part records its metrics into the server's
 * {@linkcode MetricsRegistry} with these definitions; a metric appears on
 * `/metrics` once something is recorded for it, so a server without peers
 * or modules shows none of theirs. docs/web.md lists them with their
 * meaning.
 *
 * @example A feature records by definition
 * ```ts
 * import { MetricsRegistry } from "./metrics.ts";
 * import { MODULE_FAILURES } from "./metric_names.ts";
 * import assert from "node:assert/strict";
 *
 * const metrics = new MetricsRegistry();
 * assert.equal(metrics.render(), "");
 * metrics.counter(MODULE_FAILURES, { module: "alarms" }).inc();
 * assert.match(
 *   metrics.render(),
 *   /^hat_eventer_module_failures_total\{module="alarms"\} 1$/m,
 * );
 * ```
 *
 * @module
 */

import type { MetricDefinition } from "./metrics.ts";

function define<T extends MetricDefinition>(def: T): T {
  return Object.freeze(def);
}

/** Events registered (ids assigned), by clients and by the server itself. */
export const EVENTS_REGISTERED: MetricDefinition = define({
  name: "hat_eventer_events_registered_total",
  type: "counter",
  help: "Events registered: given ids and handed to the storage.",
});

/** Events of other servers stored here by the sync with peers. */
export const EVENTS_SYNCED: MetricDefinition = define({
  name: "hat_eventer_events_synced_total",
  type: "counter",
  help: "Events of other servers stored here by the sync with peers.",
});

/** Events sent in notifications, once per subscriber that got each. */
export const EVENTS_NOTIFIED: MetricDefinition = define({
  name: "hat_eventer_events_notified_total",
  type: "counter",
  help:
    "Events sent to subscribers, counted once per subscriber that got each.",
});

/** Events whose commit to the storage finished (durable). */
export const EVENTS_STORED: MetricDefinition = define({
  name: "hat_eventer_events_stored_total",
  type: "counter",
  help: "Events committed to the storage (durable), registered or synced.",
});

/** Queries answered, by kind (`latest`, `timeseries`, `server`). */
export const QUERIES: MetricDefinition = define({
  name: "hat_eventer_queries_total",
  type: "counter",
  help: "Queries answered (eventer clients and the web view), by kind.",
  labels: ["kind"],
});

/** Time the server takes to register one request's events. */
export const REGISTER_LATENCY: MetricDefinition = define({
  name: "hat_eventer_register_latency_seconds",
  type: "histogram",
  help:
    "Seconds to register one request: ids, storage, notification of subscribers.",
});

/** Time from registration until the events are durable. */
export const COMMIT_LATENCY: MetricDefinition = define({
  name: "hat_eventer_commit_latency_seconds",
  type: "histogram",
  help:
    "Seconds from registration until the events are committed (group commit wait included).",
});

/** Eventer clients connected now. */
export const CONNECTIONS: MetricDefinition = define({
  name: "hat_eventer_connections",
  type: "gauge",
  help: "Eventer clients connected (past their init).",
});

/** Bytes waiting to be sent to one client. */
export const BYTES_WAITING: MetricDefinition = define({
  name: "hat_eventer_connection_bytes_waiting",
  type: "gauge",
  help:
    "Bytes waiting to be sent to a client; near sendQueueBytes it is about to be dropped as slow.",
  labels: ["connection", "client"],
});

/** Subscribers disconnected for not reading fast enough. */
export const SLOW_CONSUMER_DROPS: MetricDefinition = define({
  name: "hat_eventer_slow_consumer_drops_total",
  type: "counter",
  help:
    "Subscribers disconnected for falling behind, by transport (eventer, web).",
  labels: ["transport"],
});

/** Limits hit, by the option that set them. */
export const LIMIT_HITS: MetricDefinition = define({
  name: "hat_eventer_limit_hits_total",
  type: "counter",
  help:
    "Server limits hit (connection refused or closed, request failed), by limit.",
  labels: ["limit"],
});

/** Connections closed for breaking the protocol. */
export const PROTOCOL_ERRORS: MetricDefinition = define({
  name: "hat_eventer_protocol_errors_total",
  type: "counter",
  help:
    "Connections closed for breaking the protocol (malformed or oversized frames, unexpected messages).",
});

/** Events kept by the storage. */
export const STORAGE_EVENTS: MetricDefinition = define({
  name: "hat_eventer_storage_events",
  type: "gauge",
  help: "Events in the storage.",
});

/** Chunks the storage keeps events in. */
export const STORAGE_CHUNKS: MetricDefinition = define({
  name: "hat_eventer_storage_chunks",
  type: "gauge",
  help: "Chunks of events in the storage.",
});

/** Bytes the storage takes. */
export const STORAGE_BYTES: MetricDefinition = define({
  name: "hat_eventer_storage_bytes",
  type: "gauge",
  help:
    "Bytes the storage takes: the SQLite database's pages, or the chunks in memory.",
});

/** Distinct event types the storage knows. */
export const STORAGE_TYPES: MetricDefinition = define({
  name: "hat_eventer_storage_types",
  type: "gauge",
  help: "Distinct event types ever registered.",
});

/** Whether the storage is open (0 once it failed or was closed). */
export const STORAGE_OPEN: MetricDefinition = define({
  name: "hat_eventer_storage_open",
  type: "gauge",
  help: "1 while the storage is open, 0 once it failed or was closed.",
});

/** Events removed by retention. */
export const RETENTION_DELETED: MetricDefinition = define({
  name: "hat_eventer_retention_deleted_events_total",
  type: "counter",
  help: "Events removed by retention rules since the server started.",
});

/** The server's status, one series per status (1 for the current one). */
export const STATUS: MetricDefinition = define({
  name: "hat_eventer_status",
  type: "gauge",
  help: "1 for the server's current status, 0 for the others.",
  labels: ["status"],
});

/** Web view pages with a live connection. */
export const WEB_SESSIONS: MetricDefinition = define({
  name: "hat_eventer_web_sessions",
  type: "gauge",
  help: "Web view pages connected for live updates.",
});

/** Time the web view's live updates take, per round (all pages). */
export const WEB_UPDATE_SECONDS: MetricDefinition = define({
  name: "hat_eventer_web_update_seconds",
  type: "histogram",
  help:
    "Seconds to build and send one round of live updates to the open web pages.",
});

/** Resident set size of the server process. */
export const PROCESS_RSS: MetricDefinition = define({
  name: "hat_eventer_process_resident_memory_bytes",
  type: "gauge",
  help: "Resident memory of the server process, in bytes.",
});

/** JavaScript heap in use. */
export const PROCESS_HEAP: MetricDefinition = define({
  name: "hat_eventer_process_heap_used_bytes",
  type: "gauge",
  help: "JavaScript heap in use by the server process, in bytes.",
});

/** CPU time the process used. */
export const PROCESS_CPU: MetricDefinition = define({
  name: "hat_eventer_process_cpu_seconds_total",
  type: "counter",
  help: "CPU time (user and system) the server process used, in seconds.",
});

/** When the process started. */
export const PROCESS_START: MetricDefinition = define({
  name: "hat_eventer_process_start_time_seconds",
  type: "gauge",
  help: "Start time of the server process, seconds since 1970.",
});

/** The server id, as the label of a constant 1. */
export const INFO: MetricDefinition = define({
  name: "hat_eventer_info",
  type: "gauge",
  help: "Always 1; the label says which server this is.",
  labels: ["server_id"],
});

// Recorded by the sync with peer servers (redundancy/, issue 17): one
// series per peer, by its server id.

/** Sync state per peer server: 1 for the peer's current state, 0 for the others. */
export const SYNC_STATE: MetricDefinition = define({
  name: "hat_eventer_sync_state",
  type: "gauge",
  help:
    "Sync with a peer server: 1 for its current state (disconnected, CONNECTED, SYNCING, SYNCED, refused), 0 for the others.",
  labels: ["peer", "state"],
});

/** How far behind a peer the synced events are, in seconds. */
export const SYNC_LAG: MetricDefinition = define({
  name: "hat_eventer_sync_lag_seconds",
  type: "gauge",
  help:
    "Seconds from a peer's timestamp of the last event synced live to its storing here.",
  labels: ["peer"],
});

/**
 * Connections made to a peer (the first, and each reconnect). The peer
 * syncs are the server's only eventer clients that reconnect; failover
 * clients (docs/failover.md) run in applications, not in the server.
 */
export const SYNC_CONNECTIONS: MetricDefinition = define({
  name: "hat_eventer_sync_connections_total",
  type: "counter",
  help:
    "Connections made to a peer server for the sync: the first and each reconnect.",
  labels: ["peer"],
});

// Recorded by the engine for its modules (docs/modules.md): one series per
// configured module, from the start.

/** Engine module failures, by module name. */
export const MODULE_FAILURES: MetricDefinition = define({
  name: "hat_eventer_module_failures_total",
  type: "counter",
  help:
    "Failures of engine modules (an exception, a bad result), by module name.",
  labels: ["module"],
});
