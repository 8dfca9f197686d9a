// Engine modules in a monitor group of two of our servers: they run on the
// active server only, never see the events synced from the other, and a
// module can hand the group over with resetMonitorReady() (Python
// `reset_monitor_ready`).

import assert from "node:assert/strict";
import { startMonitorServer } from "../../monitor/_monitor_server.ts";
import { startServer, type TestServer } from "../redundancy/_group.ts";
import { cli } from "../_cli.ts";

const BLESS_ONE = { groupAlgorithms: { event: "BLESS_ONE" as const } };

/**
 * Answers `in` with `out/<serverId>`; on `handover`, gives the blessing
 * back.
 */
const MODULE = `
export const info = {
  create(_conf, engine) {
    return {
      subscription: [["in"], ["handover"]],
      process(_source, event) {
        if (event.type[0] === "handover") {
          engine.resetMonitorReady();
          return null;
        }
        return [{
          type: ["out", String(engine.serverId)],
          sourceTimestamp: null,
          payload: null,
        }];
      },
    };
  },
};
`;

const typesOf = (s: TestServer, serverId: number) =>
  s.serverEvents(serverId).map((e) => e.type.join("/"));

Deno.test("modules run on the active server of a monitor group only, and resetMonitorReady() hands the group over", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_module_group_" });
  await using monitor = await startMonitorServer(BLESS_ONE);
  try {
    await Deno.writeTextFile(`${dir}/m.js`, MODULE);
    const member = (serverId: number) => ({
      serverId,
      name: `event_${serverId}`,
      monitorComponent: {
        address: `127.0.0.1:${monitor.addr.port}`,
        group: "event",
      },
      modules: [{ module: `${dir}/m.js` }],
    });
    await using a = await startServer(member(1));
    await a.until(() => a.status === "operational", "a operational");
    await using b = await startServer(member(2));
    await b.running.redundancy!.synced(1);
    assert.equal(b.status, "standby");
    // Only the active one registers, and its module answers.
    assert.equal((await cli(["register", "in", "-a", b.address])).code, 3);
    assert.equal((await cli(["register", "in", "-a", a.address])).code, 0);
    await b.until(() => typesOf(b, 1).includes("out/1"), "b synced out/1");
    // b's module never saw a's events: nothing of server 2 answers them.
    assert.deepEqual(typesOf(b, 2), []);
    // A module of the active server hands the group over.
    assert.equal(
      (await cli(["register", "handover", "-a", a.address])).code,
      0,
    );
    await b.until(() => b.status === "operational", "b operational");
    await a.until(() => a.status === "standby", "a standby");
    assert.equal((await cli(["register", "in", "-a", b.address])).code, 0);
    assert.ok(typesOf(b, 2).includes("out/2"));
    assert.equal((await cli(["register", "in", "-a", a.address])).code, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
