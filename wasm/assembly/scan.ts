// The validator/scanner: walks one SBS value of a type given as a compiled
// program, checks it with the rules of the TypeScript decoder
// (codec/reader.ts) and writes a flat tape of i32 slots, in pre-order:
//
//   None     nothing
//   Boolean  [0 | 1]
//   Integer  [hi, lo]: value = hi * 2^32 + (lo >>> 0) when it is a safe
//            integer; [INT_BIG, offset] when it is not (decode in JS)
//   Float    [lo bits, hi bits] of the binary64 value
//   String   [start, len] when all bytes are ASCII, [start, ~len] otherwise
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
// where item/field/entry/node are node indexes into the program. An item
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
export const ERR_MEMORY: i32 = -7;

/** Marks an Integer on the tape that is not a safe integer. */
const INT_BIG: i32 = i32.MIN_VALUE;
/** Longest Integer encoding accepted (MAX_INTEGER_BYTES of the reader). */
const MAX_INTEGER_BYTES: usize = 1024;
const SAFE_MAX: i64 = 0x1fffffffffffff;
const ACC_MAX: i64 = 1 << 55;

/** Error kind of the last failed call (one of ERR_*), 0 after success. */
export let errKind: i32 = 0;
/** Input offset of the last error. */
export let errOffset: i32 = 0;

let prog: usize = 0;
let base: usize = 0;
let pos: usize = 0;
let end: usize = 0;
let tape: usize = 0;
let tp: usize = 0;
let tapeLimit: usize = 0;
let maxDepth: i32 = 0;
let depth: i32 = 0;
let emptyLeft: i64 = 0;

// Integer read by readInteger.
let intHi: i32 = 0;
let intLo: i32 = 0;
let intBig: bool = false;

// @ts-ignore: decorator
@inline
function fail(kind: i32, at: usize): bool {
  errKind = kind;
  errOffset = <i32>(at - base);
  return false;
}

// @ts-ignore: decorator
@inline
function op(node: i32, k: i32): i32 {
  return load<i32>(prog + (<usize>(node + k) << 2));
}

/** Makes room for `slots` more tape slots, growing the memory if needed. */
function room(slots: usize): bool {
  const need = tp + (slots << 2);
  if (need <= tapeLimit) return true;
  const pages = <i32>((need - tapeLimit + 0xffff) >>> 16);
  const more = max(pages, <i32>(tapeLimit >>> 17));
  if (memory.grow(more) < 0 && memory.grow(pages) < 0) {
    return fail(ERR_MEMORY, pos);
  }
  tapeLimit = <usize>memory.size() << 16;
  return true;
}

/** Reads an Integer into intHi/intLo/intBig, as Reader.integer does. */
function readInteger(): bool {
  const start = pos;
  let p = start;
  if (p >= end) return fail(ERR_TRUNCATED, start);
  let b = <i32>load<u8>(p++);
  let v: i64 = <i64>((b & 0x40) != 0 ? (b & 0x7f) - 128 : b & 0x7f);
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
  pos = p;
  if (big || v > SAFE_MAX || v < -SAFE_MAX) {
    intBig = true;
    intHi = INT_BIG;
    intLo = <i32>(start - base);
  } else {
    intBig = false;
    intHi = <i32>(v >> 32);
    intLo = <i32>v;
  }
  return true;
}

/**
 * Reads a length or count as Reader.length(path, unit) does: a safe,
 * non-negative Integer with n * unit at most the remaining bytes.
 * Returns -1 on failure.
 */
function readLength(unit: i32): i64 {
  const at = pos;
  if (!readInteger()) return -1;
  if (intBig || intHi < 0) {
    fail(ERR_LENGTH, at);
    return -1;
  }
  const n = (<i64>intHi << 32) | <i64>(<u32>intLo);
  if (unit > 0 && n > <i64>((end - pos) / <usize>unit)) {
    fail(ERR_LENGTH, at);
    return -1;
  }
  return n;
}

function value(node: i32): bool {
  const code = op(node, 0);
  switch (code) {
    case OP_NONE:
      return true;
    case OP_BOOLEAN: {
      if (pos >= end) return fail(ERR_TRUNCATED, pos);
      if (!room(1)) return false;
      store<i32>(tp, load<u8>(pos) != 0 ? 1 : 0);
      tp += 4;
      pos++;
      return true;
    }
    case OP_INTEGER: {
      if (!readInteger() || !room(2)) return false;
      store<i32>(tp, intHi);
      store<i32>(tp, intLo, 4);
      tp += 8;
      return true;
    }
    case OP_FLOAT: {
      if (end - pos < 8) return fail(ERR_TRUNCATED, pos);
      if (!room(2)) return false;
      store<u64>(tp, bswap<u64>(load<u64>(pos)));
      tp += 8;
      pos += 8;
      return true;
    }
    case OP_STRING:
    case OP_BYTES: {
      const n = readLength(1);
      if (n < 0 || !room(2)) return false;
      const start = pos;
      pos += <usize>n;
      let len = <i32>n;
      if (code == OP_STRING) {
        const check = utf8Check(start, pos);
        if (check == UTF8_INVALID) return fail(ERR_UTF8, start);
        if (check != UTF8_ASCII) len = ~len;
      }
      store<i32>(tp, <i32>(start - base));
      store<i32>(tp, len, 4);
      tp += 8;
      return true;
    }
    case OP_ARRAY: {
      const at = pos;
      const unit = op(node, 2);
      const n = readLength(unit);
      if (n < 0) return false;
      if (unit == 0) {
        emptyLeft -= n;
        if (emptyLeft < 0) return fail(ERR_LIMIT, at);
      }
      if (!room(3)) return false;
      const head = tp;
      tp += 12;
      store<i32>(head, <i32>n);
      if (unit > 0) {
        const item = op(node, 1);
        for (let i: i64 = 0; i < n; i++) {
          if (!value(item)) return false;
        }
      }
      store<i32>(head, <i32>((tp - tape) >>> 2), 4);
      store<i32>(head, <i32>(pos - base), 8);
      return true;
    }
    case OP_RECORD: {
      const n = op(node, 1);
      for (let i = 0; i < n; i++) {
        if (!value(op(node, 2 + i))) return false;
      }
      return true;
    }
    case OP_CHOICE: {
      const at = pos;
      if (!readInteger()) return false;
      const n = op(node, 1);
      if (intBig || intHi != 0 || intLo < 0 || intLo >= n) {
        return fail(ERR_CHOICE, at);
      }
      if (!room(3)) return false;
      const head = tp;
      tp += 12;
      store<i32>(head, intLo);
      if (!value(op(node, 2 + intLo))) return false;
      store<i32>(head, <i32>((tp - tape) >>> 2), 4);
      store<i32>(head, <i32>(pos - base), 8);
      return true;
    }
    case OP_ENTER: {
      if (++depth > maxDepth) return fail(ERR_LIMIT, pos);
      if (!value(op(node, 1))) return false;
      depth--;
      return true;
    }
  }
  unreachable();
  return false;
}

/**
 * Validates the value of program node `root` in the input [input, input +
 * len) and writes its tape at `tapeAt`. `progAt` is the byte address of the
 * program, `depthLimit` the deepest nesting of recursive named types,
 * `emptyLimit` the most zero-byte items, `trailing` 1 to accept bytes after
 * the value. Returns the number of tape slots, or an ERR_* code (also in
 * errKind, with errOffset).
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
  pos = input;
  end = input + len;
  tape = tapeAt;
  tp = tapeAt;
  tapeLimit = <usize>memory.size() << 16;
  maxDepth = depthLimit;
  depth = 0;
  emptyLeft = emptyLimit;
  errKind = 0;
  errOffset = 0;
  if (!value(root)) return errKind;
  if (trailing == 0 && pos != end) {
    fail(ERR_TRAILING, pos);
    return errKind;
  }
  return <i32>((tp - tape) >>> 2);
}
