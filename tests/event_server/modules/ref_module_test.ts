// One request through the reference engine module: the Python Event
// Server's record (tests/testdata/modules, and live with HAT_REF) and our
// server with the module's TypeScript twin give the same response, the
// same session (instances, types, payloads, one timestamp) and the same
// notification.

import assert from "node:assert/strict";
import type { ModuleInfo } from "../../../event_server/modules/internal_mod.ts";
import { startModuleServer } from "../../../event_server/modules/mod.ts";
import { runDemo, startPythonModuleServer } from "./_ref_demo.ts";
import { info as refModule } from "./_ref_module.ts";

const REF = Deno.env.get("HAT_REF");
const RECORDED = new URL(
  "../../testdata/modules/ref_module_demo.json",
  import.meta.url,
);

async function ours() {
  await using server = await startModuleServer([{
    info: refModule as ModuleInfo,
    name: "ref_module",
  }]);
  return await runDemo(server.address);
}

Deno.test("modules: our server with the TypeScript twin of ref_module answers module_demo's request as the Python server did", async () => {
  const recorded = JSON.parse(await Deno.readTextFile(RECORDED));
  assert.equal(recorded.runs.length, 2);
  assert.equal(recorded.runs[0].session.length, 6);
  assert.deepEqual(await ours(), recorded.runs);
});

Deno.test({
  name:
    "modules: live, the Python server with ref_module and ours with its twin give the same sessions",
  ignore: REF === undefined,
  async fn() {
    let python;
    {
      await using server = await startPythonModuleServer(REF!);
      python = await runDemo(server.address);
    }
    assert.equal(python[1].session.length, 6);
    assert.deepEqual(await ours(), python);
  },
});
