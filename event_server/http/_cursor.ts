// A position in the arrival order of events, for the live stream and plot.
// Events arrive in id order per server (this server's and, synced, its
// peers'), but not in timestamp order: a peer's event may be stored after
// a newer one of this server. So the cursor is, per server, the highest id
// already taken; what arrived since is each server's events past it.
//
// A server with few new events (at most PROBE) is read whole by a `server`
// query and filtered by type: exact, whatever their timestamps. For a
// server with more (a burst), the newest matching ones are looked for by a
// timeseries query, back to the oldest timestamp among its first new
// events (a server's timestamps do not go back as its ids go up; the
// engine gives each session its clock's time). An update takes at most
// `limit` events, the newest; `sampled` says when more arrived, or when
// the look back was cut short. Memory: one id per server.

import {
  compareEventIds,
  compareEvents,
  compareTimestamps,
  type Event,
  type EventId,
  type QueryType,
  Subscription,
  type Timestamp,
} from "../../event/mod.ts";
import type { Storage } from "../storage/mod.ts";

/** Most new events of one server read whole by a `server` query. */
export const PROBE = 64;
/** Pages of a timeseries query the look back of a burst reads at most. */
const MAX_PAGES = 16;

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
  readonly #matches: Subscription;
  readonly #marks = new Map<number, EventId>();

  /**
   * A cursor past every event stored now.
   *
   * @param storage Where the events are.
   * @param types The query types of the events taken.
   */
  constructor(storage: Storage, types: QueryType[]) {
    this.#types = types;
    this.#matches = new Subscription(types);
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
    /** Servers with many new events, and their mark before this take. */
    const bursts = new Map<number, EventId | null>();
    let floor: Timestamp | null = null;
    const found: Event[] = [];
    let advanced = false;
    for (const last of storage.lastEventIds()) {
      const mark = this.#marks.get(last.server) ?? null;
      if (mark !== null && compareEventIds(last, mark) <= 0) continue;
      advanced = true;
      this.#marks.set(last.server, last);
      const probe = storage.query({
        kind: "server",
        serverId: last.server,
        lastEventId: mark,
        maxResults: PROBE,
      }, { jsonText: true });
      if (!probe.moreFollows) {
        for (const e of probe.events) {
          if (this.#matches.matches(e.type)) found.push(e);
        }
        continue;
      }
      bursts.set(last.server, mark);
      for (const e of probe.events) {
        if (floor === null || compareTimestamps(e.timestamp, floor) < 0) {
          floor = e.timestamp;
        }
      }
    }
    if (!advanced) return null;
    let sampled = bursts.size > 0 &&
      this.#lookBack(storage, bursts, floor, limit, found);
    found.sort((a, b) => compareEvents(b, a));
    if (found.length > limit) {
      found.length = limit;
      sampled = true;
    }
    return { events: found, sampled };
  }

  /**
   * Adds the newest new events of the bursting servers to `found`, newest
   * first, looking back to `floor`; whether it stopped short.
   */
  #lookBack(
    storage: Storage,
    bursts: Map<number, EventId | null>,
    floor: Timestamp | null,
    limit: number,
    found: Event[],
  ): boolean {
    let taken = 0;
    let after: EventId | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = storage.query({
        kind: "timeseries",
        eventTypes: this.#types,
        tFrom: floor,
        order: "descending",
        orderBy: "timestamp",
        maxResults: limit + 1,
        lastEventId: after,
      }, { jsonText: true });
      for (const e of result.events) {
        if (!bursts.has(e.id.server)) continue;
        const mark = bursts.get(e.id.server)!;
        if (mark !== null && compareEventIds(e.id, mark) <= 0) continue;
        found.push(e);
        taken++;
      }
      if (!result.moreFollows || result.events.length === 0) return false;
      // The newest limit are in hand: older ones would be left out.
      if (taken > limit) return true;
      after = result.events[result.events.length - 1].id;
    }
    return true;
  }
}
