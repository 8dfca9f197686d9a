/**
 * Chatter framing, pure (no I/O): every message on the stream is
 * `L` (1 byte) ‖ `N` (`L` bytes, unsigned big-endian) ‖ body (`N` bytes).
 * {@linkcode FrameParser} turns a byte stream split in any way into whole
 * bodies, bounding the size it accepts before it allocates anything.
 *
 * @module
 */

import { ProtocolError } from "./errors.ts";

/** Default bound on a received frame body: 64 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

/**
 * Largest length-of-length accepted: 8 bytes already describe 2^64 - 1, so
 * anything longer is not a length a sender could mean.
 */
export const MAX_LENGTH_BYTES = 8;

/** Partial frames up to this size reuse one buffer; larger ones get their own. */
const REUSED_PARTIAL_SIZE = 64 * 1024;

/**
 * Bytes of the frame header (`1 + L`) for a body of `n` bytes, with the
 * minimal `L >= 1`.
 *
 * @example
 * ```ts
 * import { frameHeaderSize } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * assert.equal(frameHeaderSize(255), 2);
 * assert.equal(frameHeaderSize(256), 3);
 * ```
 *
 * @param n Body length, a non-negative safe integer.
 * @returns Header length in bytes.
 */
export function frameHeaderSize(n: number): number {
  let l = 1;
  let limit = 256;
  while (n >= limit) {
    l += 1;
    limit *= 256;
  }
  return l + 1;
}

/**
 * Writes the header of a frame whose body has `n` bytes into `buf` at `pos`;
 * the caller has made room for {@linkcode frameHeaderSize} bytes.
 *
 * @example
 * ```ts
 * import { writeFrameHeader } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * const buf = new Uint8Array(3);
 * assert.equal(writeFrameHeader(buf, 0, 300), 3);
 * assert.deepEqual(buf, new Uint8Array([2, 0x01, 0x2c]));
 * ```
 *
 * @param buf Destination.
 * @param pos Where the header starts.
 * @param n Body length, a non-negative safe integer.
 * @returns The position after the header.
 */
export function writeFrameHeader(
  buf: Uint8Array,
  pos: number,
  n: number,
): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`Invalid frame body length ${n}`);
  }
  const end = pos + frameHeaderSize(n);
  buf[pos] = end - pos - 1;
  let rest = n;
  for (let p = end - 1; p > pos; p--) {
    buf[p] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return end;
}

/**
 * Encodes a whole frame around `body`.
 *
 * @example
 * ```ts
 * import { encodeFrame } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   encodeFrame(new Uint8Array([7, 8])),
 *   new Uint8Array([1, 2, 7, 8]),
 * );
 * ```
 *
 * @param body The frame body.
 * @returns Header and body in one new buffer.
 */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(frameHeaderSize(body.length) + body.length);
  frame.set(body, writeFrameHeader(frame, 0, body.length));
  return frame;
}

/** Options of {@linkcode FrameParser}. */
export interface FrameParserOptions {
  /**
   * Largest body accepted, in bytes; a header announcing more is a
   * {@linkcode ProtocolError}, raised before anything of that size exists.
   *
   * @default {67108864}
   */
  maxMessageSize?: number;
}

const EMPTY = new Uint8Array(0);

const STATE_SIZE = 0; // expecting the L byte
const STATE_LENGTH = 1; // reading the L bytes of N
const STATE_BODY = 2; // collecting the N bytes of a body split across chunks

/**
 * Incremental frame parser: a state machine that accepts the stream in any
 * split. {@linkcode FrameParser.push} hands it a chunk;
 * {@linkcode FrameParser.next} returns the next whole body, or `undefined`
 * when the chunk is used up and more bytes are needed.
 *
 * A body that lies wholly inside the chunk is returned as a view of the
 * chunk, without copying; only a frame split across chunks is copied, into
 * a buffer of exactly its announced size. A returned body is valid until the
 * next call of `next` or `push` (the caller decodes it before asking for
 * more), and the chunk must stay unchanged until `next` has returned
 * `undefined`. Pulling rather than pushing bodies lets the caller stop in the
 * middle of a chunk, which is how a connection applies backpressure.
 *
 * @example Two frames, the second split across chunks
 * ```ts
 * import { FrameParser } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * const parser = new FrameParser();
 * parser.push(new Uint8Array([1, 1, 0xaa, 1, 2, 0xbb]));
 * assert.deepEqual(parser.next(), new Uint8Array([0xaa]));
 * assert.equal(parser.next(), undefined);
 * parser.push(new Uint8Array([0xcc]));
 * assert.deepEqual(parser.next(), new Uint8Array([0xbb, 0xcc]));
 * ```
 */
export class FrameParser {
  #max: number;
  #chunk: Uint8Array = EMPTY;
  #offset = 0;
  #state = STATE_SIZE;
  #lengthLeft = 0;
  #length = 0;
  #partial: Uint8Array = EMPTY;
  #reused: Uint8Array | undefined;
  #filled = 0;
  #error: ProtocolError | undefined;

  /**
   * Creates a parser at the start of a stream.
   *
   * @param options Size bound.
   */
  constructor(options: FrameParserOptions = {}) {
    const max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new RangeError(`Invalid maxMessageSize ${max}`);
    }
    this.#max = max;
  }

  /** Bytes holding the body found by the last successful `advance`. */
  body: Uint8Array = EMPTY;
  /** Start of that body in {@linkcode FrameParser.body}. */
  bodyStart = 0;
  /** End of that body in {@linkcode FrameParser.body}. */
  bodyEnd = 0;

  /** Bytes held of a frame that is not complete yet (header excluded). */
  get buffered(): number {
    return this.#state === STATE_BODY ? this.#filled : 0;
  }

  /** Whether the stream so far ends exactly at a frame boundary. */
  get atBoundary(): boolean {
    return this.#state === STATE_SIZE && this.#offset >= this.#chunk.length;
  }

  /**
   * Hands the parser the next chunk of the stream. The previous chunk must
   * be used up (`next` returned `undefined`).
   *
   * @param chunk Next bytes of the stream.
   */
  push(chunk: Uint8Array): void {
    if (this.#offset < this.#chunk.length) {
      throw new Error("FrameParser.push() before the previous chunk was used");
    }
    this.#chunk = chunk;
    this.#offset = 0;
  }

  /**
   * Returns the next whole body, or `undefined` when the current chunk is
   * used up. Throws {@linkcode ProtocolError} for a length-of-length of 0
   * or above {@linkcode MAX_LENGTH_BYTES}, or a body above the size bound;
   * after that every call throws the same error.
   *
   * @returns A body (valid until the next call), or `undefined`.
   */
  next(): Uint8Array | undefined {
    return this.advance()
      ? this.body.subarray(this.bodyStart, this.bodyEnd)
      : undefined;
  }

  /**
   * Like {@linkcode FrameParser.next}, but sets {@linkcode FrameParser.body},
   * {@linkcode FrameParser.bodyStart} and {@linkcode FrameParser.bodyEnd}
   * instead of making a view, so the read path allocates nothing per frame.
   *
   * @returns Whether a body is ready.
   */
  advance(): boolean {
    if (this.#error !== undefined) throw this.#error;
    const chunk = this.#chunk;
    const size = chunk.length;
    let p = this.#offset;
    if (this.#state === STATE_SIZE && p < size) {
      // Fast path: the whole frame is inside the chunk.
      const l = chunk[p];
      if (l >= 1 && l <= MAX_LENGTH_BYTES && p + 1 + l <= size) {
        let n = 0;
        for (let i = 1; i <= l; i++) n = n * 256 + chunk[p + i];
        const start = p + 1 + l;
        if (n <= this.#max && start + n <= size) {
          this.#offset = start + n;
          return this.#ready(chunk, start, start + n);
        }
      }
    }
    while (p < size) {
      switch (this.#state) {
        case STATE_SIZE: {
          const l = chunk[p++];
          if (l === 0) {
            this.#offset = p;
            this.#fail("frame length field of 0 bytes");
          }
          if (l > MAX_LENGTH_BYTES) {
            this.#offset = p;
            this.#fail(
              `frame length field of ${l} bytes (at most ${MAX_LENGTH_BYTES})`,
            );
          }
          this.#lengthLeft = l;
          this.#length = 0;
          this.#state = STATE_LENGTH;
          break;
        }
        case STATE_LENGTH: {
          let n = this.#length;
          let left = this.#lengthLeft;
          while (left > 0 && p < size) {
            n = n * 256 + chunk[p++];
            left -= 1;
          }
          this.#length = n;
          this.#lengthLeft = left;
          // The smallest length the remaining bytes can make, checked as
          // the bytes come, so a huge length fails as soon as it shows.
          const least = left > 0 ? n * 256 ** left : n;
          if (least > this.#max) {
            this.#offset = p;
            this.#fail(
              `frame body of ${
                left > 0 ? "at least " : ""
              }${least} bytes exceeds maxMessageSize ${this.#max}`,
            );
          }
          if (left > 0) break;
          if (size - p >= n) {
            this.#state = STATE_SIZE;
            this.#offset = p + n;
            return this.#ready(chunk, p, p + n);
          }
          this.#startPartial(n);
          break;
        }
        default: {
          const n = this.#length;
          const take = Math.min(n - this.#filled, size - p);
          this.#partial.set(chunk.subarray(p, p + take), this.#filled);
          this.#filled += take;
          p += take;
          if (this.#filled === n) {
            this.#state = STATE_SIZE;
            this.#offset = p;
            const body = this.#partial;
            // Not kept: a large body's buffer goes once the caller drops it.
            this.#partial = EMPTY;
            return this.#ready(body, 0, n);
          }
        }
      }
    }
    this.#offset = p;
    this.body = EMPTY;
    return false;
  }

  #ready(body: Uint8Array, start: number, end: number): true {
    this.body = body;
    this.bodyStart = start;
    this.bodyEnd = end;
    return true;
  }

  /**
   * Feeds a chunk and calls `onBody` for every body it completes.
   *
   * @example
   * ```ts
   * import { FrameParser } from "@hat/eventer/chatter";
   * import assert from "node:assert/strict";
   *
   * const bodies: number[][] = [];
   * const parser = new FrameParser();
   * for (const b of [1, 1, 9, 1, 0]) {
   *   parser.feed(new Uint8Array([b]), (body) => bodies.push([...body]));
   * }
   * assert.deepEqual(bodies, [[9], []]);
   * ```
   *
   * @param chunk Next bytes of the stream.
   * @param onBody Called with each body (valid only during the call).
   */
  feed(chunk: Uint8Array, onBody: (body: Uint8Array) => void): void {
    this.push(chunk);
    for (let body = this.next(); body !== undefined; body = this.next()) {
      onBody(body);
    }
  }

  #startPartial(n: number): void {
    if (n <= REUSED_PARTIAL_SIZE) {
      this.#reused ??= new Uint8Array(REUSED_PARTIAL_SIZE);
      this.#partial = this.#reused;
    } else {
      this.#partial = new Uint8Array(n);
    }
    this.#filled = 0;
    this.#state = STATE_BODY;
  }

  #fail(message: string): never {
    this.#error = new ProtocolError(message);
    this.#partial = EMPTY;
    throw this.#error;
  }
}
