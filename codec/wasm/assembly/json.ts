// The JSON text grammar of event payloads, byte for byte the verdict of
// event/_json_text.ts (isJsonText, and isPythonJsonText with Python's NaN,
// Infinity and -Infinity): JSON.parse's grammar on the fatal UTF-8 decoding
// of the bytes, without decoding, allocating per value or recursing. One
// byte per open container is kept in a stack that grows as needed (depth
// is unlimited, as in V8's JSON.parse) and is dropped after a deep text.

/** Result of jsonCheck: not one JSON text. */
export const JSON_INVALID: i32 = 0;
/** Result of jsonCheck: one JSON text that JSON.parse accepts. */
export const JSON_PLAIN: i32 = 1;
/** Result of jsonCheck: valid only with Python's non-finite tokens. */
export const JSON_PYTHON: i32 = 2;

// Byte classes inside a string (as STRING_CLASS of _json_text.ts).
const PLAIN: u8 = 0;
const QUOTE: u8 = 1;
const BACKSLASH: u8 = 2;
const BAD: u8 = 3;
const UTF8_2: u8 = 4; // C2..DF
const UTF8_E0: u8 = 5; // E0: second byte A0..BF
const UTF8_3: u8 = 6; // E1..EC, EE, EF
const UTF8_ED: u8 = 7; // ED: second byte 80..9F
const UTF8_F0: u8 = 8; // F0: second byte 90..BF
const UTF8_4: u8 = 9; // F1..F3
const UTF8_F4: u8 = 10; // F4: second byte 80..8F

// prettier-ignore
const STRING_CLASS: StaticArray<u8> = [
  3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
  3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
  3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
  3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
  3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
  3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
  5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 6, 6,
  8, 9, 9, 9, 10, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
];

const IN_ARRAY: u8 = 0;
const IN_OBJECT: u8 = 1;

// The container stack: grown on demand, dropped after a deep text.
const STACK_SMALL: usize = 256;
const STACK_KEEP: usize = 1 << 16;
let stack: usize = 0;
let stackCap: usize = 0;

// Whether the current check accepts Python's tokens, and used one.
let python = false;
let usedPython = false;

// @ts-ignore: decorator
@inline
function isWhitespace(c: u32): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

function skipWhitespace(p: usize, end: usize): usize {
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c > 0x20 || !isWhitespace(c)) return p;
    p++;
  }
  return p;
}

// From just after the opening quote to just after the closing one; 0 when
// invalid (inputs never start at address 0).
function scanString(p: usize, end: usize): usize {
  while (p < end) {
    // Eight bytes at a time up to the first that is not plain ASCII ('"',
    // '\\', < 0x20 or >= 0x80): the lowest flagged byte is always one of
    // those (a borrow only flags bytes above a flagged one).
    while (p + 8 <= end) {
      const w = load<u64>(p);
      const quote = w ^ 0x2222222222222222;
      const slash = w ^ 0x5c5c5c5c5c5c5c5c;
      const special = (((quote - 0x0101010101010101) & ~quote) |
        ((slash - 0x0101010101010101) & ~slash) |
        (w - 0x2020202020202020) | w) & 0x8080808080808080;
      if (special != 0) {
        p += <usize>(ctz<u64>(special) >>> 3);
        break;
      }
      p += 8;
    }
    if (p >= end) return 0;
    const k = unchecked(STRING_CLASS[load<u8>(p)]);
    if (k == PLAIN) {
      p++;
      continue;
    }
    if (k == QUOTE) return p + 1;
    if (k == BACKSLASH) {
      if (p + 1 >= end) return 0;
      const e = <u32>load<u8>(p + 1);
      if (
        e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 ||
        e == 0x6e || e == 0x72 || e == 0x74
      ) {
        p += 2;
        continue;
      }
      if (
        e == 0x75 && p + 5 < end && isHex(load<u8>(p + 2)) &&
        isHex(load<u8>(p + 3)) && isHex(load<u8>(p + 4)) &&
        isHex(load<u8>(p + 5))
      ) {
        p += 6;
        continue;
      }
      return 0;
    }
    if (k == UTF8_2) {
      if (p + 1 >= end || (load<u8>(p + 1) & 0xc0) != 0x80) return 0;
      p += 2;
      continue;
    }
    if (k == UTF8_E0 || k == UTF8_3 || k == UTF8_ED) {
      if (p + 2 >= end || (load<u8>(p + 2) & 0xc0) != 0x80) return 0;
      const c1 = <u32>load<u8>(p + 1);
      const lo: u32 = k == UTF8_E0 ? 0xa0 : 0x80;
      const hi: u32 = k == UTF8_ED ? 0x9f : 0xbf;
      if (c1 < lo || c1 > hi) return 0;
      p += 3;
      continue;
    }
    if (k == UTF8_F0 || k == UTF8_4 || k == UTF8_F4) {
      if (
        p + 3 >= end || (load<u8>(p + 2) & 0xc0) != 0x80 ||
        (load<u8>(p + 3) & 0xc0) != 0x80
      ) {
        return 0;
      }
      const c1 = <u32>load<u8>(p + 1);
      const lo: u32 = k == UTF8_F0 ? 0x90 : 0x80;
      const hi: u32 = k == UTF8_F4 ? 0x8f : 0xbf;
      if (c1 < lo || c1 > hi) return 0;
      p += 4;
      continue;
    }
    return 0;
  }
  return 0;
}

// @ts-ignore: decorator
@inline
function isHex(c: u32): bool {
  return (c - 0x30 < 10) || ((c | 0x20) - 0x61 < 6);
}

// @ts-ignore: decorator
@inline
function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

// From the sign or first digit to just after the number; 0 when invalid.
function scanNumber(p: usize, end: usize): usize {
  if (load<u8>(p) == 0x2d) {
    p++;
    if (p >= end) return 0;
  }
  const c = <u32>load<u8>(p);
  if (c == 0x30) p++;
  else if (c >= 0x31 && c <= 0x39) {
    p++;
    while (p < end && isDigit(load<u8>(p))) p++;
  } else return 0;
  if (p < end && load<u8>(p) == 0x2e) {
    const digits = ++p;
    while (p < end && isDigit(load<u8>(p))) p++;
    if (p == digits) return 0;
  }
  if (p < end && (load<u8>(p) | 0x20) == 0x65) {
    p++;
    if (p < end && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) p++;
    const digits = p;
    while (p < end && isDigit(load<u8>(p))) p++;
    if (p == digits) return 0;
  }
  return p;
}

// `NaN`, `Infinity` or `-Infinity` at p (Python only): the position after
// it, or 0.
function scanNonFinite(p: usize, end: usize): usize {
  if (!python) return 0;
  if (load<u8>(p) == 0x4e) {
    if (p + 2 < end && load<u8>(p + 1) == 0x61 && load<u8>(p + 2) == 0x4e) {
      usedPython = true;
      return p + 3;
    }
    return 0;
  }
  if (load<u8>(p) == 0x2d) p++;
  if (p + 7 >= end) return 0;
  // "Infinity" as one little-endian word.
  if (load<u64>(p) != 0x7974696e69666e49) return 0;
  usedPython = true;
  return p + 8;
}

// From just after a key's opening quote to the start of its value (after
// the colon and whitespace); 0 when invalid.
function scanKey(p: usize, end: usize): usize {
  p = scanString(p, end);
  if (p == 0) return 0;
  p = skipWhitespace(p, end);
  if (p >= end || load<u8>(p) != 0x3a) return 0;
  return skipWhitespace(p + 1, end);
}

function push(depth: usize, kind: u8): void {
  if (depth == stackCap) {
    const cap = stackCap == 0 ? STACK_SMALL : stackCap << 1;
    stack = stack == 0 ? heap.alloc(cap) : heap.realloc(stack, cap);
    stackCap = cap;
  }
  store<u8>(stack + depth, kind);
}

function scan(p: usize, end: usize): bool {
  let depth: usize = 0;
  let top = IN_ARRAY;
  p = skipWhitespace(p, end);
  for (;;) {
    // A value starts at p.
    if (p >= end) return false;
    let c = <u32>load<u8>(p);
    if (c == 0x7b) { // {
      p = skipWhitespace(p + 1, end);
      if (p >= end) return false;
      c = load<u8>(p);
      if (c == 0x7d) {
        p++;
      } else {
        if (c != 0x22) return false;
        top = IN_OBJECT;
        push(depth++, top);
        p = scanKey(p + 1, end);
        if (p == 0) return false;
        continue;
      }
    } else if (c == 0x5b) { // [
      p = skipWhitespace(p + 1, end);
      if (p < end && load<u8>(p) == 0x5d) {
        p++;
      } else {
        top = IN_ARRAY;
        push(depth++, top);
        continue;
      }
    } else if (c == 0x22) {
      p = scanString(p + 1, end);
      if (p == 0) return false;
    } else if (c == 0x74) { // true
      if (p + 3 < end && load<u32>(p) == 0x65757274) p += 4;
      else return false;
    } else if (c == 0x66) { // false
      if (
        p + 4 < end && load<u32>(p + 1) == 0x65736c61
      ) p += 5;
      else return false;
    } else if (c == 0x6e) { // null
      if (p + 3 < end && load<u32>(p) == 0x6c6c756e) p += 4;
      else return false;
    } else if (c == 0x4e || c == 0x49) { // NaN, Infinity (Python)
      p = scanNonFinite(p, end);
      if (p == 0) return false;
    } else if (c == 0x2d) {
      // -Infinity (Python), else a negative number.
      p = python && p + 1 < end && load<u8>(p + 1) == 0x49
        ? scanNonFinite(p, end)
        : scanNumber(p, end);
      if (p == 0) return false;
    } else if (isDigit(c)) {
      p = scanNumber(p, end);
      if (p == 0) return false;
    } else {
      return false;
    }
    // A value ended: close containers until a comma asks for the next.
    for (;;) {
      if (depth == 0) return skipWhitespace(p, end) == end;
      if (p >= end) return false;
      c = load<u8>(p);
      if (c <= 0x20) {
        p = skipWhitespace(p, end);
        if (p >= end) return false;
        c = load<u8>(p);
      }
      if (c == 0x2c) { // ,
        p = skipWhitespace(p + 1, end);
        if (top == IN_OBJECT) {
          if (p >= end || load<u8>(p) != 0x22) return false;
          p = scanKey(p + 1, end);
          if (p == 0) return false;
        }
        break;
      }
      if (c != (top == IN_OBJECT ? 0x7d : 0x5d)) return false;
      depth--;
      p++;
      if (depth > 0) top = load<u8>(stack + depth - 1);
    }
  }
  return false; // not reached
}

/**
 * Checks that [p, end) is one JSON text in well-formed UTF-8: JSON_PLAIN
 * for a text JSON.parse accepts, JSON_PYTHON for one that needs Python's
 * NaN/Infinity tokens (only with `allowPython`), JSON_INVALID otherwise.
 * Bytes up to 8 past `end` may be read (inputs are padded).
 */
export function jsonCheck(p: usize, end: usize, allowPython: bool): i32 {
  python = allowPython;
  usedPython = false;
  const ok = scan(p, end);
  if (stackCap > STACK_KEEP) {
    heap.free(stack);
    stack = 0;
    stackCap = 0;
  }
  if (!ok) return JSON_INVALID;
  return usedPython ? JSON_PYTHON : JSON_PLAIN;
}
