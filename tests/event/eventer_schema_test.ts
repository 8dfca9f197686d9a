import assert from "node:assert/strict";
import { EVENTER_SBS } from "../../event/eventer_schema.ts";
import { readText, SPEC_DIR } from "../_vectors.ts";

Deno.test("EVENTER_SBS is the text of tests/testdata/spec/eventer.sbs", async () => {
  const text = await readText(new URL("eventer.sbs", SPEC_DIR));
  assert.equal(EVENTER_SBS, text);
});
