// Our Event Server and a Python one (hat-event 0.9.42) in one group of a
// Python monitor server (hat-monitor 0.8.21): events registered on either
// are on both, synced events on both sides, failover both ways (timed).
// Skipped without HAT_REF; never needed by CI.

import assert from "node:assert/strict";
import type { Event } from "../../../event/mod.ts";
import { serveProcess } from "../_cli.ts";
import {
  dataOf,
  freePort,
  ids,
  python,
  pythonMonitor,
  REF,
  refConf,
  type RefProcess,
  stop,
  watch,
} from "./_ref.ts";

const has = (events: Event[], serverId: number, type: string) =>
  events.some((e) => e.id.server === serverId && e.type.join("/") === type);

/** What `late` has of `serverId` is the start of what `early` has. */
async function samePrefix(
  late: { serverEvents(id: number): Promise<Event[]> },
  early: { serverEvents(id: number): Promise<Event[]> },
  serverId: number,
  atLeast: number,
) {
  const got = await late.serverEvents(serverId);
  const all = await early.serverEvents(serverId);
  assert.ok(got.length >= atLeast, `${got.length} < ${atLeast}`);
  assert.deepEqual(ids(got), ids(all.slice(0, got.length)));
  assert.deepEqual(got, all.slice(0, got.length));
}

Deno.test({
  name:
    "our server and a Python Event Server in one monitor group share their events and fail over to each other",
  ignore: REF === undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "redundancy_live_" });
    const children: RefProcess[] = [];
    const ours: AsyncDisposable[] = [];
    const watchers: AsyncDisposable[] = [];
    try {
      const monitor = await pythonMonitor(dir);
      children.push(monitor.child);
      const pyPort = freePort();
      const pyConf = await refConf("event_a", dir, {
        eventer_server: pyPort,
        monitor_component: monitor.port,
      });
      const startPython = async () => {
        const child = python("hat.event.server", pyConf);
        children.push(child);
        await child.listening(pyPort);
        return child;
      };
      let py = await startPython();
      const pyWatch = await watch(pyPort);
      watchers.push(pyWatch);
      await pyWatch.statusAt("operational");

      const startOurs = async () => {
        const server = await serveProcess([
          "--data-dir",
          `${dir}/ts`,
          "--server-id",
          "2",
          "--name",
          "ts_b",
          "--monitor",
          `127.0.0.1:${monitor.port}`,
        ]);
        ours.push(server);
        return server;
      };
      let ts = await startOurs();
      let tsWatch = await watch(Number(ts.address.split(":")[1]));
      watchers.push(tsWatch);
      assert.equal(tsWatch.status, "standby");

      // Our client's progress, registered on the Python server, synced
      // back to ours.
      await tsWatch.until(
        () =>
          dataOf(tsWatch.seen, "event/2/synced/1").some((d) =>
            (d as { state: string }).state === "SYNCED"
          ),
        "our SYNCED, back from the Python server",
      );
      // SYNCING only when the catch-up found events: the Python server
      // commits (and so lets a persisted query see) once a second.
      const ours1 = dataOf(await tsWatch.serverEvents(1), "event/2/synced/1");
      const states = ours1.map((d) => (d as { state: string }).state);
      assert.ok(
        ["CONNECTED,SYNCED", "CONNECTED,SYNCING,SYNCED"].includes(
          states.join(),
        ),
        states.join(),
      );
      // The Python server's client cannot register on our standby: its
      // engine registers its progress itself.
      await tsWatch.until(
        () => dataOf(tsWatch.seen, "event/1/synced/2").length === 2,
        "the Python server's synced events",
      );
      assert.deepEqual(dataOf(tsWatch.seen, "event/1/synced/2"), [
        { state: "CONNECTED" },
        { state: "SYNCED", count: 0 },
      ]);

      // Registered on the Python server: on ours, identical.
      const events = Array.from({ length: 100 }, (_, i) => ({
        type: ["live", "py", String(i % 4)],
        sourceTimestamp: null,
        payload: { kind: "json" as const, data: { i } },
      }));
      const registered = await pyWatch.client.register(events, {
        withResponse: true,
      });
      assert.equal(registered?.length, 100);
      const lastPy = registered!.at(-1)!;
      await tsWatch.until(
        () => tsWatch.seen.some((e) => ids([e])[0] === ids([lastPy])[0]),
        "the Python server's events on ours",
      );
      await samePrefix(tsWatch, pyWatch, 1, 100);

      // Failover: the Python server killed, ours takes over.
      const t0 = performance.now();
      await stop(py);
      const tookOver = await tsWatch.statusAt("operational");
      console.log(
        `failover Python -> ours: operational after ${
          (tookOver - t0).toFixed(1)
        } ms`,
      );
      const mine = await tsWatch.client.register(
        [{ type: ["live", "ts"], sourceTimestamp: null, payload: null }],
        { withResponse: true },
      );
      assert.equal(mine?.[0].id.server, 2);
      assert.ok(has(await tsWatch.serverEvents(2), 2, "event/2/engine"));

      // The Python server back: standby, it syncs ours.
      py = await startPython();
      const pyBack = await watch(pyPort, "watcher2");
      watchers.push(pyBack);
      assert.equal(pyBack.status, "standby");
      const more = await tsWatch.client.register(
        Array.from({ length: 50 }, (_, i) => ({
          type: ["live", "ts", String(i)],
          sourceTimestamp: null,
          payload: { kind: "json" as const, data: i },
        })),
        { withResponse: true },
      );
      const lastTs = more!.at(-1)!;
      await pyBack.until(
        () => pyBack.seen.some((e) => ids([e])[0] === ids([lastTs])[0]),
        "ours on the Python server",
      );
      await samePrefix(pyBack, tsWatch, 2, 52);
      assert.ok(has(await pyBack.serverEvents(2), 2, "live/ts"));
      // The Python server's client registered its progress on ours.
      await tsWatch.until(
        () =>
          tsWatch.seen.some((e) =>
            e.id.server === 2 && e.type.join("/") === "event/1/synced/2" &&
            (e.payload?.kind === "json" &&
              (e.payload.data as { state: string }).state === "SYNCED")
          ),
        "the Python server SYNCED from ours",
      );

      // Failover back: ours killed, the Python server takes over.
      const t1 = performance.now();
      ts.child.kill("SIGKILL");
      await ts.status;
      const pyTook = await pyBack.statusAt("operational");
      console.log(
        `failover ours -> Python: operational after ${
          (pyTook - t1).toFixed(1)
        } ms`,
      );
      // It kept every event of ours.
      const onPy = await pyBack.serverEvents(2);
      assert.ok(onPy.some((e) => ids([e])[0] === ids([lastTs])[0]));

      // Ours back: standby, and it has every event of the Python server.
      ts = await startOurs();
      tsWatch = await watch(Number(ts.address.split(":")[1]), "watcher3");
      watchers.push(tsWatch);
      assert.equal(tsWatch.status, "standby");
      await tsWatch.until(
        () =>
          dataOf(tsWatch.seen, "event/2/synced/1").some((d) =>
            (d as { state: string }).state === "SYNCED"
          ),
        "ours SYNCED again",
      );
      await samePrefix(tsWatch, pyBack, 1, 100);
    } finally {
      for (const w of watchers) {
        await Promise.resolve(w[Symbol.asyncDispose]()).catch(() => {});
      }
      for (const s of ours) await s[Symbol.asyncDispose]();
      for (const child of children.reverse()) await stop(child, "SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  },
});
