/**
 * The Wasm writer of `HatEventer.MsgRegisterReq`, for the client: its
 * caller hands over a request's strings and numbers in order (no event
 * objects: the codec knows none), the strings are joined into one text
 * that a single `TextEncoder` call puts into the core's memory, and one
 * call of the core (assembly/register.ts) writes the request, byte for
 * byte as the TypeScript writer does. Why it is faster for requests of
 * many short strings, and not for binary payloads: docs/wasm.md, "Data
 * flow in the client".
 *
 * @module
 */

import type { EventCore } from "./event_core.ts";
import { MAX_BLOCK } from "./_instance.ts";

const encoder = new TextEncoder();

/**
 * Stages one request, then writes it in the core. Calls follow the request
 * in order: `events(n)`, then per event `type(segments)` and a `string` per
 * segment, `timestamp` or `noTimestamp`, and `noPayload`, `json(text)` or
 * `binary(name, data)`. The instance is reused: {@linkcode RegisterWriter.write} ends
 * a request and {@linkcode RegisterWriter.events} begins the next.
 *
 * @example Write a request of one event
 * ```ts
 * import { EventCore } from "./event_core.ts";
 * import { RegisterWriter } from "./register.ts";
 * import assert from "node:assert/strict";
 *
 * const w = new RegisterWriter(new EventCore());
 * w.events(1);
 * w.type(1);
 * assert.equal(w.string("a"), true);
 * w.noTimestamp();
 * w.noPayload();
 * // MsgRegisterReq: one event of type ["a"], no source timestamp, no payload.
 * assert.deepEqual(
 *   w.write(),
 *   new Uint8Array([0x81, 0x81, 0x81, 0x61, 0x80, 0x80]),
 * );
 * ```
 */
export class RegisterWriter {
  #core: EventCore;
  #text = "";
  #numbers = new Float64Array(1024);
  #count = 0;
  #data: Uint8Array[] = [];
  #dataBytes = 0;

  /**
   * Makes a writer that writes in `core`.
   *
   * @param core The core (its memory is grown for a request, and given
   * back by its policy once the request is written).
   */
  constructor(core: EventCore) {
    this.#core = core;
  }

  /** UTF-16 units staged so far. */
  get textLength(): number {
    return this.#text.length;
  }

  #number(v: number): void {
    if (this.#count === this.#numbers.length) {
      const grown = new Float64Array(this.#count * 2);
      grown.set(this.#numbers);
      this.#numbers = grown;
    }
    this.#numbers[this.#count++] = v;
  }

  /**
   * Begins a request (forgetting anything staged before).
   *
   * @param n Its number of events.
   */
  events(n: number): void {
    this.#text = "";
    this.#count = 0;
    this.#data.length = 0;
    this.#dataBytes = 0;
    this.#number(n);
  }

  /**
   * Begins an event: its type of `segments` strings follows.
   *
   * @param segments The number of segments.
   */
  type(segments: number): void {
    this.#number(segments);
  }

  /**
   * Stages a string: a type segment, JSON text or binary type name.
   * Refuses, staging nothing, a string that ends with a high surrogate (a
   * pair must not straddle two strings; such a string is not well formed
   * anyway, and the TypeScript writer gives its error).
   *
   * @param s The string.
   * @returns Whether it was staged.
   */
  string(s: string): boolean {
    const n = s.length;
    if (n > 0) {
      const last = s.charCodeAt(n - 1);
      if (last >= 0xd800 && last <= 0xdbff) return false;
    }
    this.#text += s;
    this.#number(n);
    return true;
  }

  /** No source timestamp. */
  noTimestamp(): void {
    this.#number(0);
  }

  /**
   * A source timestamp.
   *
   * @param s Seconds, a safe integer.
   * @param us Microseconds, 0 to 999,999.
   */
  timestamp(s: number, us: number): void {
    this.#number(1);
    this.#number(s);
    this.#number(us);
  }

  /** No payload. */
  noPayload(): void {
    this.#number(0);
  }

  /**
   * A JSON payload.
   *
   * @param text Its JSON text.
   * @returns Whether it was staged (see {@linkcode RegisterWriter.string}).
   */
  json(text: string): boolean {
    this.#number(2);
    return this.string(text);
  }

  /**
   * A binary payload.
   *
   * @param name Its type name.
   * @param data Its data.
   * @returns Whether it was staged (see {@linkcode RegisterWriter.string}).
   */
  binary(name: string, data: Uint8Array): boolean {
    this.#number(1);
    if (!this.string(name)) return false;
    this.#number(data.length);
    this.#data.push(data);
    this.#dataBytes += data.length;
    return true;
  }

  /**
   * Writes the staged request in the core.
   *
   * @returns Its bytes (a buffer of their own), or `null` when a string
   * is not well formed or the core could not get memory: nothing was
   * written, and the TypeScript writer should write the request (and give
   * the error of a bad string).
   */
  write(): Uint8Array | null {
    const text = this.#text;
    if (!text.isWellFormed()) return null;
    const count = this.#count;
    const textMax = text.length * 3;
    // Numbers (8-aligned: the block is), text (16 bytes of it may be read
    // past its end), data, then the output: the text and data, an SBS
    // Integer or tag byte per number, 16 bytes that may be written past
    // its end.
    const size = count * 8 + 2 * (textMax + this.#dataBytes) + count * 10 +
      48;
    if (size > MAX_BLOCK) return null;
    const core = this.#core;
    try {
      const ex = core.exports();
      const block = ex.alloc(size);
      core.refresh();
      const numbersAt = block;
      const textAt = numbersAt + count * 8;
      const dataAt = textAt + textMax + 16;
      const outAt = dataAt + this.#dataBytes;
      core.f64.set(this.#numbers.subarray(0, count), numbersAt >> 3);
      const u8 = core.u8;
      const written = encoder.encodeInto(text, u8.subarray(textAt, dataAt))
        .written;
      let d = dataAt;
      for (const data of this.#data) {
        u8.set(data, d);
        d += data.length;
      }
      const n = ex.writeRegister(
        textAt,
        numbersAt,
        dataAt,
        outAt,
        written === text.length ? 1 : 0,
      );
      const bytes = core.u8.slice(outAt, outAt + n);
      ex.free(block);
      return bytes;
    } catch (e) {
      core.failed(e);
      return null;
    } finally {
      this.#text = "";
      this.#data.length = 0;
      core.release();
    }
  }
}
