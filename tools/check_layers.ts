// Keeps the import rules of docs/architecture.md true: rules 1-4 in library
// code (all but tests/, bench/, tools/ and web/, which may import the
// private files of what they test), rule 5 in every source of the checkout:
//
// 1. Layers import only downward (LAYERS), with the exceptions of
//    FORBIDDEN and SAME_LAYER.
// 2. A `_` file or folder is private to the folder that holds it: only
//    files of that folder and of its sub-folders import it (client.ts,
//    server.ts and component.ts count as files of eventer/, their private
//    folder).
// 3. A part reaches another part only through its entries: a folder's
//    mod.ts or internal_mod.ts, the root's mod.ts, client.ts, server.ts and
//    component.ts. Within a part only rule 2 holds.
// 4. Nothing imports tests/, bench/, tools/ or a file outside the checkout.
// 5. No source, tests, tools and benchmarks included, refers to a file
//    outside the checkout: a relative path in a string literal (an import,
//    `new URL("../x", import.meta.url)`, an argument) stays inside it when
//    resolved from the file's folder, and no import or read (`Deno.readFile`
//    and kin) names an absolute path but the kernel's (/proc, /sys, /dev).
//    The Python reference is reached through $HAT_REF: a path built from a
//    variable is no literal, and the check cannot follow it (nor a relative
//    path joined to another base than the file's folder).
//
// Imports and string literals are read by one lexer (tools/_lexer.ts),
// never inside comments or regular expressions, and in doc comments'
// examples too; an import whose path a template literal computes is
// reported, as the check cannot follow it.
//
// Run: deno run -A tools/check_layers.ts [root]   (root: the checkout)

import { importsOf, type Literal, readSource } from "./_lexer.ts";

export { importsOf };

/** The layer of each part of the library: imports go to lower layers. */
export const LAYERS: Readonly<Record<string, number>> = {
  "codec": 0,
  "event": 1,
  "chatter": 1,
  "eventer": 2,
  "monitor": 2,
  "mod.ts": 3,
  "event_server": 4,
};

/** Root files that belong to a folder's part (and see its `_` files). */
export const PART_OF: Readonly<Record<string, string>> = {
  "client.ts": "eventer",
  "server.ts": "eventer",
  "component.ts": "eventer",
};

/** Lower parts a part may not import all the same. */
export const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  "event": ["chatter"],
  "chatter": ["event"],
  "monitor": ["event"],
};

/** Parts of one layer of which the first may import the second. */
export const SAME_LAYER: readonly (readonly [string, string])[] = [
  // The eventer component (component.ts) is built on the monitor component.
  ["eventer", "monitor"],
];

/** The root's files that other parts may import (rule 3). */
export const ROOT_ENTRIES: readonly string[] = [
  "mod.ts",
  "client.ts",
  "server.ts",
  "component.ts",
];
const ENTRY_NAMES = ["mod.ts", "internal_mod.ts"];

/**
 * Top-level folders that are not library code (web/ holds the web view's
 * page, which tools/build_page.ts bundles into a generated module).
 */
const NOT_LIBRARY = [
  "tests",
  "bench",
  "tools",
  "docs",
  "web",
  "node_modules",
  "dist",
];
/** Folders that are not the project's sources at all (rule 5 skips them). */
const NOT_OURS = ["node_modules", "dist"];
/** Sources that Deno does not load (the AssemblyScript of the Wasm core). */
const NOT_DENO = ["codec/wasm/assembly"];

/** One import that breaks a rule. */
export interface Problem {
  /** The importing file, relative to the root. */
  readonly file: string;
  /** The specifier as written. */
  readonly specifier: string;
  /** What is wrong. */
  readonly message: string;
  /** What the specifier is: an import (rules 1-4), or a path (rule 5). */
  readonly kind: "import" | "path";
}

/** The part of the library a root-relative path belongs to. */
function partOf(path: string): string {
  const top = path.split("/")[0];
  return PART_OF[top] ?? top;
}

/** The directory of a root-relative path ("" for the root). */
function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/** The folder a file counts as in for rule 2. */
function folderOf(path: string): string {
  return PART_OF[path] ?? dirOf(path);
}

function within(folder: string, ancestor: string): boolean {
  return ancestor === "" || folder === ancestor ||
    folder.startsWith(`${ancestor}/`);
}

function isEntry(target: string): boolean {
  if (!target.includes("/")) return ROOT_ENTRIES.includes(target);
  return ENTRY_NAMES.includes(target.slice(target.lastIndexOf("/") + 1));
}

/**
 * The folder whose private file (`_x.ts`) or private folder (`_x/`) holds
 * `target`, or null when no part of its path is private.
 */
function privateTo(target: string): string | null {
  if (PART_OF[target] !== undefined) return null;
  const parts = target.split("/");
  const i = parts.findIndex((p) => p.startsWith("_"));
  return i < 0 ? null : parts.slice(0, i).join("/");
}

/** `spec` resolved from the folder of `file`, or null outside the root. */
function resolve(file: string, spec: string): string | null {
  const dir = dirOf(file);
  const url = new URL(spec, `file:///root/${dir === "" ? "" : `${dir}/`}`);
  if (!url.pathname.startsWith("/root/")) return null;
  return url.pathname.slice("/root/".length);
}

/** The problems of one import of `file` (root-relative paths). */
function check(file: string, spec: string): string[] {
  if (spec.startsWith("`")) {
    return [
      `computes the path it imports (${spec}): write it as a string the ` +
      "check can read",
    ];
  }
  const target = resolve(file, spec);
  if (target === null) return ["imports a file outside the checkout"];
  const from = partOf(file);
  const to = partOf(target);
  if (NOT_LIBRARY.includes(to)) return [`imports ${to}/ into library code`];
  const problems: string[] = [];
  const owner = privateTo(target);
  const hidden = owner !== null && !within(folderOf(file), owner);
  if (from !== to) {
    if (!(to in LAYERS)) {
      problems.push(`imports ${to}, which is not in the layer table`);
    } else if (
      (LAYERS[to] > LAYERS[from] ||
        (LAYERS[to] === LAYERS[from] &&
          !SAME_LAYER.some(([a, b]) => a === from && b === to))) ||
      (FORBIDDEN[from] ?? []).includes(to)
    ) {
      problems.push(
        `imports layer ${to} (${LAYERS[to]}) from ${from} (${LAYERS[from]})`,
      );
    } else if (!isEntry(target) && !hidden) {
      // (A private file is reported as such, below.)
      problems.push(
        `reaches past the entries of ${to}: import its mod.ts or internal_mod.ts`,
      );
    }
  }
  if (hidden) {
    problems.push(`imports ${target}, private to ${owner || "the root"}/`);
  }
  return problems;
}

/**
 * What takes a module or a file it reads as its first argument (see
 * `Literal.before`): an import, or one of Deno's reads.
 */
const READ_BY =
  /^(?:from|import\(?|Deno\.(?:readFile|readTextFile|open|readDir|stat|lstat|realPath|readLink)(?:Sync)?\()$/;
/** Absolute paths a source may read: the kernel's, not another project's. */
const SYSTEM_PATHS = /^\/(?:proc|sys|dev)(?:\/|$)/;
/** What separates paths within a literal (a command line, `--x=path`). */
const PATH_SEPARATORS = /[\s=,;()"'`]+/;

/**
 * Rule 5 in the literals of one source: those that name a file outside
 * the checkout. Paths are resolved from the folder of `file`, as
 * `new URL(path, import.meta.url)` and imports resolve them.
 */
function pathEscapes(file: string, literals: Literal[]): Problem[] {
  const problems: Problem[] = [];
  const escape = (specifier: string, message: string) =>
    problems.push({
      file,
      specifier,
      message: `${message} (the Python reference is read through $HAT_REF)`,
      kind: "path",
    });
  for (const literal of literals) {
    if (literal.text.includes("..")) {
      for (const path of literal.text.split(PATH_SEPARATORS)) {
        if (!path.startsWith(".") || !/(^|\/)\.\.(\/|$)/.test(path)) continue;
        if (resolve(file, path) === null) {
          escape(path, "refers to a path outside the checkout");
        }
      }
    }
    if (
      READ_BY.test(literal.before) && /^(\/|file:)/.test(literal.text) &&
      !SYSTEM_PATHS.test(literal.text)
    ) {
      escape(literal.text, "reads an absolute path, outside the checkout");
    }
  }
  return problems;
}

/** Every source under `root`, with whether it is library code. */
function* sources(
  root: string,
  dir = "",
  library = true,
): Generator<{ path: string; library: boolean }> {
  for (
    const entry of Deno.readDirSync(dir === "" ? root : `${root}/${dir}`)
  ) {
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory) {
      if (dir === "" && NOT_OURS.includes(entry.name)) continue;
      yield* sources(
        root,
        path,
        library && !(dir === "" && NOT_LIBRARY.includes(entry.name)) &&
          !NOT_DENO.includes(path),
      );
    } else if (/\.(ts|js|mjs)$/.test(entry.name)) {
      yield { path, library };
    }
  }
}

/**
 * Checks every source under `root` against the rules above: library
 * sources against all five, the others (tests, tools, benchmarks, the web
 * page) against rule 5.
 *
 * @param root The checkout (a directory holding the library's folders).
 * @returns The imports and paths that break a rule, sorted by file; empty
 * when all hold.
 */
export async function checkLayers(root: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  const files = [...sources(root)];
  // Read at once: one read after another made the whole run a third slower.
  const texts = await Promise.all(
    files.map(({ path }) => Deno.readTextFile(`${root}/${path}`)),
  );
  for (const [k, { path: file, library }] of files.entries()) {
    if (library && !(partOf(file) in LAYERS)) {
      problems.push({
        file,
        specifier: "",
        message: `${partOf(file)} is not in the layer table of ` +
          "tools/check_layers.ts (add it there and to docs/architecture.md)",
        kind: "import",
      });
      continue;
    }
    const { imports, literals } = readSource(texts[k]);
    // A path that rules 1-4 report as an import, rule 5 does not repeat.
    const reported = new Set<string>();
    if (library) {
      for (const specifier of imports) {
        for (const message of check(file, specifier)) {
          problems.push({ file, specifier, message, kind: "import" });
          reported.add(specifier.replace(/^`|\$\{…\}`$/g, ""));
        }
      }
    }
    for (const p of pathEscapes(file, literals)) {
      if (!reported.has(p.specifier)) problems.push(p);
    }
  }
  return problems.sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : 0
  );
}

if (import.meta.main) {
  const root = Deno.args[0] ?? ".";
  const problems = await checkLayers(root);
  for (const p of problems) {
    const what = p.specifier === "" ? "" : ` (${p.kind} "${p.specifier}")`;
    console.error(`${p.file}${what}: ${p.message}`);
  }
  if (problems.length > 0) {
    console.error(
      `${problems.length} import(s) or path(s) break the rules of ` +
        "docs/architecture.md",
    );
    Deno.exit(1);
  }
  console.log("layers ok");
}
