// What an open web page costs the server: one live update (the page's
// storage queries and the JSON it is sent), for each part of the page.
// Load traffic (4 types, JSON payloads, requests of 100 events) into an
// engine with memory storage; each iteration registers EVENTS events (not
// timed: at 200,000 events/s and 4 updates/s a page sees 50,000 between
// two updates), then times building one update. Four updates a second of
// the slowest kind is the page's share of the server's time.
//
//   deno bench -A bench/web_live_bench.ts
//   WEB_BENCH_EVENTS=250000 deno bench -A bench/web_live_bench.ts

import type { RegisterEvent } from "../event/mod.ts";
import { startEngine } from "../event_server/engine.ts";
import { LiveSession } from "../event_server/http/_live_session.ts";
import { MemoryStorage } from "../event_server/storage/memory.ts";

const EVENTS = Number(Deno.env.get("WEB_BENCH_EVENTS") ?? 50_000);
const BATCH = 100;

const engine = await startEngine({ hostname: "127.0.0.1", port: 0 }, {
  storage: new MemoryStorage(),
  onError: () => {},
});
let seq = 0;

function batch(): RegisterEvent[] {
  const out: RegisterEvent[] = [];
  for (let k = 0; k < BATCH; k++, seq++) {
    out.push({
      type: ["load", String(seq % 4)],
      sourceTimestamp: null,
      payload: { kind: "json", data: { value: seq * 0.5, quality: "good" } },
    });
  }
  return out;
}

function register(): void {
  for (let i = 0; i < EVENTS; i += BATCH) engine.register(batch());
}

// A store that already holds events, as a running server's does.
for (let i = 0; i < 10; i++) register();

function session(watch: object): LiveSession {
  const s = new LiveSession();
  s.watch(JSON.stringify(watch));
  // The first update (newest events, the plot's history) is not timed.
  JSON.stringify(s.update(engine.storage, true));
  return s;
}

const from = [Math.floor(Date.now() / 1000) - 3600, 0];
const watches: Record<string, object> = {
  "latest of 4 types": {
    latest: [["load", "0"], ["load", "1"], ["load", "2"], ["load", "3"]],
  },
  "stream of load/*": { stream: { types: [["load", "*"]] } },
  "plot of load/0": {
    plot: {
      type: ["load", "0"],
      field: "value",
      by: "timestamp",
      from,
      to: null,
    },
  },
};
watches["all three"] = Object.assign({}, ...Object.values(watches));

const alone = `one page's update after ${EVENTS} events`;
for (const [name, watch] of Object.entries(watches)) {
  const s = session(watch);
  Deno.bench({
    name: `update: ${name}`,
    group: alone,
    baseline: name === "latest of 4 types",
    fn(b) {
      register();
      b.start();
      JSON.stringify(s.update(engine.storage, true));
      b.end();
    },
  });
}

globalThis.addEventListener("unload", () => {
  engine.close();
});
