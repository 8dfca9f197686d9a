// Random JSON texts, numbers, strings and byte mutations for the
// differential fuzz of isJsonText (json_text_fuzz_test.ts).

import type { Prng } from "../_prng.ts";
import { bytesOf } from "./_json_text_oracle.ts";

export const WS = [" ", "\t", "\n", "\r", "  "];

export function ws(rng: Prng): string {
  return rng.next() < 0.8 ? "" : rng.pick(WS);
}

export function randomNumber(rng: Prng): string {
  let s = rng.next() < 0.3 ? "-" : "";
  s += rng.next() < 0.2 ? "0" : String(1 + rng.int(9)) + digits(rng, 6);
  if (rng.next() < 0.4) s += "." + String(rng.int(10)) + digits(rng, 4);
  if (rng.next() < 0.25) {
    s += rng.pick(["e", "E"]) + rng.pick(["", "+", "-"]) + String(rng.int(10));
    s += digits(rng, 3);
  }
  return s;
}

export function digits(rng: Prng, max: number): string {
  let s = "";
  for (let n = rng.int(max + 1); n > 0; n--) s += String(rng.int(10));
  return s;
}

export const CHARS = [
  "a",
  "Z",
  " ",
  "\u00e9",
  "\u07ff",
  "\u0800",
  "\u20ac",
  "\ud7ff",
  "\ue000",
  "\ufeff",
  "\uffff",
  "\u{1f600}",
  "\u{10ffff}",
  "\\n",
  '\\"',
  "\\\\",
  "\\/",
  "\\b",
  "\\f",
  "\\r",
  "\\t",
  "\\u00e9",
  "\\uD83D",
  "\\udE00",
  "\\u0000",
];

export function randomString(rng: Prng): string {
  let s = '"';
  for (let n = rng.int(8); n > 0; n--) s += rng.pick(CHARS);
  return s + '"';
}

export function randomValue(rng: Prng, depth: number): string {
  const r = rng.int(depth > 4 ? 6 : 9);
  switch (r) {
    case 0:
      return rng.pick(["true", "false", "null"]);
    case 1:
    case 2:
      return randomNumber(rng);
    case 3:
    case 4:
    case 5:
      return randomString(rng);
    case 6:
    case 7: {
      const items: string[] = [];
      for (let n = rng.int(4); n > 0; n--) {
        items.push(ws(rng) + randomValue(rng, depth + 1) + ws(rng));
      }
      return "[" + (items.length ? items.join(",") : ws(rng)) + "]";
    }
    default: {
      const items: string[] = [];
      for (let n = rng.int(4); n > 0; n--) {
        items.push(
          ws(rng) + randomString(rng) + ws(rng) + ":" + ws(rng) +
            randomValue(rng, depth + 1) + ws(rng),
        );
      }
      return "{" + (items.length ? items.join(",") : ws(rng)) + "}";
    }
  }
}

// Bytes that matter to the grammar or to UTF-8 decoding.
export const INTERESTING = bytesOf(
  ' \t\n\r{}[],:"\\/-+.0123456789eEtrufalsnbx\u00a0',
);
export const INTERESTING_HIGH = [
  0x00,
  0x08,
  0x0c,
  0x1f,
  0x7f,
  0x80,
  0x8f,
  0x90,
  0x9f,
  0xa0,
  0xbf,
  0xc0,
  0xc1,
  0xc2,
  0xdf,
  0xe0,
  0xed,
  0xef,
  0xf0,
  0xf4,
  0xf5,
  0xff,
];

export function randomByte(rng: Prng): number {
  const r = rng.next();
  if (r < 0.6) return INTERESTING[rng.int(INTERESTING.length)];
  if (r < 0.85) return rng.pick(INTERESTING_HIGH);
  return rng.int(256);
}

export function mutate(rng: Prng, input: Uint8Array): Uint8Array {
  const b = Array.from(input);
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const at = rng.int(b.length + 1);
    switch (rng.int(6)) {
      case 0: // flip a bit
        if (at < b.length) b[at] ^= 1 << rng.int(8);
        break;
      case 1: // replace a byte
        if (at < b.length) b[at] = randomByte(rng);
        break;
      case 2: // insert a byte
        b.splice(at, 0, randomByte(rng));
        break;
      case 3: // delete a few bytes
        b.splice(at, 1 + rng.int(3));
        break;
      case 4: // truncate
        b.length = at;
        break;
      default: { // duplicate a slice
        const len = rng.int(6);
        b.splice(at, 0, ...b.slice(rng.int(b.length + 1)).slice(0, len));
      }
    }
  }
  return new Uint8Array(b);
}

// Short random sequences of tokens and token fragments reach the structural
// corners (a missing colon, a comma before a close, a key that is no string)
// that byte mutations of valid texts rarely build.
export const TOKENS = [
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  '"a"',
  '"',
  "a",
  "1",
  "0",
  "-",
  ".",
  "e",
  "+",
  "true",
  "nul",
  " ",
  "\\",
  "\u00e9",
];
