/**
 * A JSON payload kept as its UTF-8 text: checked once, parsed only when
 * `data` is first read, and written to the wire (or to storage) as the
 * very bytes it came from, without `JSON.stringify`.
 *
 * @module
 */

import { copyBytes } from "../codec/internal_mod.ts";
import { isPythonJsonText } from "./_json_text.ts";
import { parseJson } from "./_python_json.ts";
import { EventPayloadError } from "./errors.ts";
import type { EventPayloadJson, JsonValue } from "./types.ts";

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const encoder = new TextEncoder();
const NOT_PARSED: unique symbol = Symbol("not parsed");

/**
 * A JSON payload (`kind: "json"`) that holds JSON text rather than a parsed
 * value. It is an {@linkcode EventPayloadJson}: reading `data` parses the
 * text once (later reads give the same value). Encoders of this library
 * copy its bytes as they are, so a server that forwards or stores payloads
 * never parses or serializes them, and text such as `1e400` or
 * `{"a":1,"a":2}` is kept exactly. The text is JSON as Python's `json`
 * module writes and reads it (how Python eventer clients encode payloads):
 * RFC 8259, plus `NaN`, `Infinity` and `-Infinity` for non-finite numbers,
 * which `data` gives as the numbers NaN and ±Infinity.
 *
 * Bytes given to the constructor are not copied: they must not change
 * while the payload is in use.
 *
 * @example
 * ```ts
 * import { JsonTextPayload } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * const p = new JsonTextPayload('{"value": 1e400}');
 * assert.equal(p.kind, "json");
 * assert.equal(p.text, '{"value": 1e400}');
 * assert.deepEqual(p.data, { value: Infinity });
 * assert.throws(() => new JsonTextPayload("{oops}"), /invalid JSON text/);
 * assert.deepEqual(new JsonTextPayload("[NaN, -Infinity]").data, [NaN, -Infinity]);
 * ```
 */
export class JsonTextPayload implements EventPayloadJson {
  /** Discriminant, as for every JSON payload. */
  readonly kind: "json" = "json";
  #bytes: Uint8Array | null;
  #start: number;
  #end: number;
  #text: string | null;
  #data: JsonValue | typeof NOT_PARSED = NOT_PARSED;

  /**
   * Makes a payload of JSON text, after checking that it is one JSON value
   * in well-formed UTF-8 (what `JSON.parse` accepts, and Python's `NaN`,
   * `Infinity` and `-Infinity`).
   *
   * @param text The text, or its UTF-8 bytes (not copied).
   * @param start Where the text starts in `text` when it is bytes.
   * @param end Where the text ends in `text` when it is bytes.
   * @throws {EventPayloadError} When the text is not valid JSON.
   * @throws {RangeError} When `start`/`end` are outside the bytes.
   */
  constructor(text: string | Uint8Array, start = 0, end?: number) {
    if (typeof text === "string") {
      if (!text.isWellFormed()) {
        throw new EventPayloadError(
          "JSON",
          "text",
          "invalid JSON text: holds a lone surrogate",
        );
      }
      const bytes = encoder.encode(text);
      check(bytes, 0, bytes.length);
      this.#bytes = bytes;
      this.#start = 0;
      this.#end = bytes.length;
      this.#text = text;
      return;
    }
    if (!(text instanceof Uint8Array)) {
      throw new TypeError(
        `Invalid JSON text: expected a string or a Uint8Array, got ${
          text === null ? "null" : typeof text
        }`,
      );
    }
    const stop = end ?? text.length;
    if (
      !Number.isInteger(start) || !Number.isInteger(stop) || start < 0 ||
      stop < start || stop > text.length
    ) {
      throw new RangeError(
        `Invalid JSON text range ${start}..${stop} of ${text.length} bytes`,
      );
    }
    if (!checked) check(text, start, stop);
    this.#bytes = text;
    this.#start = start;
    this.#end = stop;
    this.#text = null;
  }

  /** The parsed value (parsed on first read). */
  get data(): JsonValue {
    if (this.#data === NOT_PARSED) this.#data = parseJson(this.text);
    return this.#data as JsonValue;
  }

  /** The JSON text. */
  get text(): string {
    return this.#text ??= utf8.decode(
      this.#bytes!.subarray(this.#start, this.#end),
    );
  }

  /** Length of the UTF-8 text in bytes. */
  get byteLength(): number {
    return this.#end - this.#start;
  }

  /** The UTF-8 text: a view, not to be modified. */
  get bytes(): Uint8Array {
    return this.#bytes!.subarray(this.#start, this.#end);
  }

  /**
   * Copies the UTF-8 text into `target` at `offset`.
   *
   * @param target Where to copy.
   * @param offset Index in `target`.
   * @returns The number of bytes copied ({@linkcode byteLength}).
   * @throws {RangeError} When `target` has no room for them.
   */
  copyTo(target: Uint8Array, offset: number): number {
    const src = this.#bytes!;
    const from = this.#start;
    const n = this.#end - from;
    if (offset < 0 || offset + n > target.length) {
      throw new RangeError(
        `No room for ${n} bytes at ${offset} of ${target.length}`,
      );
    }
    copyBytes(src, from, from + n, target, offset);
    return n;
  }

  /** The plain form `{ kind: "json", data }`, for `JSON.stringify`. */
  toJSON(): { kind: "json"; data: JsonValue } {
    return { kind: "json", data: this.data };
  }
}

// Set for one construction by checkedJsonText: the text was checked.
let checked = false;

/**
 * A {@linkcode JsonTextPayload} over bytes already found to be one JSON
 * text of Python's dialect (by the WebAssembly core's scan, which applies
 * the grammar of `isPythonJsonText`): not checked again.
 *
 * @param bytes The buffer holding the text (not copied).
 * @param start Where the text starts.
 * @param end Where the text ends.
 * @returns The payload.
 *
 * @example
 * ```ts
 * import { checkedJsonText } from "./json_text_payload.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode('x{"a": NaN}');
 * assert.equal(checkedJsonText(bytes, 1, bytes.length).text, '{"a": NaN}');
 * ```
 */
export function checkedJsonText(
  bytes: Uint8Array,
  start: number,
  end: number,
): JsonTextPayload {
  checked = true;
  try {
    return new JsonTextPayload(bytes, start, end);
  } finally {
    checked = false;
  }
}

function check(bytes: Uint8Array, start: number, end: number): void {
  if (isPythonJsonText(bytes, start, end)) return;
  let problem = "not one JSON value";
  let cause: unknown;
  try {
    parseJson(
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
        bytes.subarray(start, end),
      ),
    );
    // The parse is the authority: the byte check only saves its cost.
    return;
  } catch (err) {
    problem = (err as Error).message;
    cause = err;
  }
  throw new EventPayloadError("JSON", "text", `invalid JSON text: ${problem}`, {
    cause,
  });
}
