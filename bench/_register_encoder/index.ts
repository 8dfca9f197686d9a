// A prototype Wasm encoder of HatEventer.MsgRegisterReq, for the benchmark
// only (bench/_wasm_register_encoder.ts compiles it; bench/README.md, "Client
// decode and register encode", has what it showed). JavaScript stages the
// request into this module's memory: its strings as UTF-8 (`encode8`) or as
// UTF-16 units that the module transcodes (`encode16`), the binary data,
// and numbers (f64) that give the structure:
//
//   count; per event: segments, the end of each segment's string;
//   0 | 1, s, us (source timestamp); then 0 (no payload) |
//   2, end of the JSON text | 1, end of the type name, data length
//
// String ends are offsets from the start of the strings, in bytes (UTF-8)
// or in units (UTF-16); binary data follows its type name, padded to a unit.
// No value is checked here: the staging has done what checks there are.

/** Bytes of the SBS Integer `v`. */
// @ts-ignore: decorator
@inline
function integerSize(v: i64): usize {
  const m = v < 0 ? ~v : v;
  return (<usize>(64 - clz<u64>(<u64>m)) + 7) / 7;
}

/** Writes the SBS Integer `v` at p; returns the position after it. */
// @ts-ignore: decorator
@inline
function writeInteger(p: usize, v: i64): usize {
  if (v >= -0x40 && v < 0x40) {
    store<u8>(p, 0x80 | (<u32>v & 0x7f));
    return p + 1;
  }
  const n = integerSize(v);
  let q = p + n - 1;
  store<u8>(q, 0x80 | (<u32>v & 0x7f));
  v >>= 7;
  while (q > p) {
    q--;
    store<u8>(q, <u32>v & 0x7f);
    v >>= 7;
  }
  return p + n;
}

/** Allocates `size` bytes. */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

// @ts-ignore: decorator
@inline
function string8(p: usize, s: usize, from: usize, to: usize): usize {
  const len = to - from;
  p = writeInteger(p, <i64>len);
  memory.copy(p, s + from, len);
  return p + len;
}

/** Bytes of the UTF-8 form of the UTF-16 units at s, from..to. */
// @ts-ignore: decorator
@inline
function utf8Length(s: usize, from: usize, to: usize): usize {
  let n: usize = 0;
  for (let i = from; i < to; i++) {
    const c = <u32>load<u16>(s + (i << 1));
    // A surrogate pair gives 4 bytes: 2 for each of its halves.
    n += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
  }
  return n;
}

// @ts-ignore: decorator
@inline
function string16(p: usize, s: usize, from: usize, to: usize): usize {
  p = writeInteger(p, <i64>utf8Length(s, from, to));
  for (let i = from; i < to; i++) {
    let c = <u32>load<u16>(s + (i << 1));
    if (c < 0x80) {
      store<u8>(p++, c);
    } else if (c < 0x800) {
      store<u8>(p++, 0xc0 | (c >> 6));
      store<u8>(p++, 0x80 | (c & 0x3f));
    } else if (c < 0xd800 || c > 0xdfff) {
      store<u8>(p++, 0xe0 | (c >> 12));
      store<u8>(p++, 0x80 | ((c >> 6) & 0x3f));
      store<u8>(p++, 0x80 | (c & 0x3f));
    } else {
      // The staging let only whole pairs through.
      const d = <u32>load<u16>(s + ((i + 1) << 1));
      i++;
      c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      store<u8>(p++, 0xf0 | (c >> 18));
      store<u8>(p++, 0x80 | ((c >> 12) & 0x3f));
      store<u8>(p++, 0x80 | ((c >> 6) & 0x3f));
      store<u8>(p++, 0x80 | (c & 0x3f));
    }
  }
  return p;
}

// @ts-ignore: decorator
@inline
function encode(s: usize, n: usize, out: usize, wide: bool): usize {
  const unit: usize = wide ? 2 : 1;
  let q = n;
  let p = out;
  let at: usize = 0;
  const count = <i64>load<f64>(q);
  q += 8;
  p = writeInteger(p, count);
  for (let k: i64 = 0; k < count; k++) {
    const segments = <i64>load<f64>(q);
    q += 8;
    p = writeInteger(p, segments);
    for (let j: i64 = 0; j < segments; j++) {
      const end = <usize>load<f64>(q);
      q += 8;
      p = wide ? string16(p, s, at, end) : string8(p, s, at, end);
      at = end;
    }
    const hasTimestamp = load<f64>(q);
    q += 8;
    if (hasTimestamp == 0) {
      store<u8>(p++, 0x80);
    } else {
      store<u8>(p++, 0x81);
      p = writeInteger(p, <i64>load<f64>(q));
      p = writeInteger(p, <i64>load<f64>(q + 8));
      q += 16;
    }
    const kind = load<f64>(q);
    q += 8;
    if (kind == 0) {
      store<u8>(p++, 0x80);
      continue;
    }
    store<u8>(p++, 0x81);
    const end = <usize>load<f64>(q);
    q += 8;
    store<u8>(p++, kind == 2 ? 0x81 : 0x80);
    p = wide ? string16(p, s, at, end) : string8(p, s, at, end);
    at = end;
    if (kind == 1) {
      const len = <usize>load<f64>(q);
      q += 8;
      p = writeInteger(p, <i64>len);
      memory.copy(p, s + at * unit, len);
      p += len;
      at += (len + unit - 1) / unit;
    }
  }
  return p - out;
}

/** Writes the request staged with UTF-8 strings; returns its length. */
export function encode8(s: usize, n: usize, out: usize): usize {
  return encode(s, n, out, false);
}

/** Writes the request staged with UTF-16 strings; returns its length. */
export function encode16(s: usize, n: usize, out: usize): usize {
  return encode(s, n, out, true);
}

// Strings staged as one UTF-8 text (all the request's strings joined, one
// TextEncoder call), the numbers giving each string's length in UTF-16
// units: the module finds where each ends in the text (`cursor`).
let cursor: usize = 0;

// @ts-ignore: decorator
@inline
function stringJoined(p: usize, units: usize): usize {
  const at = cursor;
  let end = at;
  let k: usize = 0;
  while (k < units) {
    const b = <u32>load<u8>(end);
    // A 4-byte sequence is a surrogate pair: two units.
    const n: usize = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    end += n;
    k += n == 4 ? 2 : 1;
  }
  cursor = end;
  const len = end - at;
  p = writeInteger(p, <i64>len);
  memory.copy(p, at, len);
  return p + len;
}

/**
 * Writes the request staged as one joined text at `s` (string numbers are
 * UTF-16 lengths; binary data is at `data`, its numbers its lengths);
 * returns its length.
 */
export function encodeJoined(
  s: usize,
  n: usize,
  out: usize,
  data: usize,
): usize {
  let q = n;
  let p = out;
  let d = data;
  cursor = s;
  const count = <i64>load<f64>(q);
  q += 8;
  p = writeInteger(p, count);
  for (let k: i64 = 0; k < count; k++) {
    const segments = <i64>load<f64>(q);
    q += 8;
    p = writeInteger(p, segments);
    for (let j: i64 = 0; j < segments; j++) {
      p = stringJoined(p, <usize>load<f64>(q));
      q += 8;
    }
    const hasTimestamp = load<f64>(q);
    q += 8;
    if (hasTimestamp == 0) {
      store<u8>(p++, 0x80);
    } else {
      store<u8>(p++, 0x81);
      p = writeInteger(p, <i64>load<f64>(q));
      p = writeInteger(p, <i64>load<f64>(q + 8));
      q += 16;
    }
    const kind = load<f64>(q);
    q += 8;
    if (kind == 0) {
      store<u8>(p++, 0x80);
      continue;
    }
    store<u8>(p++, 0x81);
    store<u8>(p++, kind == 2 ? 0x81 : 0x80);
    p = stringJoined(p, <usize>load<f64>(q));
    q += 8;
    if (kind == 1) {
      const len = <usize>load<f64>(q);
      q += 8;
      p = writeInteger(p, <i64>len);
      memory.copy(p, d, len);
      p += len;
      d += len;
    }
  }
  return p - out;
}
