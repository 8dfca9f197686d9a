// What a SIGKILL and restart of the Event Server (a subprocess, SQLite)
// costs reconnecting clients with the default backoff: the time from the
// kill to the first successful registration after the restart, and what a
// subscriber with and without `persisted` received of the stored events.
// A writer registers batches of 10 (with response) back to back; the
// server is killed after `uptime` seconds (11 by default: longer than the
// default maxDelay, so the writer's connection counts as stable and its
// first attempt is immediate; pass 1 for a connection that drops soon).
// `deno run -A bench/failover.ts [runs] [uptime]`

import { ConnectionError } from "../chatter/mod.ts";
import { type Client, connect, type ReconnectInfo } from "../client.ts";
import type { Event } from "../event/mod.ts";
import { serveProcess } from "../tests/event_server/_cli.ts";

const runs = Number(Deno.args[0] ?? 5);
const uptime = Number(Deno.args[1] ?? 11);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const key = (e: Event) => `${e.id.server}/${e.id.session}/${e.id.instance}`;

function subscriber(address: { hostname: string; port: number }) {
  return async (persisted: boolean) => {
    const seen = new Map<string, number>();
    const client = await connect(address, persisted ? "persisted" : "new", {
      subscriptions: [["r", "*"]],
      persisted,
      reconnect: true,
      onError: () => {},
      onEvents: (_c, events) => {
        for (const e of events) seen.set(key(e), (seen.get(key(e)) ?? 0) + 1);
      },
    });
    return { client, seen };
  };
}

async function stored(at: { hostname: string; port: number }) {
  await using client = await connect(at, "reader");
  const keys: string[] = [];
  let last = null;
  for (;;) {
    const page = await client.query({
      kind: "server",
      serverId: 1,
      persisted: false, // commits what waits first
      lastEventId: last,
    });
    for (const e of page.events) if (e.type[0] === "r") keys.push(key(e));
    if (!page.moreFollows || page.events.length === 0) return keys;
    last = page.events[page.events.length - 1].id;
  }
}

interface Run {
  toRegistration: number;
  toListening: number;
  info: ReconnectInfo | undefined;
  stored: number;
  missing: { persisted: number; new: number };
  repeated: { persisted: number; new: number };
  /** Delivered but not stored (notified before a commit the kill lost). */
  unstored: { persisted: number; new: number };
}

async function run(): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "eventer_failover_bench_" });
  const first = await serveProcess(["--data-dir", dir]);
  const [hostname, port] = first.address.split(":");
  const at = { hostname, port: Number(port) };
  const subscribe = subscriber(at);
  const subs = {
    persisted: await subscribe(true),
    new: await subscribe(false),
  };
  let info: ReconnectInfo | undefined;
  const writer: Client = await connect(at, "writer", {
    reconnect: true,
    requestTimeout: 60,
    onReconnect: (_c, i) => info = i,
    onError: () => {},
  });
  let writing = true;
  let killedAt = Infinity;
  let firstAfterKill = Infinity;
  const batch = Array.from({ length: 10 }, (_, k) => ({
    type: ["r", String(k)],
    sourceTimestamp: null,
    payload: { kind: "json" as const, data: { k } },
  }));
  const writing$ = (async () => {
    while (writing) {
      // a call made before the kill may still be answered after it
      const started = performance.now();
      try {
        await writer.register(batch, { withResponse: true });
        const t = performance.now();
        if (started > killedAt && firstAfterKill === Infinity) {
          firstAfterKill = t;
        }
      } catch (err) {
        if (!(err instanceof ConnectionError)) throw err;
      }
    }
  })();

  await sleep(uptime * 1000);
  killedAt = performance.now();
  first.child.kill("SIGKILL");
  await first.status;
  const second = await serveProcess(["--data-dir", dir], {
    listenOn: first.address,
  });
  const listening = performance.now();
  while (firstAfterKill === Infinity) await sleep(10);
  await sleep(2000);
  writing = false;
  await writing$;
  const keys = await stored(at);
  // let the persisted subscriber finish its catch-up
  for (let i = 0; i < 100 && subs.persisted.seen.size < keys.length; i++) {
    await sleep(100);
  }
  const missing = (seen: Map<string, number>) =>
    keys.filter((k) => !seen.has(k)).length;
  const repeated = (seen: Map<string, number>) =>
    [...seen.values()].filter((n) => n > 1).length;
  const all = new Set(keys);
  const unstored = (seen: Map<string, number>) =>
    [...seen.keys()].filter((k) => !all.has(k)).length;
  const result: Run = {
    toRegistration: firstAfterKill - killedAt,
    toListening: listening - killedAt,
    info,
    stored: keys.length,
    missing: {
      persisted: missing(subs.persisted.seen),
      new: missing(subs.new.seen),
    },
    repeated: {
      persisted: repeated(subs.persisted.seen),
      new: repeated(subs.new.seen),
    },
    unstored: {
      persisted: unstored(subs.persisted.seen),
      new: unstored(subs.new.seen),
    },
  };
  await writer.close();
  await subs.persisted.client.close();
  await subs.new.client.close();
  await second[Symbol.asyncDispose]();
  await Deno.remove(dir, { recursive: true });
  return result;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? s[s.length >> 1]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(
  `SIGKILL + restart of the Event Server after ${uptime} s up, ${runs} runs, default backoff`,
);
console.log(
  "| run | kill → listening | kill → first registration | attempts | waits (s) | stored | missed: persisted / new | repeated: persisted / new | not stored: persisted / new |",
);
console.log("| --: | --: | --: | --: | --- | --: | --: | --: | --: |");
const results: Run[] = [];
for (let i = 0; i < runs; i++) {
  const r = await run();
  results.push(r);
  console.log(
    `| ${i + 1} | ${r.toListening.toFixed(0)} ms | ${
      r.toRegistration.toFixed(0)
    } ms | ${r.info?.attempts ?? "-"} | ${
      r.info?.delays.map((d) => d.toFixed(2)).join(", ") || "none"
    } | ${r.stored} | ${r.missing.persisted} / ${r.missing.new} | ${r.repeated.persisted} / ${r.repeated.new} | ${r.unstored.persisted} / ${r.unstored.new} |`,
  );
}
console.log(
  `median: kill → listening ${
    median(results.map((r) => r.toListening)).toFixed(0)
  } ms, kill → first registration ${
    median(results.map((r) => r.toRegistration)).toFixed(0)
  } ms`,
);
