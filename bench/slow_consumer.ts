// Registration throughput and server RSS with and without a subscriber
// that never reads (the server in a subprocess). Phases alternate, plain
// then with the slow subscriber, `rounds` times; each phase registers
// `events` events in requests of 10 with a response, while a good
// subscriber receives them all.
// `deno run -A bench/slow_consumer.ts [events] [rounds]`

import { connect } from "../client.ts";
import type { RegisterEvent } from "../event/mod.ts";
import { initFrame, writeAll } from "../tests/hardening/_peers.ts";
import { startRssServer } from "./_rss_child.ts";

const total = Number(Deno.args[0] ?? 300_000);
const rounds = Number(Deno.args[1] ?? 2);
const BATCH = 10;

const server = await startRssServer();
async function rss(): Promise<number> {
  return (await server.rss()).rssBeforeGc;
}
const mib = (b: number) => (b / 1048576).toFixed(1);

const port = server.port;
const addr = { hostname: "127.0.0.1", port };
let received = 0;
const good = await connect(addr, "good", {
  subscriptions: [["*"]],
  onEvents: (_c, events) => {
    received += events.length;
  },
});
const producer = await connect(addr, "producer");
const batch: RegisterEvent[] = Array.from({ length: BATCH }, (_, i) => ({
  type: ["measurement", String(i)],
  sourceTimestamp: null,
  payload: { kind: "json", data: { value: i * 1.5, unit: "kV", ok: true } },
}));

async function phase(slow: boolean) {
  let peer: Deno.TcpConn | undefined;
  if (slow) {
    peer = await Deno.connect(addr);
    await writeAll(peer, initFrame("slow", [["*"]]));
  }
  const rssBefore = await rss();
  const start = performance.now();
  for (let i = 0; i < total / BATCH; i++) {
    const r = await producer.register(batch, { withResponse: true });
    if (r === null) throw new Error("register failed");
  }
  const seconds = (performance.now() - start) / 1000;
  const rssAfter = await rss();
  peer?.close();
  return { rate: total / seconds, rssBefore, rssAfter };
}

const rows: {
  slow: boolean;
  rate: number;
  rssBefore: number;
  rssAfter: number;
}[] = [];
for (let r = 0; r < rounds; r++) {
  for (const slow of [false, true]) {
    const p = await phase(slow);
    rows.push({ slow, ...p });
    console.log(
      `${slow ? "with slow subscriber" : "plain               "}: ${
        Math.round(p.rate)
      } events/s, server rss ${mib(p.rssBefore)} -> ${mib(p.rssAfter)} MiB`,
    );
  }
}
const avg = (slow: boolean) => {
  const xs = rows.filter((r) => r.slow === slow).map((r) => r.rate);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};
console.log(
  `throughput with/without the slow subscriber: ${
    (avg(true) / avg(false) * 100).toFixed(0)
  }%; max server rss growth in a slow phase: ${
    mib(Math.max(
      ...rows.filter((r) => r.slow).map((r) => r.rssAfter - r.rssBefore),
    ))
  } MiB; good subscriber received ${received} events`,
);
await good.close();
await producer.close();
await server.close();
