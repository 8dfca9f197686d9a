// isJsonText against its oracle (JSON.parse of the fatal UTF-8 decoding):
// each grammar rule, bytes and UTF-8 sequences, nesting and ranges.

import { isJsonText } from "../../event/_json_text.ts";
import {
  bytesOf,
  checkAgrees,
  encoder,
  hex,
  oracle,
} from "./_json_text_oracle.ts";
import assert from "node:assert/strict";

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
