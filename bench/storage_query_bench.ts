// Query latency of the storages on a large store: every query kind of
// tests/testdata/spec/PROTOCOL.md §5 against STORAGE_BENCH_EVENTS events
// (default 2,000,000) of 1,000 frequent types and one rare type (every
// 10,000th event), in pages of 100; and answers of 4,096 events turned into
// MsgQueryRes bytes as the Event Server does: by the TypeScript writer from
// the events the storage builds ("ts"), or by the Wasm core straight from
// the stored records ("wasm").
//
//   deno bench -A bench/storage_query_bench.ts
//   STORAGE_BENCH_EVENTS=200000 deno bench -A bench/storage_query_bench.ts

import { EventCore } from "../codec/wasm/internal_mod.ts";
import type { Event, QueryParams } from "../event/types.ts";
import { encodeQueryRes } from "../eventer/_messages.ts";
import { MemoryStorage } from "../event_server/storage/memory.ts";
import { SqliteStorage } from "../event_server/storage/sqlite/sqlite.ts";
import type { Storage } from "../event_server/storage/storage.ts";

const N = Number(Deno.env.get("STORAGE_BENCH_EVENTS") ?? 2_000_000);
const BATCH = 1000;
const T0 = 1_700_000_000;

function batch(first: number): Event[] {
  const events: Event[] = [];
  for (let i = first; i < first + BATCH && i < N; i++) {
    const rare = i % 10_000 === 5_000;
    const s = T0 + Math.floor(i / 100);
    events.push({
      id: {
        server: 1,
        session: Math.floor(i / BATCH) + 1,
        instance: i % BATCH + 1,
      },
      type: rare ? ["rare", "x"] : ["gw", `dev${i % 1000}`, "data"],
      timestamp: { s, us: (i % 100) * 10_000 },
      // source times run backwards, so the two orders differ
      sourceTimestamp: { s: T0 + N - i, us: 0 },
      payload: { kind: "json", data: { value: i, quality: "good" } },
    });
  }
  return events;
}

async function fill(storage: Storage): Promise<void> {
  for (let i = 0; i < N; i += BATCH) await storage.register(batch(i));
  await storage.flush();
}

const dir = await Deno.makeTempDir({ prefix: "eventer_storage_bench_" });
const memory = new MemoryStorage({ maxResults: 4096 });
await fill(memory);
const sqlite = new SqliteStorage(`${dir}/events.db`, {
  maxResults: 4096,
  synchronous: "normal",
});
await fill(sqlite);
globalThis.addEventListener("unload", () => {
  Deno.removeSync(dir, { recursive: true });
});

const middle = {
  server: 1,
  session: Math.floor(N / 2 / BATCH) + 1,
  instance: 1,
};
const QUERIES: [string, QueryParams][] = [
  ["latest, all types", { kind: "latest", eventTypes: null }],
  ["latest, rare type", { kind: "latest", eventTypes: [["rare", "*"]] }],
  ["timeseries newest 100", { kind: "timeseries" }],
  ["timeseries oldest 100", { kind: "timeseries", order: "ascending" }],
  ["timeseries by source time, newest 100", {
    kind: "timeseries",
    orderBy: "sourceTimestamp",
  }],
  ["timeseries by source time, oldest 100", {
    kind: "timeseries",
    orderBy: "sourceTimestamp",
    order: "ascending",
  }],
  ["timeseries, rare type", {
    kind: "timeseries",
    eventTypes: [["rare", "*"]],
  }],
  ["timeseries, common type", {
    kind: "timeseries",
    eventTypes: [["gw", "dev7", "*"]],
  }],
  ["timeseries, time range in the middle", {
    kind: "timeseries",
    tFrom: { s: T0 + Math.floor(N / 200), us: 0 },
    tTo: { s: T0 + Math.floor(N / 200) + 10, us: 0 },
  }],
  ["timeseries, page after the middle", {
    kind: "timeseries",
    order: "ascending",
    lastEventId: middle,
  }],
  ["server, after the middle", {
    kind: "server",
    serverId: 1,
    lastEventId: middle,
  }],
];

for (
  const [name, storage] of [["memory", memory], ["sqlite", sqlite]] as const
) {
  for (const [query, params] of QUERIES) {
    Deno.bench({
      name: `${name}: ${query}`,
      group: query,
      baseline: name === "memory",
      fn() {
        // Pages of 100 (the storages' own cap is 4,096).
        storage.query(
          params.kind === "latest" ? params : { ...params, maxResults: 100 },
        );
      },
    });
  }
}

// What arrived after an id (the web view's live updates), beside the
// timeseries query that answered it before: the newest 50 since the
// 4,096th newest event, of all types and of a common type.
const recent = {
  server: 1,
  session: Math.floor((N - 4096) / BATCH) + 1,
  instance: (N - 4096) % BATCH + 1,
};
const since = { s: T0 + Math.floor((N - 4096) / 100), us: 0 };
for (
  const [what, eventTypes] of [
    ["all types", null],
    ["a common type", [["gw", "dev7", "*"]]],
  ] as const
) {
  for (
    const [name, storage] of [["memory", memory], ["sqlite", sqlite]] as const
  ) {
    const group = `newest 50 since the 4,096th newest, ${what}, ${name}`;
    Deno.bench({
      name: "timeseries from its timestamp",
      group,
      baseline: true,
      fn() {
        storage.query({
          kind: "timeseries",
          eventTypes,
          tFrom: since,
          maxResults: 50,
        }, { jsonText: true });
      },
    });
    Deno.bench({
      name: "arrivals after its id",
      group,
      fn() {
        storage.arrivals(1, {
          after: recent,
          eventTypes,
          maxResults: 50,
          jsonText: true,
        });
      },
    });
  }
}

const ANSWERS: [string, QueryParams][] = [
  ["newest 4096", { kind: "timeseries" }],
  ["server, 4096 after the middle", {
    kind: "server",
    serverId: 1,
    lastEventId: middle,
  }],
  ["latest, all 1,001 types", { kind: "latest" }],
];

const core = new EventCore();
const held = core.batch();
for (
  const [name, storage] of [["memory", memory], ["sqlite", sqlite]] as const
) {
  for (const [query, params] of ANSWERS) {
    const group = `MsgQueryRes bytes, ${name}: ${query}`;
    Deno.bench({
      name: "ts",
      group,
      baseline: true,
      fn() {
        encodeQueryRes(storage.query(params, { jsonText: true }));
      },
    });
    Deno.bench({
      name: "wasm",
      group,
      fn() {
        const bytes = storage.queryBytes(params, held, 4096, encodeQueryRes);
        if (bytes === null) throw new Error("no memory for the answer");
        held.clear();
        core.release();
      },
    });
  }
}
