// The memory policy of the Wasm core through a server (docs/wasm.md): a
// 64 MiB register request is taken, and the memory grown for it is given
// back once it is answered; by a `listen` server and by the Event Server's
// engine.

import assert from "node:assert/strict";
import { connect } from "../../client.ts";
import { startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { serverInternals } from "../../eventer/internal_mod.ts";
import { listen } from "../../server.ts";
import { LOOPBACK, registerCallback } from "./_helpers.ts";

const MiB = 1024 * 1024;
const big = {
  type: ["big"],
  sourceTimestamp: null,
  payload: {
    kind: "binary" as const,
    type: "blob",
    data: new Uint8Array(64 * MiB).fill(7),
  },
};

Deno.test("a listen server with codec wasm takes a 64 MiB request and does not keep its memory", async () => {
  await using server = await listen(LOOPBACK, {
    codec: "wasm",
    maxMessageSize: 80 * MiB,
    onRegister: registerCallback(),
  });
  await using client = await connect(server.addrs[0], "c", {
    maxMessageSize: 80 * MiB,
  });
  const core = serverInternals(server).core!;
  const instance = core.instanceId;
  const events = await client.register([big], { withResponse: true });
  // The request went into the core's memory, which grew for it: the
  // instance was replaced when the request was done.
  assert.equal(core.instanceId, instance + 1);
  assert.equal(events?.[0].payload?.kind, "binary");
  assert.equal(
    (events![0].payload as { data: Uint8Array }).data.length,
    64 * MiB,
  );
  assert.ok(core.memoryBytes <= 16 * MiB, `${core.memoryBytes} bytes kept`);
});

Deno.test("the Event Server's engine takes a 64 MiB request and does not keep its memory", async () => {
  await using engine = await startEngine(LOOPBACK, {
    storage: new MemoryStorage(),
    codec: "wasm",
    maxMessageSize: 80 * MiB,
    onError: () => {},
  });
  await using client = await connect(engine.addrs[0], "c", {
    maxMessageSize: 80 * MiB,
  });
  const core = serverInternals(engine.server).core!;
  const instance = core.instanceId;
  const events = await client.register([big], { withResponse: true });
  assert.ok(core.instanceId > instance, "the grown instance was replaced");
  assert.equal(events?.length, 1);
  assert.ok(core.memoryBytes <= 16 * MiB, `${core.memoryBytes} bytes kept`);
  const stored = await client.query({ kind: "latest", eventTypes: [["big"]] });
  // The answer was written by the core from the stored record: it grew
  // again, and was replaced again.
  assert.deepEqual(stored.events, events);
  assert.ok(core.memoryBytes <= 16 * MiB, `${core.memoryBytes} bytes kept`);
});
