// What the three kinds of query mean, shared by both storages, as the
// Python Event Server (hat-event 0.9, LMDB backend) answers them, and the
// plans of timeseries queries. The semantics, kind by kind: docs/storage.md,
// "Queries".

import type {
  Event,
  EventId,
  QueryLatestParams,
  QueryTimeseriesParams,
  Timestamp,
} from "../../../event/mod.ts";
import { compareTs } from "./_compare.ts";
import type {
  TypeFilter,
  TypeListTest,
  TypeRegistry,
} from "./_type_registry.ts";

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

/** What a query found, and whether more follow. */
export interface Found<T> {
  readonly items: T[];
  readonly moreFollows: boolean;
}

/** What was found, cut to `limit` (at most limit + 1 were looked for). */
export function cut<T>(found: T[], limit: number): Found<T> {
  if (found.length > limit) {
    found.length = Math.max(limit, 0);
    return { items: found, moreFollows: true };
  }
  return { items: found, moreFollows: false };
}

/**
 * The type ids a latest query answers, in answer order: those of its
 * types (in the order given, once each) when it names them exactly, else
 * every matching type id in id order; only those `has` holds an event of.
 */
export function latestTypeIds(
  params: QueryLatestParams,
  registry: TypeRegistry,
  has: (typeId: number) => boolean,
): number[] {
  const queryTypes = params.eventTypes ?? null;
  const ids: number[] = [];
  const exact = queryTypes !== null &&
    queryTypes.every((q) => !q.includes("*") && !q.includes("?"));
  if (exact) {
    const seen = new Set<number>();
    for (const q of queryTypes) {
      const id = registry.find(q);
      if (id < 0 || seen.has(id)) continue;
      seen.add(id);
      if (has(id)) ids.push(id);
    }
  } else {
    const filter = registry.filter(queryTypes);
    for (let id = 0; id < registry.size; id++) {
      if (filter !== null && !filter(id)) continue;
      if (has(id)) ids.push(id);
    }
  }
  return ids;
}
