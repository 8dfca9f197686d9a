// The configurations docs/redundancy.md shows are valid as written.

import assert from "node:assert/strict";
import { resolveConfig } from "../../../event_server/config.ts";

Deno.test("the config files of docs/redundancy.md are valid", async () => {
  const doc = await Deno.readTextFile(
    new URL("../../../docs/redundancy.md", import.meta.url),
  );
  const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) =>
    JSON.parse(m[1])
  );
  assert.equal(blocks.length, 4);
  const configs = blocks.map((b) => resolveConfig(b));
  assert.deepEqual(configs.map((c) => c.serverId), [1, 2, 1, 2]);
  assert.equal(configs[0].monitorComponent?.group, "event");
  assert.deepEqual(configs[3].peers, [{
    address: { hostname: "127.0.0.1", port: 23021 },
    serverId: 1,
  }]);
});
