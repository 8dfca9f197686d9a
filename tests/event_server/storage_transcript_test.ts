// Replays the registrations and queries that the Python reference server
// logged while the reference client talked to it (transcripts_meta.json)
// and checks that every storage answers each query exactly as it did.

import assert from "node:assert/strict";
import type {
  Event,
  EventPayload,
  QueryParams,
  Timestamp,
} from "../../event/types.ts";
import { fromHex, readVectors } from "../_vectors.ts";
import { KINDS } from "./_storages.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

function timestamp(t: Json): Timestamp | null {
  return t === null ? null : { s: t.s, us: t.us };
}

function payload(p: Json): EventPayload | null {
  if (p === null) return null;
  if ("json" in p) return { kind: "json", data: p.json };
  return {
    kind: "binary",
    type: p.binary.type,
    data: fromHex(p.binary.data),
  };
}

function event(e: Json): Event {
  return {
    id: e.id,
    type: e.type,
    timestamp: timestamp(e.timestamp)!,
    sourceTimestamp: timestamp(e.source_timestamp),
    payload: payload(e.payload),
  };
}

function params(p: Json): QueryParams {
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

const meta: Json = await readVectors("transcripts_meta.json");
const lines: Json[] = meta["transcript.json"].server_stdout_lines.map(
  (l: string) => JSON.parse(l),
);

for (const kind of KINDS) {
  Deno.test(`${kind.name} storage answers the queries of the reference transcript as the Python server`, async () => {
    await using opened = await kind.open();
    let queries = 0;
    for (const line of lines) {
      if (line.cb === "register") {
        await opened.storage.register(line.events.map(event));
      } else if (line.cb === "query") {
        const result = opened.storage.query(params(line.params));
        assert.deepEqual(result, {
          events: line.result.events.map(event),
          moreFollows: line.result.more_follows,
        }, JSON.stringify(line.params));
        queries++;
      }
    }
    assert.equal(queries, 5);
  });
}
