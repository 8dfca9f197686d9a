// Orderings the storages sort and filter by. Private: hot paths want them
// inlined and specialised (timestamps split into 32-bit halves for the
// binary chunk records), which the general event model functions are not.

import type {
  Event,
  EventId,
  ServerId,
  Timestamp,
} from "../../../event/mod.ts";

const TWO_32 = 4294967296;

/** Compares timestamps (number and bigint seconds compare exactly). */
export function compareTs(a: Timestamp, b: Timestamp): number {
  if (a.s < b.s) return -1;
  if (a.s > b.s) return 1;
  return a.us - b.us;
}

/** Compares event ids as `(server, session, instance)`. */
export function compareIds(a: EventId, b: EventId): number {
  if (a.server !== b.server) return a.server < b.server ? -1 : 1;
  if (a.session !== b.session) return a.session < b.session ? -1 : 1;
  if (a.instance !== b.instance) return a.instance < b.instance ? -1 : 1;
  return 0;
}

/** Whether two ids are equal. */
export function sameId(a: EventId, b: EventId): boolean {
  return a.server === b.server && a.session === b.session &&
    a.instance === b.instance;
}

/** Timeseries order by timestamp: `(timestamp, id)`. */
export function compareByTimestamp(a: Event, b: Event): number {
  return compareTs(a.timestamp, b.timestamp) || compareIds(a.id, b.id);
}

/** Timeseries order by source timestamp: `(sourceTimestamp, id)`. */
export function compareBySource(a: Event, b: Event): number {
  return compareTs(a.sourceTimestamp!, b.sourceTimestamp!) ||
    compareIds(a.id, b.id);
}

/** Newest-event order of the reference (`Event.__lt__`). */
export function isNewer(candidate: Event, current: Event): boolean {
  if (candidate.id.server !== current.id.server) {
    const c = compareTs(candidate.timestamp, current.timestamp);
    if (c !== 0) return c > 0;
  }
  return compareIds(candidate.id, current.id) >= 0;
}

/** High (signed) 32 bits of the seconds. */
export function secondsHi(s: number | bigint): number {
  return typeof s === "number"
    ? Math.floor(s / TWO_32)
    : Number(BigInt.asIntN(32, s >> 32n));
}

/** Low (unsigned) 32 bits of the seconds. */
export function secondsLo(s: number | bigint): number {
  return typeof s === "number"
    ? s - Math.floor(s / TWO_32) * TWO_32
    : Number(BigInt.asUintN(32, s));
}

/** Seconds of their halves: a number when safe, else a bigint. */
export function secondsOf(hi: number, lo: number): number | bigint {
  const v = hi * TWO_32 + lo;
  if (Number.isSafeInteger(v)) return v;
  return (BigInt(hi) << 32n) + BigInt(lo);
}

/**
 * Checks that ids increase per server, against the last stored ids and
 * within the batch, before anything is stored.
 */
export function checkIds(
  events: readonly Event[],
  last: ReadonlyMap<ServerId, EventId>,
): void {
  let prev: EventId | undefined;
  let seen: Map<ServerId, EventId> | undefined;
  for (let i = 0; i < events.length; i++) {
    const id = events[i].id;
    let before: EventId | undefined;
    if (prev !== undefined && prev.server === id.server) {
      before = prev;
    } else {
      if (prev !== undefined) (seen ??= new Map()).set(prev.server, prev);
      before = seen?.get(id.server) ?? last.get(id.server);
    }
    if (before !== undefined && compareIds(id, before) <= 0) {
      throw new RangeError(
        `Event id ${id.server}/${id.session}/${id.instance} is not after ` +
          `${before.server}/${before.session}/${before.instance}`,
      );
    }
    prev = id;
  }
}
