// Fuzzing a live eventer server, bounded for CI (`deno task fuzz` runs the
// same harness for long). Set FUZZ_SEED to replay a run.

import assert from "node:assert/strict";
import { runFuzz } from "./_fuzz.ts";

Deno.test("fuzzed frames on many connections: each one closed, a good client served throughout", async () => {
  const seed = Number(Deno.env.get("FUZZ_SEED") ?? Date.now() & 0x7fffffff);
  const report = await runFuzz({ frames: 3000, concurrency: 16, seed });
  assert.ok(report.frames >= 3000);
  assert.equal(report.hangs, 0);
  assert.ok(report.goodRequests > 0, `seed ${seed}`);
  // Most fuzzed frames are bad: the server must have rejected many peers.
  assert.ok(
    report.serverErrors > report.connections / 4,
    JSON.stringify(report),
  );
});
