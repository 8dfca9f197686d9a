import assert from "node:assert/strict";
import { OBSERVER_SBS } from "../../monitor/mod.ts";
import { readText, SPEC_DIR } from "../_vectors.ts";

Deno.test("OBSERVER_SBS is the text of tests/testdata/spec/observer.sbs", async () => {
  const text = await readText(new URL("observer.sbs", SPEC_DIR));
  assert.equal(OBSERVER_SBS, text);
});
