// Batches of eventer events held as bytes: the received messages are
// scanned in one call each (validated with the rules of the TypeScript
// decoders of eventer/_event_read.ts, JSON payloads included, event types
// interned), leaving a table with one fixed-size entry per event that
// points into the received bytes. The writers of write.ts and records.ts
// turn the entries into outgoing bytes; the TypeScript side reads entries
// to build event objects only when something asks for them.
//
// Batch (BATCH bytes, by offset): table, count, capacity, summary flags
// (the OR of the events' flags), `more` (moreFollows of a MsgQueryRes, or
// 1 for the failure of a MsgRegisterRes), error and its offset from the
// input, then OUT_SLOTS output buffers (address, length, capacity), then
// what the last writeRecords call found: the source timestamp range,
// whether all events had one server, the timestamp range.
//
// Entry (EVENT bytes, by offset):
//   0 i32 type id            4 i32 flags (F_*)
//   8 i32 type start        12 i32 type end         (EventType bytes)
//  16 i32 tail start        20 i32 tail end         (sourceTimestamp and
//                                                   payload: the rest)
//  24 i32 payload start     28 i32 payload length   (JSON text, or binary
//                                                   data)
//  32 i32 name id           36 i32 name start       40 i32 name length
//                                                   (binary payload type)
//  44 i32 source us         48 i64 source s
//  56 f64 server            64 f64 session          72 f64 instance
//  80 i64 timestamp s       88 i32 timestamp us     92 i32 (unused)
// Addresses are absolute; the received bytes stay where they were copied
// for as long as the batch uses them.

import { JSON_INVALID, JSON_PYTHON, jsonCheck } from "./json";
import {
  beginInput,
  big,
  choice,
  count,
  end,
  err,
  ERR_JSON,
  ERR_RANGE,
  ERR_TRAILING,
  ERR_TRUNCATED,
  errAt,
  fail,
  integer,
  length,
  safeInteger,
  string,
  value,
} from "./read";
import { intern, KIND_NAME, KIND_TYPE, sameBytes } from "./types";

export const EVENT: usize = 96;
export const BATCH: usize = 136;
export const OUT_SLOTS: usize = 4;

export const B_TABLE: usize = 0;
export const B_COUNT: usize = 4;
export const B_CAP: usize = 8;
export const B_FLAGS: usize = 12;
export const B_MORE: usize = 16;
export const B_ERR: usize = 20;
export const B_ERR_AT: usize = 24;
export const B_OUT: usize = 32; // OUT_SLOTS x (address, length, capacity)
export const B_SRC_MIN_S: usize = 80;
export const B_SRC_MAX_S: usize = 88;
export const B_SRC_MIN_US: usize = 96;
export const B_SRC_MAX_US: usize = 100;
export const B_SRC_ANY: usize = 104;
export const B_ONE_SERVER: usize = 108;
export const B_TS_MIN_S: usize = 112;
export const B_TS_MAX_S: usize = 120;
export const B_TS_MIN_US: usize = 128;
export const B_TS_MAX_US: usize = 132;

export const E_TYPE: usize = 0;
export const E_FLAGS: usize = 4;
export const E_TYPE_START: usize = 8;
export const E_TYPE_END: usize = 12;
export const E_TAIL_START: usize = 16;
export const E_TAIL_END: usize = 20;
export const E_PAY_START: usize = 24;
export const E_PAY_LEN: usize = 28;
export const E_NAME: usize = 32;
export const E_NAME_START: usize = 36;
export const E_NAME_LEN: usize = 40;
export const E_SRC_US: usize = 44;
export const E_SRC_S: usize = 48;
export const E_SERVER: usize = 56;
export const E_SESSION: usize = 64;
export const E_INSTANCE: usize = 72;
export const E_TS_S: usize = 80;
export const E_TS_US: usize = 88;

/** Flags of an entry. */
export const F_SRC: i32 = 1;
export const F_BINARY: i32 = 2;
export const F_JSON: i32 = 4;
/** A JSON text that needs Python's NaN/Infinity (JSON.parse refuses it). */
export const F_PYTHON: i32 = 8;
/** A timestamp whose seconds are beyond 2^53 (not a safe integer). */
export const F_BIG_TS: i32 = 16;
/** A source timestamp whose seconds are beyond 2^53. */
export const F_BIG_SRC: i32 = 32;

const SAFE: i64 = 0x1fffffffffffff;

/** Kinds of scanEvents input. */
export const EVENTS_NOTIFY: i32 = 0;
export const EVENTS_REGISTER_RES: i32 = 1;
export const EVENTS_QUERY_RES: i32 = 2;

/** A new, empty batch. */
export function batchNew(): usize {
  const b = heap.alloc(BATCH);
  memory.fill(b, 0, BATCH);
  return b;
}

/** Frees a batch and its buffers (not the received bytes it points to). */
export function batchFree(b: usize): void {
  const table = load<usize>(b, B_TABLE);
  if (table != 0) heap.free(table);
  for (let k: usize = 0; k < OUT_SLOTS; k++) {
    const out = load<usize>(b + B_OUT + k * 12);
    if (out != 0) heap.free(out);
  }
  heap.free(b);
}

/** Forgets the events of a batch; its buffers are kept for reuse. */
export function batchClear(b: usize): void {
  store<i32>(b, 0, B_COUNT);
  store<i32>(b, 0, B_FLAGS);
  store<i32>(b, 0, B_MORE);
}

/** Address of entry `i` of a batch. */
// @ts-ignore: decorator
@inline
export function entry(b: usize, i: i32): usize {
  return load<usize>(b, B_TABLE) + <usize>i * EVENT;
}

function reserve(b: usize, n: i32): usize {
  const have = load<i32>(b, B_COUNT);
  const cap = load<i32>(b, B_CAP);
  if (have + n > cap) {
    let next = cap == 0 ? 16 : cap << 1;
    while (next < have + n) next <<= 1;
    const table = load<usize>(b, B_TABLE);
    const size = <usize>next * EVENT;
    store<usize>(
      b,
      table == 0 ? heap.alloc(size) : heap.realloc(table, size),
      B_TABLE,
    );
    store<i32>(b, next, B_CAP);
  }
  return entry(b, have);
}

/**
 * An output buffer of the batch with room for `size` bytes; its length is
 * set by the writer.
 */
export function outBuffer(b: usize, slot: usize, size: usize): usize {
  const at = b + B_OUT + slot * 12;
  const cap = load<usize>(at, 8);
  let out = load<usize>(at);
  // Eight bytes of slack: readers of the output may load whole words.
  if (size + 8 > cap) {
    let next = cap == 0 ? <usize>4096 : cap << 1;
    while (next < size + 8) next <<= 1;
    if (out != 0) heap.free(out);
    out = heap.alloc(next);
    store<usize>(at, out);
    store<usize>(at, next, 8);
  }
  return out;
}

/** Records the length written to an output slot. */
export function setOutLength(b: usize, slot: usize, len: usize): void {
  store<usize>(b + B_OUT + slot * 12, len, 4);
}

// The type read by the last readType, for the next event to compare with.
let lastTypeStart: usize = 0;
let lastTypeLen: usize = 0;
let lastTypeId: i32 = -1;

// Reads an EventType (Array(String)) and interns it into entry e.
function readType(p: usize, e: usize): usize {
  const start = p;
  p = length(p, 1);
  if (p == 0) return 0;
  for (let n = count; n > 0; n--) {
    p = string(p);
    if (p == 0) return 0;
  }
  const len = p - start;
  let id: i32;
  if (len == lastTypeLen && sameBytes(start, lastTypeStart, len)) {
    id = lastTypeId;
  } else {
    id = intern(start, len, KIND_TYPE);
    lastTypeStart = start;
    lastTypeLen = len;
    lastTypeId = id;
  }
  store<i32>(e, id, E_TYPE);
  store<i32>(e, <i32>start, E_TYPE_START);
  store<i32>(e, <i32>p, E_TYPE_END);
  return p;
}

// Reads a Timestamp's seconds (within 64 bits) and microseconds
// (0..999999) into entry e at sOff, usOff; sets `bigFlag` for seconds
// beyond 2^53.
function readTimestamp(
  p: usize,
  e: usize,
  sOff: usize,
  usOff: usize,
  bigFlag: i32,
): usize {
  const at = p;
  p = integer(p);
  if (p == 0) return 0;
  if (big) return fail(ERR_RANGE, at);
  store<i64>(e + sOff, value);
  if (value > SAFE || value < -SAFE) {
    store<i32>(e, load<i32>(e, E_FLAGS) | bigFlag, E_FLAGS);
  }
  const usAt = p;
  p = integer(p);
  if (p == 0) return 0;
  if (big || value < 0 || value > 999_999) return fail(ERR_RANGE, usAt);
  store<i32>(e + usOff, <i32>value);
  return p;
}

// Reads Optional(Timestamp) and Optional(EventPayload) into entry e.
function readTail(p: usize, e: usize): usize {
  store<i32>(e, <i32>p, E_TAIL_START);
  store<i64>(e, 0, E_PAY_START); // and E_PAY_LEN
  store<i64>(e, 0, E_NAME); // and E_NAME_START
  store<i32>(e, 0, E_NAME_LEN);
  p = choice(p);
  if (p == 0) return 0;
  if (value == 1) {
    store<i32>(e, load<i32>(e, E_FLAGS) | F_SRC, E_FLAGS);
    p = readTimestamp(p, e, E_SRC_S, E_SRC_US, F_BIG_SRC);
    if (p == 0) return 0;
  } else {
    store<i64>(e, 0, E_SRC_S);
    store<i32>(e, 0, E_SRC_US);
  }
  p = choice(p);
  if (p == 0) return 0;
  if (value == 1) {
    p = choice(p);
    if (p == 0) return 0;
    if (value == 0) {
      // Binary: type name, then data.
      p = string(p);
      if (p == 0) return 0;
      const nameLen = <usize>count;
      const nameStart = p - nameLen;
      store<i32>(e, intern(nameStart, nameLen, KIND_NAME), E_NAME);
      store<i32>(e, <i32>nameStart, E_NAME_START);
      store<i32>(e, <i32>nameLen, E_NAME_LEN);
      p = length(p, 1);
      if (p == 0) return 0;
      store<i32>(e, <i32>p, E_PAY_START);
      store<i32>(e, count, E_PAY_LEN);
      p += <usize>count;
      store<i32>(e, load<i32>(e, E_FLAGS) | F_BINARY, E_FLAGS);
    } else {
      p = length(p, 1);
      if (p == 0) return 0;
      const start = p;
      p += <usize>count;
      const json = jsonCheck(start, p, true);
      if (json == JSON_INVALID) return fail(ERR_JSON, start);
      let flags = load<i32>(e, E_FLAGS) | F_JSON;
      if (json == JSON_PYTHON) flags |= F_PYTHON;
      store<i32>(e, flags, E_FLAGS);
      store<i32>(e, <i32>start, E_PAY_START);
      store<i32>(e, count, E_PAY_LEN);
    }
  }
  store<i32>(e, <i32>p, E_TAIL_END);
  return p;
}

function begin(input: usize, len: usize): void {
  beginInput(input, len);
  lastTypeLen = 0;
  lastTypeStart = 0;
  lastTypeId = -1;
}

function failed(b: usize, input: usize): i32 {
  store<i32>(b, err, B_ERR);
  store<i32>(b, <i32>(errAt - input), B_ERR_AT);
  return err;
}

// Adds the events read to the batch's count and summary flags.
function commit(b: usize, from: i32, n: i32): void {
  let flags = load<i32>(b, B_FLAGS);
  let e = entry(b, from);
  for (let i = 0; i < n; i++) {
    flags |= load<i32>(e, E_FLAGS);
    e += EVENT;
  }
  store<i32>(b, flags, B_FLAGS);
  store<i32>(b, from + n, B_COUNT);
}

/**
 * Scans a HatEventer.MsgRegisterReq at [input, input + len) (padded by 8
 * bytes) and appends its events to the batch, with ids and timestamps 0.
 * Returns the number of events, or an ERR_* code (then nothing is added).
 */
export function scanRegister(b: usize, input: usize, len: usize): i32 {
  begin(input, len);
  let p = length(input, 3);
  if (p == 0) return failed(b, input);
  const n = count;
  const from = load<i32>(b, B_COUNT);
  let e = reserve(b, n);
  for (let i = 0; i < n; i++) {
    store<i32>(e, 0, E_FLAGS);
    p = readType(p, e);
    if (p == 0) return failed(b, input);
    p = readTail(p, e);
    if (p == 0) return failed(b, input);
    store<f64>(e, 0, E_SERVER);
    store<f64>(e, 0, E_SESSION);
    store<f64>(e, 0, E_INSTANCE);
    store<i64>(e, 0, E_TS_S);
    store<i32>(e, 0, E_TS_US);
    e += EVENT;
  }
  if (p != end) {
    fail(ERR_TRAILING, p);
    return failed(b, input);
  }
  commit(b, from, n);
  return n;
}

// Reads an Array(Event) into the batch.
function readEvents(b: usize, p: usize): usize {
  p = length(p, 8);
  if (p == 0) return 0;
  const n = count;
  let e = reserve(b, n);
  for (let i = 0; i < n; i++) {
    store<i32>(e, 0, E_FLAGS);
    p = safeInteger(p);
    if (p == 0) return 0;
    store<f64>(e, <f64>value, E_SERVER);
    p = safeInteger(p);
    if (p == 0) return 0;
    store<f64>(e, <f64>value, E_SESSION);
    p = safeInteger(p);
    if (p == 0) return 0;
    store<f64>(e, <f64>value, E_INSTANCE);
    p = readType(p, e);
    if (p == 0) return 0;
    p = readTimestamp(p, e, E_TS_S, E_TS_US, F_BIG_TS);
    if (p == 0) return 0;
    p = readTail(p, e);
    if (p == 0) return 0;
    e += EVENT;
  }
  eventsRead = n;
  return p;
}

// The number of events the last readEvents read.
let eventsRead: i32 = 0;

/**
 * Scans events with their ids and timestamps and appends them to the
 * batch: a HatEventer.MsgEventsNotify (kind EVENTS_NOTIFY), MsgRegisterRes
 * (EVENTS_REGISTER_RES: `more` is 1 for `failure`) or MsgQueryRes
 * (EVENTS_QUERY_RES: `more` is moreFollows). Returns the number of events,
 * or an ERR_* code (then nothing is added).
 */
export function scanEvents(
  b: usize,
  input: usize,
  len: usize,
  kind: i32,
): i32 {
  begin(input, len);
  const from = load<i32>(b, B_COUNT);
  let p = input;
  let n = 0;
  store<i32>(b, 0, B_MORE);
  if (kind == EVENTS_REGISTER_RES) {
    p = choice(p);
    if (p == 0) return failed(b, input);
    if (value == 1) {
      store<i32>(b, 1, B_MORE);
    } else {
      p = readEvents(b, p);
      if (p == 0) return failed(b, input);
      n = eventsRead;
    }
  } else {
    p = readEvents(b, p);
    if (p == 0) return failed(b, input);
    n = eventsRead;
    if (kind == EVENTS_QUERY_RES) {
      if (p >= end) {
        fail(ERR_TRUNCATED, p);
        return failed(b, input);
      }
      store<i32>(b, load<u8>(p) != 0 ? 1 : 0, B_MORE);
      p++;
    }
  }
  if (p != end) {
    fail(ERR_TRAILING, p);
    return failed(b, input);
  }
  commit(b, from, n);
  return n;
}

/**
 * Gives the events [from, to) the ids (server, session, instances from
 * `instance`) and the timestamp of one session (seconds as their high and
 * low 32 bits).
 */
export function assign(
  b: usize,
  from: i32,
  to: i32,
  server: f64,
  session: f64,
  instance: f64,
  sHi: i32,
  sLo: u32,
  us: i32,
): void {
  const s = (<i64>sHi << 32) | <i64>sLo;
  let e = entry(b, from);
  const big = s > SAFE || s < -SAFE;
  for (let i = from; i < to; i++) {
    store<f64>(e, server, E_SERVER);
    store<f64>(e, session, E_SESSION);
    store<f64>(e, instance, E_INSTANCE);
    store<i64>(e, s, E_TS_S);
    store<i32>(e, us, E_TS_US);
    const flags = load<i32>(e, E_FLAGS);
    store<i32>(e, big ? flags | F_BIG_TS : flags & ~F_BIG_TS, E_FLAGS);
    instance += 1;
    e += EVENT;
  }
}

/**
 * Writes `[t1,t2,...]` of the JSON payloads of the batch that JSON.parse
 * reads as they are (not those with Python's tokens) into output `slot`.
 * Returns how many texts it joined.
 */
export function jsonJoin(b: usize, slot: usize): i32 {
  const n = load<i32>(b, B_COUNT);
  let size: usize = 2;
  let e = entry(b, 0);
  for (let i = 0; i < n; i++) {
    if ((load<i32>(e, E_FLAGS) & (F_JSON | F_PYTHON)) == F_JSON) {
      size += <usize>load<i32>(e, E_PAY_LEN) + 1;
    }
    e += EVENT;
  }
  const out = outBuffer(b, slot, size);
  let p = out;
  let joined = 0;
  store<u8>(p++, 0x5b);
  e = entry(b, 0);
  for (let i = 0; i < n; i++) {
    if ((load<i32>(e, E_FLAGS) & (F_JSON | F_PYTHON)) == F_JSON) {
      if (joined > 0) store<u8>(p++, 0x2c);
      const len = <usize>load<i32>(e, E_PAY_LEN);
      memory.copy(p, <usize>load<i32>(e, E_PAY_START), len);
      p += len;
      joined++;
    }
    e += EVENT;
  }
  store<u8>(p++, 0x5d);
  setOutLength(b, slot, p - out);
  return joined;
}

/**
 * Copies the data of the binary payloads of the batch, in order, into
 * output `slot`. Returns their total length.
 */
export function packBinary(b: usize, slot: usize): i32 {
  const n = load<i32>(b, B_COUNT);
  let size: usize = 0;
  let e = entry(b, 0);
  for (let i = 0; i < n; i++) {
    if ((load<i32>(e, E_FLAGS) & F_BINARY) != 0) {
      size += <usize>load<i32>(e, E_PAY_LEN);
    }
    e += EVENT;
  }
  const out = outBuffer(b, slot, size);
  let p = out;
  e = entry(b, 0);
  for (let i = 0; i < n; i++) {
    if ((load<i32>(e, E_FLAGS) & F_BINARY) != 0) {
      const len = <usize>load<i32>(e, E_PAY_LEN);
      memory.copy(p, <usize>load<i32>(e, E_PAY_START), len);
      p += len;
    }
    e += EVENT;
  }
  setOutLength(b, slot, size);
  return <i32>size;
}
