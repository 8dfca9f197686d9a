// The load tool end to end, small: it starts the Event Server, registers,
// checks with its subscriber that every event arrived exactly once and in
// order, and reports; a broken delivery would make it exit 1.

import assert from "node:assert/strict";

const LOAD = new URL("../../tools/load.ts", import.meta.url).pathname;

for (const storage of ["memory", "sqlite"]) {
  Deno.test(`deno task load --storage ${storage} delivers every event (small run)`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        LOAD,
        "--storage",
        storage,
        "--clients",
        "2",
        "--events",
        "3000",
        "--batch",
        "50",
        "--json",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const result = JSON.parse(new TextDecoder().decode(out.stdout).trim());
    assert.equal(result.storage, storage);
    assert.equal(result.events, 6000);
    assert.equal(result.problems, 0);
    assert.ok(result.eventsPerSecond > 0);
  });
}
