// SIGKILL of the Event Server (SQLite) at random moments, a few cycles in a
// row (`deno task crash [cycles]` runs more). Set CRASH_SEED to replay.

import assert from "node:assert/strict";
import { crashCycles } from "./_crash.ts";

Deno.test("SIGKILL during registration, 3 times in a row: persisted events kept, ids continue", async () => {
  const seed = Number(Deno.env.get("CRASH_SEED") ?? Date.now() & 0x7fffffff);
  const cycles = await crashCycles({ cycles: 3, seed });
  assert.equal(cycles.length, 3);
  for (let i = 0; i < cycles.length; i++) {
    assert.ok(cycles[i].notified > 0, `seed ${seed}`);
    if (i > 0) assert.ok(cycles[i].session > cycles[i - 1].session);
    if (i > 0) assert.ok(cycles[i].stored >= cycles[i - 1].stored);
  }
});
