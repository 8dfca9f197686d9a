// A position in the arrival order of events, for the live stream and plot.
// Events arrive in id order per server (this server's and, synced, its
// peers'), but not in timestamp order: a peer's event may be stored after
// a newer one of this server. So the cursor is, per server, the highest id
// already taken, and what arrived since is each server's events past it
// (Storage.arrivals, which reads back from the newest and stops there).
// An update takes at most `limit` events, the newest by timestamp of the
// newest that arrived from each server; `sampled` says when more did.
// Memory: one id per server.

import {
  compareEventIds,
  compareEvents,
  type Event,
  type EventId,
  type QueryType,
} from "../../event/mod.ts";
import type { Storage } from "../storage/mod.ts";

/** An id as one string. */
export function idKey(id: EventId): string {
  return `${id.server}/${id.session}/${id.instance}`;
}

/** What arrived since the last take. */
export interface Arrived {
  /** The newest of them that match, newest first. */
  readonly events: Event[];
  /** Whether matching events were left out. */
  readonly sampled: boolean;
}

/** Where the events taken so far end: per server, the highest id. */
export class Cursor {
  readonly #types: QueryType[];
  readonly #marks = new Map<number, EventId>();

  /**
   * A cursor past every event stored now.
   *
   * @param storage Where the events are.
   * @param types The query types of the events taken.
   */
  constructor(storage: Storage, types: QueryType[]) {
    this.#types = types;
    for (const id of storage.lastEventIds()) this.#marks.set(id.server, id);
  }

  /**
   * The events of the cursor's types stored since the last take (or since
   * the cursor was made), and moves past every event stored now.
   *
   * @param storage Where the events are.
   * @param limit Most events to return.
   * @returns Null when no event at all was stored since.
   */
  take(storage: Storage, limit: number): Arrived | null {
    const found: Event[] = [];
    let sampled = false;
    let advanced = false;
    for (const last of storage.lastEventIds()) {
      const mark = this.#marks.get(last.server) ?? null;
      if (mark !== null && compareEventIds(last, mark) <= 0) continue;
      advanced = true;
      this.#marks.set(last.server, last);
      const result = storage.arrivals(last.server, {
        after: mark,
        eventTypes: this.#types,
        maxResults: limit,
        jsonText: true,
      });
      for (const e of result.events) found.push(e);
      sampled ||= result.moreFollows;
    }
    if (!advanced) return null;
    found.sort((a, b) => compareEvents(b, a));
    if (found.length > limit) {
      found.length = limit;
      sampled = true;
    }
    return { events: found, sampled };
  }
}
