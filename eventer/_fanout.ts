// Which connection gets which events of a notification, and the encoded
// MsgEventsNotify for each. Each event is encoded once however many
// connections get it; when every connection gets every event they share
// one encoding.

import { uintSize, Writer } from "../codec/mod.ts";
import type { Event, SubscriptionIndex } from "../event/mod.ts";
import { findRawRequest, writeEvent } from "./_event_write.ts";
import { encodeEvents } from "./_messages.ts";
import type { ServerConnection } from "./_server_connection.ts";

/** One connection's notification. */
export interface Fanout {
  readonly conn: ServerConnection;
  readonly data: Uint8Array;
  /** How many events `data` holds. */
  readonly count: number;
}

const block = new Writer(1 << 16);

function checkEvent(e: Event, i: number): void {
  if (
    typeof e !== "object" || e === null || !Array.isArray(e.type) ||
    typeof e.id !== "object" || e.id === null
  ) {
    throw new TypeError(
      `Invalid event ${i}: expected { id, type, timestamp, ... }`,
    );
  }
}

function sameType(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  const n = a.length;
  if (b.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Selects the connections of `index` that get each event (same
 * `persisted`, matching subscription, no server id or the event's) and
 * encodes their notifications.
 */
export function encodeFanout(
  events: readonly Event[],
  persisted: boolean,
  index: SubscriptionIndex<ServerConnection>,
): Fanout[] {
  if (!Array.isArray(events)) {
    throw new TypeError("Invalid events: expected an array of events");
  }
  const n = events.length;
  const selected = new Map<ServerConnection, number[]>();
  // Events of one batch mostly share their type: match it once per run.
  let prevType: readonly string[] | null = null;
  let conns: ServerConnection[] = [];
  for (let i = 0; i < n; i++) {
    const e = events[i];
    checkEvent(e, i);
    if (prevType === null || !sameType(prevType, e.type)) {
      conns = index.match(e.type);
      prevType = e.type;
    }
    for (let j = 0; j < conns.length; j++) {
      const conn = conns[j];
      const info = conn.info!;
      if (info.persisted !== persisted) continue;
      if (info.serverId !== null && info.serverId !== e.id.server) continue;
      let list = selected.get(conn);
      if (list === undefined) selected.set(conn, list = []);
      list.push(i);
    }
  }
  if (selected.size === 0) return [];

  let all = true;
  for (const list of selected.values()) {
    if (list.length !== n) {
      all = false;
      break;
    }
  }
  const out: Fanout[] = [];
  if (all) {
    const data = encodeEvents(events);
    for (const conn of selected.keys()) out.push({ conn, data, count: n });
    return out;
  }

  // Encode each needed event once, then splice per connection.
  const needed = new Uint8Array(n);
  for (const list of selected.values()) {
    for (let k = 0; k < list.length; k++) needed[list[k]] = 1;
  }
  const starts = new Int32Array(n + 1);
  const ends = new Int32Array(n);
  const raw = findRawRequest(events);
  block.reset();
  for (let i = 0; i < n; i++) {
    starts[i] = block.pos;
    if (needed[i] === 1) writeEvent(block, events[i], raw, i);
    ends[i] = block.pos;
  }
  const bytes = block.buf;
  for (const [conn, list] of selected) {
    let size = uintSize(list.length);
    for (let k = 0; k < list.length; k++) {
      size += ends[list[k]] - starts[list[k]];
    }
    const w = new Writer(size);
    w.uint(list.length);
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      w.raw(bytes.subarray(starts[i], ends[i]));
    }
    out.push({ conn, data: w.buf, count: list.length });
  }
  return out;
}
