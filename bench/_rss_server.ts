// An eventer server in its own process, for measuring its memory: prints
// its port, then answers each "rss" line on stdin with its memory usage
// (after a full GC when run with --v8-flags=--expose-gc) as JSON.

import { listen, type Server } from "../server.ts";
import type { Event } from "../event/mod.ts";

const ref: { server?: Server } = {};
let session = 0;
const server = await listen({ hostname: "127.0.0.1", port: 0 }, {
  maxConnections: 100_000,
  onRegister: (_info, registerEvents) => {
    session += 1;
    const events: Event[] = registerEvents.map((e, i) => ({
      id: { server: 1, session, instance: i + 1 },
      timestamp: { s: 1_700_000_000, us: 0 },
      ...e,
    }));
    ref.server?.notifyEvents(events);
    return events;
  },
});
ref.server = server;
console.log(JSON.stringify({ port: server.addrs[0].port }));

const gc = (globalThis as { gc?: () => void }).gc;
const decoder = new TextDecoder();
let pending = "";
for await (const chunk of Deno.stdin.readable) {
  pending += decoder.decode(chunk, { stream: true });
  let nl;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, nl).trim();
    pending = pending.slice(nl + 1);
    if (line === "rss") {
      const before = Deno.memoryUsage().rss;
      gc?.();
      const m = Deno.memoryUsage();
      console.log(JSON.stringify({
        rssBeforeGc: before,
        rss: m.rss,
        heapUsed: m.heapUsed,
        external: m.external,
        connections: server.connInfos().length,
      }));
    }
  }
}
await server.close();
