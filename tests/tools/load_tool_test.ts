// The load tool end to end, small: it starts the Event Server, registers,
// checks with its subscriber that every event arrived exactly once and in
// order, and reports; a broken delivery would make it exit 1. With
// --types and --module: the events spread over the types, and the server
// runs the module with the settings of --module-conf.

import assert from "node:assert/strict";

const LOAD = new URL("../../tools/load.ts", import.meta.url).pathname;
const ALARM = new URL(
  "../../event_server/modules/examples/threshold_alarm.ts",
  import.meta.url,
).pathname;

function load(args: string[]): Promise<Deno.CommandOutput> {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", LOAD, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
}

for (const storage of ["memory", "sqlite"]) {
  Deno.test(`deno task load --storage ${storage} delivers every event (small run)`, async () => {
    const out = await load([
      "--storage",
      storage,
      "--clients",
      "2",
      "--events",
      "3000",
      "--batch",
      "50",
      "--json",
    ]);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const result = JSON.parse(new TextDecoder().decode(out.stdout).trim());
    assert.equal(result.storage, storage);
    assert.equal(result.events, 6000);
    assert.equal(result.problems, 0);
    assert.ok(result.eventsPerSecond > 0);
    assert.equal(result.typesStored, 2); // one type per client
    assert.deepEqual(result.serverModules, []);
  });
}

Deno.test("deno task load --types 10 --module runs the module on the server over 10 types per client", async () => {
  const out = await load([
    "--clients",
    "2",
    "--events",
    "1000",
    "--types",
    "10",
    "--module",
    ALARM,
    "--module-conf",
    JSON.stringify({
      eventTypes: [["load", "*"]],
      field: "value",
      high: 1e15,
    }),
    "--json",
  ]);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const result = JSON.parse(new TextDecoder().decode(out.stdout).trim());
  assert.equal(result.problems, 0);
  assert.equal(result.events, 2000);
  assert.equal(result.types, 10);
  assert.equal(result.typesStored, 2 * 10);
  assert.deepEqual(result.modules, [ALARM]);
  assert.deepEqual(result.serverModules, [ALARM]);
});

Deno.test("deno task load --module-conf reaches the module: settings it refuses stop the run with its message", async () => {
  const out = await load([
    "--clients",
    "1",
    "--events",
    "100",
    "--module",
    ALARM,
    "--module-conf",
    JSON.stringify({ field: "value", high: 1e15 }),
    "--json",
  ]);
  assert.equal(out.code, 1);
  assert.equal(new TextDecoder().decode(out.stdout), "");
  assert.match(
    new TextDecoder().decode(out.stderr),
    /threshold_alarm\.ts \(0\) failed in create: "eventTypes" must be/,
  );
});
