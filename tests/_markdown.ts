// The code blocks of the project's Markdown pages (README.md, docs/*.md),
// and a way to run their TypeScript examples as a user would: with the
// package's own specifiers (`@hat/eventer`, `@hat/eventer/codec`, ...)
// pointing at this checkout.

const ROOT = new URL("../", import.meta.url);

/** Reads a Markdown file of the checkout, e.g. `"docs/failover.md"`. */
export function readPage(path: string): Promise<string> {
  return Deno.readTextFile(new URL(path, ROOT));
}

/**
 * The bodies of the fenced blocks of `lang` exactly: a block marked
 * `ts ignore` is not a `ts` block.
 */
export function codeBlocks(markdown: string, lang: string): string[] {
  const fence = new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```", "gm");
  return [...markdown.matchAll(fence)].map((m) => m[1]);
}

async function packageSpecifiers(): Promise<Map<string, string>> {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  ) as { name: string; exports: Record<string, string> };
  const map = new Map<string, string>();
  for (const [entry, file] of Object.entries(config.exports)) {
    const name = entry === "."
      ? config.name
      : `${config.name}/${entry.slice(2)}`;
    map.set(name, new URL(file, ROOT).href);
  }
  return map;
}

/**
 * Runs a TypeScript example as its own module, its imports of the package
 * resolved to this checkout and its relative imports to the page it is on
 * (`page`, e.g. `"docs/web.md"`); rejects with what the example threw.
 */
export async function runExample(
  code: string,
  page = "README.md",
): Promise<void> {
  const specifiers = await packageSpecifiers();
  const base = new URL(page, ROOT);
  const resolved = code.replace(
    /(from\s+)"([^"]+)"/g,
    (whole, from: string, name: string) => {
      const file = name.startsWith(".")
        ? new URL(name, base).href
        : specifiers.get(name);
      return file === undefined ? whole : `${from}${JSON.stringify(file)}`;
    },
  );
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, resolved);
    await import(new URL(`file://${file}`).href);
  } finally {
    await Deno.remove(file);
  }
}
