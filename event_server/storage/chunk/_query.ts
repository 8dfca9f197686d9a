// What the three kinds of query mean, shared by both storages, as the
// Python Event Server (hat-event 0.9, LMDB backend) answers them:
//
// latest: per event type the newest stored event, for the types matching
//   `eventTypes` (null or containing ["*"]: all; []: none); moreFollows is
//   always false. Order: first registration of the type, or the order of
//   `eventTypes` when it has no wildcards.
// timeseries: events sorted by (timestamp, id) or (sourceTimestamp, id),
//   ascending or descending (default descending by timestamp); events
//   without a source timestamp are left out when sorting by it or when a
//   source bound is given. Bounds are inclusive. `lastEventId` continues
//   after that event's position in the order (no result when that event is
//   not stored or lies outside the bounds of the sort key). At most
//   min(maxResults, cap) events; moreFollows tells whether another matched.
// server: events of `serverId` with id greater than `lastEventId` (whose
//   server must be `serverId`), ascending by id, same limit; `persisted`
//   restricts to committed events.

import type {
  Event,
  EventId,
  QueryLatestParams,
  QueryResult,
  QueryTimeseriesParams,
  Timestamp,
} from "../../../event/mod.ts";
import { compareTs } from "./_compare.ts";
import type {
  TypeFilter,
  TypeListTest,
  TypeRegistry,
} from "./_type_registry.ts";

/** The empty result. */
export const EMPTY_RESULT: QueryResult = Object.freeze({
  events: Object.freeze([]) as readonly Event[],
  moreFollows: false,
});

/** The number of events a query may return (negative: none). */
export function effectiveLimit(
  maxResults: number | null | undefined,
  cap: number,
): number {
  return maxResults !== null && maxResults !== undefined && maxResults < cap
    ? maxResults
    : cap;
}

/** A timeseries query in normalized form. */
export interface TimeseriesPlan {
  readonly descending: boolean;
  readonly bySource: boolean;
  /** Events to return at most; one more is looked for (moreFollows). */
  readonly limit: number;
  /** Type predicate (null: all). */
  readonly types: TypeFilter;
  /** Test of chunks' type lists (null: all), see `TypeRegistry.listTest`. */
  readonly chunkTypes: TypeListTest;
  readonly tFrom: Timestamp | null;
  readonly tTo: Timestamp | null;
  readonly sFrom: Timestamp | null;
  readonly sTo: Timestamp | null;
  readonly lastEventId: EventId | null;
}

/** Normalizes timeseries parameters. */
export function planTimeseries(
  params: QueryTimeseriesParams,
  registry: TypeRegistry,
  cap: number,
): TimeseriesPlan {
  return {
    descending: (params.order ?? "descending") === "descending",
    bySource: (params.orderBy ?? "timestamp") === "sourceTimestamp",
    limit: effectiveLimit(params.maxResults, cap),
    types: registry.filter(params.eventTypes),
    chunkTypes: registry.listTest(params.eventTypes),
    tFrom: params.tFrom ?? null,
    tTo: params.tTo ?? null,
    sFrom: params.sourceTFrom ?? null,
    sTo: params.sourceTTo ?? null,
    lastEventId: params.lastEventId ?? null,
  };
}

/** Whether a timestamp lies within inclusive, optional bounds. */
export function within(
  t: Timestamp,
  from: Timestamp | null,
  to: Timestamp | null,
): boolean {
  return (from === null || compareTs(t, from) >= 0) &&
    (to === null || compareTs(t, to) <= 0);
}

/**
 * Whether an event passes the bounds other than its sort key's (the
 * storages apply those while walking their indexes): the timestamp bounds
 * when sorting by source timestamp, the source bounds (which leave out
 * events without one) when sorting by timestamp.
 */
export function passesOtherBounds(
  plan: TimeseriesPlan,
  timestamp: Timestamp,
  src: Timestamp | null,
): boolean {
  if (plan.bySource) return within(timestamp, plan.tFrom, plan.tTo);
  if (plan.sFrom === null && plan.sTo === null) return true;
  return src !== null && within(src, plan.sFrom, plan.sTo);
}

/**
 * The sort-key timestamp of an event for a plan, or null when the event is
 * not in that order at all (no source timestamp).
 */
export function sortKeyOf(
  plan: TimeseriesPlan,
  event: Event,
): Timestamp | null {
  return plan.bySource ? event.sourceTimestamp : event.timestamp;
}

/** The bounds of the sort key. */
export function keyBounds(
  plan: TimeseriesPlan,
): [Timestamp | null, Timestamp | null] {
  return plan.bySource ? [plan.sFrom, plan.sTo] : [plan.tFrom, plan.tTo];
}

/** The result of found events (at most limit + 1 were looked for). */
export function toResult(found: Event[], limit: number): QueryResult {
  if (found.length > limit) {
    found.length = Math.max(limit, 0);
    return { events: found, moreFollows: true };
  }
  return { events: found, moreFollows: false };
}

/** Answers a latest query from a per-type-id lookup. */
export function queryLatest(
  params: QueryLatestParams,
  registry: TypeRegistry,
  latestOf: (typeId: number) => Event | undefined,
): QueryResult {
  const queryTypes = params.eventTypes ?? null;
  const events: Event[] = [];
  const exact = queryTypes !== null &&
    queryTypes.every((q) => !q.includes("*") && !q.includes("?"));
  if (exact) {
    const seen = new Set<number>();
    for (const q of queryTypes) {
      const id = registry.find(q);
      if (id < 0 || seen.has(id)) continue;
      seen.add(id);
      const e = latestOf(id);
      if (e !== undefined) events.push(e);
    }
  } else {
    const filter = registry.filter(queryTypes);
    for (let id = 0; id < registry.size; id++) {
      if (filter !== null && !filter(id)) continue;
      const e = latestOf(id);
      if (e !== undefined) events.push(e);
    }
  }
  return { events, moreFollows: false };
}
