// The lexer of tools/check_layers.ts rule 5 (tools/_literals.ts): it must
// see every string of the code and nothing of comments or regexes.

import assert from "node:assert/strict";
import { literalsOf } from "../../tools/_literals.ts";

const texts = (source: string) => literalsOf(source).map((l) => l.text);

Deno.test("literalsOf() finds plain strings with their escapes, and skips comments", () => {
  const source = [
    `const a = "x\\"y"; // "not this"`,
    `/* 'nor this' */ const b = 'z';`,
  ].join("\n");
  assert.deepEqual(texts(source), ['x\\"y', "z"]);
});

Deno.test("literalsOf() splits a template at its substitutions, nested ones included", () => {
  const literals = literalsOf("f(`a${g({ k: `b${1}c` })}d`);");
  assert.deepEqual(literals.map((l) => [l.text, l.head]), [
    ["a", true],
    ["b", true],
    ["c", false],
    ["d", false],
  ]);
});

Deno.test("literalsOf() skips a regex literal with quotes in it, and keeps a division", () => {
  const source = [
    `const re = /"[/']"/g;`,
    `const half = (n) / 2 + "after";`,
    `return /'/.test(s) ? "yes" : 'no';`,
  ].join("\n");
  assert.deepEqual(texts(source), ["after", "yes", "no"]);
});

Deno.test("literalsOf() gives where each literal's text starts in the source", () => {
  const source = "x = 'ab'; y = `cd${z}ef`;";
  assert.deepEqual(
    literalsOf(source).map((l) => [l.text, source[l.offset - 1]]),
    [["ab", "'"], ["cd", "`"], ["ef", "}"]],
  );
});
