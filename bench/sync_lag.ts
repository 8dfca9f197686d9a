// Live sync lag (docs/redundancy.md): while `deno task load` registers on
// Event Server A (subprocess, SQLite), Event Server B (subprocess, memory)
// syncs A's events as its static peer. Subscribers in this process measure,
// for every event, the time from A's timestamp to its notification: on A
// itself (new events, and persisted ones: A notifies those after its
// commit, which is when B's sync gets them) and on B (the synced copy).
// Three loads: the load tool's default (4 clients, 8 batches of 100 in
// flight each), a light one (1 client, 1 batch of 10 in flight) and a
// trickle (1 client, one event at a time).
//
//   deno run -A bench/sync_lag.ts [events per client]

import { type Client, connect } from "../client.ts";
import type { Event, Timestamp } from "../event/mod.ts";
import { now } from "../event/mod.ts";
import { startServer } from "../tools/_server.ts";

const EVENTS = Number(Deno.args[0] ?? 250_000);

const ms = (t: Timestamp) => Number(t.s) * 1000 + t.us / 1000;

interface Lags {
  name: string;
  samples: number[];
  count: number;
  /** Resolves once `count` reached `target`. */
  target: number;
  reached: PromiseWithResolvers<void>;
}

async function lagSubscriber(
  at: { hostname: string; port: number },
  name: string,
  persisted: boolean,
): Promise<{ client: Client; lags: Lags }> {
  const lags: Lags = {
    name,
    samples: [],
    count: 0,
    target: Infinity,
    reached: Promise.withResolvers(),
  };
  const client = await connect(at, `lag-${name}`, {
    subscriptions: [["load", "*"]],
    persisted,
    onEvents: (_c, events: Event[]) => {
      const t = ms(now());
      lags.count += events.length;
      // Every 16th event: enough for percentiles, little work here.
      for (let i = 0; i < events.length; i += 16) {
        lags.samples.push(t - ms(events[i].timestamp));
      }
      if (lags.count >= lags.target) lags.reached.resolve();
    },
  });
  return { client, lags };
}

const pct = (xs: number[], p: number) =>
  xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];

async function run(label: string, loadArgs: string[]) {
  const a = await startServer({
    prefix: "sync_lag_a_",
    args: ["--server-id", "1"],
  });
  const b = await startServer({
    prefix: "sync_lag_b_",
    args: [
      "--server-id",
      "2",
      "--memory",
      "--peer",
      `1@127.0.0.1:${a.addr.port}`,
    ],
  });
  try {
    // B registers its progress on A: wait for its SYNCED.
    const synced = Promise.withResolvers<void>();
    const watcher = await connect(a.addr, "watch", {
      subscriptions: [["event", "2", "synced", "1"]],
      onEvents: (_c, events) => {
        if (JSON.stringify(events).includes('"SYNCED"')) synced.resolve();
      },
    });
    await synced.promise;
    await watcher.close();
    const subs = [
      await lagSubscriber(a.addr, "A, new events", false),
      await lagSubscriber(a.addr, "A, persisted", true),
      await lagSubscriber(b.addr, "B, synced from A", false),
    ];
    const load = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../tools/load.ts", import.meta.url).href,
        "--address",
        `127.0.0.1:${a.addr.port}`,
        "--subscribers",
        "0",
        "--json",
        ...loadArgs,
      ],
      stdout: "piped",
      stderr: "inherit",
    });
    const out = await load.output();
    const result = JSON.parse(new TextDecoder().decode(out.stdout));
    // Every subscriber gets every event (B once A committed and B stored).
    const total = result.events as number;
    for (const { lags } of subs) {
      lags.target = total;
      if (lags.count >= total) lags.reached.resolve();
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(subs.map((s) => s.lags.reached.promise)),
      new Promise((r) => timer = setTimeout(r, 30_000)),
    ]);
    clearTimeout(timer);
    for (const s of subs) await s.client.close();
    console.log(
      `\n${label}: ${total.toLocaleString("en")} events at ${
        result.eventsPerSecond.toLocaleString("en")
      } events/s (load tool)`,
    );
    console.log("| subscriber | events | lag p50 ms | p99 ms | max ms |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const { lags } of subs) {
      const xs = lags.samples.sort((x, y) => x - y);
      console.log(
        `| ${lags.name} | ${lags.count.toLocaleString("en")} | ${
          pct(xs, 0.5).toFixed(1)
        } | ${pct(xs, 0.99).toFixed(1)} | ${xs.at(-1)!.toFixed(1)} |`,
      );
    }
  } finally {
    await b.stop();
    await a.stop();
  }
}

await run("default load", ["--events", String(EVENTS)]);
await run("light load", [
  "--clients",
  "1",
  "--window",
  "1",
  "--batch",
  "10",
  "--events",
  String(Math.round(EVENTS / 5)),
]);
await run("trickle", [
  "--clients",
  "1",
  "--window",
  "1",
  "--batch",
  "1",
  "--events",
  String(Math.round(EVENTS / 50)),
]);
