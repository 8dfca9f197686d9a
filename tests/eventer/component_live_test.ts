// The eventer component against the Python reference (HAT_REF): a Python
// monitor server with two Python Event Servers (hat-event 0.9.42) in group
// `event`; the active one killed, the runner is made again for the other.
// Skipped without HAT_REF; never needed by CI.

import assert from "node:assert/strict";
import { type Client, connectComponent } from "../../mod.ts";
import {
  freePort,
  python,
  pythonMonitor,
  REF,
  refConf,
  type RefProcess,
  stop,
} from "../event_server/redundancy/_ref.ts";
import { within } from "../_within.ts";

Deno.test({
  name:
    "the component follows the active Python Event Server of a Python monitor's group",
  ignore: REF === undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "component_live_" });
    const children: RefProcess[] = [];
    try {
      const monitor = await pythonMonitor(dir);
      children.push(monitor.child);
      const ports = { event_a: freePort(), event_b: freePort() };
      const servers: Record<string, RefProcess> = {};
      for (const name of ["event_a", "event_b"] as const) {
        const conf = await refConf(name, dir, {
          eventer_server: ports[name],
          monitor_component: monitor.port,
        });
        servers[name] = python("hat.event.server", conf);
        children.push(servers[name]);
        await servers[name].listening(ports[name]);
      }

      const runs: { server: string; client: Client }[] = [];
      const statusWaiters = new Map<Client, () => void>();
      const operational = (client: Client) =>
        client.status === "operational"
          ? Promise.resolve()
          : new Promise<void>((r) => statusWaiters.set(client, r));
      let changed = Promise.withResolvers<void>();
      await using component = await connectComponent(
        { hostname: "127.0.0.1", port: monitor.port },
        {
          name: "ts_gateway",
          group: "gateway",
          serverGroup: "event",
          clientName: "ts_gateway",
          ready: true,
          onError: () => {},
          onStatus: (_c, client, status) => {
            if (status === "operational") statusWaiters.get(client)?.();
          },
          runner: (_c, server, client) => {
            runs.push({ server: server.info.name!, client });
            changed.resolve();
            return () => {};
          },
        },
      );
      await within(changed.promise, 30_000, "a runner");
      const first = runs[0];
      const firstEvents = await first.client.register(
        [{ type: ["gw", "1"], sourceTimestamp: null, payload: null }],
        { withResponse: true },
      );
      assert.ok(firstEvents !== null);
      const firstId = firstEvents[0].id.server;

      changed = Promise.withResolvers();
      const t0 = performance.now();
      await stop(servers[first.server]);
      await within(changed.promise, 30_000, "the runner made again");
      const second = runs[1];
      assert.notEqual(second.server, first.server);
      // The new active server may still be starting its engine.
      await within(operational(second.client), 30_000, "operational");
      const events = await second.client.register(
        [{ type: ["gw", "2"], sourceTimestamp: null, payload: null }],
        { withResponse: true },
      );
      assert.ok(events !== null);
      console.log(
        `${first.server} killed: first registration through the component ` +
          `on ${second.server} after ${(performance.now() - t0).toFixed(1)} ms`,
      );
      assert.notEqual(events[0].id.server, firstId);
      assert.equal(component.server?.info.name, second.server);
      assert.equal(first.client.isOpen, false);
    } finally {
      for (const child of children.reverse()) await stop(child);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
