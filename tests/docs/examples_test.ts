// The TypeScript examples of the pages in docs/ run as written (with
// `@hat/eventer` and its sub-entries pointing at this checkout); a block
// marked `ts ignore` is a sketch and is not run.

import { codeBlocks, readPage, runExample } from "../_markdown.ts";

const pages = [...Deno.readDirSync(new URL("../../docs/", import.meta.url))]
  .map((entry) => entry.name)
  .filter((name) => name.endsWith(".md"))
  .sort();

for (const page of pages) {
  const blocks = codeBlocks(await readPage(`docs/${page}`), "ts");
  if (blocks.length === 0) continue;
  Deno.test(`the examples of docs/${page} run`, async (t) => {
    for (const [i, block] of blocks.entries()) {
      await t.step(`example ${i + 1}`, () => runExample(block, `docs/${page}`));
    }
  });
}
