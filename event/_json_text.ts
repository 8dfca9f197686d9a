/**
 * A byte-level JSON text validator that gives the verdict of `JSON.parse` on
 * the fatal UTF-8 decoding of the bytes, without decoding, allocating or
 * recursing: the server keeps the received bytes of JSON payloads it only
 * forwards and stores, and still refuses exactly what `JSON.parse` refuses.
 *
 * @module
 */

// Byte classes inside a string. Everything at or above UTF8_2 starts a
// multi-byte sequence whose continuation bytes are checked as the fatal
// TextDecoder checks them (WHATWG UTF-8 decoder): no overlongs (C0, C1, E0
// 80..9F, F0 80..8F), no surrogates (ED A0..BF), nothing above U+10FFFF
// (F4 90..BF, F5..FF), no truncation, no stray continuation (80..BF).
const PLAIN = 0;
const QUOTE = 1;
const BACKSLASH = 2;
const BAD = 3;
const UTF8_2 = 4; // C2..DF
const UTF8_E0 = 5; // E0: second byte A0..BF
const UTF8_3 = 6; // E1..EC, EE, EF
const UTF8_ED = 7; // ED: second byte 80..9F
const UTF8_F0 = 8; // F0: second byte 90..BF
const UTF8_4 = 9; // F1..F3
const UTF8_F4 = 10; // F4: second byte 80..8F

const STRING_CLASS = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_CLASS[c] = BAD;
STRING_CLASS[0x22] = QUOTE;
STRING_CLASS[0x5c] = BACKSLASH;
for (let c = 0x80; c < 0x100; c++) STRING_CLASS[c] = BAD;
for (let c = 0xc2; c <= 0xdf; c++) STRING_CLASS[c] = UTF8_2;
STRING_CLASS[0xe0] = UTF8_E0;
for (let c = 0xe1; c <= 0xef; c++) STRING_CLASS[c] = UTF8_3;
STRING_CLASS[0xed] = UTF8_ED;
STRING_CLASS[0xf0] = UTF8_F0;
for (let c = 0xf1; c <= 0xf3; c++) STRING_CLASS[c] = UTF8_4;
STRING_CLASS[0xf4] = UTF8_F4;

// After a backslash: 1 for a one-character escape, 2 for `u`.
const ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPE[c.charCodeAt(0)] = 1;
ESCAPE[0x75] = 2;

const HEX = new Uint8Array(256);
for (const c of "0123456789abcdefABCDEF") HEX[c.charCodeAt(0)] = 1;

const IN_ARRAY = 0;
const IN_OBJECT = 1;

// One byte per open container, reused by every call (the validator calls
// nothing that could re-enter it). Grown on demand; a stack grown by an
// unusually deep text is dropped after that call.
const STACK_KEEP = 1 << 16;
let stack = new Uint8Array(256);

/**
 * Tells whether `bytes[start, end)` is one JSON text that `JSON.parse`
 * accepts, in well-formed UTF-8: the same verdict as
 * `JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
 * .decode(bytes.subarray(start, end)))` not throwing.
 *
 * The grammar is RFC 8259 as ECMAScript's `JSON.parse` reads it: whitespace
 * is only space, tab, LF and CR (a BOM is refused); numbers such as `1e400`
 * are accepted (they parse to `Infinity`); escapes of lone surrogates such
 * as `\ud800` are accepted; non-ASCII bytes are allowed only inside strings.
 * Nesting depth is unlimited, as in V8's iterative `JSON.parse` (which
 * accepts ten million nested arrays): the validator keeps one byte per open
 * container in a reusable stack and never recurses. The one known
 * difference: a valid text too long for a JavaScript string (V8: about 2^29
 * UTF-16 units) is accepted here, where decoding it would throw.
 *
 * @param bytes The buffer holding the text.
 * @param start Index of the first byte of the text.
 * @param end Index one past the last byte of the text.
 * @returns `true` when the bytes are one valid JSON text.
 * @throws {RangeError} When `start`/`end` are not integers with
 * `0 <= start <= end <= bytes.length`.
 *
 * @example
 * ```ts
 * import { isJsonText } from "./_json_text.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode('xx{"value":1.5,"q":"good"}yy');
 * assert.equal(isJsonText(bytes, 2, bytes.length - 2), true);
 * assert.equal(isJsonText(bytes, 0, bytes.length), false);
 * assert.equal(isJsonText(new Uint8Array([0x22, 0xc0, 0x80, 0x22]), 0, 4), false);
 * ```
 */
export function isJsonText(
  bytes: Uint8Array,
  start: number,
  end: number,
): boolean {
  if (
    (start >>> 0) !== start || (end >>> 0) !== end || start > end ||
    end > bytes.length
  ) {
    throw new RangeError(
      `Invalid JSON text range [${start}, ${end}) of ${bytes.length} bytes`,
    );
  }
  const ok = scan(bytes, start, end);
  if (stack.length > STACK_KEEP) stack = new Uint8Array(256);
  return ok;
}

/**
 * Like {@linkcode isJsonText}, also accepting Python's `NaN`, `Infinity`
 * and `-Infinity` as values (what `json.dumps` writes for non-finite
 * floats, and `json.loads` reads; see `_python_json.ts`).
 *
 * @param bytes The buffer holding the text.
 * @param start Index of the first byte of the text.
 * @param end Index one past the last byte of the text.
 * @returns `true` when the bytes are one JSON text of Python's dialect.
 * @throws {RangeError} When `start`/`end` are not a range of `bytes`.
 *
 * @example
 * ```ts
 * import { isJsonText, isPythonJsonText } from "./_json_text.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode('[NaN, -Infinity, "NaN"]');
 * assert.equal(isJsonText(bytes, 0, bytes.length), false);
 * assert.equal(isPythonJsonText(bytes, 0, bytes.length), true);
 * ```
 */
export function isPythonJsonText(
  bytes: Uint8Array,
  start: number,
  end: number,
): boolean {
  python = true;
  try {
    return isJsonText(bytes, start, end);
  } finally {
    python = false;
  }
}

// Whether scan() takes Python's non-finite tokens (set for one call).
let python = false;

// `NaN`, `Infinity` or `-Infinity` at i: the index after it, or -1.
function scanNonFinite(b: Uint8Array, i: number, end: number): number {
  if (!python) return -1;
  if (b[i] === 0x4e) {
    return i + 2 < end && b[i + 1] === 0x61 && b[i + 2] === 0x4e ? i + 3 : -1;
  }
  if (b[i] === 0x2d) i++;
  if (i + 7 >= end) return -1;
  for (let k = 0; k < 8; k++) {
    if (b[i + k] !== INFINITY[k]) return -1;
  }
  return i + 8;
}

const INFINITY = [0x49, 0x6e, 0x66, 0x69, 0x6e, 0x69, 0x74, 0x79];

function scan(b: Uint8Array, i: number, end: number): boolean {
  let depth = 0;
  let top = IN_ARRAY;
  let c = 0;
  i = skipWhitespace(b, i, end);
  value: for (;;) {
    if (i >= end) return false;
    c = b[i];
    switch (c) {
      case 0x7b: // {
        i = skipWhitespace(b, i + 1, end);
        if (i >= end) return false;
        c = b[i];
        if (c === 0x7d) {
          i++;
          break;
        }
        if (c !== 0x22) return false;
        if (depth === stack.length) grow();
        stack[depth++] = top = IN_OBJECT;
        i = scanKey(b, i + 1, end);
        if (i < 0) return false;
        continue value;
      case 0x5b: // [
        i = skipWhitespace(b, i + 1, end);
        if (i < end && b[i] === 0x5d) {
          i++;
          break;
        }
        if (depth === stack.length) grow();
        stack[depth++] = top = IN_ARRAY;
        continue value;
      case 0x22: // "
        i = scanString(b, i + 1, end);
        if (i < 0) return false;
        break;
      case 0x74: // true
        if (
          i + 3 < end && b[i + 1] === 0x72 && b[i + 2] === 0x75 &&
          b[i + 3] === 0x65
        ) {
          i += 4;
          break;
        }
        return false;
      case 0x66: // false
        if (
          i + 4 < end && b[i + 1] === 0x61 && b[i + 2] === 0x6c &&
          b[i + 3] === 0x73 && b[i + 4] === 0x65
        ) {
          i += 5;
          break;
        }
        return false;
      case 0x6e: // null
        if (
          i + 3 < end && b[i + 1] === 0x75 && b[i + 2] === 0x6c &&
          b[i + 3] === 0x6c
        ) {
          i += 4;
          break;
        }
        return false;
      case 0x4e: // NaN (Python)
      case 0x49: // Infinity (Python)
        i = scanNonFinite(b, i, end);
        if (i < 0) return false;
        break;
      case 0x2d:
        // -Infinity (Python), else a negative number.
        i = python && i + 1 < end && b[i + 1] === 0x49
          ? scanNonFinite(b, i, end)
          : scanNumber(b, i, end);
        if (i < 0) return false;
        break;
      case 0x30:
      case 0x31:
      case 0x32:
      case 0x33:
      case 0x34:
      case 0x35:
      case 0x36:
      case 0x37:
      case 0x38:
      case 0x39:
        i = scanNumber(b, i, end);
        if (i < 0) return false;
        break;
      default:
        return false;
    }
    // A value ended: close containers until a comma asks for the next value.
    for (;;) {
      if (depth === 0) return skipWhitespace(b, i, end) === end;
      if (i >= end) return false;
      c = b[i];
      if (c <= 0x20) {
        i = skipWhitespace(b, i, end);
        if (i >= end) return false;
        c = b[i];
      }
      if (c === 0x2c) { // ,
        i = skipWhitespace(b, i + 1, end);
        if (top === IN_OBJECT) {
          if (i >= end || b[i] !== 0x22) return false;
          i = scanKey(b, i + 1, end);
          if (i < 0) return false;
        }
        continue value;
      }
      if (c !== (top === IN_OBJECT ? 0x7d : 0x5d)) return false;
      depth--;
      i++;
      if (depth > 0) top = stack[depth - 1];
    }
  }
}

function grow(): void {
  const next = new Uint8Array(stack.length * 2);
  next.set(stack);
  stack = next;
}

function skipWhitespace(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i];
    if (c > 0x20 || (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09)) {
      return i;
    }
    i++;
  }
  return i;
}

// From just after a key's opening quote to the start of its value (after the
// colon and whitespace); -1 when invalid.
function scanKey(b: Uint8Array, i: number, end: number): number {
  i = scanString(b, i, end);
  if (i < 0) return -1;
  i = skipWhitespace(b, i, end);
  if (i >= end || b[i] !== 0x3a) return -1;
  return skipWhitespace(b, i + 1, end);
}

// From just after the opening quote to just after the closing one; -1 when
// invalid.
function scanString(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const k = STRING_CLASS[b[i]];
    if (k === PLAIN) {
      i++;
      continue;
    }
    if (k === QUOTE) return i + 1;
    if (k === BACKSLASH) {
      if (i + 1 >= end) return -1;
      const e = ESCAPE[b[i + 1]];
      if (e === 1) {
        i += 2;
        continue;
      }
      if (
        e === 2 && i + 5 < end &&
        (HEX[b[i + 2]] & HEX[b[i + 3]] & HEX[b[i + 4]] & HEX[b[i + 5]]) === 1
      ) {
        i += 6;
        continue;
      }
      return -1;
    }
    switch (k) {
      case UTF8_2:
        if (i + 1 >= end || (b[i + 1] & 0xc0) !== 0x80) return -1;
        i += 2;
        continue;
      case UTF8_E0:
      case UTF8_3:
      case UTF8_ED: {
        if (i + 2 >= end || (b[i + 2] & 0xc0) !== 0x80) return -1;
        const c1 = b[i + 1];
        const lo = k === UTF8_E0 ? 0xa0 : 0x80;
        const hi = k === UTF8_ED ? 0x9f : 0xbf;
        if (c1 < lo || c1 > hi) return -1;
        i += 3;
        continue;
      }
      case UTF8_F0:
      case UTF8_4:
      case UTF8_F4: {
        if (
          i + 3 >= end || (b[i + 2] & 0xc0) !== 0x80 ||
          (b[i + 3] & 0xc0) !== 0x80
        ) {
          return -1;
        }
        const c1 = b[i + 1];
        const lo = k === UTF8_F0 ? 0x90 : 0x80;
        const hi = k === UTF8_F4 ? 0x8f : 0xbf;
        if (c1 < lo || c1 > hi) return -1;
        i += 4;
        continue;
      }
      default:
        return -1;
    }
  }
  return -1;
}

// From the sign or first digit to just after the number; -1 when invalid.
function scanNumber(b: Uint8Array, i: number, end: number): number {
  if (b[i] === 0x2d) {
    i++;
    if (i >= end) return -1;
  }
  const c = b[i];
  if (c === 0x30) i++;
  else if (c >= 0x31 && c <= 0x39) {
    i++;
    while (i < end && ((b[i] - 0x30) >>> 0) < 10) i++;
  } else return -1;
  if (i < end && b[i] === 0x2e) {
    const digits = ++i;
    while (i < end && ((b[i] - 0x30) >>> 0) < 10) i++;
    if (i === digits) return -1;
  }
  if (i < end && (b[i] | 0x20) === 0x65) {
    i++;
    if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    const digits = i;
    while (i < end && ((b[i] - 0x30) >>> 0) < 10) i++;
    if (i === digits) return -1;
  }
  return i;
}
