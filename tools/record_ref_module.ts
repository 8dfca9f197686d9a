// Records what the Python Event Server (the reference assembled in
// $HAT_REF, hat-event 0.9.42) makes of module_demo.py's request with the
// reference engine module (refpeer modules/ref_module.py): the response,
// the session's events and the notifications, twice in a row. Writes
// tests/testdata/modules/ref_module_demo.json; see the README there.
//
// Run: HAT_REF=/work/ref deno run -A tools/record_ref_module.ts [OUT_FILE]

import {
  DEMO_REQUEST,
  runDemo,
  startPythonModuleServer,
} from "../tests/event_server/modules/_ref_demo.ts";

const REF = Deno.env.get("HAT_REF");
if (!REF) {
  console.error("set HAT_REF to the assembled Python reference");
  Deno.exit(2);
}
const OUT = Deno.args[0] ??
  new URL("../tests/testdata/modules/ref_module_demo.json", import.meta.url)
    .pathname;

const versions = (await Deno.readTextFile(`${REF}/VERSIONS`)).trim().split(
  "\n",
);
await using server = await startPythonModuleServer(REF);
const runs = await runDemo(server.address);
await Deno.mkdir(new URL(".", `file://${OUT}`), { recursive: true });
await Deno.writeTextFile(
  OUT,
  JSON.stringify(
    {
      recorded: {
        by: "tools/record_ref_module.ts",
        server: "hat-event-server with conf/event_module.yaml " +
          "(modules: [ref_module]), a fresh LMDB",
        versions,
      },
      request: DEMO_REQUEST,
      runs,
    },
    null,
    2,
  ) + "\n",
);
console.log(`wrote ${OUT}`);
