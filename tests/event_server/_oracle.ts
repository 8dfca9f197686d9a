// The query semantics of tests/testdata/spec/PROTOCOL.md §5 (the Python
// server) written as plainly as possible (sort everything, filter, slice),
// to check the storages' indexed answers against.

import { matchesQueryType } from "../../event/query_type.ts";
import type {
  Event,
  QueryParams,
  QueryResult,
  Timestamp,
} from "../../event/types.ts";

function cmpTs(a: Timestamp, b: Timestamp): number {
  return a.s < b.s ? -1 : a.s > b.s ? 1 : a.us - b.us;
}

function cmpId(a: Event, b: Event): number {
  const x = a.id, y = b.id;
  return x.server - y.server || x.session - y.session ||
    x.instance - y.instance;
}

function matches(e: Event, types: readonly (readonly string[])[] | null) {
  return types === null || types.some((q) => matchesQueryType(e.type, q));
}

function inRange(t: Timestamp, from?: Timestamp | null, to?: Timestamp | null) {
  return (from == null || cmpTs(t, from) >= 0) &&
    (to == null || cmpTs(t, to) <= 0);
}

/** Answers a query over all stored events (in registration order). */
export function oracle(
  all: readonly Event[],
  params: QueryParams,
  cap = 4096,
): QueryResult {
  const limitOf = (m?: number | null) => m != null && m < cap ? m : cap;
  const page = (events: Event[], limit: number): QueryResult => ({
    events: events.slice(0, Math.max(0, limit)),
    moreFollows: limit + 1 > 0 && events.length > limit,
  });
  if (params.kind === "latest") {
    const latest = new Map<string, Event>();
    for (const e of all) {
      const k = JSON.stringify(e.type);
      const cur = latest.get(k);
      const newer = cur === undefined ||
        (e.id.server !== cur.id.server &&
              cmpTs(e.timestamp, cur.timestamp) ||
            cmpId(e, cur)) >= 0;
      if (newer) latest.set(k, e);
    }
    const types = params.eventTypes ?? null;
    return {
      events: [...latest.values()].filter((e) => matches(e, types)),
      moreFollows: false,
    };
  }
  if (params.kind === "server") {
    const last = params.lastEventId;
    const events = all.filter((e) =>
      e.id.server === params.serverId &&
      (last == null || cmpId(e, { id: last } as Event) > 0)
    ).sort(cmpId);
    return page(events, limitOf(params.maxResults));
  }
  const bySource = params.orderBy === "sourceTimestamp";
  const key = (e: Event) => bySource ? e.sourceTimestamp : e.timestamp;
  const desc = (params.order ?? "descending") === "descending";
  const [from, to] = bySource
    ? [params.sourceTFrom, params.sourceTTo]
    : [params.tFrom, params.tTo];
  let events = all.filter((e) => key(e) !== null && inRange(key(e)!, from, to))
    .sort((a, b) => cmpTs(key(a)!, key(b)!) || cmpId(a, b));
  if (desc) events.reverse();
  if (params.lastEventId != null) {
    const last = params.lastEventId;
    const at = events.findIndex((e) =>
      e.id.server === last.server && e.id.session === last.session &&
      e.id.instance === last.instance
    );
    events = at < 0 ? [] : events.slice(at + 1);
  }
  const sourceBound = params.sourceTFrom != null || params.sourceTTo != null;
  events = events.filter((e) =>
    matches(e, params.eventTypes ?? null) &&
    inRange(e.timestamp, params.tFrom, params.tTo) &&
    (!sourceBound ||
      (e.sourceTimestamp !== null &&
        inRange(e.sourceTimestamp, params.sourceTFrom, params.sourceTTo)))
  );
  return page(events, limitOf(params.maxResults));
}
