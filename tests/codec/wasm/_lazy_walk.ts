// Builds a whole value from lazy views by walking them (at/get/value), and
// checks their raw bytes fit together, so that tests exercise the views'
// navigation and not only their toValue().

import assert from "node:assert/strict";
import {
  LazyArray,
  LazyChoice,
  LazyRecord,
  type LazyValue,
  type SbsValue,
} from "../../../codec/mod.ts";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// The bytes of the Integer that starts `bytes` (a count or an index).
function integerPrefix(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while ((bytes[i] & 0x80) === 0) i++;
  return bytes.subarray(0, i + 1);
}

/**
 * The value of a lazy value, built by walking its views; asserts on the way
 * that each composite's encoded bytes are its parts' raw bytes.
 */
export function walkLazy(v: LazyValue): SbsValue {
  if (v instanceof LazyRecord) {
    const out: Record<string, SbsValue> = {};
    const parts: Uint8Array[] = [];
    for (const name of v.names) {
      out[name] = walkLazy(v.get(name));
      assert.deepStrictEqual(v.value(name), out[name]);
      parts.push(v.raw(name));
    }
    assert.deepStrictEqual(concat(parts), v.encoded);
    return out;
  }
  if (v instanceof LazyArray) {
    const out: SbsValue[] = [];
    const parts = [integerPrefix(v.encoded)];
    for (let i = 0; i < v.length; i++) {
      out.push(walkLazy(v.at(i)));
      assert.deepStrictEqual(v.value(i), out[i]);
      parts.push(v.raw(i));
    }
    assert.deepStrictEqual(concat(parts), v.encoded);
    return out;
  }
  if (v instanceof LazyChoice) {
    const value = walkLazy(v.value);
    const enc = v.encoded;
    assert.deepStrictEqual(concat([integerPrefix(enc), v.raw()]), enc);
    return [v.name, value];
  }
  if (v instanceof Uint8Array) return v.slice();
  return v;
}
