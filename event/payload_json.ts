/**
 * The JSON text of a JSON payload, as it goes on the wire: one place for the
 * checks that the SBS conversions and the eventer's direct codec share.
 *
 * @module
 */

import { EventPayloadError } from "./errors.ts";
import { JsonTextPayload } from "./json_text_payload.ts";
import type { EventPayload } from "./types.ts";

/**
 * Gives the JSON text of a payload that must be `kind: "json"`.
 *
 * @param p The payload (a binary payload is the caller's to handle first).
 * @param t SBS type name, for errors.
 * @param path Path of the payload, for errors.
 * @returns `JSON.stringify` of the payload's data (a
 * {@linkcode JsonTextPayload}'s own text).
 * @throws {TypeError} When `kind` is neither "binary" nor "json".
 * @throws {EventPayloadError} When the data has no JSON text (a function,
 * `undefined`, a cycle, a bigint).
 *
 * @example
 * ```ts
 * import { jsonPayloadText } from "./payload_json.ts";
 * import assert from "node:assert/strict";
 *
 * const p = { kind: "json", data: { v: 1 } } as const;
 * assert.equal(jsonPayloadText(p, "HatEventer.EventPayload", "payload"), '{"v":1}');
 * ```
 */
export function jsonPayloadText(
  p: EventPayload,
  t: string,
  path: string,
): string {
  if (p.kind !== "json") {
    throw new TypeError(
      `Invalid event payload: kind must be "binary" or "json", got ${
        JSON.stringify((p as { kind?: unknown }).kind) ?? "nothing"
      }`,
    );
  }
  if (p instanceof JsonTextPayload) return p.text;
  let text: string | undefined;
  try {
    text = JSON.stringify(p.data);
  } catch (err) {
    throw new EventPayloadError(
      t,
      path,
      `cannot write the JSON payload: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (text === undefined) {
    throw new EventPayloadError(
      t,
      path,
      `cannot write ${typeof p.data} as a JSON payload`,
    );
  }
  return text;
}
