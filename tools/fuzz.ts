// `deno task fuzz [frames] [seed]`: the fuzz harness of
// tests/hardening/fuzz_test.ts for long local runs (default 1,000,000
// fuzzed frames). Prints progress and a final JSON report; exits 1 if the
// well-behaved client failed or a connection was not closed.

import { runFuzz } from "../tests/hardening/_fuzz.ts";

const frames = Number(Deno.args[0] ?? 1_000_000);
const seed = Deno.args[1] === undefined ? undefined : Number(Deno.args[1]);
if (!Number.isSafeInteger(frames) || frames < 1) {
  console.error("usage: deno task fuzz [frames] [seed]");
  Deno.exit(2);
}
const start = performance.now();
const mib = () => Math.round(Deno.memoryUsage().rss / 1048576);
try {
  const report = await runFuzz({
    frames,
    seed,
    concurrency: 32,
    progress: (r) => {
      const s = (performance.now() - start) / 1000;
      console.log(
        `${
          s.toFixed(0)
        } s: ${r.frames} frames, ${r.connections} connections, ${r.serverErrors} rejected, ${r.goodRequests} good requests, rss ${mib()} MiB`,
      );
    },
  });
  const seconds = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ ...report, seconds, rssMiB: mib() }));
} catch (e) {
  console.error(e);
  Deno.exit(1);
}
