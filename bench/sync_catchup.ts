// Catch-up of a peer's history (docs/redundancy.md): a peer Event Server
// (subprocess, SQLite, page cap raised to 65,536) holds N events
// (1,000,000 by default, 100 types, ~40-byte JSON payloads); a syncing
// server in this process (an engine and its peer sync, as `serve --peer`
// runs them) catches up from nothing, and the time from its connection to
// SYNCED gives the rate. Side by side, alternating, `runs` times each: the
// syncing server on memory or SQLite storage, asking pages of 1,024, 4,096
// (the default) or 16,384 events.
//
//   deno run -A bench/sync_catchup.ts [events] [runs]

import { connect } from "../client.ts";
import { startEngine } from "../event_server/engine.ts";
import { createLogger } from "../event_server/log.ts";
import { PeerSet } from "../event_server/redundancy/mod.ts";
import {
  MemoryStorage,
  SqliteStorage,
  type Storage,
} from "../event_server/storage/mod.ts";
import { startServer } from "../tools/_server.ts";

const EVENTS = Number(Deno.args[0] ?? 1_000_000);
const RUNS = Number(Deno.args[1] ?? 3);

/** The peer, filled with EVENTS events. */
async function peer() {
  const server = await startServer({
    prefix: "sync_catchup_peer_",
    args: ["--server-id", "1", "--max-results", "65536"],
  });
  const client = await connect(server.addr, "fill");
  const batch = 1000;
  const window: Promise<unknown>[] = [];
  for (let i = 0; i < EVENTS; i += batch) {
    window.push(client.register(
      Array.from({ length: Math.min(batch, EVENTS - i) }, (_, k) => ({
        type: ["gateway", `device${(i + k) % 100}`, "data"],
        sourceTimestamp: null,
        payload: {
          kind: "json" as const,
          data: { value: (i + k) * 0.5, quality: "good" },
        },
      })),
      { withResponse: true },
    ));
    if (window.length >= 8) await window.shift();
  }
  await Promise.all(window);
  await client.close();
  return server;
}

/** One catch-up from nothing; the events it received and the seconds. */
async function catchUp(
  at: { hostname: string; port: number },
  kind: "memory" | "sqlite",
  pageSize: number,
) {
  const dir = await Deno.makeTempDir({ prefix: "sync_catchup_" });
  const storage: Storage = kind === "memory"
    ? new MemoryStorage()
    : new SqliteStorage(`${dir}/events.db`);
  const engine = await startEngine({ hostname: "127.0.0.1", port: 0 }, {
    storage,
    serverId: 2,
  });
  const synced = Promise.withResolvers<void>();
  let t0 = 0;
  const peers = new PeerSet({
    engine,
    name: "bench",
    clientToken: null,
    reconnectDelay: 5000,
    pageSize,
    log: createLogger("warn"),
    onChange: (sync) => {
      if (sync.state === "CONNECTED" && t0 === 0) t0 = performance.now();
      if (sync.state === "SYNCED") synced.resolve();
    },
  });
  peers.update([{ serverId: 1, address: at }]);
  await synced.promise;
  const seconds = (performance.now() - t0) / 1000;
  const [stats] = peers.stats();
  await peers.close();
  await engine.close();
  await Deno.remove(dir, { recursive: true });
  return { count: stats.caughtUp, seconds, pageSize: stats.pageSize };
}

const cases: [string, "memory" | "sqlite", number][] = [
  ["memory, pages of 4,096 (default)", "memory", 4096],
  ["memory, pages of 1,024", "memory", 1024],
  ["memory, pages of 16,384", "memory", 16384],
  ["SQLite, pages of 4,096 (default)", "sqlite", 4096],
  ["SQLite, pages of 1,024", "sqlite", 1024],
  ["SQLite, pages of 16,384", "sqlite", 16384],
];
const results = new Map<string, number[]>(cases.map((c) => [c[0], []]));
const t0 = performance.now();
const server = await peer();
console.error(
  `peer with ${EVENTS} events filled in ${
    ((performance.now() - t0) / 1000).toFixed(1)
  } s`,
);
try {
  for (let run = 0; run < RUNS; run++) {
    for (const [name, kind, pageSize] of cases) {
      const r = await catchUp(server.addr, kind, pageSize);
      const rate = r.count / r.seconds;
      results.get(name)!.push(rate);
      console.error(
        `${name}: ${r.count} events in ${r.seconds.toFixed(2)} s ` +
          `(${Math.round(rate)} events/s)` +
          (r.pageSize === pageSize ? "" : ` (pages cut to ${r.pageSize})`),
      );
    }
  }
} finally {
  await server.stop();
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const base = median(results.get(cases[0][0])!);
console.log(
  `| catch-up of ${EVENTS.toLocaleString("en")} events | median events/s ` +
    "| vs default | runs (k events/s) |",
);
console.log("| --- | ---: | ---: | --- |");
for (const [name, rates] of results) {
  const m = median(rates);
  console.log(
    `| ${name} | ${Math.round(m).toLocaleString("en")} | ${
      (m / base).toFixed(2)
    } | ${rates.map((r) => Math.round(r / 1000)).join(", ")} |`,
  );
}
