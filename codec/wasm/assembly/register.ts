// Writing a HatEventer.MsgRegisterReq, as the TypeScript writer writes it,
// from what the client staged (codec/wasm/register.ts): the request's
// strings joined into one UTF-8 text, in order (each event's type
// segments, then its JSON text or binary payload type name), binary data
// joined in `data`, and f64 numbers that give the structure:
//
//   count; per event: segments, the UTF-16 length of each segment;
//   0 | 1, s, us (source timestamp); then 0 (no payload)
//   | 2, UTF-16 length of the JSON text
//   | 1, UTF-16 length of the type name, data length
//
// A string's end in the text is found by walking its characters (a 4-byte
// sequence is a surrogate pair: two UTF-16 units); the staging made sure
// that no pair straddles two strings. Nothing else is checked here.

import { writeInteger } from "./write";

/** The end in the text of the string of `units` UTF-16 units at `at`. */
// @ts-ignore: decorator
@inline
function stringEnd(at: usize, units: usize): usize {
  let end = at;
  let k: usize = 0;
  // ASCII eight bytes at a time, while eight units are left.
  while (k + 8 <= units && (load<u64>(end) & 0x8080808080808080) == 0) {
    end += 8;
    k += 8;
  }
  while (k < units) {
    const b = <u32>load<u8>(end);
    if (b < 0x80) {
      end += 1;
      k += 1;
    } else if (b < 0xe0) {
      end += 2;
      k += 1;
    } else if (b < 0xf0) {
      end += 3;
      k += 1;
    } else {
      end += 4;
      k += 2;
    }
  }
  return end;
}

// Where the string writeString wrote ends in the text.
let next: usize = 0;
// Whether the text is all ASCII (a byte per unit: no walk).
let ascii = false;

/** Writes the String at `at` of `units` UTF-16 units at p. */
// @ts-ignore: decorator
@inline
function writeString(p: usize, at: usize, units: usize): usize {
  const end = ascii ? at + units : stringEnd(at, units);
  const len = end - at;
  p = writeInteger(p, <i64>len);
  if (len <= 16) {
    // Short strings (most): two words, whatever follows them is written
    // over next (the output has room past its end, the text is followed
    // by the data and the output).
    store<u64>(p, load<u64>(at));
    store<u64>(p, load<u64>(at, 8), 8);
  } else {
    memory.copy(p, at, len);
  }
  next = end;
  return p + len;
}

/**
 * Writes the MsgRegisterReq staged at `text` (`isAscii`: all of it ASCII),
 * `numbers` and `data` to `out`; returns its length. `out` has room for
 * the text, the data, ten bytes per number (an SBS Integer or a tag byte
 * each at most) and 16 more; 16 bytes can be read past the text's end.
 */
export function writeRegister(
  text: usize,
  numbers: usize,
  data: usize,
  out: usize,
  isAscii: bool,
): usize {
  ascii = isAscii;
  let q = numbers;
  let p = out;
  let at = text;
  let d = data;
  const count = <i64>load<f64>(q);
  q += 8;
  p = writeInteger(p, count);
  for (let k: i64 = 0; k < count; k++) {
    const segments = <i64>load<f64>(q);
    q += 8;
    p = writeInteger(p, segments);
    for (let j: i64 = 0; j < segments; j++) {
      p = writeString(p, at, <usize>load<f64>(q));
      at = next;
      q += 8;
    }
    if (load<f64>(q) == 0) {
      store<u8>(p++, 0x80);
      q += 8;
    } else {
      store<u8>(p++, 0x81);
      p = writeInteger(p, <i64>load<f64>(q, 8));
      p = writeInteger(p, <i64>load<f64>(q, 16));
      q += 24;
    }
    const kind = load<f64>(q);
    q += 8;
    if (kind == 0) {
      store<u8>(p++, 0x80);
      continue;
    }
    // Optional present, then the EventPayload choice: binary 0, json 1.
    store<u8>(p++, 0x81);
    store<u8>(p++, kind == 2 ? 0x81 : 0x80);
    p = writeString(p, at, <usize>load<f64>(q));
    at = next;
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
