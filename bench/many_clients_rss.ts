// The server's RSS holding N clients (default 1,000) that subscribed and
// registered: the server runs in a subprocess (this process holds the
// clients). `deno run -A bench/many_clients_rss.ts [clients]`

import { type Client, connect } from "../client.ts";
import { startRssServer } from "./_rss_child.ts";

const n = Number(Deno.args[0] ?? 1000);
const server = await startRssServer(["--v8-flags=--expose-gc"]);
const rss = () => server.rss();
const mib = (b: number) => (b / 1048576).toFixed(1);

const port = server.port;
const addr = { hostname: "127.0.0.1", port };
const idle = await rss();
let got = 0;
const clients: Client[] = [];
for (let i = 0; i < n; i += 100) {
  clients.push(
    ...await Promise.all(
      Array.from(
        { length: Math.min(100, n - i) },
        (_, k) =>
          connect(addr, `c${i + k}`, {
            subscriptions: [["ev", String((i + k) % 10), "*"]],
            onEvents: (_c, events) => {
              got += events.length;
            },
          }),
      ),
    ),
  );
}
await Promise.all(clients.map((c, i) =>
  c.register([{
    type: ["ev", String(i % 10), `c${i}`],
    sourceTimestamp: null,
    payload: { kind: "json", data: { i } },
  }], { withResponse: true })
));
const held = await rss();
console.log(`server idle: rss ${mib(idle.rss)} MiB`);
console.log(
  `server with ${held.connections} clients (subscribed, each registered once; ${got} notifications received so far): rss ${
    mib(held.rssBeforeGc)
  } MiB before GC, ${mib(held.rss)} MiB after GC (heap used ${
    mib(held.heapUsed)
  } MiB, external ${mib(held.external)} MiB)`,
);
await Promise.all(clients.map((c) => c.close()));
await server.close();
