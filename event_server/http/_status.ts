// The server's state for the page (`GET /api/status`, and every second on
// the live WebSocket): status, addresses, counters from the metrics
// registry, what the storage holds, and the eventer clients with the most
// bytes waiting first.

import type { Engine } from "../engine.ts";
import {
  EVENTS_REGISTERED,
  EVENTS_STORED,
  QUERIES,
  SLOW_CONSUMER_DROPS,
} from "../metric_names.ts";
import type { WebConnection, WebStatus } from "./web_protocol.ts";

/** Clients listed at most (the busiest); the count covers all. */
const MAX_LISTED = 500;

/** What the HTTP part adds to the engine's state. */
export interface StatusContext {
  /** What keeps the events, for people. */
  readonly storage: string;
  /** When the server started, ms since 1970. */
  readonly startedAt: number;
  /** Pages connected for live updates. */
  readonly webSessions: number;
}

/** The server's state now. */
export function webStatus(engine: Engine, context: StatusContext): WebStatus {
  const m = engine.metrics;
  const server = engine.server;
  let queries = 0;
  for (const kind of ["latest", "timeseries", "server"]) {
    queries += m.counter(QUERIES, { kind }).value;
  }
  const infos = server.connInfos();
  const connections: WebConnection[] = infos.map((info) => ({
    id: info.id,
    name: info.clientName,
    subscriptions: info.subscription.queryTypes(),
    serverId: info.serverId,
    persisted: info.persisted,
    bytesWaiting: server.bufferedAmount(info.id) ?? 0,
  }));
  connections.sort((a, b) => b.bytesWaiting - a.bytesWaiting || a.id - b.id);
  const storage = engine.storage;
  return {
    serverId: engine.serverId,
    status: engine.status,
    addresses: engine.addrs.map((a) =>
      a.hostname.includes(":")
        ? `[${a.hostname}]:${a.port}`
        : `${a.hostname}:${a.port}`
    ),
    storage: context.storage,
    storageOpen: storage.isOpen,
    startedAt: context.startedAt,
    now: Date.now(),
    counters: {
      registered: m.counter(EVENTS_REGISTERED).value,
      notified: server.eventsNotified,
      stored: m.counter(EVENTS_STORED).value,
      queries,
      slowConsumerDrops: m.counter(SLOW_CONSUMER_DROPS, {
        transport: "eventer",
      }).value + m.counter(SLOW_CONSUMER_DROPS, { transport: "web" }).value,
    },
    stored: storage.isOpen ? storage.stats() : undefined,
    rss: Deno.memoryUsage().rss,
    connectionCount: infos.length,
    connections: connections.slice(0, MAX_LISTED),
    webSessions: context.webSessions,
  };
}
