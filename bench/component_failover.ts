// What a failover of the active Event Server costs eventer components
// (docs/failover.md): two of our Event Servers (subprocesses, SQLite) in a
// monitor group, server B standby and synced; a writer component whose
// runner registers batches of 10 (with response) back to back, and two
// subscriber components (`r/*`, one `persisted`, one not; by default, as
// in the reference, subscribed to the active server's id). Server A is
// killed with SIGKILL; measured: the time from the kill to the first
// registration that succeeds through the writer's next runner (on B), and,
// against what B stores (both servers' ids), what each subscriber missed,
// got twice, or got without it being stored.
//
// With the test monitor server of tests/monitor; with HAT_REF also with
// the Python monitor server (hat-monitor 0.8.21).
//
//   deno run -A bench/component_failover.ts [runs]

import { connectComponent, type Event } from "../mod.ts";
import { connect } from "../client.ts";
import { serveProcess } from "../tests/event_server/_cli.ts";
import {
  pythonMonitor,
  REF,
  stop,
} from "../tests/event_server/redundancy/_ref.ts";
import { startMonitorServer } from "../tests/monitor/_monitor_server.ts";

const RUNS = Number(Deno.args[0] ?? 5);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const key = (e: Event) => `${e.id.server}/${e.id.session}/${e.id.instance}`;
const addr = (a: string) => ({
  hostname: "127.0.0.1",
  port: Number(a.split(":")[1]),
});

async function statusOf(address: string) {
  const c = await connect(addr(address), "probe");
  const s = c.status;
  await c.close();
  return s;
}

/**
 * Resolves once the standby (server 2) tells the active server (1, at
 * `address`) that its sync of 1's events is SYNCED: it has joined and
 * caught up. Subscribed before the standby starts, so nothing is missed.
 */
async function syncedWatch(address: string) {
  const synced = Promise.withResolvers<void>();
  const client = await connect(addr(address), "sync-watch", {
    subscriptions: [["event", "2", "synced", "1"]],
    onEvents: (_client, events) => {
      for (const e of events) {
        const data = e.payload?.kind === "json" ? e.payload.data : null;
        if ((data as { state?: unknown } | null)?.state === "SYNCED") {
          synced.resolve();
        }
      }
    },
  });
  return {
    synced: synced.promise,
    close: () => client.close(),
  };
}

async function stored(address: string): Promise<string[]> {
  await using client = await connect(addr(address), "reader");
  const keys: string[] = [];
  for (const serverId of [1, 2]) {
    let last = null;
    for (;;) {
      const page = await client.query({
        kind: "server",
        serverId,
        lastEventId: last,
      });
      for (const e of page.events) if (e.type[0] === "r") keys.push(key(e));
      if (!page.moreFollows || page.events.length === 0) break;
      last = page.events[page.events.length - 1].id;
    }
  }
  return keys;
}

interface Run {
  toRegistration: number;
  stored: number;
  missing: [number, number];
  repeated: [number, number];
  unstored: [number, number];
}

async function run(monitorPort: number): Promise<Run> {
  const dirs = [
    await Deno.makeTempDir({ prefix: "component_failover_a_" }),
    await Deno.makeTempDir({ prefix: "component_failover_b_" }),
  ];
  const monitor = `127.0.0.1:${monitorPort}`;
  const a = await serveProcess([
    "--data-dir",
    dirs[0],
    "--server-id",
    "1",
    "--name",
    "a",
    "--monitor",
    monitor,
  ]);
  while (await statusOf(a.address) !== "operational") await sleep(20);
  const watch = await syncedWatch(a.address);
  const b = await serveProcess([
    "--data-dir",
    dirs[1],
    "--server-id",
    "2",
    "--name",
    "b",
    "--monitor",
    monitor,
  ]);
  await watch.synced; // b joined and caught up
  await watch.close();
  const monitorAddr = { hostname: "127.0.0.1", port: monitorPort };
  const common = {
    group: "gateway",
    serverGroup: "event",
    ready: true,
    onError: () => {},
  };

  let killedAt = Infinity;
  let firstAfterKill = Infinity;
  const batch = Array.from({ length: 10 }, (_, k) => ({
    type: ["r", String(k)],
    sourceTimestamp: null,
    payload: { kind: "json" as const, data: { k } },
  }));
  const writer = await connectComponent(monitorAddr, {
    ...common,
    name: "writer",
    clientName: "writer",
    runner: (_c, _server, client, signal) => {
      const loop = (async () => {
        while (!signal.aborted) {
          const started = performance.now();
          try {
            const r = await client.register(batch, { withResponse: true });
            if (
              r !== null && started > killedAt && firstAfterKill === Infinity
            ) firstAfterKill = performance.now();
          } catch {
            return; // the connection is gone: the runner is closed
          }
        }
      })();
      return () => loop;
    },
  });
  const subscriber = async (persisted: boolean) => {
    const seen = new Map<string, number>();
    const component = await connectComponent(monitorAddr, {
      ...common,
      name: persisted ? "persisted" : "new",
      clientName: persisted ? "persisted" : "new",
      subscriptions: [["r", "*"]],
      persisted,
      runner: () => {},
      onEvents: (_c, _client, events) => {
        for (const e of events) seen.set(key(e), (seen.get(key(e)) ?? 0) + 1);
      },
    });
    return { component, seen };
  };
  const subs = [await subscriber(true), await subscriber(false)];

  await sleep(3000);
  killedAt = performance.now();
  a.child.kill("SIGKILL");
  await a.status;
  while (firstAfterKill === Infinity) await sleep(10);
  await sleep(2000);
  await writer.close();
  await sleep(500); // the last notifications
  const keys = await stored(b.address);
  const all = new Set(keys);
  const count = (f: (seen: Map<string, number>) => number) =>
    subs.map((s) => f(s.seen)) as [number, number];
  const result: Run = {
    toRegistration: firstAfterKill - killedAt,
    stored: keys.length,
    missing: count((seen) => keys.filter((k) => !seen.has(k)).length),
    repeated: count((seen) => [...seen.values()].filter((n) => n > 1).length),
    unstored: count((seen) =>
      [...seen.keys()].filter((k) => !all.has(k)).length
    ),
  };
  for (const s of subs) await s.component.close();
  await b[Symbol.asyncDispose]();
  await a[Symbol.asyncDispose]();
  for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  return result;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};

async function series(label: string, monitorPort: number) {
  console.log(`\n${label}, ${RUNS} runs`);
  console.log(
    "| run | kill → first registration | stored | missed: persisted / not | repeated: persisted / not | not stored: persisted / not |",
  );
  console.log("| --: | --: | --: | --: | --: | --: |");
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await run(monitorPort);
    times.push(r.toRegistration);
    console.log(
      `| ${i + 1} | ${r.toRegistration.toFixed(1)} ms | ${r.stored} | ${
        r.missing.join(" / ")
      } | ${r.repeated.join(" / ")} | ${r.unstored.join(" / ")} |`,
    );
  }
  console.log(
    `median: kill → first registration ${median(times).toFixed(1)} ms`,
  );
}

{
  await using monitor = await startMonitorServer({
    groupAlgorithms: { event: "BLESS_ONE" },
  });
  await series("test monitor server (tests/monitor)", monitor.addr.port);
}
if (REF !== undefined) {
  const dir = await Deno.makeTempDir({ prefix: "component_failover_mon_" });
  const monitor = await pythonMonitor(dir);
  try {
    await series("Python monitor server (hat-monitor 0.8.21)", monitor.port);
  } finally {
    await stop(monitor.child);
    await Deno.remove(dir, { recursive: true });
  }
}
