// The import check of `deno task check` (tools/check_layers.ts): it passes
// the repository, and it fails on each kind of bad import, shown on small
// trees written to a temporary directory.

import assert from "node:assert/strict";
import {
  checkLayers,
  importsOf,
  LAYERS,
  PART_OF,
  ROOT_ENTRIES,
} from "../../tools/check_layers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CHECK = new URL("../../tools/check_layers.ts", import.meta.url).pathname;

/** A temporary tree of the given files (path: text), removed on dispose. */
async function tree(
  files: Record<string, string>,
): Promise<AsyncDisposable & { root: string }> {
  const root = await Deno.makeTempDir({ prefix: "check_layers_" });
  for (const [path, text] of Object.entries(files)) {
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    if (dir !== "") await Deno.mkdir(`${root}/${dir}`, { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, text);
  }
  return {
    root,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/** The problems of a tree, as "file: message" lines. */
async function problemsOf(files: Record<string, string>): Promise<string[]> {
  await using t = await tree(files);
  return (await checkLayers(t.root)).map((p) => `${p.file}: ${p.message}`);
}

const PRIVATE = "export const x = 1;\n";

Deno.test("checkLayers() finds nothing to report in this repository", async () => {
  assert.deepEqual(await checkLayers(ROOT), []);
});

Deno.test("importsOf() finds static, type-only, re-export, dynamic and worker imports", () => {
  const text = `
import { a,
  b } from "./a.ts";
import type { C } from '../c.ts';
export * from "./d.ts";
export { e } from "./e.ts";
import "./f.ts";
const g = await import("./g.ts");
const w = new URL("./_worker.ts", import.meta.url);
const h = await import(\`./h.ts\`);
export * as i from "./i.ts";
const notAnImport = { import: 1, from: "./j.ts" };
import assert from "node:assert/strict";
import { h } from "@hat/eventer/codec";
`;
  assert.deepEqual(importsOf(text), [
    "./a.ts",
    "../c.ts",
    "./d.ts",
    "./e.ts",
    "./f.ts",
    "./g.ts",
    "./_worker.ts",
    "./h.ts",
    "./i.ts",
  ]);
});

Deno.test("checkLayers() rejects an import of another folder's private file", async () => {
  const problems = await problemsOf({
    "event/_private.ts": PRIVATE,
    "eventer/_user.ts": 'import { x } from "../event/_private.ts";\n',
  });
  assert.deepEqual(problems, [
    "eventer/_user.ts: imports event/_private.ts, private to event/",
  ]);
});

Deno.test("checkLayers() lets a folder and its sub-folders, and nothing else, use its private files", async (t) => {
  const cases: [string, Record<string, string>, string[]][] = [
    ["the same folder", {
      "event/_private.ts": PRIVATE,
      "event/user.ts": 'import { x } from "./_private.ts";\n',
    }, []],
    ["a sub-folder", {
      "event_server/storage/_private.ts": PRIVATE,
      "event_server/storage/chunk/user.ts":
        'import { x } from "../_private.ts";\n',
    }, []],
    ["client.ts, whose private folder is eventer/", {
      "eventer/_private.ts": PRIVATE,
      "client.ts": 'import { x } from "./eventer/_private.ts";\n',
    }, []],
    ["the parent folder", {
      "event_server/storage/_private.ts": PRIVATE,
      "event_server/engine.ts": 'import { x } from "./storage/_private.ts";\n',
    }, [
      "event_server/engine.ts: imports event_server/storage/_private.ts, " +
      "private to event_server/storage/",
    ]],
    ["a sibling sub-folder", {
      "event_server/storage/chunk/_private.ts": PRIVATE,
      "event_server/storage/sqlite/user.ts":
        'import { x } from "../chunk/_private.ts";\n',
    }, [
      "event_server/storage/sqlite/user.ts: imports " +
      "event_server/storage/chunk/_private.ts, private to " +
      "event_server/storage/chunk/",
    ]],
    ["the root's mod.ts", {
      "eventer/_private.ts": PRIVATE,
      "mod.ts": 'export { x } from "./eventer/_private.ts";\n',
    }, ["mod.ts: imports eventer/_private.ts, private to eventer/"]],
  ];
  for (const [who, files, expected] of cases) {
    await t.step(who, async () => {
      assert.deepEqual(await problemsOf(files), expected);
    });
  }
});

Deno.test("checkLayers() reads an import whatever comments, strings and templates stand around it", async (t) => {
  const BAD = "eventer/user.ts: imports event/_private.ts, private to event/";
  const cases: [string, string, string[]][] = [
    [
      "a comment with an apostrophe in its { } list",
      'import {\n  x, // the folder\'s own copy\n} from "../event/_private.ts";\n',
      [BAD],
    ],
    [
      "a comment with a semicolon in its { } list",
      'import { x /* one; two */ } from "../event/_private.ts";\n',
      [BAD],
    ],
    [
      "a dynamic import of a template literal",
      "const m = await import(`../event/_private.ts`);\n",
      [BAD],
    ],
    [
      "a worker's URL in a template literal",
      "const u = new URL(`../event/_private.ts`, import.meta.url);\n",
      [BAD],
    ],
    [
      "a dynamic import of a computed path",
      "const m = await import(`../event/_${name}.ts`);\n",
      [
        "eventer/user.ts: computes the path it imports " +
        "(`../event/_${…}`): write it as a string the check can read",
      ],
    ],
    [
      "an example in a doc comment",
      "/**\n * ```json\n * {}\n * ```\n * @example\n * ```ts\n" +
      ' * import { x } from "../event/_private.ts";\n' +
      " * ```\n */\nexport const y = 1;\n",
      [BAD],
    ],
    [
      "an import in a string (not an import)",
      "const s = \"import { x } from '../event/_private.ts'\";\n",
      [],
    ],
    [
      "an import in a line comment (not an import)",
      '// import { x } from "../event/_private.ts";\nexport const y = 1;\n',
      [],
    ],
    [
      "a regular expression with a quote, then an import",
      'const re = /[\'"`]/;\nimport { x } from "../event/_private.ts";\n',
      [BAD],
    ],
  ];
  for (const [what, text, expected] of cases) {
    await t.step(what, async () => {
      const problems = await problemsOf({
        "event/_private.ts": PRIVATE,
        "eventer/user.ts": text,
      });
      assert.deepEqual(problems, expected);
    });
  }
});

Deno.test("checkLayers() keeps a folder whose name starts with _ private to its parent", async () => {
  const problems = await problemsOf({
    "event/_parts/helper.ts": PRIVATE,
    "event/user.ts": 'import { x } from "./_parts/helper.ts";\n',
    "eventer/user.ts": 'import { x } from "../event/_parts/helper.ts";\n',
  });
  assert.deepEqual(problems, [
    "eventer/user.ts: imports event/_parts/helper.ts, private to event/",
  ]);
});

Deno.test("checkLayers() rejects an import of a higher layer", async (t) => {
  const cases: [string, Record<string, string>, string][] = [
    ["codec importing event_server", {
      "event_server/engine.ts": PRIVATE,
      "codec/reader.ts": 'import { x } from "../event_server/engine.ts";\n',
    }, "codec/reader.ts: imports layer event_server (4) from codec (0)"],
    ["event importing client.ts", {
      "client.ts": PRIVATE,
      "event/sbs.ts": 'import type { x } from "../client.ts";\n',
    }, "event/sbs.ts: imports layer eventer (2) from event (1)"],
    ["chatter importing event (same layer, kept apart)", {
      "event/mod.ts": PRIVATE,
      "chatter/frame.ts": 'import { x } from "../event/mod.ts";\n',
    }, "chatter/frame.ts: imports layer event (1) from chatter (1)"],
  ];
  for (const [what, files, expected] of cases) {
    await t.step(what, async () => {
      assert.deepEqual(await problemsOf(files), [expected]);
    });
  }
});

Deno.test("checkLayers() holds every part to the entries of the parts below", async () => {
  const problems = await problemsOf({
    "codec/mod.ts": 'export * from "./writer.ts";\n',
    "codec/internal_mod.ts": 'export * from "./writer.ts";\n',
    "codec/writer.ts": PRIVATE,
    "event/mod.ts": 'export type * from "./types.ts";\n',
    "event/internal_mod.ts": PRIVATE,
    "event/types.ts": "export type T = number;\n",
    "client.ts": PRIVATE,
    "component.ts": PRIVATE,
    "mod.ts": 'export * from "./client.ts";\nexport * from "./component.ts";\n',
    "chatter/ok.ts": 'import { x } from "../codec/internal_mod.ts";\n',
    "chatter/bad.ts": 'import { x } from "../codec/writer.ts";\n',
    "event_server/ok.ts": 'import type { T } from "../event/mod.ts";\n' +
      'import { x } from "../event/internal_mod.ts";\n' +
      'import { x as y } from "../client.ts";\n',
    "event_server/bad.ts": 'import type { T } from "../event/types.ts";\n',
  });
  assert.deepEqual(problems, [
    "chatter/bad.ts: reaches past the entries of codec: import its mod.ts " +
    "or internal_mod.ts",
    "event_server/bad.ts: reaches past the entries of event: import its " +
    "mod.ts or internal_mod.ts",
  ]);
});

Deno.test("checkLayers() rejects library code that imports tests or leaves the checkout", async () => {
  const problems = await problemsOf({
    "codec/a.ts": 'import { x } from "../tests/_helper.ts";\n',
    "codec/b.ts":
      'const u = new URL("../../elsewhere/x.sbs", import.meta.url);\n',
  });
  assert.deepEqual(problems, [
    "codec/a.ts: imports tests/ into library code",
    "codec/b.ts: imports a file outside the checkout",
  ]);
});

/** `n` steps up: built here so that this file's own literals stay inside. */
const up = (n: number) => "../".repeat(n);

Deno.test("checkLayers() rejects tests, tools and benchmarks that refer to files outside the checkout", async (t) => {
  const cases: [string, Record<string, string>, string][] = [
    ["an import in a test", {
      "tests/codec/a_test.ts": `import { x } from "${up(3)}elsewhere/x.ts";\n`,
    }, `tests/codec/a_test.ts: ${up(3)}elsewhere/x.ts: refers to a path`],
    ["a URL beside a tool", {
      "tools/a.ts": `const u = new URL("${
        up(2)
      }elsewhere/spec/", import.meta.url);\n`,
    }, `tools/a.ts: ${up(2)}elsewhere/spec/: refers to a path`],
    ["a path in a benchmark's command line", {
      "bench/a.ts": `const args = ["run", "--config=${up(2)}ref/a.json"];\n`,
    }, `bench/a.ts: ${up(2)}ref/a.json: refers to a path`],
    ["a path that climbs after going down", {
      "tests/a_test.ts": `const p = "./testdata/${up(3)}elsewhere";\n`,
    }, `tests/a_test.ts: ./testdata/${up(3)}elsewhere: refers to a path`],
    ["a read of an absolute path", {
      "tests/a_test.ts": 'await Deno.readTextFile("/srv/elsewhere/x.sbs");\n',
    }, "tests/a_test.ts: /srv/elsewhere/x.sbs: reads an absolute path"],
    ["an import of an absolute file URL", {
      "bench/a.ts": 'import { x } from "file:///srv/elsewhere/x.ts";\n',
    }, "bench/a.ts: file:///srv/elsewhere/x.ts: reads an absolute path"],
    ["a URL in library code (rules 4 and 5 report it once)", {
      "codec/a.ts": `const u = new URL("${up(2)}x.sbs", import.meta.url);\n`,
    }, `codec/a.ts: ${up(2)}x.sbs: imports a file outside the checkout`],
  ];
  for (const [what, files, expected] of cases) {
    await t.step(what, async () => {
      await using tr = await tree(files);
      const problems = (await checkLayers(tr.root)).map((p) =>
        `${p.file}: ${p.specifier}: ${p.message}`
      );
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.ok(problems[0].startsWith(expected), problems[0]);
    });
  }
});

Deno.test("checkLayers() lets tests read the checkout, the kernel's files and the reference through HAT_REF", async () => {
  const problems = await problemsOf({
    "tests/a/b_test.ts": [
      'const REF = Deno.env.get("HAT_REF");',
      "await Deno.readTextFile(`${REF}/conf/event_a.yaml`);",
      `const d = new URL("${up(2)}testdata/x.json", import.meta.url);`,
      `const root = new URL("${up(2)}", import.meta.url);`,
      'await Deno.readTextFile("/proc/self/status");',
      `// ${up(4)}elsewhere/spec/eventer.sbs, in a comment`,
      `/* ${up(4)}elsewhere, in a block comment */`,
      `const re = /"${up(4).replaceAll("/", "\\/")}x"/;`,
      'const u = new URL("file:///srv/hat/a.ts"); // data, not a read',
    ].join("\n"),
  });
  assert.deepEqual(problems, []);
});

Deno.test("checkLayers() rejects a folder missing from its layer table", async () => {
  const problems = await problemsOf({ "gadget/mod.ts": PRIVATE });
  assert.equal(problems.length, 1);
  assert.match(
    problems[0],
    /^gadget\/mod\.ts: gadget is not in the layer table/,
  );
});

Deno.test("checkLayers() leaves tests, benchmarks and tools free to import private files", async () => {
  const problems = await problemsOf({
    "event/_private.ts": PRIVATE,
    "tests/event/a_test.ts": 'import { x } from "../../event/_private.ts";\n',
    "bench/a_bench.ts": 'import { x } from "../event/_private.ts";\n',
    "tools/a.ts": 'import { x } from "../event/_private.ts";\n',
  });
  assert.deepEqual(problems, []);
});

Deno.test("tools/check_layers.ts exits 1 and names the import on a bad tree", async () => {
  await using t = await tree({
    "codec/_copy.ts": PRIVATE,
    "event/payload.ts": 'import { x } from "../codec/_copy.ts";\n',
    "tests/a_test.ts": `const u = new URL("${up(2)}x", import.meta.url);\n`,
  });
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", CHECK, t.root],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 1, stderr);
  assert.match(
    stderr,
    /event\/payload\.ts \(import "\.\.\/codec\/_copy\.ts"\): imports codec\/_copy\.ts, private to codec\//,
  );
  assert.ok(
    stderr.includes(
      `tests/a_test.ts (path "${up(2)}x"): refers to a path outside`,
    ),
    stderr,
  );
});

Deno.test("docs/architecture.md gives every part of the layer table its layer", async () => {
  const doc = await Deno.readTextFile(`${ROOT}docs/architecture.md`);
  // Rows of the layer table: | `part`, `part` | layer | ... |
  const documented: Record<string, number> = {};
  for (
    const m of doc.matchAll(/^\|\s*((?:`[^`]+`(?:,\s*)?)+)\s*\|\s*(\d)\s*\|/gm)
  ) {
    for (const name of m[1].matchAll(/`([^`]+)`/g)) {
      documented[name[1].replace(/\/$/, "")] = Number(m[2]);
    }
  }
  const expected: Record<string, number> = {};
  for (const [part, layer] of Object.entries(LAYERS)) expected[part] = layer;
  for (const [file, part] of Object.entries(PART_OF)) {
    expected[file] = LAYERS[part];
  }
  assert.deepEqual(documented, expected);
});

Deno.test("docs/architecture.md names the root's entries the check allows", async () => {
  const doc = await Deno.readTextFile(`${ROOT}docs/architecture.md`);
  const rule = /^3\. \*\*Entries\.\*\*[^]*?(?=^4\. )/m.exec(doc)?.[0] ?? "";
  const list = /the root's ((?:`[^`]+`(?:,|\s|and)*)+)/.exec(rule)?.[1] ?? "";
  const named = [...list.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  assert.deepEqual(named, ROOT_ENTRIES);
});
