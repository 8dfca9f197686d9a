// Python's JSON dialect for payloads: `json.dumps` writes nan, inf and -inf
// as NaN, Infinity and -Infinity; these are read as numbers, everything
// else exactly as JSON.parse reads it.

import assert from "node:assert/strict";
import { isJsonText, isPythonJsonText } from "../../event/_json_text.ts";
import { parseJson } from "../../event/_python_json.ts";
import { JsonTextPayload } from "../../event/mod.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

const PYTHON: [string, unknown][] = [
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["-Infinity", -Infinity],
  ['{"v": NaN, "w": [Infinity, -Infinity, 1.5]}', {
    v: NaN,
    w: [Infinity, -Infinity, 1.5],
  }],
  ['["NaN", "Infinity", NaN, "a\\"NaN"]', ["NaN", "Infinity", NaN, 'a"NaN']],
  [" [ NaN ,NaN ] ", [NaN, NaN]],
];

const INVALID = [
  "nan",
  "-NaN",
  "+Infinity",
  "Infinityx",
  "NaNx",
  "1NaN",
  "[NaN",
  "infinity",
  "Inf",
  "-",
  "NaN NaN",
  '"\\udc00NaN\\ud800" NaN',
];

Deno.test("parseJson() reads Python's NaN, Infinity and -Infinity as numbers", () => {
  for (const [text, value] of PYTHON) {
    assert.deepEqual(parseJson(text), value, text);
    assert.equal(isPythonJsonText(bytes(text), 0, bytes(text).length), true);
    assert.equal(isJsonText(bytes(text), 0, bytes(text).length), false);
  }
});

Deno.test("parseJson() gives JSON.parse's value or error for everything else", () => {
  for (const text of ['{"a":[1,2.5e3,"NaN"]}', '"Infinity"', "null", "1e400"]) {
    assert.deepEqual(parseJson(text), JSON.parse(text));
    assert.equal(isPythonJsonText(bytes(text), 0, bytes(text).length), true);
  }
  for (const text of INVALID) {
    assert.throws(() => parseJson(text), SyntaxError, text);
    assert.equal(
      isPythonJsonText(bytes(text), 0, bytes(text).length),
      false,
      text,
    );
  }
  // A string holding the marker that stands for NaN stays a string.
  assert.deepEqual(parseJson('["\\udc00NaN\\ud800"]'), ["\udc00NaN\ud800"]);
});

Deno.test("a JsonTextPayload of Python's dialect keeps its text and reads NaN", () => {
  const p = new JsonTextPayload('{"v": NaN}');
  assert.equal(p.text, '{"v": NaN}');
  assert.deepEqual(p.data, { v: NaN });
  assert.throws(() => new JsonTextPayload("nan"), /invalid JSON text/);
});

Deno.test("isPythonJsonText() agrees with parseJson() on random token sequences", () => {
  const tokens = [
    "NaN",
    "Infinity",
    "-Infinity",
    "-",
    "1",
    "-2.5e3",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    '"a"',
    '"NaN"',
    " ",
    "null",
    "Inf",
    "N",
  ];
  let state = 12345;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  let valid = 0;
  for (let k = 0; k < 20_000; k++) {
    let text = "";
    const n = 1 + next(7);
    for (let i = 0; i < n; i++) text += tokens[next(tokens.length)];
    let parses = true;
    try {
      parseJson(text);
    } catch {
      parses = false;
    }
    if (parses) valid++;
    const b = bytes(text);
    assert.equal(isPythonJsonText(b, 0, b.length), parses, text);
  }
  assert.ok(valid > 500, `only ${valid} valid texts`);
});

Deno.test("parseJson() refuses NaN where an object key belongs, as Python does", () => {
  for (
    const text of [
      '{"a":1, NaN :2}',
      '{"a": [1], NaN\n: 2}',
      '[{"b":2, NaN :3}]',
      '{"a":1, -Infinity :2}',
    ]
  ) {
    assert.throws(() => parseJson(text), SyntaxError, text);
    assert.throws(() => new JsonTextPayload(text), /invalid JSON text/, text);
  }
  // In an array, after a comma, it is a value.
  assert.deepEqual(parseJson('[{"b":2}, NaN ]'), [{ b: 2 }, NaN]);
});

Deno.test("parseJson() keeps strings that spell the NaN marker, whatever their escapes", () => {
  for (
    const text of [
      '["\\uDC00NaN\\uD800", NaN]',
      '["\\udc00\\u004eaN\\ud800", NaN]',
      '["\\udc00NaN\\ud800", NaN]',
    ]
  ) {
    assert.deepEqual(parseJson(text), ["\udc00NaN\ud800", NaN], text);
  }
});
