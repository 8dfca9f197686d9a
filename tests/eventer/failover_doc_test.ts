// The example of docs/failover.md is a gateway registering through a
// failover: run it as written (with `@hat/eventer` pointing at this
// checkout).

import assert from "node:assert/strict";

Deno.test("the example of docs/failover.md runs", async () => {
  const doc = await Deno.readTextFile(
    new URL("../../docs/failover.md", import.meta.url),
  );
  const block = doc.match(/```ts\n([\s\S]*?)```/)?.[1];
  assert.ok(block, "no ts example in docs/failover.md");
  assert.match(block, /reconnect:/);
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
