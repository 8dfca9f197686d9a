// isJsonText against its oracle: JSON.parse of the fatal UTF-8 decoding.
// The differential fuzz prints its seed; set JSON_TEXT_SEED to replay a run.

import assert from "node:assert/strict";
import { isJsonText } from "../../event/_json_text.ts";
import { Prng } from "../_prng.ts";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

function oracle(bytes: Uint8Array): boolean {
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

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function bytesOf(x: string | number[]): Uint8Array {
  return typeof x === "string" ? encoder.encode(x) : new Uint8Array(x);
}

// Agreement of the validator with the oracle, with the text alone and
// embedded in junk (so that start/end are honoured, not bytes.length).
function checkAgrees(bytes: Uint8Array): boolean {
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

// [text, valid]: each grammar rule both ways. `valid` is what the rule says;
// the oracle checks the table itself.
const CASES: [string | number[], boolean][] = [
  // whitespace
  [" \t\n\r1 \t\n\r", true],
  ["\f1", false],
  ["1\v", false],
  ["\u00a01", false],
  ["1\u00a0", false],
  [[0xef, 0xbb, 0xbf, 0x31], false], // BOM
  ["\u20281", false],
  ["", false],
  ["   ", false],
  // exactly one value
  ["1 2", false],
  ["{}{}", false],
  ["[]x", false],
  ["1,", false],
  [",1", false],
  ["\x001", false],
  ["1\x00", false],
  // literals
  ["true", true],
  ["false", true],
  ["null", true],
  ["tru", false],
  ["True", false],
  ["nul", false],
  ["fals", false],
  ["truex", false],
  ["nulll", false],
  ["undefined", false],
  ["NaN", false],
  ["Infinity", false],
  ["-Infinity", false],
  // numbers
  ["0", true],
  ["-0", true],
  ["12345.5", true],
  ["-12.5e+3", true],
  ["1E-7", true],
  ["1e400", true],
  ["-1e400", true],
  ["1e-400", true],
  ["0.0001", true],
  ["123456789012345678901234567890", true],
  ["+1", false],
  ["01", false],
  ["-01", false],
  ["00", false],
  [".5", false],
  ["1.", false],
  ["1.e3", false],
  ["1e", false],
  ["1e+", false],
  ["1E-", false],
  ["-", false],
  ["--1", false],
  ["1..2", false],
  ["1e1.5", false],
  ["0x10", false],
  ["1_000", false],
  ["- 1", false],
  ["1 .5", false],
  // strings
  ['""', true],
  ['"abc"', true],
  ['"\\" \\\\ \\/ \\b \\f \\n \\r \\t"', true],
  ['"\\u0041\\uabcd\\uABCD\\uAbCd"', true],
  ['"\\ud800"', true],
  ['"\\udfff\\ud800"', true],
  ['"\\u0000"', true],
  ['"\\a"', false],
  ['"\\x41"', false],
  ['"\\U0041"', false],
  ['"\\u004"', false],
  ['"\\u004g"', false],
  ['"\\u"', false],
  ['"\\', false],
  ['"\\"', false],
  ['"\\\'"', false],
  ['"\\0"', false],
  ['"abc', false],
  ['"', false],
  ["'a'", false],
  ['"a\x00b"', false],
  ['"\x1f"', false],
  ['"\t"', false],
  ['"\n"', false],
  ['"\x7f"', true],
  ['"a" "b"', false],
  // UTF-8 inside strings
  ['"\u00e9"', true], // 2 bytes
  ['"\u20ac"', true], // 3 bytes
  ['"\ufeff"', true], // BOM inside a string is a character
  ['"\ud83d\ude00"', true], // 4 bytes (U+1F600)
  ['"\u{10ffff}"', true],
  [[0x22, 0xc2, 0x80, 0x22], true], // U+0080
  [[0x22, 0xdf, 0xbf, 0x22], true], // U+07FF
  [[0x22, 0xe0, 0xa0, 0x80, 0x22], true], // U+0800
  [[0x22, 0xed, 0x9f, 0xbf, 0x22], true], // U+D7FF
  [[0x22, 0xee, 0x80, 0x80, 0x22], true], // U+E000
  [[0x22, 0xef, 0xbf, 0xbf, 0x22], true], // U+FFFF
  [[0x22, 0xf0, 0x90, 0x80, 0x80, 0x22], true], // U+10000
  [[0x22, 0xf4, 0x8f, 0xbf, 0xbf, 0x22], true], // U+10FFFF
  [[0x22, 0xc0, 0x80, 0x22], false], // overlong NUL
  [[0x22, 0xc1, 0xbf, 0x22], false], // overlong U+007F
  [[0x22, 0xe0, 0x80, 0x80, 0x22], false], // overlong 3-byte
  [[0x22, 0xe0, 0x9f, 0xbf, 0x22], false], // overlong U+07FF
  [[0x22, 0xf0, 0x80, 0x80, 0x80, 0x22], false], // overlong 4-byte
  [[0x22, 0xf0, 0x8f, 0xbf, 0xbf, 0x22], false], // overlong U+FFFF
  [[0x22, 0xed, 0xa0, 0x80, 0x22], false], // U+D800 encoded
  [[0x22, 0xed, 0xbf, 0xbf, 0x22], false], // U+DFFF encoded
  [[0x22, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80, 0x22], false], // CESU-8 pair
  [[0x22, 0xf4, 0x90, 0x80, 0x80, 0x22], false], // U+110000
  [[0x22, 0xf5, 0x80, 0x80, 0x80, 0x22], false],
  [[0x22, 0xf8, 0x88, 0x80, 0x80, 0x80, 0x22], false], // 5-byte form
  [[0x22, 0xff, 0x22], false],
  [[0x22, 0xfe, 0x22], false],
  [[0x22, 0x80, 0x22], false], // stray continuation
  [[0x22, 0xbf, 0x22], false],
  [[0x22, 0xc3, 0x22], false], // truncated 2-byte
  [[0x22, 0xe2, 0x82, 0x22], false], // truncated 3-byte
  [[0x22, 0xf0, 0x9f, 0x98, 0x22], false], // truncated 4-byte
  [[0x22, 0xc3], false], // truncated at the end
  [[0x22, 0xf0, 0x9f, 0x98], false],
  [[0x22, 0xc3, 0x41, 0x22], false], // lead then ASCII
  [[0x22, 0xe2, 0xc2, 0xa9, 0x22], false], // lead then lead
  // non-ASCII outside strings
  [[0xc3, 0xa9], false],
  [[0x31, 0xc2, 0xa0], false],
  [[0x5b, 0xe2, 0x80, 0x8b, 0x5d], false], // zero-width space in an array
  [[0x80], false],
  [[0xff], false],
  // arrays
  ["[]", true],
  ["[ ]", true],
  ["[1,2,3]", true],
  ['[ 1 , "a" , [ ] , { } , null ]', true],
  ["[[[[]]]]", true],
  ["[1,]", false],
  ["[,1]", false],
  ["[,]", false],
  ["[1 2]", false],
  ["[1,,2]", false],
  ["[", false],
  ["]", false],
  ["[1", false],
  ["[1,", false],
  ["[[]", false],
  ["[]]", false],
  ["[}", false],
  // objects
  ["{}", true],
  ["{ }", true],
  ['{"a":1}', true],
  ['{ "a" : 1 , "b" : [ ] , "" : { } }', true],
  ['{"a":1,"a":2}', true],
  ['{"value":12345.5,"quality":"good"}', true],
  ['{"a":{"b":{"c":[{"d":null}]}}}', true],
  ['{"a":1,}', false],
  ['{,"a":1}', false],
  ['{"a"}', false],
  ['{"a":}', false],
  ['{"a" 1}', false],
  ['{"a"::1}', false],
  ["{a:1}", false],
  ["{1:1}", false],
  ["{'a':1}", false],
  ["{null:1}", false],
  ['{"a":1 "b":2}', false],
  ['{"a":1,"b"}', false],
  ['{"a":1', false],
  ['{"a":1,', false],
  ['{"a', false],
  ["{", false],
  ["}", false],
  ['{"a":1]', false],
  ['["a":1]', false],
  ['{"a":1}}', false],
];

Deno.test("isJsonText() agrees with JSON.parse on each grammar rule, both ways", async (t) => {
  for (const [text, valid] of CASES) {
    const bytes = bytesOf(text);
    await t.step(
      JSON.stringify(typeof text === "string" ? text : hex(bytes)),
      () => {
        assert.equal(
          oracle(bytes),
          valid,
          "the table disagrees with JSON.parse",
        );
        assert.equal(checkAgrees(bytes), valid);
      },
    );
  }
});

Deno.test("isJsonText() agrees with JSON.parse on every byte alone, in a string and after a backslash", () => {
  for (let b = 0; b < 256; b++) {
    checkAgrees(new Uint8Array([b]));
    checkAgrees(new Uint8Array([0x22, b, 0x22]));
    checkAgrees(new Uint8Array([0x22, 0x5c, b, 0x22]));
    checkAgrees(new Uint8Array([0x5b, b, 0x5d]));
  }
});

Deno.test("isJsonText() agrees with the fatal TextDecoder on all two-byte and many longer sequences in a string", () => {
  let valid = 0;
  for (let a = 0x80; a < 0x100; a++) {
    for (let b = 0; b < 0x100; b++) {
      if (checkAgrees(new Uint8Array([0x22, a, b, 0x22]))) valid++;
    }
  }
  assert.equal(valid, 0xdf - 0xc2 + 1 << 6); // C2..DF with 80..BF
  // The second byte decides overlongs, surrogates and > U+10FFFF; later
  // bytes only need to be, or not be, continuation bytes.
  for (let a = 0xe0; a < 0x100; a++) {
    for (let b = 0x7e; b < 0xc2; b++) {
      for (const c of [0x7f, 0x80, 0xbf, 0xc0]) {
        checkAgrees(new Uint8Array([0x22, a, b, c, 0x22]));
        for (const d of [0x22, 0x80, 0xbf, 0xc0]) {
          checkAgrees(new Uint8Array([0x22, a, b, c, d, 0x22]));
        }
      }
    }
  }
});

Deno.test("isJsonText() accepts deep nesting as V8's JSON.parse does", () => {
  for (const depth of [1000, 100_000]) {
    const arrays = encoder.encode("[".repeat(depth) + "]".repeat(depth));
    assert.equal(oracle(arrays), true);
    assert.equal(isJsonText(arrays, 0, arrays.length), true);
    assert.equal(isJsonText(arrays, 0, arrays.length - 1), false);
    const objects = encoder.encode(
      '{"a":['.repeat(depth) + "0" + "]}".repeat(depth),
    );
    assert.equal(oracle(objects), true);
    assert.equal(isJsonText(objects, 0, objects.length), true);
    objects[objects.length - 1] = 0x5d; // `]` where `}` belongs
    assert.equal(isJsonText(objects, 0, objects.length), false);
  }
  const million = encoder.encode("[".repeat(1e6) + "]".repeat(1e6));
  assert.equal(oracle(million), true);
  assert.equal(isJsonText(million, 0, million.length), true);
  // The stack that grew for it is dropped; later calls start afresh.
  const after = encoder.encode('[{"a":[1]},{"b":{}}]');
  assert.equal(isJsonText(after, 0, after.length), true);
  assert.equal(isJsonText(after, 0, after.length - 1), false);
});

Deno.test("isJsonText() honours start and end inside a larger buffer", () => {
  const bytes = encoder.encode('1 {"a":[true]} xx');
  assert.equal(isJsonText(bytes, 2, 14), true);
  assert.equal(isJsonText(bytes, 1, 15), true);
  assert.equal(isJsonText(bytes, 2, 13), false);
  assert.equal(isJsonText(bytes, 0, 14), false);
  assert.equal(isJsonText(bytes, 2, 16), false);
  assert.equal(isJsonText(bytes, 0, 1), true);
  assert.equal(isJsonText(bytes, 3, 3), false);
  // A number, literal or string cut by `end` does not read on past it.
  const cut = encoder.encode('12345 true "ab"');
  assert.equal(isJsonText(cut, 0, 3), true);
  assert.equal(isJsonText(cut, 6, 9), false);
  assert.equal(isJsonText(cut, 11, 14), false);
  assert.equal(isJsonText(cut, 11, 15), true);
});

Deno.test("isJsonText() throws RangeError on a bad range", () => {
  const bytes = new Uint8Array(4);
  for (const [s, e] of [[-1, 2], [0, 5], [3, 2], [0.5, 2], [0, NaN]]) {
    assert.throws(() => isJsonText(bytes, s, e), RangeError);
  }
});

// ---- differential fuzzing ----

const WS = [" ", "\t", "\n", "\r", "  "];

function ws(rng: Prng): string {
  return rng.next() < 0.8 ? "" : rng.pick(WS);
}

function randomNumber(rng: Prng): string {
  let s = rng.next() < 0.3 ? "-" : "";
  s += rng.next() < 0.2 ? "0" : String(1 + rng.int(9)) + digits(rng, 6);
  if (rng.next() < 0.4) s += "." + String(rng.int(10)) + digits(rng, 4);
  if (rng.next() < 0.25) {
    s += rng.pick(["e", "E"]) + rng.pick(["", "+", "-"]) + String(rng.int(10));
    s += digits(rng, 3);
  }
  return s;
}

function digits(rng: Prng, max: number): string {
  let s = "";
  for (let n = rng.int(max + 1); n > 0; n--) s += String(rng.int(10));
  return s;
}

const CHARS = [
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

function randomString(rng: Prng): string {
  let s = '"';
  for (let n = rng.int(8); n > 0; n--) s += rng.pick(CHARS);
  return s + '"';
}

function randomValue(rng: Prng, depth: number): string {
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
const INTERESTING = bytesOf(
  ' \t\n\r{}[],:"\\/-+.0123456789eEtrufalsnbx\u00a0',
);
const INTERESTING_HIGH = [
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

function randomByte(rng: Prng): number {
  const r = rng.next();
  if (r < 0.6) return INTERESTING[rng.int(INTERESTING.length)];
  if (r < 0.85) return rng.pick(INTERESTING_HIGH);
  return rng.int(256);
}

function mutate(rng: Prng, input: Uint8Array): Uint8Array {
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

Deno.test("isJsonText() agrees with JSON.parse on random valid and mutated texts", () => {
  const seed = Number(
    Deno.env.get("JSON_TEXT_SEED") ?? (Date.now() & 0x7fffffff),
  );
  console.log(`json_text fuzz seed ${seed} (replay: JSON_TEXT_SEED=${seed})`);
  const rng = new Prng(seed);
  let valid = 0;
  let invalid = 0;
  for (let n = 0; n < 20_000; n++) {
    const text = ws(rng) + randomValue(rng, 0) + ws(rng);
    const bytes = encoder.encode(text);
    try {
      assert.equal(checkAgrees(bytes), true, `generated text: ${text}`);
      if (checkAgrees(mutate(rng, bytes))) valid++;
      else invalid++;
    } catch (err) {
      throw new Error(`seed ${seed}, case ${n}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  console.log(`mutated texts: ${valid} valid, ${invalid} invalid`);
  // Mutations must explore both verdicts, or the fuzz checks little.
  assert.ok(
    valid > 1000 && invalid > 5000,
    `valid ${valid}, invalid ${invalid}`,
  );
});

// Short random sequences of tokens and token fragments reach the structural
// corners (a missing colon, a comma before a close, a key that is no string)
// that byte mutations of valid texts rarely build.
const TOKENS = [
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

Deno.test("isJsonText() agrees with JSON.parse on random token sequences", () => {
  const seed = Number(
    Deno.env.get("JSON_TEXT_SEED") ?? (Date.now() & 0x7fffffff),
  );
  console.log(`json_text token seed ${seed} (replay: JSON_TEXT_SEED=${seed})`);
  const rng = new Prng(seed);
  let valid = 0;
  for (let n = 0; n < 30_000; n++) {
    let text = "";
    for (let k = 1 + rng.int(8); k > 0; k--) text += rng.pick(TOKENS);
    try {
      if (checkAgrees(encoder.encode(text))) valid++;
    } catch (err) {
      throw new Error(`seed ${seed}, case ${n}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  console.log(`token sequences: ${valid} valid of 30000`);
  assert.ok(valid > 300, `only ${valid} valid`);
});

Deno.test("validated texts joined as [t1,t2,...] parse in one call to the values of each", () => {
  const rng = new Prng(7);
  const parts: Uint8Array[] = [];
  while (parts.length < 200) {
    const bytes = mutate(rng, encoder.encode(ws(rng) + randomValue(rng, 0)));
    if (isJsonText(bytes, 0, bytes.length)) parts.push(bytes);
  }
  let size = 1;
  for (const p of parts) size += p.length + 1;
  const joined = new Uint8Array(size);
  joined[0] = 0x5b; // [
  let at = 1;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
    joined[at++] = 0x2c; // ,
  }
  joined[at - 1] = 0x5d; // ] over the last comma
  assert.deepEqual(
    JSON.parse(decoder.decode(joined)),
    parts.map((p) => JSON.parse(decoder.decode(p))),
  );
});
