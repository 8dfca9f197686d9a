// The README's first example is a complete eventer client and server: run
// it as written (with `@hat/eventer` pointing at this checkout).

import assert from "node:assert/strict";

Deno.test("the README's first example runs", async () => {
  const readme = await Deno.readTextFile(
    new URL("../../README.md", import.meta.url),
  );
  const block = readme.match(/```ts\n([\s\S]*?)```/)?.[1];
  assert.ok(block, "no ts example in the README");
  assert.match(block, /\blisten\(/);
  assert.match(block, /\bconnect\(/);
  const mod = new URL("../../mod.ts", import.meta.url).href;
  const code = block.replaceAll('"@hat/eventer"', JSON.stringify(mod));
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, code);
    await import(new URL(`file://${file}`).href);
  } finally {
    await Deno.remove(file);
  }
});
