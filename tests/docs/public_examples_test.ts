// Public doc examples import what a user of the package imports. An example
// is public when `deno doc` shows it for an entry of deno.json's "exports":
// the module doc of an entry file, and the doc of every symbol an entry
// exports (re-exports, class and interface members and namespaces
// included), wherever the declaration lives, a `_` file too. Such an
// example may not import a file of the checkout (a specifier starting with
// `.`, `/` or `file:`); it imports `@hat/eventer` or a sub-entry (which
// `deno test --doc` resolves to this checkout through deno.json's "name"),
// or `node:`/`npm:`/`jsr:` specifiers. Examples of what no entry exports
// (internal_mod.ts, `_` files, helpers a public file keeps to itself) are
// for the project's developers and may import relative files.

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

/** One file-importing specifier of a public example, where it is written. */
interface Finding {
  /** Path relative to the root given to {@linkcode findRelativeImports}. */
  file: string;
  line: number;
  what: string;
  specifier: string;
}

const SPECIFIER_RE = /(?:\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'\n]+)\1/g;

function importsFile(specifier: string): boolean {
  return specifier.startsWith(".") || specifier.startsWith("/") ||
    specifier.startsWith("file:");
}

interface Example {
  fileUrl: string;
  /** The declaration's line, or null for a module doc. */
  line: number | null;
  what: string;
  doc: string;
}

type Json = Record<string, unknown>;

function examplesOf(tags: unknown): string[] {
  if (!Array.isArray(tags)) return [];
  return tags
    .filter((t: Json) => t.kind === "example" && typeof t.doc === "string")
    .map((t: Json) => t.doc as string);
}

/** Every example of a `deno doc --json` output, with where it belongs. */
function collectExamples(doc: { nodes: Record<string, Json> }): Example[] {
  const out: Example[] = [];
  const walk = (value: unknown, name: string) => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, name);
      return;
    }
    if (value === null || typeof value !== "object") return;
    const o = value as Json;
    const own = typeof o.name === "string" ? o.name : name;
    const location = o.location as
      | { filename: string; line: number }
      | undefined;
    const jsDoc = o.jsDoc as Json | undefined;
    if (location && jsDoc) {
      for (const text of examplesOf(jsDoc.tags)) {
        out.push({
          fileUrl: location.filename,
          line: location.line,
          what: own,
          doc: text,
        });
      }
    }
    for (const [key, v] of Object.entries(o)) {
      if (key !== "jsDoc") walk(v, own);
    }
  };
  for (const [fileUrl, node] of Object.entries(doc.nodes)) {
    const moduleDoc = node.module_doc as Json | undefined;
    for (const text of examplesOf(moduleDoc?.tags)) {
      out.push({ fileUrl, line: null, what: "module doc", doc: text });
    }
    walk(node.symbols, "");
  }
  const seen = new Set<string>();
  return out.filter((e) => {
    const key = `${e.fileUrl}\n${e.line}\n${e.doc}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The line of `specifier` in the JSDoc of an example: the last JSDoc line
 * naming it before the declaration, or the first in the file for a module
 * doc.
 */
function lineOf(text: string, example: Example, specifier: string): number {
  const lines = text.split("\n");
  const hits: number[] = [];
  for (const [i, line] of lines.entries()) {
    if (
      /^\s*\*/.test(line) &&
      (line.includes(`"${specifier}"`) || line.includes(`'${specifier}'`))
    ) hits.push(i + 1);
  }
  if (example.line === null) return hits[0] ?? 1;
  const before = hits.filter((h) => h < example.line!);
  return before.at(-1) ?? example.line;
}

/**
 * The file-importing specifiers of the public examples of the package whose
 * deno.json is in `root`.
 */
async function findRelativeImports(
  root: URL,
): Promise<{ examples: number; findings: Finding[] }> {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", root)),
  ) as { exports: Record<string, string> };
  const entries = Object.values(config.exports);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...entries],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const examples = collectExamples(
    JSON.parse(new TextDecoder().decode(stdout)),
  );
  const findings: Finding[] = [];
  for (const example of examples) {
    const specifiers = [...example.doc.matchAll(SPECIFIER_RE)]
      .map((m) => m[2])
      .filter(importsFile);
    if (specifiers.length === 0) continue;
    const text = await Deno.readTextFile(new URL(example.fileUrl));
    const file = example.fileUrl.slice(root.href.length);
    for (const specifier of new Set(specifiers)) {
      findings.push({
        file,
        line: lineOf(text, example, specifier),
        what: example.what,
        specifier,
      });
    }
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { examples: examples.length, findings };
}

function describe(f: Finding): string {
  return `${f.file}:${f.line}: the example of ${f.what} imports "${f.specifier}"`;
}

Deno.test("every public doc example imports the package, never a file of the checkout", async () => {
  const { examples, findings } = await findRelativeImports(ROOT);
  assert.ok(examples > 100, `only ${examples} public examples found`);
  assert.deepEqual(
    findings.map(describe),
    [],
    "import from @hat/eventer or its sub-entries (deno.json exports) instead",
  );
});

Deno.test("the example check flags exported symbols' relative imports and spares internal ones", async () => {
  const root = await Deno.makeTempDir({ prefix: "public_examples_" });
  try {
    const files: Record<string, string> = {
      "deno.json": JSON.stringify({
        name: "@x/pkg",
        exports: { ".": "./mod.ts", "./extra": "./extra.ts" },
      }),
      "mod.ts": [
        "/**",
        " * The package.",
        " *",
        " * @example",
        " * ```ts",
        ' * import { a } from "./a.ts";',
        " * ```",
        " *",
        " * @module",
        " */",
        'export * from "./a.ts";',
        'export { b } from "./_b.ts";',
        "",
      ].join("\n"),
      "a.ts": [
        "/**",
        " * A.",
        " *",
        " * @example",
        " * ```ts",
        ' * import { a } from "@x/pkg";',
        " * ```",
        " */",
        "export const a = 1;",
        "",
        "/** A class. */",
        "export class K {",
        "  /**",
        "   * A method.",
        "   *",
        "   * @example",
        "   * ```ts",
        '   * const { K } = await import("../pkg/a.ts");',
        "   * ```",
        "   */",
        "  m(): void {}",
        "}",
        "",
      ].join("\n"),
      "_b.ts": [
        "/**",
        " * B, exported by an entry though its file is private.",
        " *",
        " * @example",
        " * ```ts",
        ' * import { b } from "./_b.ts";',
        " * ```",
        " */",
        "export const b = 2;",
        "",
        "/**",
        " * C, exported by no entry.",
        " *",
        " * @example",
        " * ```ts",
        ' * import { c } from "./_b.ts";',
        " * ```",
        " */",
        "export const c = 3;",
        "",
      ].join("\n"),
      "extra.ts": [
        "/**",
        " * Extra.",
        " *",
        " * @example",
        " * ```ts",
        ' * import type { E } from "file:///somewhere/extra.ts";',
        ' * import assert from "node:assert/strict";',
        " * ```",
        " */",
        "export type E = number;",
        "",
      ].join("\n"),
    };
    for (const [path, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${root}/${path}`, text);
    }
    const { examples, findings } = await findRelativeImports(
      new URL(`file://${root}/`),
    );
    assert.equal(examples, 5);
    assert.deepEqual(findings.map(describe), [
      '_b.ts:6: the example of b imports "./_b.ts"',
      'a.ts:18: the example of m imports "../pkg/a.ts"',
      'extra.ts:6: the example of E imports "file:///somewhere/extra.ts"',
      'mod.ts:6: the example of module doc imports "./a.ts"',
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
