// Prints chatter throughput (100-byte messages one way) and request/response
// round-trip latency percentiles over loopback.
// Run: deno run -A bench/chatter_latency.ts [messages] [round trips]

import { connectedPair } from "./_chatter_pair.ts";

const MESSAGES = Number(Deno.args[0] ?? 200_000);
const ROUND_TRIPS = Number(Deno.args[1] ?? 20_000);
const payload = {
  type: "HatEventer.MsgRegisterReq",
  data: new Uint8Array(100),
};

const [sender, receiver] = await connectedPair();
{
  // Warm up, then time the one-way stream.
  for (let i = 0; i < 10_000; i++) sender.send(payload);
  for (let i = 0; i < 10_000; i++) await receiver.receive();
  const start = performance.now();
  const receiving = (async () => {
    for (let i = 0; i < MESSAGES; i++) await receiver.receive();
  })();
  for (let i = 0; i < MESSAGES; i++) await sender.send(payload);
  await receiving;
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `one way: ${MESSAGES} × 100 B in ${seconds.toFixed(3)} s = ${
      Math.round(MESSAGES / seconds).toLocaleString("en")
    } messages/s`,
  );
}
await sender.close();
await receiver.close();

const [client, server] = await connectedPair();
(async () => {
  for await (const req of server) await server.send(req, { conv: req.conv });
})();
{
  const times = new Float64Array(ROUND_TRIPS);
  for (let i = 0; i < 2000; i++) {
    await client.send(payload, { last: false });
    await client.receive();
  }
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t0 = performance.now();
    await client.send(payload, { last: false });
    await client.receive();
    times[i] = performance.now() - t0;
  }
  times.sort();
  const pct = (p: number) =>
    (times[Math.min(times.length - 1, Math.floor(p * times.length))] * 1000)
      .toFixed(1);
  const mean = times.reduce((a, b) => a + b, 0) / times.length * 1000;
  console.log(
    `round trip (100 B request/response, ${ROUND_TRIPS}): p50 ${
      pct(0.5)
    } µs, ` +
      `p99 ${pct(0.99)} µs, mean ${mean.toFixed(1)} µs`,
  );
}
await client.close();
await server.close();
