// Writing eventer messages from a batch (events.ts): HatEventer
// Array(Event), the body of MsgEventsNotify and of MsgRegisterRes's
// `events`, as the TypeScript writer (eventer/_event_codec.ts) writes it:
// each event's id and timestamp written around the bytes of its type and
// of its source timestamp and payload, copied from the received message.

import {
  B_COUNT,
  E_INSTANCE,
  E_SERVER,
  E_SESSION,
  E_TAIL_END,
  E_TAIL_START,
  E_TS_S,
  E_TS_US,
  E_TYPE_END,
  E_TYPE_START,
  entry,
  outBuffer,
  setOutLength,
} from "./events";

/** Bytes of the SBS Integer `v`. */
// @ts-ignore: decorator
@inline
export function integerSize(v: i64): usize {
  // Smallest n with -2^(7n-1) <= v < 2^(7n-1).
  const m = v < 0 ? ~v : v;
  return (<usize>(64 - clz<u64>(<u64>m)) + 7) / 7;
}

/** Writes the SBS Integer `v` at p; returns the position after it. */
// @ts-ignore: decorator
@inline
export function writeInteger(p: usize, v: i64): usize {
  if (v >= -0x40 && v < 0x40) {
    store<u8>(p, 0x80 | (<u32>v & 0x7f));
    return p + 1;
  }
  const n = integerSize(v);
  let q = p + n - 1;
  store<u8>(q, 0x80 | (<u32>v & 0x7f));
  v >>= 7;
  while (q > p) {
    q--;
    store<u8>(q, <u32>v & 0x7f);
    v >>= 7;
  }
  return p + n;
}

// The most bytes an event takes besides its type and tail: three ids and
// the seconds of up to 10 bytes each, microseconds of up to 3.
const EVENT_HEAD: usize = 4 * 10 + 3;

/**
 * Writes `lead` bytes of room (for the caller to fill), then the Array(Event)
 * of the batch's events `from`..`to`, or, when `list` is not 0, of the `m`
 * events whose indexes are the i32s at `list`, into output `slot`. Returns
 * the length written (lead included).
 */
export function writeEvents(
  b: usize,
  slot: usize,
  from: i32,
  to: i32,
  list: usize,
  m: i32,
  lead: usize,
): usize {
  const n = list != 0 ? m : to - from;
  let size: usize = lead + 10;
  for (let k = 0; k < n; k++) {
    const e = entry(b, list != 0 ? load<i32>(list + (<usize>k << 2)) : from + k);
    size += EVENT_HEAD + <usize>(load<i32>(e, E_TYPE_END) - load<i32>(e, E_TYPE_START)) +
      <usize>(load<i32>(e, E_TAIL_END) - load<i32>(e, E_TAIL_START));
  }
  const out = outBuffer(b, slot, size);
  let p = writeInteger(out + lead, n);
  for (let k = 0; k < n; k++) {
    const e = entry(b, list != 0 ? load<i32>(list + (<usize>k << 2)) : from + k);
    p = writeInteger(p, <i64>load<f64>(e, E_SERVER));
    p = writeInteger(p, <i64>load<f64>(e, E_SESSION));
    p = writeInteger(p, <i64>load<f64>(e, E_INSTANCE));
    const typeStart = <usize>load<i32>(e, E_TYPE_START);
    const typeLen = <usize>load<i32>(e, E_TYPE_END) - typeStart;
    memory.copy(p, typeStart, typeLen);
    p += typeLen;
    p = writeInteger(p, load<i64>(e, E_TS_S));
    p = writeInteger(p, load<i32>(e, E_TS_US));
    const tailStart = <usize>load<i32>(e, E_TAIL_START);
    const tailLen = <usize>load<i32>(e, E_TAIL_END) - tailStart;
    memory.copy(p, tailStart, tailLen);
    p += tailLen;
  }
  const len = p - out;
  setOutLength(b, slot, len);
  return len;
}

/** The number of events of a batch (for the TypeScript side). */
export function batchCount(b: usize): i32 {
  return load<i32>(b, B_COUNT);
}
