// The README's examples run as written (with `@hat/eventer` pointing at this
// checkout).

import assert from "node:assert/strict";
import { codeBlocks, readPage, runExample } from "../_markdown.ts";

const readme = await readPage("README.md");

Deno.test("the README's TypeScript examples run", async (t) => {
  const blocks = codeBlocks(readme, "ts");
  assert.ok(blocks.length > 0, "no ts example in the README");
  // The first is a complete eventer client and server.
  assert.match(blocks[0], /\blisten\(/);
  assert.match(blocks[0], /\bconnect\(/);
  for (const [i, block] of blocks.entries()) {
    await t.step(`example ${i + 1}`, () => runExample(block));
  }
});
