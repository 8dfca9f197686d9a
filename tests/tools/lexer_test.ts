// The lexer of tools/check_layers.ts (tools/_lexer.ts), as rule 5 reads
// it: it must see every string of the code, with where it stands and what
// takes it, and nothing of comments or regexes. (Its imports are tested
// through the check, in check_layers_test.ts.)

import assert from "node:assert/strict";
import { literalsOf, readSource } from "../../tools/_lexer.ts";

const texts = (source: string) => literalsOf(source).map((l) => l.text);

Deno.test("literalsOf() finds plain strings, escaped characters without their backslash, and skips comments", () => {
  const source = [
    `const a = "x\\"y"; // "not this"`,
    `/* 'nor this' */ const b = 'z';`,
  ].join("\n");
  assert.deepEqual(texts(source), ['x"y', "z"]);
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

Deno.test("literalsOf() reads a doc comment's example as code, at its place in the source", () => {
  const source = [
    "/**",
    " * Reads `x`.",
    " *",
    " * ```json",
    ' * { "not": "code" }',
    " * ```",
    " * @example",
    " * ```ts",
    ' * const p = "./a.txt";',
    " * ```",
    " */",
    'export const q = "b";',
  ].join("\n");
  const literals = literalsOf(source);
  assert.deepEqual(literals.map((l) => l.text), ["./a.txt", "b"]);
  for (const l of literals) {
    assert.equal(
      source.slice(l.offset - 1, l.offset + l.text.length + 1),
      `"${l.text}"`,
    );
  }
});

Deno.test("literalsOf() names what takes a literal: an import, a call, or nothing", () => {
  const source = [
    'import { a } from "./a.ts";',
    'import "./b.ts";',
    'const c = await import("./c.ts");',
    'await Deno.readTextFile("/etc/d");',
    'const e = new URL("file:///e", import.meta.url);',
    'const f = ["g", "h"];',
    "const i = `j${k}`;",
    'const l = { from: "m" };',
  ].join("\n");
  assert.deepEqual(literalsOf(source).map((l) => [l.text, l.before]), [
    ["./a.ts", "from"],
    ["./b.ts", "import"],
    ["./c.ts", "import("],
    ["/etc/d", "Deno.readTextFile("],
    ["file:///e", "URL("],
    ["g", ""],
    ["h", ""],
    ["j", ""],
    ["", ""],
    ["m", ""],
  ]);
});

Deno.test("readSource() gives the imports and the literals of one lexing", () => {
  const source = 'import { a } from "./a.ts";\nconst b = "../b";\n';
  const { imports, literals } = readSource(source);
  assert.deepEqual(imports, ["./a.ts"]);
  assert.deepEqual(literals.map((l) => l.text), ["./a.ts", "../b"]);
});
