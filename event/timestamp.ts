/**
 * Timestamps: `{ s, us }` with `s` signed 64-bit seconds since 1970-01-01
 * UTC and `0 <= us < 1_000_000`. `s` is a `number` whenever it is a safe
 * integer and a `bigint` only beyond (the canonical form every function
 * here returns); every function accepts either form, and comparisons work
 * across them.
 *
 * @module
 */

import type { Timestamp } from "./types.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const TWO_32 = 4294967296;
const TWO_31 = 2147483648;
const US_PER_S = 1_000_000;

/**
 * The earliest timestamp: `s = -2^63`, `us = 0`.
 *
 * @example
 * ```ts
 * import { compareTimestamps, MIN_TIMESTAMP } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MIN_TIMESTAMP.s, -(2n ** 63n));
 * assert.equal(compareTimestamps(MIN_TIMESTAMP, { s: -1e15, us: 0 }), -1);
 * ```
 */
export const MIN_TIMESTAMP: Timestamp = Object.freeze({ s: INT64_MIN, us: 0 });

/**
 * The latest timestamp: `s = 2^63 - 1`, `us = 999999`.
 *
 * @example
 * ```ts
 * import { compareTimestamps, MAX_TIMESTAMP, now } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_TIMESTAMP.s, 2n ** 63n - 1n);
 * assert.equal(compareTimestamps(now(), MAX_TIMESTAMP), -1);
 * ```
 */
export const MAX_TIMESTAMP: Timestamp = Object.freeze({
  s: INT64_MAX,
  us: 999_999,
});

/** `s` as a number when it is a safe integer, else as a bigint. */
function canonicalSeconds(s: bigint): number | bigint {
  return s >= -9007199254740991n && s <= 9007199254740991n ? Number(s) : s;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number") return String(value);
  return typeof value;
}

/**
 * Checks that `t` is a valid timestamp and returns it in canonical form
 * (the same object when it already is canonical).
 *
 * @param t The value to check.
 * @returns `t`, or a copy whose `s` is a number when it is safe.
 * @throws {TypeError} When `t` is not an object, `s` is not an integer
 * `number`/`bigint` or `us` is not an integer `number`.
 * @throws {RangeError} When `s` is outside signed 64 bits or `us` outside
 * `0..999999`.
 *
 * @example
 * ```ts
 * import { validateTimestamp } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(validateTimestamp({ s: 12n, us: 5 }), { s: 12, us: 5 });
 * assert.throws(() => validateTimestamp({ s: 1, us: 1_000_000 }), RangeError);
 * assert.throws(() => validateTimestamp({ s: 1.5, us: 0 }), TypeError);
 * assert.throws(() => validateTimestamp({ s: 2n ** 63n, us: 0 }), RangeError);
 * ```
 */
export function validateTimestamp(t: Timestamp): Timestamp {
  if (typeof t !== "object" || t === null) {
    throw new TypeError(
      `Invalid timestamp: expected an object, got ${describe(t)}`,
    );
  }
  const { s, us } = t;
  if (typeof us !== "number" || !Number.isInteger(us)) {
    throw new TypeError(
      `Invalid timestamp: us must be an integer number, got ${describe(us)}`,
    );
  }
  if (us < 0 || us >= US_PER_S) {
    throw new RangeError(
      `Invalid timestamp: us must be in 0..999999, got ${us}`,
    );
  }
  if (typeof s === "number") {
    if (Number.isSafeInteger(s)) return t;
    if (!Number.isInteger(s)) {
      throw new TypeError(
        `Invalid timestamp: s must be an integer, got ${describe(s)}`,
      );
    }
    const big = BigInt(s);
    if (big < INT64_MIN || big > INT64_MAX) {
      throw new RangeError(
        `Invalid timestamp: s must be a signed 64-bit integer, got ${s}`,
      );
    }
    return { s: big, us };
  }
  if (typeof s === "bigint") {
    if (s < INT64_MIN || s > INT64_MAX) {
      throw new RangeError(
        `Invalid timestamp: s must be a signed 64-bit integer, got ${s}n`,
      );
    }
    const c = canonicalSeconds(s);
    return c === s ? t : { s: c, us };
  }
  throw new TypeError(
    `Invalid timestamp: s must be an integer number or bigint, got ${
      describe(s)
    }`,
  );
}

/**
 * The current time, with microsecond resolution where the platform's clock
 * gives it (kept within a millisecond of `Date.now()`).
 *
 * @returns The current timestamp.
 *
 * @example
 * ```ts
 * import { now, timestampToFloat } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.ok(Math.abs(timestampToFloat(now()) - Date.now() / 1000) < 1);
 * ```
 */
export function now(): Timestamp {
  const wall = Date.now();
  let ms = performance.timeOrigin + performance.now();
  // The monotonic clock drifts from the wall clock when the system clock is
  // adjusted; the wall clock wins then.
  if (!(Math.abs(ms - wall) < 1)) ms = wall;
  const s = Math.floor(ms / 1000);
  let us = Math.floor((ms - s * 1000) * 1000);
  if (us > 999_999) us = 999_999;
  return { s, us };
}

/**
 * Compares two timestamps (number and bigint `s` alike).
 *
 * @param a One timestamp.
 * @param b The other.
 * @returns `-1`, `0` or `1` as `a` is before, equal to or after `b`.
 * @throws {TypeError} When the timestamps are not ordered (`s` or `us`
 * NaN) or tie with `s` or `us` not a number, as `validateTimestamp` would
 * (other invalid values are not looked for).
 *
 * @example
 * ```ts
 * import { compareTimestamps } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.equal(compareTimestamps({ s: 1, us: 2 }, { s: 1n, us: 2 }), 0);
 * assert.equal(compareTimestamps({ s: -1, us: 999999 }, { s: 0, us: 0 }), -1);
 * assert.equal(compareTimestamps({ s: 2n ** 62n, us: 0 }, { s: 5, us: 0 }), 1);
 * ```
 */
export function compareTimestamps(a: Timestamp, b: Timestamp): -1 | 0 | 1 {
  // Relational operators compare number and bigint exactly.
  if (a.s < b.s) return -1;
  if (a.s > b.s) return 1;
  if (a.us < b.us) return -1;
  if (a.us > b.us) return 1;
  // Unordered values (NaN, non-numbers) fail every comparison above and
  // would pass as equal; only the tie path pays for telling them apart.
  if (
    a.s <= b.s && a.us === b.us && typeof a.us === "number" &&
    isSeconds(a.s) && isSeconds(b.s)
  ) return 0;
  return invalidComparison(a, b);
}

function isSeconds(s: unknown): boolean {
  return typeof s === "number" || typeof s === "bigint";
}

/** Throws the error `validateTimestamp` gives for whichever side is bad. */
function invalidComparison(a: Timestamp, b: Timestamp): never {
  validateTimestamp(a);
  validateTimestamp(b);
  throw new TypeError(
    `Invalid timestamp: cannot compare ${describe(a.s)}/${
      describe(a.us)
    } with ${describe(b.s)}/${describe(b.us)}`,
  );
}

/** Rounds half to even, as Python's `round`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Adds `seconds` (may be negative or fractional; fractions are rounded to
 * microseconds as Python's `Timestamp.add`).
 *
 * @param t The timestamp.
 * @param seconds Seconds to add: a finite number, or a bigint of whole
 * seconds.
 * @returns The new timestamp.
 * @throws {RangeError} When `seconds` is not finite or the result is
 * outside the timestamp range.
 *
 * @example
 * ```ts
 * import { addSeconds } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(addSeconds({ s: 10, us: 900000 }, 0.2), { s: 11, us: 100000 });
 * assert.deepEqual(addSeconds({ s: 0, us: 0 }, -0.5), { s: -1, us: 500000 });
 * assert.deepEqual(addSeconds({ s: 2n ** 60n, us: 1 }, 2n ** 60n), { s: 2n ** 61n, us: 1 });
 * ```
 */
export function addSeconds(t: Timestamp, seconds: number | bigint): Timestamp {
  const v = validateTimestamp(t);
  let whole: number | bigint;
  let us = v.us;
  if (typeof seconds === "bigint") {
    whole = seconds;
  } else {
    if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
      throw new RangeError(
        `Cannot add ${describe(seconds)} seconds: not a finite number`,
      );
    }
    whole = Math.trunc(seconds);
    us += roundHalfEven((seconds - whole) * US_PER_S);
  }
  const carry = Math.floor(us / US_PER_S);
  us -= carry * US_PER_S;
  if (typeof v.s === "number" && typeof whole === "number") {
    const s = v.s + whole + carry;
    if (Number.isSafeInteger(s)) return { s, us };
  }
  const s = BigInt(v.s) + BigInt(whole) + BigInt(carry);
  if (s < INT64_MIN || s > INT64_MAX) {
    throw new RangeError(
      `Cannot add ${seconds} seconds to ${v.s}.${v.us}: out of timestamp range`,
    );
  }
  return { s: canonicalSeconds(s), us };
}

/**
 * The timestamp as a float of seconds (`s + us * 1e-6`, as Python); loses
 * precision far from the epoch.
 *
 * @param t The timestamp.
 * @returns Seconds since the epoch.
 *
 * @example
 * ```ts
 * import { timestampToFloat } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.equal(timestampToFloat({ s: 1, us: 500000 }), 1.5);
 * assert.equal(timestampToFloat({ s: -1, us: 500000 }), -0.5);
 * ```
 */
export function timestampToFloat(t: Timestamp): number {
  return Number(t.s) + t.us * 1e-6;
}

/**
 * The timestamp of a float of seconds; the fraction is rounded to the
 * nearest microsecond (half to even, as Python's `timestamp_from_float`).
 *
 * @param seconds Seconds since the epoch.
 * @returns The timestamp.
 * @throws {RangeError} When `seconds` is not finite or out of range.
 *
 * @example
 * ```ts
 * import { timestampFromFloat } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(timestampFromFloat(-0.5), { s: -1, us: 500000 });
 * assert.deepEqual(timestampFromFloat(1.9999999), { s: 2, us: 0 });
 * ```
 */
export function timestampFromFloat(seconds: number): Timestamp {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
    throw new RangeError(
      `Cannot make a timestamp of ${describe(seconds)}: not a finite number`,
    );
  }
  let s = Math.floor(seconds);
  let us = roundHalfEven((seconds - s) * US_PER_S);
  if (us === US_PER_S) {
    s += 1;
    us = 0;
  }
  if (Number.isSafeInteger(s)) return { s, us };
  // Beyond 2^53 a float has no fraction: `s` is exact, `us` is 0.
  if (s < -9223372036854775808 || s >= 9223372036854775808) {
    throw new RangeError(
      `Cannot make a timestamp of ${seconds}: out of timestamp range`,
    );
  }
  return { s: BigInt(s), us };
}

/**
 * The timestamp as a `Date` (millisecond resolution: microseconds are
 * truncated).
 *
 * @param t The timestamp.
 * @returns The date.
 * @throws {RangeError} When `t` is outside the range of `Date`.
 *
 * @example
 * ```ts
 * import { timestampToDate } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * const d = timestampToDate({ s: 1732540000, us: 123456 });
 * assert.equal(d.toISOString(), "2024-11-25T13:06:40.123Z");
 * ```
 */
export function timestampToDate(t: Timestamp): Date {
  const ms = Number(t.s) * 1000 + Math.floor(t.us / 1000);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) {
    throw new RangeError(
      `Cannot make a Date of timestamp ${t.s}.${t.us}: out of Date range`,
    );
  }
  return d;
}

/**
 * The timestamp of a `Date`.
 *
 * @param date The date.
 * @returns The timestamp.
 * @throws {RangeError} When `date` is an invalid date.
 *
 * @example
 * ```ts
 * import { timestampFromDate } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(timestampFromDate(new Date(-1)), { s: -1, us: 999000 });
 * ```
 */
export function timestampFromDate(date: Date): Timestamp {
  const ms = date.getTime();
  if (Number.isNaN(ms)) {
    throw new RangeError("Cannot make a timestamp of an invalid Date");
  }
  const s = Math.floor(ms / 1000);
  return { s, us: (ms - s * 1000) * 1000 };
}

/**
 * The 12-byte form of a timestamp: `s + 2^63` as unsigned 64-bit
 * big-endian, then `us` as unsigned 32-bit big-endian. Byte-wise order of
 * these forms is the order of the timestamps (for storage keys).
 *
 * @param t The timestamp.
 * @returns 12 bytes.
 * @throws {TypeError | RangeError} When `t` is not a valid timestamp.
 *
 * @example
 * ```ts
 * import { timestampToBytes } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   timestampToBytes({ s: 0, us: 1 }),
 *   new Uint8Array([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
 * );
 * ```
 */
export function timestampToBytes(t: Timestamp): Uint8Array {
  const v = validateTimestamp(t);
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  if (typeof v.s === "number") {
    const hi = Math.floor(v.s / TWO_32);
    view.setUint32(0, hi + TWO_31);
    view.setUint32(4, v.s - hi * TWO_32);
  } else {
    view.setBigUint64(0, v.s - INT64_MIN);
  }
  view.setUint32(8, v.us);
  return out;
}

/**
 * The timestamp of its 12-byte form (see {@linkcode timestampToBytes}).
 *
 * @param bytes Exactly 12 bytes.
 * @returns The timestamp, in canonical form.
 * @throws {RangeError} When `bytes` is not 12 bytes long or `us` is out of
 * range.
 *
 * @example
 * ```ts
 * import {
 *   MIN_TIMESTAMP,
 *   timestampFromBytes,
 *   timestampToBytes,
 * } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(timestampFromBytes(timestampToBytes(MIN_TIMESTAMP)), MIN_TIMESTAMP);
 * assert.deepEqual(timestampFromBytes(timestampToBytes({ s: -5, us: 7 })), { s: -5, us: 7 });
 * ```
 */
export function timestampFromBytes(bytes: Uint8Array): Timestamp {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 12) {
    throw new RangeError(
      `Cannot read a timestamp: expected 12 bytes, got ${
        bytes instanceof Uint8Array ? bytes.length : describe(bytes)
      }`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, 12);
  const us = view.getUint32(8);
  if (us >= US_PER_S) {
    throw new RangeError(
      `Cannot read a timestamp: us must be in 0..999999, got ${us}`,
    );
  }
  const hi = view.getUint32(0) - TWO_31;
  const s = hi * TWO_32 + view.getUint32(4);
  if (Number.isSafeInteger(s)) return { s, us };
  return { s: view.getBigUint64(0) + INT64_MIN, us };
}
