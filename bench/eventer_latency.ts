// Round-trip latency of `register` with response through a real server on
// loopback, as percentiles:
//
//   deno run -A bench/eventer_latency.ts [rounds]
//
// "register": the server registers the event and answers; "+ notify": it
// also notifies one subscriber (another connection) before it answers, as an
// Event Server does; "+ notify self": the registering client is the
// subscriber, so it receives the notification and then the answer.

import { binaryRegisterEvents, setup } from "./_eventer_setup.ts";

const rounds = Number(Deno.args[0] ?? 5000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

const cases = [
  ["register", false, false],
  ["+ notify", true, false],
  ["+ notify self", false, true],
] as const;
for (const [name, subscribe, self] of cases) {
  const s = await setup("spread", subscribe, self);
  const events = binaryRegisterEvents(1);
  for (let i = 0; i < 500; i++) {
    await s.client.register(events, { withResponse: true });
  }
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await s.client.register(events, { withResponse: true });
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(18)} rounds ${rounds}  p50 ${
      percentile(times, 0.5).toFixed(0)
    } µs  p99 ${percentile(times, 0.99).toFixed(0)} µs  min ${
      times[0].toFixed(0)
    } µs`,
  );
  await s.close();
}
