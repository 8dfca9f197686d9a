/**
 * A cursor over SBS-encoded bytes that reads the primitive encodings and
 * rejects malformed input with {@linkcode SbsDecodeError}. It never throws
 * anything else, and never allocates more than the input justifies: every
 * length and count is checked against the remaining bytes first.
 *
 * @module
 */

import { asciiChars } from "./_ascii.ts";
import { SbsDecodeError } from "./errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// ASCII strings up to this many bytes are built in JavaScript: a TextDecoder
// call costs more than the loop for short strings.
const MAX_JS_STRING = 256;

// Short ASCII strings recur (event type segments): a direct-mapped cache
// gives back the same string without allocating.
const CACHE_SIZE = 4096;
const MAX_CACHED = 24;
const cache: string[] = new Array(CACHE_SIZE).fill("");

/**
 * The ASCII string of `bytes[start, end)`, or a shorter string (possibly
 * empty) when a byte is not ASCII.
 */
function asciiString(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= MAX_CACHED) {
    let h = n;
    for (let i = start; i < end; i++) {
      const c = bytes[i];
      if (c >= 0x80) return "";
      h = Math.imul(h ^ c, 0x01000193);
    }
    const slot = (h ^ (h >>> 15)) & (CACHE_SIZE - 1);
    const hit = cache[slot];
    if (hit.length === n) {
      let i = 0;
      while (i < n && hit.charCodeAt(i) === bytes[start + i]) i++;
      if (i === n) return hit;
    }
    const s = asciiChars(bytes, start, end);
    cache[slot] = s;
    return s;
  }
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return "";
  return asciiChars(bytes, start, end);
}

/** Longest Integer encoding accepted, in bytes (7 bits each). */
export const MAX_INTEGER_BYTES = 1024;

/**
 * Reads SBS primitives from a byte array. `path` arguments name the value
 * being read, for error messages; pass constant strings.
 *
 * @example Read the Integer 64 and the String "hi"
 * ```ts
 * import { Reader } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const r = new Reader(new Uint8Array([0x00, 0xc0, 0x82, 0x68, 0x69]));
 * assert.equal(r.integer("x"), 64);
 * assert.equal(r.string("y"), "hi");
 * assert.equal(r.pos, 5);
 * ```
 */
export class Reader {
  /** The input. */
  bytes: Uint8Array;
  /** Position of the next byte to read. */
  pos: number;
  /** End of the readable range (exclusive). */
  end: number;
  #view: DataView | undefined;

  /**
   * Creates a reader over `bytes[start, end)`.
   *
   * @param bytes The input.
   * @param start First byte to read.
   * @param end End of the readable range.
   */
  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  /**
   * Points the reader at new input, for reuse.
   *
   * @param bytes The input.
   * @param start First byte to read.
   * @param end End of the readable range.
   */
  reset(bytes: Uint8Array, start = 0, end = bytes.length): void {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.#view = undefined;
  }

  /**
   * Throws the decode error for `reason` at the current position.
   *
   * @param reason Kind of malformation.
   * @param path Type path being decoded.
   * @param problem What was wrong.
   * @param offset Byte offset, defaults to the current position.
   */
  fail(
    reason: SbsDecodeError["reason"],
    path: string,
    problem: string,
    offset: number = this.pos,
  ): never {
    throw new SbsDecodeError(reason, path, offset, problem);
  }

  /**
   * Reads a Boolean (any non-zero byte is true, as in the reference).
   *
   * @param path Type path, for errors.
   * @returns The value.
   */
  boolean(path: string): boolean {
    if (this.pos >= this.end) {
      this.fail("truncated", path, "input ends before Boolean");
    }
    return this.bytes[this.pos++] !== 0;
  }

  /**
   * Reads an Integer: a `number` when it is a safe integer, else a `bigint`.
   *
   * @param path Type path, for errors.
   * @returns The value.
   */
  integer(path: string): number | bigint {
    const bytes = this.bytes;
    const end = this.end;
    let p = this.pos;
    if (p >= end) this.fail("truncated", path, "input ends before Integer");
    let b = bytes[p++];
    let v = (b & 0x40) !== 0 ? (b & 0x7f) - 128 : b & 0x7f;
    if ((b & 0x80) !== 0) {
      this.pos = p;
      return v;
    }
    // Up to 7 groups (49 bits) stay exact in a float.
    for (let n = 1; n < 7; n++) {
      if (p >= end) this.fail("truncated", path, "input ends inside Integer");
      b = bytes[p++];
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) !== 0) {
        this.pos = p;
        return v;
      }
    }
    return this.#bigInteger(path, BigInt(v), p);
  }

  #bigInteger(path: string, v: bigint, p: number): number | bigint {
    const start = this.pos;
    const bytes = this.bytes;
    for (;;) {
      if (p >= this.end) {
        this.fail("truncated", path, "input ends inside Integer");
      }
      if (p - start >= MAX_INTEGER_BYTES) {
        this.fail(
          "limit",
          path,
          `Integer longer than ${MAX_INTEGER_BYTES} bytes`,
          start,
        );
      }
      const b = bytes[p++];
      v = (v << 7n) | BigInt(b & 0x7f);
      if ((b & 0x80) !== 0) break;
    }
    this.pos = p;
    if (v >= -0x1fffffffffffffn && v <= 0x1fffffffffffffn) return Number(v);
    return v;
  }

  /**
   * Reads a length or count: an Integer that must be non-negative and at
   * most `(end - pos) / unit` after it is read, since each counted item takes
   * at least `unit` bytes. Pass `unit` 0 for items that take no bytes.
   *
   * @param path Type path, for errors.
   * @param unit Minimum bytes per counted item.
   * @returns The length.
   */
  length(path: string, unit = 1): number {
    const at = this.pos;
    const n = this.integer(path);
    if (typeof n !== "number" || n < 0) {
      this.fail("length", path, `invalid length ${n}`, at);
    }
    if (unit > 0 && n * unit > this.end - this.pos) {
      this.fail(
        "length",
        path,
        `length ${n} exceeds the ${this.end - this.pos} remaining bytes`,
        at,
      );
    }
    return n;
  }

  /**
   * Reads a Float.
   *
   * @param path Type path, for errors.
   * @returns The value.
   */
  float(path: string): number {
    if (this.end - this.pos < 8) {
      this.fail("truncated", path, "input ends inside Float");
    }
    this.#view ??= new DataView(
      this.bytes.buffer,
      this.bytes.byteOffset,
      this.bytes.byteLength,
    );
    const v = this.#view.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }

  /**
   * Reads Bytes as a view into the input (no copy).
   *
   * @param path Type path, for errors.
   * @returns A subarray of the input.
   */
  bytesView(path: string): Uint8Array {
    const n = this.length(path);
    const start = this.pos;
    this.pos = start + n;
    return this.bytes.subarray(start, start + n);
  }

  /**
   * Reads Bytes into a fresh copy.
   *
   * @param path Type path, for errors.
   * @returns The bytes, in a buffer of their own.
   */
  bytesCopy(path: string): Uint8Array {
    const n = this.length(path);
    const start = this.pos;
    this.pos = start + n;
    return this.bytes.slice(start, start + n);
  }

  /**
   * Reads a String, rejecting invalid UTF-8.
   *
   * @param path Type path, for errors.
   * @returns The value.
   */
  string(path: string): string {
    const n = this.length(path);
    const start = this.pos;
    const end = start + n;
    const s = n <= MAX_JS_STRING ? asciiString(this.bytes, start, end) : "";
    if (s.length === n) {
      this.pos = end;
      return s;
    }
    try {
      const s = utf8.decode(this.bytes.subarray(start, end));
      this.pos = end;
      return s;
    } catch {
      return this.fail("utf8", path, "invalid UTF-8 in String", start);
    }
  }
}
