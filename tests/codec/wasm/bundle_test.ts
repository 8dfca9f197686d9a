import assert from "node:assert/strict";
import { bundle } from "../../../tools/bundle.ts";
import { SPEC_DIR, VECTORS_DIR } from "../../_vectors.ts";

Deno.test("the bundled codec checks the golden vectors in Node.js", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = await bundle(dir);
    const check = new URL("./_bundle_check.mjs", import.meta.url).pathname;
    const out = await new Deno.Command("node", {
      args: [check, file, VECTORS_DIR.pathname, SPEC_DIR.pathname],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) +
      new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    assert.match(text, /\d+ vectors ok/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
