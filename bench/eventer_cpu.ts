// End to end events/s as CPU time, for machines too busy for wall-clock
// numbers (Linux only: reads utime + stime of /proc/self/stat, 10 ms ticks):
//
//   deno run -A bench/eventer_cpu.ts [rounds] [checkout]
//
// The setup of bench/eventer_bench.ts (a server that registers and echoes,
// a client registering without response, a subscriber receiving every
// event, all in this process): for each payload kind and batch size, CPU
// milliseconds of the whole process per 10,000 events, one number per
// round. `checkout`: the root of another checkout of this repository whose
// bench/_eventer_setup.ts is measured instead (to compare two versions under
// the same load: run both, alternately).

import type * as SetupModule from "./_eventer_setup.ts";

const rounds = Number(Deno.args[0] ?? 3);
const root = Deno.args[1];
const { binaryRegisterEvents, registerEvents, setup }: typeof SetupModule =
  await import(
    root === undefined
      ? "./_eventer_setup.ts"
      : new URL("bench/_eventer_setup.ts", `file://${Deno.realPathSync(root)}/`)
        .href
  );

const PER_RUN = 10_000;

function cpuMs(): number {
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]
    .split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const KINDS = [
  ["binary", binaryRegisterEvents],
  ["json", registerEvents],
] as const;
const results = new Map<string, string[]>();
for (let round = 0; round < rounds; round++) {
  for (const [kind, make] of KINDS) {
    for (const batch of [100, 1]) {
      const s = await setup("spread");
      const events = make(batch);
      const run = async () => {
        const done = s.received(PER_RUN);
        for (let i = 0; i < PER_RUN / batch; i++) {
          const sent = s.client.register(events);
          if (i % 64 === 63) await sent; // keep the send queue bounded
        }
        await done;
      };
      for (let i = 0; i < 5; i++) await run();
      const runs = batch === 1 ? 20 : 60;
      const c0 = cpuMs();
      for (let i = 0; i < runs; i++) await run();
      const key = `batches of ${batch} ${kind}`;
      const list = results.get(key) ?? [];
      list.push(((cpuMs() - c0) / runs).toFixed(1));
      results.set(key, list);
      await s.close();
    }
  }
}
for (const [key, list] of results) {
  console.log(`${key.padEnd(24)} CPU ms per 10,000 events: ${list.join(" ")}`);
}
