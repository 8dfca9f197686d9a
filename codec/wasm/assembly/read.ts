// Reading SBS primitives with the rules of the TypeScript Reader
// (codec/reader.ts), for the hand-written scanners of the eventer messages
// (events.ts): Integers of any length up to 1024 bytes (their value kept
// when it fits 64 bits), lengths checked against the remaining bytes,
// Strings checked as UTF-8 by the fatal decoder's rules.
//
// Functions take a position and return the position after what they read,
// or 0 on failure (inputs never start at address 0), with the reason in
// `err` and where in `errAt`.

import { UTF8_INVALID, utf8Check } from "./utf8";

export const ERR_TRUNCATED: i32 = -1;
export const ERR_LENGTH: i32 = -2;
export const ERR_CHOICE: i32 = -3;
export const ERR_UTF8: i32 = -4;
export const ERR_TRAILING: i32 = -5;
export const ERR_LIMIT: i32 = -6;
/** An id that is not a safe integer, or a timestamp out of range. */
export const ERR_RANGE: i32 = -7;
/** A JSON payload that is not one JSON text. */
export const ERR_JSON: i32 = -8;

const MAX_INTEGER_BYTES: usize = 1024;
const HIGH: u64 = 0x8080808080808080;

/** End of the input being read. */
export let end: usize = 0;
/** The last Integer read, when `big` is false. */
export let value: i64 = 0;
/** Whether the last Integer read is beyond 64 bits. */
export let big = false;
/** The last length read. */
export let count: i32 = 0;
/** The reason of the last failure (ERR_*). */
export let err: i32 = 0;
/** Where the last failure was. */
export let errAt: usize = 0;

/** Starts reading the input [input, input + len). */
export function beginInput(input: usize, len: usize): void {
  end = input + len;
  err = 0;
  errAt = 0;
}

/** Records a failure; returns 0, the failed position. */
// @ts-ignore: decorator
@inline
export function fail(kind: i32, at: usize): usize {
  err = kind;
  errAt = at;
  return 0;
}

function integerLong(start: usize): usize {
  let p = start;
  let b = <i32>load<u8>(p++);
  let v: i64 = <i64>((b << 25) >> 25);
  let beyond = false;
  while ((b & 0x80) == 0) {
    if (p >= end) return fail(ERR_TRUNCATED, start);
    if (p - start >= MAX_INTEGER_BYTES) return fail(ERR_LIMIT, start);
    b = <i32>load<u8>(p++);
    if (!beyond) {
      // Past these the next group overflows 64 bits (and the magnitude
      // only grows from there).
      if (v > (i64.MAX_VALUE >> 7) || v < (i64.MIN_VALUE >> 7)) {
        beyond = true;
      } else {
        v = (v << 7) | <i64>(b & 0x7f);
      }
    }
  }
  value = v;
  big = beyond;
  return p;
}

/** Reads an Integer into `value` (and `big`). */
export function integer(p: usize): usize {
  if (p >= end) return fail(ERR_TRUNCATED, p);
  const b = <i32>load<u8>(p);
  if ((b & 0x80) != 0) {
    value = <i64>((b << 25) >> 25);
    big = false;
    return p + 1;
  }
  if (end - p >= 8) {
    // Up to 8 bytes (56 bits) from one load.
    const w = load<u64>(p);
    const mask = w & HIGH;
    if (mask != 0) {
      const last = <u32>(ctz<u64>(mask) >>> 3);
      let v: i64 = <i64>((b << 25) >> 25);
      for (let k: u32 = 1; k <= last; k++) {
        v = (v << 7) | <i64>((w >>> (<u64>k << 3)) & 0x7f);
      }
      value = v;
      big = false;
      return p + <usize>last + 1;
    }
  }
  return integerLong(p);
}

/**
 * Reads a length into `count`: a non-negative Integer of at most 2^53 - 1
 * with count * unit at most the bytes left after it.
 */
export function length(p: usize, unit: i32): usize {
  if (p < end) {
    const b = <i32>load<u8>(p);
    if ((b & 0xc0) == 0x80) {
      const n = b & 0x3f;
      if (<u64>n * <u64>unit > <u64>(end - p - 1)) return fail(ERR_LENGTH, p);
      count = n;
      return p + 1;
    }
  }
  const at = p;
  p = integer(p);
  if (p == 0) return 0;
  if (big || value < 0 || value > <i64>(end - p) / <i64>unit) {
    return fail(ERR_LENGTH, at);
  }
  count = <i32>value;
  return p;
}

/** Reads the index of an Optional or of a two-entry Choice: 0 or 1. */
export function choice(p: usize): usize {
  if (p < end) {
    const b = load<u8>(p);
    if (b == 0x80 || b == 0x81) {
      value = b & 1;
      return p + 1;
    }
  }
  const at = p;
  p = integer(p);
  if (p == 0) return 0;
  if (big || (value != 0 && value != 1)) return fail(ERR_CHOICE, at);
  return p;
}

/** Reads a String, checking its UTF-8; its bytes are [p - count, p). */
export function string(p: usize): usize {
  p = length(p, 1);
  if (p == 0) return 0;
  const start = p;
  p += <usize>count;
  if (utf8Check(start, p) == UTF8_INVALID) return fail(ERR_UTF8, start);
  return p;
}

/** Reads a safe Integer (an event id part) into `value`. */
export function safeInteger(p: usize): usize {
  const at = p;
  p = integer(p);
  if (p == 0) return 0;
  if (big || value > 0x1fffffffffffff || value < -0x1fffffffffffff) {
    return fail(ERR_RANGE, at);
  }
  return p;
}
