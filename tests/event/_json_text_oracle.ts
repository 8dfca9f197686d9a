// The oracle isJsonText is tested against: JSON.parse of the fatal UTF-8
// decoding, with helpers to check agreement on a text alone and embedded.

import { isJsonText } from "../../event/_json_text.ts";
import assert from "node:assert/strict";

export const decoder = new TextDecoder("utf-8", {
  fatal: true,
  ignoreBOM: true,
});
export const encoder = new TextEncoder();

export function oracle(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (err) {
    if (err instanceof TypeError) return false;
    throw err;
  }
  try {
    JSON.parse(text);
    return true;
  } catch (err) {
    if (err instanceof SyntaxError) return false;
    throw err;
  }
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

export function bytesOf(x: string | number[]): Uint8Array {
  return typeof x === "string" ? encoder.encode(x) : new Uint8Array(x);
}

// Agreement of the validator with the oracle, with the text alone and
// embedded in junk (so that start/end are honoured, not bytes.length).
export function checkAgrees(bytes: Uint8Array): boolean {
  const expected = oracle(bytes);
  const got = isJsonText(bytes, 0, bytes.length);
  if (got !== expected) {
    assert.fail(
      `isJsonText says ${got}, JSON.parse says ${expected}: ${hex(bytes)}`,
    );
  }
  const framed = new Uint8Array(bytes.length + 4);
  framed.set([0x5b, 0x22, 0x31], 0); // `["1` before
  framed.set(bytes, 3);
  framed[bytes.length + 3] = 0x5d; // `]` after
  assert.equal(
    isJsonText(framed, 3, bytes.length + 3),
    expected,
    `embedded: ${hex(bytes)}`,
  );
  return expected;
}
