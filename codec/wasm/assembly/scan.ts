// The validator/scanner: walks one SBS value of a type given as a compiled
// program, checks it with the rules of the TypeScript decoder
// (codec/reader.ts) and writes a flat tape of i32 slots, in pre-order:
//
//   None     nothing
//   Boolean  [0 | 1]
//   Integer  [hi, lo]: value = hi * 2^32 + (lo >>> 0) when it is a safe
//            integer; [INT_BIG, offset] when it is not (decode in JS)
//   Float    [lo bits, hi bits] of the binary64 value
//   String   [start, len, hash] when all bytes are ASCII, [start, ~len, 0]
//            otherwise; hash (of Strings up to 32 bytes) keys a string cache
//   Bytes    [start, len]
//   Array    [count, tapeEnd, byteEnd] then the items
//   Record   the fields
//   Choice   [index, tapeEnd, byteEnd] then the value
//
// Offsets are relative to the first byte of the input; tapeEnd is the slot
// index after the value. Program nodes are i32 arrays (see
// codec/_program.ts, which must agree on the opcodes):
//
//   [OP_NONE] [OP_BOOLEAN] [OP_INTEGER] [OP_FLOAT] [OP_STRING] [OP_BYTES]
//   [OP_ARRAY, item, unit]   unit: minimum bytes of an item
//   [OP_RECORD, n, field_1 .. field_n]
//   [OP_CHOICE, n, entry_1 .. entry_n]
//   [OP_ENTER, node]         a recursive named type: counts the nesting
//
// where item/field/entry/node are node indexes into the program. The caller
// provides room for 3 tape slots per input byte (every value that writes
// slots takes at least one byte per 3 slots; zero-byte values write none). An item
// unit of 0 means a zero-byte item (None, or Records of them), which is
// never walked: it cannot fail and leaves nothing on the tape; such items
// are counted against the emptyLimit of one scan instead.

import { UTF8_ASCII, UTF8_INVALID, utf8Check } from "./utf8";

export const OP_NONE: i32 = 0;
export const OP_BOOLEAN: i32 = 1;
export const OP_INTEGER: i32 = 2;
export const OP_FLOAT: i32 = 3;
export const OP_STRING: i32 = 4;
export const OP_BYTES: i32 = 5;
export const OP_ARRAY: i32 = 6;
export const OP_RECORD: i32 = 7;
export const OP_CHOICE: i32 = 8;
export const OP_ENTER: i32 = 9;

export const ERR_TRUNCATED: i32 = -1;
export const ERR_LENGTH: i32 = -2;
export const ERR_CHOICE: i32 = -3;
export const ERR_UTF8: i32 = -4;
export const ERR_TRAILING: i32 = -5;
export const ERR_LIMIT: i32 = -6;

/** Marks an Integer on the tape that is not a safe integer. */
const INT_BIG: i32 = i32.MIN_VALUE;
/** Longest Integer encoding accepted (MAX_INTEGER_BYTES of the reader). */
const MAX_INTEGER_BYTES: usize = 1024;
const SAFE_MAX: i64 = 0x1fffffffffffff;
const ACC_MAX: i64 = 1 << 55;
/** Longest String whose hash goes on the tape (MAX_CACHED of _tape.ts). */
const MAX_HASHED: i32 = 32;

/** Error kind of the last failed call (one of ERR_*), 0 after success. */
export let errKind: i32 = 0;
/** Input offset of the last error. */
export let errOffset: i32 = 0;

// Positions are byte addresses; functions that read take the position and
// return the position after what they read, or 0 on failure (the input
// never starts at address 0).
let prog: usize = 0;
let base: usize = 0;
let end: usize = 0;
let tape: usize = 0;
let tp: usize = 0;
let maxDepth: i32 = 0;
let depth: i32 = 0;
let emptyLeft: i64 = 0;
// The last length or count read by readLength.
let count: i32 = 0;

// @ts-ignore: decorator
@inline
function fail(kind: i32, at: usize): usize {
  errKind = kind;
  errOffset = <i32>(at - base);
  return 0;
}

// @ts-ignore: decorator
@inline
function op(node: i32, k: i32): i32 {
  return load<i32>(prog + (<usize>(node + k) << 2));
}

/**
 * Reads an Integer at p and writes [hi, lo] (or [INT_BIG, offset]) to the
 * tape, as Reader.integer reads it.
 */
function integer(p: usize): usize {
  if (p >= end) return fail(ERR_TRUNCATED, p);
  const b = <i32>load<u8>(p);
  if ((b & 0x80) != 0) {
    const v = (b << 25) >> 25;
    store<i32>(tp, v >> 31);
    store<i32>(tp, v, 4);
    tp += 8;
    return p + 1;
  }
  if (end - p >= 8) {
    // Up to 8 bytes (56 bits) from one load: find the last byte by its
    // high bit, then gather the 7-bit groups.
    const w = load<u64>(p);
    const mask = w & 0x8080808080808080;
    if (mask != 0) {
      const last = <i32>(ctz<u64>(mask) >>> 3);
      let v: i64 = <i64>((b << 25) >> 25);
      for (let k = 1; k <= last; k++) {
        v = (v << 7) | <i64>((w >>> (<u64>k << 3)) & 0x7f);
      }
      if (v > SAFE_MAX || v < -SAFE_MAX) {
        store<i32>(tp, INT_BIG);
        store<i32>(tp, <i32>(p - base), 4);
      } else {
        store<i64>(tp, rotr<i64>(v, 32));
      }
      tp += 8;
      return p + <usize>last + 1;
    }
  }
  return integerLong(p);
}

function integerLong(start: usize): usize {
  let p = start;
  let b = <i32>load<u8>(p++);
  let v: i64 = <i64>((b << 25) >> 25);
  let big = false;
  while ((b & 0x80) == 0) {
    if (p >= end) return fail(ERR_TRUNCATED, start);
    if (p - start >= MAX_INTEGER_BYTES) return fail(ERR_LIMIT, start);
    b = <i32>load<u8>(p++);
    if (!big) {
      if (v > ACC_MAX || v < -ACC_MAX) big = true;
      else v = (v << 7) | <i64>(b & 0x7f);
    }
  }
  if (big || v > SAFE_MAX || v < -SAFE_MAX) {
    store<i32>(tp, INT_BIG);
    store<i32>(tp, <i32>(start - base), 4);
  } else {
    store<i64>(tp, rotr<i64>(v, 32));
  }
  tp += 8;
  return p;
}

/**
 * Reads a length or count into `count`, as Reader.length(path, unit): a
 * safe, non-negative Integer with n * unit at most the remaining bytes.
 * With unit 0 (zero-byte items) it counts against emptyLeft instead.
 */
function readLength(p: usize, unit: i32): usize {
  if (p < end) {
    const b = <i32>load<u8>(p);
    if ((b & 0xc0) == 0x80) {
      // One byte, 0 to 63.
      count = b & 0x3f;
      if (unit > 0 && <u64>count * <u64>unit > <u64>(end - p - 1)) {
        return fail(ERR_LENGTH, p);
      }
      if (unit == 0) {
        emptyLeft -= count;
        if (emptyLeft < 0) return fail(ERR_LIMIT, p);
      }
      return p + 1;
    }
  }
  const at = p;
  const t = tp;
  p = integer(p);
  if (p == 0) return 0;
  tp = t;
  const hi = load<i32>(t);
  if (hi < 0) return fail(ERR_LENGTH, at);
  const n = (<i64>hi << 32) | <i64>load<u32>(t, 4);
  if (unit > 0 && n > <i64>((end - p) / <usize>unit)) {
    return fail(ERR_LENGTH, at);
  }
  if (unit == 0) {
    emptyLeft -= n;
    if (emptyLeft < 0) return fail(ERR_LIMIT, at);
  }
  count = <i32>n;
  return p;
}

function string(p: usize): usize {
  p = readLength(p, 1);
  if (p == 0) return 0;
  const start = p;
  let len = count;
  p += <usize>len;
  let hash: u64 = 0;
  if (len <= MAX_HASHED) {
    // Short: check for ASCII and hash eight bytes at a time (the input is
    // followed by the tape, so reading a little past it is safe; the bytes
    // past the String are masked off).
    let h: u64 = <u64>len;
    let high: u64 = 0;
    let q = start;
    while (q + 8 <= p) {
      const w = load<u64>(q);
      high |= w;
      h = (h ^ w) * 0x100000001b3;
      q += 8;
    }
    if (q < p) {
      const w = load<u64>(q) & ((<u64>1 << (<u64>(p - q) << 3)) - 1);
      high |= w;
      h = (h ^ w) * 0x100000001b3;
    }
    // Multiplied so that every byte reaches the high half, which keys the
    // cache (the bytes that tell "device1" from "device2" did not reach
    // the low bits of the xor-fold that this replaced).
    hash = (h ^ (h >>> 29)) * 0x9e3779b97f4a7c15;
    if ((high & 0x8080808080808080) != 0) {
      if (utf8Check(start, p) == UTF8_INVALID) return fail(ERR_UTF8, start);
      len = ~len;
    }
  } else {
    const check = utf8Check(start, p);
    if (check != UTF8_ASCII) {
      if (check == UTF8_INVALID) return fail(ERR_UTF8, start);
      len = ~len;
    }
  }
  store<i32>(tp, <i32>(start - base));
  store<i32>(tp, len, 4);
  store<u32>(tp, <u32>(hash >>> 32), 8);
  tp += 12;
  return p;
}

function bytes(p: usize): usize {
  p = readLength(p, 1);
  if (p == 0) return 0;
  store<i32>(tp, <i32>(p - base));
  store<i32>(tp, count, 4);
  tp += 8;
  return p + <usize>count;
}

function array(node: i32, p: usize): usize {
  const unit = op(node, 2);
  p = readLength(p, unit);
  if (p == 0) return 0;
  const n = count;
  const head = tp;
  tp += 12;
  store<i32>(head, n);
  if (unit > 0) {
    const item = op(node, 1);
    const code = op(item, 0);
    if (code == OP_INTEGER) {
      for (let i = 0; i < n; i++) {
        p = integer(p);
        if (p == 0) return 0;
      }
    } else if (code == OP_STRING) {
      for (let i = 0; i < n; i++) {
        p = string(p);
        if (p == 0) return 0;
      }
    } else {
      for (let i = 0; i < n; i++) {
        p = value(item, p);
        if (p == 0) return 0;
      }
    }
  }
  store<i32>(head, <i32>((tp - tape) >>> 2), 4);
  store<i32>(head, <i32>(p - base), 8);
  return p;
}

function choice(node: i32, p: usize): usize {
  const at = p;
  const n = op(node, 1);
  let i: i32;
  const b = p < end ? <i32>load<u8>(p) : 0;
  if ((b & 0xc0) == 0x80) {
    i = b & 0x3f;
    p++;
  } else {
    const t = tp;
    p = integer(p);
    if (p == 0) return 0;
    tp = t;
    if (load<i32>(t) != 0) return fail(ERR_CHOICE, at);
    i = load<i32>(t, 4);
  }
  if (<u32>i >= <u32>n) return fail(ERR_CHOICE, at);
  const head = tp;
  tp += 12;
  store<i32>(head, i);
  p = value(op(node, 2 + i), p);
  if (p == 0) return 0;
  store<i32>(head, <i32>((tp - tape) >>> 2), 4);
  store<i32>(head, <i32>(p - base), 8);
  return p;
}

function value(node: i32, p: usize): usize {
  switch (op(node, 0)) {
    case OP_NONE:
      return p;
    case OP_BOOLEAN: {
      if (p >= end) return fail(ERR_TRUNCATED, p);
      store<i32>(tp, load<u8>(p) != 0 ? 1 : 0);
      tp += 4;
      return p + 1;
    }
    case OP_INTEGER:
      return integer(p);
    case OP_FLOAT: {
      if (end - p < 8) return fail(ERR_TRUNCATED, p);
      store<u64>(tp, bswap<u64>(load<u64>(p)));
      tp += 8;
      return p + 8;
    }
    case OP_STRING:
      return string(p);
    case OP_BYTES:
      return bytes(p);
    case OP_ARRAY:
      return array(node, p);
    case OP_RECORD: {
      const n = op(node, 1);
      for (let i = 0; i < n; i++) {
        const field = op(node, 2 + i);
        // Integer fields are the most common: skip the dispatch for them.
        p = op(field, 0) == OP_INTEGER ? integer(p) : value(field, p);
        if (p == 0) return 0;
      }
      return p;
    }
    case OP_CHOICE:
      return choice(node, p);
    case OP_ENTER: {
      if (++depth > maxDepth) return fail(ERR_LIMIT, p);
      p = value(op(node, 1), p);
      depth--;
      return p;
    }
  }
  unreachable();
  return 0;
}

/**
 * Validates the value of program node `root` in the input [input, input +
 * len) and writes its tape at `tapeAt` (with room for 3 * len slots).
 * `progAt` is the byte address of the program, `depthLimit` the deepest
 * nesting of recursive named types, `emptyLimit` the most zero-byte items,
 * `trailing` 1 to accept bytes after the value. Returns the number of tape
 * slots, or an ERR_* code (also in errKind, with errOffset).
 */
export function scan(
  progAt: usize,
  root: i32,
  input: usize,
  len: usize,
  tapeAt: usize,
  depthLimit: i32,
  emptyLimit: i32,
  trailing: i32,
): i32 {
  prog = progAt;
  base = input;
  end = input + len;
  tape = tapeAt;
  tp = tapeAt;
  maxDepth = depthLimit;
  depth = 0;
  emptyLeft = emptyLimit;
  errKind = 0;
  errOffset = 0;
  const p = value(root, input);
  if (p == 0) return errKind;
  if (trailing == 0 && p != end) {
    fail(ERR_TRAILING, p);
    return errKind;
  }
  return <i32>((tp - tape) >>> 2);
}
