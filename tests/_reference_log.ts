// Converts what the Python reference server logged (transcripts_meta.json
// server_stdout_lines: Python names, hex bytes) into this project's event
// model values. Shared by the eventer and the storage transcript tests.

import type {
  Event,
  EventPayload,
  JsonValue,
  QueryParams,
  QueryResult,
  RegisterEvent,
  Timestamp,
} from "../event/mod.ts";
import { fromHex } from "./_vectors.ts";

// deno-lint-ignore no-explicit-any
export type Json = any;

/** A logged timestamp (or null). */
export function timestamp(t: Json): Timestamp | null {
  return t === null ? null : { s: t.s, us: t.us };
}

/** A logged payload (or null). */
export function payload(p: Json): EventPayload | null {
  if (p === null) return null;
  if ("json" in p) return { kind: "json", data: p.json as JsonValue };
  return { kind: "binary", type: p.binary.type, data: fromHex(p.binary.data) };
}

/** A logged register event. */
export function registerEvent(e: Json): RegisterEvent {
  return {
    type: e.type,
    sourceTimestamp: timestamp(e.source_timestamp),
    payload: payload(e.payload),
  };
}

/** A logged event. */
export function event(e: Json): Event {
  return {
    id: e.id,
    type: e.type,
    timestamp: timestamp(e.timestamp)!,
    sourceTimestamp: timestamp(e.source_timestamp),
    payload: payload(e.payload),
  };
}

/** Logged query parameters. */
export function params(p: Json): QueryParams {
  if ("latest" in p) {
    return { kind: "latest", eventTypes: p.latest.event_types };
  }
  if ("server" in p) {
    const s = p.server;
    return {
      kind: "server",
      serverId: s.server_id,
      persisted: s.persisted,
      maxResults: s.max_results,
      lastEventId: s.last_event_id,
    };
  }
  const t = p.timeseries;
  return {
    kind: "timeseries",
    eventTypes: t.event_types,
    tFrom: timestamp(t.t_from),
    tTo: timestamp(t.t_to),
    sourceTFrom: timestamp(t.source_t_from),
    sourceTTo: timestamp(t.source_t_to),
    order: t.order,
    orderBy: t.order_by === "timestamp" ? "timestamp" : "sourceTimestamp",
    maxResults: t.max_results,
    lastEventId: t.last_event_id,
  };
}

/** A logged query result. */
export function result(r: Json): QueryResult {
  return { events: r.events.map(event), moreFollows: r.more_follows };
}
