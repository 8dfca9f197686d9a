// The JSON payloads of a received batch of events, parsed with one
// JSON.parse call: each call costs a fixed ~300 ns on top of its text, so
// joining the (checked) texts as `[t1,t2,...]` and parsing once halves the
// cost of a batch of small payloads. Every text is first checked to be one
// JSON value on its own (`isJsonText`), so the joined parse gives exactly
// the values of the separate parses; anything else (an invalid text, a
// text the check doubts) falls back to one parse per text, in order, with
// the errors those give.

import { copyBytes } from "../codec/internal_mod.ts";
import { Reader } from "../codec/mod.ts";
import { isJsonText, parseJson } from "../event/internal_mod.ts";
import { EventPayloadError, type JsonValue } from "../event/mod.ts";

const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Fewer texts than this are parsed one by one (nothing to amortize).
const MIN_BATCH = 4;

// The joined texts are written into a reused buffer; one grown for a huge
// message is dropped after it, so it does not stay for the process's life.
const SCRATCH_SIZE = 16384;
const MAX_KEPT_SCRATCH = 1 << 20;
const MAX_KEPT_TEXTS = 1 << 16;

/** Texts recorded by {@linkcode JsonBatch.add}, then parsed together. */
export class JsonBatch {
  #bytes: Uint8Array = EMPTY;
  /** Per text: position of its String length prefix, start, end. */
  #pos: number[] = [];
  #count = 0;
  #scratch = new Uint8Array(SCRATCH_SIZE);

  /** Number of texts recorded since {@linkcode begin}. */
  get count(): number {
    return this.#count;
  }

  /** Starts a batch over the bytes the texts are in. */
  begin(bytes: Uint8Array): void {
    this.#bytes = bytes;
    this.#count = 0;
  }

  /**
   * Forgets the bytes of the batch (done with them), and a position list
   * grown for a huge message that was not parsed (it failed to decode).
   */
  end(): void {
    this.#bytes = EMPTY;
    this.#count = 0;
    if (this.#pos.length > 3 * MAX_KEPT_TEXTS) this.#pos = [];
  }

  /**
   * Records the String at `r.pos` (a JSON payload's text) and moves past
   * it; its value comes from {@linkcode parse}.
   */
  add(r: Reader, path: string): void {
    const at = r.pos;
    const n = r.length(path);
    const k = 3 * this.#count++;
    this.#pos[k] = at;
    this.#pos[k + 1] = r.pos;
    this.#pos[k + 2] = r.pos + n;
    r.pos += n;
  }

  /**
   * The values of the recorded texts, in order.
   *
   * @param t SBS type name, for errors.
   * @param path Path of the payloads, for errors.
   * @throws {SbsDecodeError} For a text that is not UTF-8.
   * @throws {EventPayloadError} For a text that is not JSON.
   */
  parse(t: string, path: string): JsonValue[] {
    const n = this.#count;
    const pos = this.#pos;
    if (pos.length > 3 * MAX_KEPT_TEXTS) this.#pos = [];
    const bytes = this.#bytes;
    let size = 2;
    let ok = n >= MIN_BATCH;
    for (let i = 0; ok && i < n; i++) {
      const start = pos[3 * i + 1];
      const end = pos[3 * i + 2];
      ok = isJsonText(bytes, start, end);
      size += end - start + 1;
    }
    if (ok) {
      const values = this.#parseJoined(size);
      if (values !== null && values.length === n) {
        this.#bytes = EMPTY;
        return values;
      }
    }
    const values: JsonValue[] = new Array(n);
    const r = new Reader(bytes);
    this.#bytes = EMPTY;
    for (let i = 0; i < n; i++) {
      r.pos = pos[3 * i];
      values[i] = parseText(r.string(path), t, path);
    }
    return values;
  }

  #parseJoined(size: number): JsonValue[] | null {
    const out = size > this.#scratch.length
      ? new Uint8Array(Math.max(size, 2 * this.#scratch.length))
      : this.#scratch;
    if (out.length <= MAX_KEPT_SCRATCH) this.#scratch = out;
    const bytes = this.#bytes;
    const pos = this.#pos;
    let p = 0;
    out[p++] = 0x5b; // [
    for (let i = 0; i < this.#count; i++) {
      if (i > 0) out[p++] = 0x2c; // ,
      const start = pos[3 * i + 1];
      const end = pos[3 * i + 2];
      p = copyBytes(bytes, start, end, out, p);
    }
    out[p++] = 0x5d; // ]
    try {
      return JSON.parse(utf8.decode(out.subarray(0, p)));
    } catch {
      return null;
    }
  }
}

/**
 * JSON.parse of one payload text (reading Python's NaN and Infinity too),
 * failing as a payload error.
 */
export function parseText(text: string, t: string, path: string): JsonValue {
  try {
    return parseJson(text);
  } catch (err) {
    throw new EventPayloadError(
      t,
      `${path}.json`,
      `invalid JSON text: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
