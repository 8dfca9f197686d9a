/**
 * The order of events (`tests/testdata/spec/PROTOCOL.md` §4, Python's
 * `Event.__lt__`).
 *
 * @module
 */

import { compareTimestamps } from "./timestamp.ts";
import type { Event, EventId } from "./types.ts";

/**
 * Compares two event ids as the tuple `(server, session, instance)`.
 *
 * @param a One id.
 * @param b The other.
 * @returns `-1`, `0` or `1`.
 *
 * @example
 * ```ts
 * import { compareEventIds } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.equal(compareEventIds({ server: 1, session: 2, instance: 9 }, { server: 1, session: 3, instance: 1 }), -1);
 * assert.equal(compareEventIds({ server: 2, session: 1, instance: 1 }, { server: 1, session: 9, instance: 9 }), 1);
 * ```
 */
export function compareEventIds(a: EventId, b: EventId): -1 | 0 | 1 {
  if (a.server !== b.server) return a.server < b.server ? -1 : 1;
  if (a.session !== b.session) return a.session < b.session ? -1 : 1;
  if (a.instance !== b.instance) return a.instance < b.instance ? -1 : 1;
  return 0;
}

/**
 * Compares two events in event order: events of the same server by id
 * (session, then instance); events of different servers by `timestamp`,
 * and when their timestamps are equal by id (server first), so that the
 * result is deterministic and `0` only for equal ids.
 *
 * Across more than one server this is the reference's order and is not
 * guaranteed transitive (a server's ids need not follow its timestamps);
 * sort events of one server, or use timestamps alone, when a total order
 * is needed.
 *
 * @param a One event.
 * @param b The other.
 * @returns `-1`, `0` or `1` as `a` comes before, with or after `b`.
 *
 * @example
 * ```ts
 * import { compareEvents } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * const ev = (server: number, session: number, s: number) => ({
 *   id: { server, session, instance: 1 },
 *   type: ["a"],
 *   timestamp: { s, us: 0 },
 *   sourceTimestamp: null,
 *   payload: null,
 * });
 * // same server: by id, whatever the timestamps
 * assert.equal(compareEvents(ev(1, 1, 50), ev(1, 2, 10)), -1);
 * // different servers: by timestamp
 * assert.equal(compareEvents(ev(1, 1, 50), ev(2, 1, 10)), 1);
 * // different servers, same timestamp: by id
 * assert.equal(compareEvents(ev(2, 1, 10), ev(1, 5, 10)), 1);
 * ```
 */
export function compareEvents(a: Event, b: Event): -1 | 0 | 1 {
  if (a.id.server !== b.id.server) {
    const c = compareTimestamps(a.timestamp, b.timestamp);
    if (c !== 0) return c;
  }
  return compareEventIds(a.id, b.id);
}
