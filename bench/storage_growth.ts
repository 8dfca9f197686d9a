// Memory and cost of the SQLite storage as its history grows, with no
// retention: registers events the way the soak (tools/soak.ts) does (400
// types: 4 producers x 100, batches of 100 events, a commit per
// PER_COMMIT events, JSON payloads), and after every million prints the
// number of chunks, the heap after a full GC, external (ArrayBuffer)
// memory, RSS, the time to register and commit that million, and the mean
// time of the soak's churn query (newest 100 events of one type).
//
//   deno run -A --v8-flags=--expose-gc bench/storage_growth.ts [MILLIONS] [PER_COMMIT]
//
// Defaults: 8 million events, 1,200 per commit (what 60,000 events/s and
// a 20 ms flush period give).

import type { Event } from "../event/types.ts";
import { SqliteStorage } from "../event_server/storage/sqlite/sqlite.ts";

const MILLIONS = Number(Deno.args[0] ?? 8);
const PER_COMMIT = Number(Deno.args[1] ?? 1200);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");

const dir = await Deno.makeTempDir({ prefix: "eventer_growth_" });
const storage = new SqliteStorage(`${dir}/events.db`, {
  flushPeriod: 2 ** 31 - 1,
  maxPending: 2 ** 31 - 1,
  checkpointPeriod: 0,
});
const mib = (n: number) => (n / 2 ** 20).toFixed(1);
console.log(
  "| events | chunks | summary type ids | heap MiB | external MiB | RSS MiB " +
    "| s per million | churn query ms |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
let session = 0;
let t0 = performance.now();
let queryMs = 0;
let queries = 0;
for (let n = 0; n < MILLIONS * 1e6;) {
  const producer = (n / 100) % 4;
  session++;
  const events: Event[] = [];
  for (let k = 0; k < 100; k++) {
    events.push({
      id: { server: 1, session, instance: k + 1 },
      type: ["soak", String(producer), String(k)],
      timestamp: { s: 1_700_000_000 + Math.floor(session / 600), us: 0 },
      sourceTimestamp: { s: session, us: k },
      payload: { kind: "json", data: { value: session + k * 0.5, q: "good" } },
    });
  }
  storage.register(events);
  n += 100;
  if (n % PER_COMMIT === 0) await storage.flush();
  if (n % 100_000 === 0) {
    const q0 = performance.now();
    storage.query({
      kind: "timeseries",
      eventTypes: [["soak", "0", "0"]],
      maxResults: 100,
    });
    queryMs += performance.now() - q0;
    queries++;
  }
  if (n % 1_000_000 === 0) {
    await storage.flush();
    const s = (performance.now() - t0) / 1000;
    gc();
    const m = Deno.memoryUsage();
    const typeIds = (storage as { summaryTypeIds?: number }).summaryTypeIds;
    console.log(
      `| ${n / 1e6}M | ${storage.chunkCount} | ${typeIds ?? "n/a"} | ` +
        `${mib(m.heapUsed)} | ${mib(m.external)} | ${mib(m.rss)} | ` +
        `${s.toFixed(2)} | ${(queryMs / queries).toFixed(2)} |`,
    );
    t0 = performance.now();
    queryMs = 0;
    queries = 0;
  }
}
await storage.close();
await Deno.remove(dir, { recursive: true });
