// A reader that stops reading (`hat-eventer ... | head -1`) ends the
// command quietly with exit 0, as ripgrep and similar tools do.

import assert from "node:assert/strict";
import { startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { cliReadOneLine, connectionWatcher } from "./_cli.ts";
import { within } from "../_within.ts";

async function start() {
  const engine = await startEngine({ hostname: "127.0.0.1", port: 0 }, {
    storage: new MemoryStorage(),
    onError: () => {},
  });
  const { hostname, port } = engine.addrs[0];
  return { engine, address: `${hostname}:${port}` };
}

// Far more than a pipe holds (64 KiB on Linux), so the CLI is still
// writing when the reader goes.
const PAYLOAD = { kind: "json" as const, data: "x".repeat(8000) };

Deno.test("cli: query whose stdout is closed early exits 0 without a message", async () => {
  const { engine, address } = await start();
  await using _ = engine;
  for (let i = 0; i < 200; i++) {
    engine.register([{
      type: ["m", String(i)],
      sourceTimestamp: null,
      payload: PAYLOAD,
    }]);
  }
  const { line, ended } = await cliReadOneLine([
    "query",
    "timeseries",
    "-t",
    "m/*",
    "-n",
    "50",
    "--all",
    "-a",
    address,
  ]);
  assert.deepEqual(JSON.parse(line).type[0], "m");
  const { code, stderr } = await within(ended, 30_000, "query to end");
  assert.equal(stderr, "");
  assert.equal(code, 0);
});

Deno.test("cli: subscribe whose stdout is closed early exits 0 and disconnects", async () => {
  const { engine, address } = await start();
  await using _ = engine;
  const watcher = await connectionWatcher(engine);
  const reading = cliReadOneLine([
    "subscribe",
    "-t",
    "s/*",
    "--name",
    "piped",
    "-a",
    address,
  ]);
  await watcher.connected("piped");
  engine.register([{ type: ["s", "1"], sourceTimestamp: null, payload: null }]);
  const { line, ended } = await reading;
  assert.deepEqual(JSON.parse(line).type, ["s", "1"]);
  // A write finds stdout closed once the pipe's reading end is gone, which
  // happens some time after the cancel: until then writes fill the pipe.
  // So events keep coming until the subscriber ends.
  let over = false;
  const stop = () => {
    over = true;
  };
  ended.then(stop, stop);
  const feeding = (async () => {
    for (let i = 2; !over; i++) {
      engine.register([{
        type: ["s", String(i)],
        sourceTimestamp: null,
        payload: null,
      }]);
      await Promise.race([ended, new Promise((r) => setTimeout(r, 20))]);
    }
  })();
  const { code, stderr } = await within(ended, 30_000, "subscribe to end");
  await feeding;
  assert.equal(stderr, "");
  assert.equal(code, 0);
  await watcher.disconnected("piped");
  await watcher.client.close();
});
