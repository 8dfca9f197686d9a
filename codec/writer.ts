/**
 * A growable output buffer with the SBS primitive encodings. One writer is
 * reused across messages: its buffer only grows (up to the size of the
 * largest message written) and {@linkcode Writer.reset} starts over without
 * allocating.
 *
 * @module
 */

const encoder = new TextEncoder();

// Strings shorter than this (in UTF-16 units) are encoded in JavaScript; at
// most 3 * 511 bytes, so their length prefix takes 1 or 2 bytes.
const MAX_JS_STRING = 512;

/** Bytes of the shortest SBS Integer encoding of a non-negative `n < 2^53`. */
export function uintSize(n: number): number {
  if (n < 0x40) return 1;
  if (n < 0x2000) return 2;
  if (n < 0x100000) return 3;
  if (n < 0x8000000) return 4;
  let size = 5;
  let limit = 0x400000000; // 2^34
  while (n >= limit) {
    size += 1;
    limit *= 128;
  }
  return size;
}

/**
 * A growable byte buffer that writes SBS primitives.
 *
 * @example Encode the Integer 64 and the String "hi"
 * ```ts
 * import { Writer } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const w = new Writer();
 * w.integer(64);
 * w.string("hi");
 * assert.deepEqual(w.finish(), new Uint8Array([0x00, 0xc0, 0x82, 0x68, 0x69]));
 * ```
 */
export class Writer {
  /** The underlying buffer; valid bytes are `[0, pos)`. */
  buf: Uint8Array;
  /** DataView over {@linkcode Writer.buf}. */
  view: DataView;
  /** Number of bytes written so far. */
  pos = 0;

  /**
   * Creates a writer.
   *
   * @param initialSize Initial buffer size in bytes.
   */
  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  /** Forgets what was written; the buffer is kept for reuse. */
  reset(): void {
    this.pos = 0;
  }

  /**
   * Makes room for `n` more bytes.
   *
   * @param n Number of bytes about to be written.
   */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const buf = new Uint8Array(size);
    buf.set(this.buf.subarray(0, this.pos));
    this.buf = buf;
    this.view = new DataView(buf.buffer);
  }

  /**
   * Writes one raw byte.
   *
   * @param b Byte value, 0 to 255.
   */
  byte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /**
   * Writes a Boolean.
   *
   * @param v The value.
   */
  boolean(v: boolean): void {
    this.byte(v ? 1 : 0);
  }

  /**
   * Writes a non-negative safe integer as an SBS Integer (lengths, counts,
   * choice indexes).
   *
   * @param n Non-negative safe integer.
   */
  uint(n: number): void {
    if (n < 0x40) {
      if (this.pos >= this.buf.length) this.ensure(1);
      this.buf[this.pos++] = 0x80 | n;
      return;
    }
    this.integer(n);
  }

  /**
   * Writes an SBS Integer.
   *
   * @param v A safe integer `number` or any `bigint`.
   */
  integer(v: number | bigint): void {
    if (typeof v === "bigint") {
      if (v >= -0x1fffffffffffffn && v <= 0x1fffffffffffffn) {
        this.integer(Number(v));
      } else {
        this.#bigInteger(v);
      }
      return;
    }
    if (v >= -0x40 && v < 0x40) {
      if (this.pos >= this.buf.length) this.ensure(1);
      this.buf[this.pos++] = 0x80 | (v & 0x7f);
      return;
    }
    if (v >= -0x2000 && v < 0x2000) {
      this.ensure(2);
      this.buf[this.pos] = (v >> 7) & 0x7f;
      this.buf[this.pos + 1] = 0x80 | (v & 0x7f);
      this.pos += 2;
      return;
    }
    // Smallest n with -2^(7n-1) <= v < 2^(7n-1).
    let n = 3;
    let half = 0x100000; // 2^(7*3-1)
    while (v >= half || v < -half) {
      n += 1;
      half *= 128;
    }
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos + n - 1;
    let rest = v;
    // Groups from the least significant; division by 128 is exact in floats.
    const low = ((rest % 128) + 128) % 128;
    buf[p--] = 0x80 | low;
    rest = (rest - low) / 128;
    while (p >= this.pos) {
      const g = ((rest % 128) + 128) % 128;
      buf[p--] = g;
      rest = (rest - g) / 128;
    }
    this.pos += n;
  }

  #bigInteger(v: bigint): void {
    const groups: number[] = [];
    for (;;) {
      const g = Number(v & 0x7fn);
      groups.push(g);
      v >>= 7n;
      if ((v === 0n && (g & 0x40) === 0) || (v === -1n && (g & 0x40) !== 0)) {
        break;
      }
    }
    this.ensure(groups.length);
    for (let i = groups.length - 1; i > 0; i--) {
      this.buf[this.pos++] = groups[i];
    }
    this.buf[this.pos++] = 0x80 | groups[0];
  }

  /**
   * Writes an SBS Float (IEEE 754 binary64, big-endian).
   *
   * @param v The value.
   */
  float(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, false);
    this.pos += 8;
  }

  /**
   * Writes SBS Bytes: the length as Integer, then the bytes.
   *
   * @param b The bytes.
   */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.uint(n);
    this.ensure(n);
    this.buf.set(b, this.pos);
    this.pos += n;
  }

  /**
   * Writes raw bytes with no length prefix (an already encoded value).
   *
   * @param b The bytes.
   */
  raw(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    this.buf.set(b, this.pos);
    this.pos += n;
  }

  /**
   * Writes an SBS String: UTF-8 byte length as Integer, then the bytes.
   * Returns `false`, having written nothing, when the string holds a lone
   * surrogate (it has no UTF-8 form).
   *
   * @param s The string.
   * @returns Whether the string was written.
   */
  string(s: string): boolean {
    const len = s.length;
    if (len < MAX_JS_STRING) {
      // Short strings: a JavaScript loop beats TextEncoder's per-call cost.
      // At most 3 bytes per UTF-16 unit; the length prefix is written in
      // place once the size is known (moving the bytes if it is shorter).
      const max = len * 3;
      const prefix = max < 0x40 ? 1 : 2;
      this.ensure(prefix + max);
      const buf = this.buf;
      const start = this.pos + prefix;
      let p = start;
      for (let i = 0; i < len; i++) {
        let c = s.charCodeAt(i);
        if (c < 0x80) {
          buf[p++] = c;
        } else if (c < 0x800) {
          buf[p++] = 0xc0 | (c >> 6);
          buf[p++] = 0x80 | (c & 0x3f);
        } else if (c < 0xd800 || c > 0xdfff) {
          buf[p++] = 0xe0 | (c >> 12);
          buf[p++] = 0x80 | ((c >> 6) & 0x3f);
          buf[p++] = 0x80 | (c & 0x3f);
        } else {
          const d = i + 1 < len ? s.charCodeAt(i + 1) : 0;
          if (c >= 0xdc00 || d < 0xdc00 || d > 0xdfff) return false;
          i++;
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          buf[p++] = 0xf0 | (c >> 18);
          buf[p++] = 0x80 | ((c >> 12) & 0x3f);
          buf[p++] = 0x80 | ((c >> 6) & 0x3f);
          buf[p++] = 0x80 | (c & 0x3f);
        }
      }
      const written = p - start;
      if (written < 0x40) {
        if (prefix !== 1) buf.copyWithin(this.pos + 1, start, p);
        buf[this.pos] = 0x80 | written;
        this.pos += 1 + written;
      } else {
        buf[this.pos] = written >> 7;
        buf[this.pos + 1] = 0x80 | (written & 0x7f);
        this.pos += 2 + written;
      }
      return true;
    }
    if (!s.isWellFormed()) return false;
    const max = len * 3;
    const prefix = uintSize(max);
    this.ensure(prefix + max);
    const start = this.pos + prefix;
    const written = encoder.encodeInto(s, this.buf.subarray(start)).written;
    const actual = uintSize(written);
    if (actual !== prefix) {
      this.buf.copyWithin(this.pos + actual, start, start + written);
    }
    this.uint(written);
    this.pos += written;
    return true;
  }

  /**
   * Returns a copy of the written bytes.
   *
   * @returns The written bytes, in a buffer of their own.
   */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /**
   * Returns a view of the written bytes without copying; it is valid until
   * the next write or reset.
   *
   * @returns The written bytes, sharing the writer's buffer.
   */
  peek(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
