// The Event Server's storage records in the compact chunk form of
// event_server/storage (chunk/_compact.ts), written from a batch, and
// query answers (Array(Event)) written from such records.
//
// A compact record, relative to its chunk's base server, session and
// seconds (those of the chunk's first event): u8 flags (bit 0 source
// timestamp, bit 1 binary, bit 2 JSON payload, bit 3 a server other than
// the base), then varints (7 bits per byte, least significant first): type
// id, zigzag(seconds - base), microseconds, [zigzag(source seconds - base),
// source microseconds], zigzag(session - base), instance, [zigzag(server -
// base)], [payload length, payload bytes: binary = u32 little-endian name
// length, name, data; JSON = the text]. A chunk whose values do not fit
// (differences beyond 2^51, seconds beyond 2^53) is kept in the fixed form
// by the TypeScript side.

import {
  B_ERR_AT,
  B_ONE_SERVER,
  B_SRC_ANY,
  B_SRC_MAX_S,
  B_SRC_MAX_US,
  B_SRC_MIN_S,
  B_SRC_MIN_US,
  B_TS_MAX_S,
  B_TS_MAX_US,
  B_TS_MIN_S,
  B_TS_MIN_US,
  E_FLAGS,
  E_INSTANCE,
  E_NAME_LEN,
  E_NAME_START,
  E_PAY_LEN,
  E_PAY_START,
  E_SERVER,
  E_SESSION,
  E_SRC_S,
  E_SRC_US,
  E_TS_S,
  E_TS_US,
  E_TYPE,
  entry,
  F_BINARY,
  F_JSON,
  F_SRC,
  outBuffer,
  setOutLength,
} from "./events";
import { typeBytes, typeLength } from "./types";
import { writeInteger } from "./write";

const SAFE: i64 = 0x1fffffffffffff;
const MAX_DELTA: i64 = 1 << 51;
const OTHER_SERVER: u32 = 8;
const COMPACT_HEADER: usize = 32;
const FORMAT_COMPACT: u32 = 1;

/** A value of the range does not fit the compact form (in B_ERR_AT). */
export const RECORDS_UNFIT: i32 = -1;
/** Type ids without a storage type id, listed in the output slot. */
export const RECORDS_UNMAPPED: i32 = -2;

// @ts-ignore: decorator
@inline
function zigzag(v: i64): u64 {
  return v >= 0 ? <u64>v << 1 : (<u64>(-v) << 1) - 1;
}

// @ts-ignore: decorator
@inline
function unzigzag(z: u64): i64 {
  return (z & 1) == 0 ? <i64>(z >> 1) : -<i64>((z + 1) >> 1);
}

function writeUint(p: usize, v: u64): usize {
  while (v >= 0x80) {
    store<u8>(p++, <u32>(v & 0x7f) | 0x80);
    v >>= 7;
  }
  store<u8>(p, <u32>v);
  return p + 1;
}

// @ts-ignore: decorator
@inline
function fits(d: i64): bool {
  return d <= MAX_DELTA && d >= -MAX_DELTA;
}

// Marks of storage type ids seen by the current call (distinct types).
let marks: usize = 0;
let marksCap: usize = 0;
let stamp: u32 = 0;

function markOf(st: u32): usize {
  if (<usize>st >= marksCap) {
    let cap = marksCap == 0 ? <usize>256 : marksCap << 1;
    while (cap <= <usize>st) cap <<= 1;
    const next = heap.alloc(cap << 3);
    memory.fill(next, 0, cap << 3);
    if (marks != 0) {
      memory.copy(next, marks, marksCap << 3);
      heap.free(marks);
    }
    marks = next;
    marksCap = cap;
  }
  return marks + (<usize>st << 3);
}

/**
 * Writes the compact records of the batch's events `from`..`to` relative
 * to the base values, into output `slot`; into `slot + 1` the offset of
 * each record (`offsetBase` plus its position, u32); into `slot + 2` the
 * distinct storage type ids of the range, each with the index of its last
 * event and its number of events (i32 triples). Storage type ids come from
 * `map` (i32 per type id, `mapLen` of them; -1 for none). Sets the
 * batch's timestamp and source timestamp ranges and whether the range has
 * one server. Returns the length of the records, or RECORDS_UNFIT (the
 * index of the event in B_ERR_AT), or RECORDS_UNMAPPED (the type ids
 * without a storage id listed as i32s in `slot`, their number in
 * B_ERR_AT).
 */
export function writeRecords(
  b: usize,
  slot: usize,
  from: i32,
  to: i32,
  baseServer: f64,
  baseSession: f64,
  baseSeconds: f64,
  map: usize,
  mapLen: i32,
  offsetBase: u32,
): i32 {
  const n = to - from;
  // Every type mapped, or the list of those that are not.
  let unmapped = 0;
  let size: usize = 0;
  let list: usize = 0;
  for (let i = from; i < to; i++) {
    const e = entry(b, i);
    const t = load<i32>(e, E_TYPE);
    if (t >= mapLen || load<i32>(map + (<usize>t << 2)) < 0) {
      if (list == 0) list = outBuffer(b, slot, <usize>n << 2);
      let known = false;
      for (let k = 0; k < unmapped; k++) {
        if (load<i32>(list + (<usize>k << 2)) == t) known = true;
      }
      if (!known) store<i32>(list + (<usize>(unmapped++) << 2), t);
    }
    size += 1 + 9 * 8 + 4 + <usize>load<i32>(e, E_PAY_LEN) +
      <usize>load<i32>(e, E_NAME_LEN);
  }
  if (unmapped > 0) {
    store<i32>(b, unmapped, B_ERR_AT);
    return RECORDS_UNMAPPED;
  }
  const out = outBuffer(b, slot, size);
  const offsets = outBuffer(b, slot + 1, <usize>n << 2);
  const types = outBuffer(b, slot + 2, <usize>n * 12);
  let ntypes: usize = 0;
  if (++stamp == 0) {
    memory.fill(marks, 0, marksCap << 3);
    stamp = 1;
  }
  const server = <i64>baseServer;
  const session = <i64>baseSession;
  // A chunk's base seconds are a safe integer (else it takes the fixed
  // form): exact as a float.
  const seconds = <i64>baseSeconds;
  let oneServer = true;
  let tsMinS: i64 = 0;
  let tsMinUs: i32 = 0;
  let tsMaxS: i64 = 0;
  let tsMaxUs: i32 = 0;
  let srcAny = false;
  let minS: i64 = 0;
  let minUs: i32 = 0;
  let maxS: i64 = 0;
  let maxUs: i32 = 0;
  let p = out;
  for (let i = from; i < to; i++) {
    const e = entry(b, i);
    store<u32>(offsets + (<usize>(i - from) << 2), offsetBase + <u32>(p - out));
    const flags = <u32>load<i32>(e, E_FLAGS);
    const sv = <i64>load<f64>(e, E_SERVER);
    const ds = <i64>load<f64>(e, E_SESSION) - session;
    const inst = <i64>load<f64>(e, E_INSTANCE);
    const ts = load<i64>(e, E_TS_S);
    const dt = ts - seconds;
    const dv = sv - server;
    if (
      ts > SAFE || ts < -SAFE || !fits(ds) || !fits(dt) || inst < 0 ||
      (sv != server && !fits(dv))
    ) {
      store<i32>(b, i, B_ERR_AT);
      return RECORDS_UNFIT;
    }
    const st = <u32>load<i32>(map + (<usize>load<i32>(e, E_TYPE) << 2));
    const mark = markOf(st);
    if (load<u32>(mark) != stamp) {
      store<u32>(mark, stamp);
      store<u32>(mark, <u32>ntypes, 4);
      store<u32>(types + ntypes * 12, st);
      store<u32>(types + ntypes * 12, 0, 8);
      ntypes++;
    }
    const slotAt = types + <usize>load<u32>(mark, 4) * 12;
    store<i32>(slotAt, i, 4);
    store<i32>(slotAt, load<i32>(slotAt, 8) + 1, 8);
    if (sv != server) oneServer = false;
    const us = load<i32>(e, E_TS_US);
    if (i == from || ts < tsMinS || (ts == tsMinS && us < tsMinUs)) {
      tsMinS = ts;
      tsMinUs = us;
    }
    if (i == from || ts > tsMaxS || (ts == tsMaxS && us > tsMaxUs)) {
      tsMaxS = ts;
      tsMaxUs = us;
    }
    store<u8>(p++, (flags & 7) | (sv == server ? 0 : OTHER_SERVER));
    p = writeUint(p, st);
    p = writeUint(p, zigzag(dt));
    p = writeUint(p, <u64>us);
    if ((flags & <u32>F_SRC) != 0) {
      const src = load<i64>(e, E_SRC_S);
      const dsrc = src - seconds;
      if (src > SAFE || src < -SAFE || !fits(dsrc)) {
        store<i32>(b, i, B_ERR_AT);
        return RECORDS_UNFIT;
      }
      const srcUs = load<i32>(e, E_SRC_US);
      p = writeUint(p, zigzag(dsrc));
      p = writeUint(p, <u64>srcUs);
      if (!srcAny || src < minS || (src == minS && srcUs < minUs)) {
        minS = src;
        minUs = srcUs;
      }
      if (!srcAny || src > maxS || (src == maxS && srcUs > maxUs)) {
        maxS = src;
        maxUs = srcUs;
      }
      srcAny = true;
    }
    p = writeUint(p, zigzag(ds));
    p = writeUint(p, <u64>inst);
    if (sv != server) p = writeUint(p, zigzag(dv));
    if ((flags & <u32>F_BINARY) != 0) {
      const nameLen = <usize>load<i32>(e, E_NAME_LEN);
      const len = <usize>load<i32>(e, E_PAY_LEN);
      p = writeUint(p, <u64>(4 + nameLen + len));
      store<u32>(p, <u32>nameLen);
      p += 4;
      memory.copy(p, <usize>load<i32>(e, E_NAME_START), nameLen);
      p += nameLen;
      memory.copy(p, <usize>load<i32>(e, E_PAY_START), len);
      p += len;
    } else if ((flags & <u32>F_JSON) != 0) {
      const len = <usize>load<i32>(e, E_PAY_LEN);
      p = writeUint(p, <u64>len);
      memory.copy(p, <usize>load<i32>(e, E_PAY_START), len);
      p += len;
    }
  }
  store<i32>(b, oneServer ? 1 : 0, B_ONE_SERVER);
  store<i64>(b, tsMinS, B_TS_MIN_S);
  store<i32>(b, tsMinUs, B_TS_MIN_US);
  store<i64>(b, tsMaxS, B_TS_MAX_S);
  store<i32>(b, tsMaxUs, B_TS_MAX_US);
  store<i32>(b, srcAny ? 1 : 0, B_SRC_ANY);
  store<i64>(b, minS, B_SRC_MIN_S);
  store<i32>(b, minUs, B_SRC_MIN_US);
  store<i64>(b, maxS, B_SRC_MAX_S);
  store<i32>(b, maxUs, B_SRC_MAX_US);
  setOutLength(b, slot, p - out);
  setOutLength(b, slot + 1, <usize>n << 2);
  setOutLength(b, slot + 2, ntypes * 12);
  return <i32>(p - out);
}

// Reading a compact record: the cursor and the varints.
let rp: usize = 0;

// @ts-ignore: decorator
@inline
function readUint(): u64 {
  let c = <u64>load<u8>(rp++);
  if (c < 0x80) return c;
  let v = c & 0x7f;
  let shift: u64 = 7;
  do {
    c = <u64>load<u8>(rp++);
    v |= (c & 0x7f) << shift;
    shift += 7;
  } while (c >= 0x80);
  return v;
}

/**
 * Writes the Array(Event) of stored events, and after it the Boolean
 * `more` when it is 0 or 1 (a MsgQueryRes), into output `slot`. The events
 * are the `m` records listed at `list` as i32 pairs (address of compact
 * chunk bytes, record index). Their types come from `map` (the type id of
 * each storage type id, `mapLen` of them; -1 for none). Returns the length
 * written, or RECORDS_UNMAPPED (the storage type ids without a type id
 * listed as i32s in `slot`, their number in B_ERR_AT).
 */
export function writeStored(
  b: usize,
  slot: usize,
  list: usize,
  m: i32,
  map: usize,
  mapLen: i32,
  more: i32,
): i32 {
  // First pass: sizes, and the storage types without a type id.
  let unmapped = 0;
  let size: usize = 11;
  let l: usize = 0;
  for (let k = 0; k < m; k++) {
    const chunk = <usize>load<i32>(list + (<usize>k << 3));
    const i = <usize>load<i32>(list + (<usize>k << 3), 4);
    rp = chunk + <usize>load<u32>(chunk + COMPACT_HEADER + (i << 2));
    const flags = <u32>load<u8>(rp++);
    const st = <i32>readUint();
    const t = st < mapLen ? load<i32>(map + (<usize>st << 2)) : -1;
    if (t < 0) {
      if (l == 0) l = outBuffer(b, slot, <usize>m << 2);
      let known = false;
      for (let j = 0; j < unmapped; j++) {
        if (load<i32>(l + (<usize>j << 2)) == st) known = true;
      }
      if (!known) store<i32>(l + (<usize>(unmapped++) << 2), st);
      continue;
    }
    readUint();
    readUint();
    if ((flags & <u32>F_SRC) != 0) {
      readUint();
      readUint();
    }
    readUint();
    readUint();
    if ((flags & OTHER_SERVER) != 0) readUint();
    const len = (flags & 6) != 0 ? <usize>readUint() : 0;
    size += 4 * 10 + 3 + 2 * 10 + 3 + 3 + <usize>typeLength(t) + len + 10;
  }
  if (unmapped > 0) {
    store<i32>(b, unmapped, B_ERR_AT);
    return RECORDS_UNMAPPED;
  }
  const out = outBuffer(b, slot, size);
  let p = writeInteger(out, m);
  for (let k = 0; k < m; k++) {
    const chunk = <usize>load<i32>(list + (<usize>k << 3));
    const i = <usize>load<i32>(list + (<usize>k << 3), 4);
    const server = <i64>load<f64>(chunk, 8);
    const session = <i64>load<f64>(chunk, 16);
    const seconds = <i64>load<f64>(chunk, 24);
    rp = chunk + <usize>load<u32>(chunk + COMPACT_HEADER + (i << 2));
    const flags = <u32>load<u8>(rp++);
    const t = <u32>load<i32>(map + (<usize>readUint() << 2));
    const s = seconds + unzigzag(readUint());
    const us = <i64>readUint();
    let srcS: i64 = 0;
    let srcUs: i64 = 0;
    if ((flags & <u32>F_SRC) != 0) {
      srcS = seconds + unzigzag(readUint());
      srcUs = <i64>readUint();
    }
    const sess = session + unzigzag(readUint());
    const inst = <i64>readUint();
    const sv = (flags & OTHER_SERVER) != 0 ? server + unzigzag(readUint()) : server;
    p = writeInteger(p, sv);
    p = writeInteger(p, sess);
    p = writeInteger(p, inst);
    const typeLen = <usize>typeLength(t);
    memory.copy(p, typeBytes(t), typeLen);
    p += typeLen;
    p = writeInteger(p, s);
    p = writeInteger(p, us);
    if ((flags & <u32>F_SRC) != 0) {
      store<u8>(p++, 0x81);
      p = writeInteger(p, srcS);
      p = writeInteger(p, srcUs);
    } else {
      store<u8>(p++, 0x80);
    }
    if ((flags & 6) == 0) {
      store<u8>(p++, 0x80);
      continue;
    }
    const len = <usize>readUint();
    store<u8>(p++, 0x81);
    if ((flags & <u32>F_BINARY) != 0) {
      store<u8>(p++, 0x80);
      const nameLen = <usize>load<u32>(rp);
      p = writeInteger(p, <i64>nameLen);
      memory.copy(p, rp + 4, nameLen);
      p += nameLen;
      const dataLen = len - 4 - nameLen;
      p = writeInteger(p, <i64>dataLen);
      memory.copy(p, rp + 4 + nameLen, dataLen);
      p += dataLen;
    } else {
      store<u8>(p++, 0x81);
      p = writeInteger(p, <i64>len);
      memory.copy(p, rp, len);
      p += len;
    }
  }
  if (more == 0 || more == 1) store<u8>(p++, <u32>more);
  setOutLength(b, slot, p - out);
  return <i32>(p - out);
}

/** Whether chunk bytes at `chunk` are in the compact form. */
export function isCompactChunk(chunk: usize): bool {
  return load<u32>(chunk, 4) == FORMAT_COMPACT;
}
