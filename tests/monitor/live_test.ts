// Against the Python monitor server of the assembled reference (HAT_REF):
// our components in a BLESS_ONE group beside a Python Event Server.
// Skipped without HAT_REF; never needed by CI.

import assert from "node:assert/strict";
import {
  activeEventServer,
  eventServerData,
  eventServerPeers,
} from "../../monitor/mod.ts";
import {
  freePort,
  listenLog,
  type RefProcess,
  spawnRef,
} from "../_ref_process.ts";
import { within } from "../_within.ts";
import { watchedComponent } from "./_components.ts";

const REF = Deno.env.get("HAT_REF");
const HOST = "127.0.0.1";

// The reference's config with our ports (and our LMDB folder).
async function conf(
  name: string,
  dir: string,
  ports: Record<string, number>,
): Promise<string> {
  let text = listenLog(await Deno.readTextFile(`${REF}/conf/${name}.yaml`));
  for (const [section, port] of Object.entries(ports)) {
    const re = new RegExp(
      `(${section}:\\s*\\n\\s*host: "127.0.0.1"\\s*\\n\\s*port: )\\d+`,
    );
    assert.match(text, re);
    text = text.replace(re, `$1${port}`);
  }
  text = text.replace(/db_path: ".*"/, `db_path: "${dir}/${name}.db"`);
  const path = `${dir}/${name}.yaml`;
  await Deno.writeTextFile(path, text);
  return path;
}

function python(module: string, confPath: string): RefProcess {
  return spawnRef(
    `${REF}/venv/bin/python`,
    ["-m", module, "--conf", confPath],
    module,
  );
}

Deno.test({
  name:
    "our components take turns and see a Python Event Server in a Python monitor's group",
  ignore: REF === undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "monitor_live_" });
    const monitorPort = freePort();
    const masterPort = freePort();
    const eventerPort = freePort();
    const children: RefProcess[] = [];
    const addr = { hostname: HOST, port: monitorPort };
    const data = (serverId: number) =>
      eventServerData({
        serverId,
        eventerServer: { hostname: HOST, port: 30000 + serverId },
        serverToken: null,
      });
    let a, b;
    try {
      const monitor = python(
        "hat.monitor.server",
        await conf("monitor", dir, { server: monitorPort, master: masterPort }),
      );
      children.push(monitor);
      await monitor.listening(monitorPort);
      await monitor.listening(masterPort);

      a = await watchedComponent(addr, { name: "ts_a", data: data(11) });
      await a.until((s) => s.active, "ts_a active");
      b = await watchedComponent(addr, { name: "ts_b", data: data(12) });
      await b.until(
        (s) => s.info?.blessingRes.ready === true && s.components.length === 2,
        "ts_b listed",
      );
      assert.equal(b.component.active, false);
      assert.equal(
        activeEventServer(b.component.state.components, "event")
          ?.serverId,
        11,
      );

      await a.component.close();
      await b.until((s) => s.active, "ts_b active after ts_a left");
      assert.deepEqual(a.log, ["start", "stop"]);
      assert.deepEqual(b.log, ["start"]);

      children.push(python(
        "hat.event.server",
        await conf("event_a", dir, {
          eventer_server: eventerPort,
          monitor_component: monitorPort,
        }),
      ));
      await b.until(
        (s) =>
          s.components.some((c) => c.name === "event_a" && c.blessingRes.ready),
        "the Python Event Server listed and ready",
      );
      const peers = eventServerPeers(b.component.state, "event");
      assert.deepEqual(peers.map((p) => [p.serverId, p.eventerServer]), [
        [1, { hostname: HOST, port: eventerPort }],
      ]);
      // BLESS_ONE keeps the blessed one: we stay active, Python is standby.
      assert.equal(b.component.active, true);
      assert.equal(
        activeEventServer(b.component.state.components, "event")
          ?.serverId,
        12,
      );

      monitor.kill("SIGTERM");
      await within(
        b.component.closed,
        15_000,
        "ts_b closed by the monitor's MsgClose",
      );
      assert.equal(b.component.closeReason, undefined);
      assert.deepEqual(b.log, ["start", "stop"]);
    } finally {
      await a?.component.close();
      await b?.component.close();
      for (const child of children) {
        try {
          child.kill("SIGKILL");
        } catch {
          // Already ended.
        }
        await child.status;
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});
