// A position in the arrival order of events, for the live stream and plot:
// the newest timestamp sent and the ids sent at exactly that timestamp.
// Each update asks the storage for events from that timestamp on (newest
// first) and drops those already sent, so none is sent twice and none is
// missed between two updates (unless there were more than an update
// carries: then the newest are sent).

import type { Event, EventId, Timestamp } from "../../event/mod.ts";

/** Where the events sent so far end. */
export interface Cursor {
  readonly ts: Timestamp;
  /** Ids of the events at exactly `ts` already sent. */
  readonly ids: Set<string>;
}

/** An id as one string. */
export function idKey(id: EventId): string {
  return `${id.server}/${id.session}/${id.instance}`;
}

/** Whether two timestamps are equal. */
export function sameTs(a: Timestamp, b: Timestamp): boolean {
  return a.s === b.s && a.us === b.us;
}

/**
 * The events of a descending answer that are past the cursor, newest
 * first, and the cursor after them.
 */
export function pastCursor(
  events: readonly Event[],
  cursor: Cursor | null,
): { fresh: Event[]; next: Cursor | null } {
  const fresh = cursor === null
    ? [...events]
    : events.filter((e) =>
      !(sameTs(e.timestamp, cursor.ts) && cursor.ids.has(idKey(e.id)))
    );
  if (fresh.length === 0) return { fresh, next: cursor };
  const ts = fresh[0].timestamp;
  const ids = cursor !== null && sameTs(cursor.ts, ts)
    ? cursor.ids
    : new Set<string>();
  for (const e of fresh) {
    if (sameTs(e.timestamp, ts)) ids.add(idKey(e.id));
  }
  return { fresh, next: { ts, ids } };
}

/** A cursor at `ts` past the given events that have exactly that timestamp. */
export function cursorAt(ts: Timestamp, sent: readonly Event[]): Cursor {
  const ids = new Set<string>();
  for (const e of sent) if (sameTs(e.timestamp, ts)) ids.add(idKey(e.id));
  return { ts, ids };
}
