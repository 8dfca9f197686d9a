// The memory policy of the Wasm core through a server (docs/wasm.md): a
// 64 MiB register request is taken, and the memory grown for it is given
// back once it is answered; a request the core refuses for want of memory
// is answered through the TypeScript path, and the next one too; by a
// `listen` server and by the Event Server's engine.

import assert from "node:assert/strict";
import { connect } from "../../client.ts";
import type { EventCore } from "../../codec/wasm/internal_mod.ts";
import type { Event, RegisterEvent } from "../../event/mod.ts";
import { startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { serverInternals } from "../../eventer/internal_mod.ts";
import { listen } from "../../server.ts";
import { LOOPBACK, registerCallback, registerEvent } from "./_helpers.ts";

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

// Fills the core's memory up to the most it can grow to (4 GiB of address
// space, barely touched): its next allocation traps, as a real shortage
// would, and the core refuses the message it was for ("memory").
function exhaust(core: EventCore): void {
  const ex = core.exports();
  for (let size = 2 ** 30 - 8192; size >= 16; size = Math.floor(size / 16)) {
    for (;;) {
      try {
        ex.alloc(size);
      } catch {
        break;
      }
    }
  }
}

function request(name: string): RegisterEvent[] {
  return [
    registerEvent([name, "json"], { value: 1.5, text: "ü" }),
    {
      type: [name, "binary"],
      sourceTimestamp: null,
      payload: { kind: "binary", type: "blob", data: new Uint8Array([1, 2]) },
    },
  ];
}

Deno.test("a listen server whose Wasm core runs out of memory answers that request through the TypeScript path and the next through the core", async () => {
  await using server = await listen(LOOPBACK, {
    codec: "wasm",
    onRegister: registerCallback(),
  });
  await using client = await connect(server.addrs[0], "c");
  const core = serverInternals(server).core!;
  exhaust(core);
  const generation = core.generation;

  const first = await client.register(request("first"), {
    withResponse: true,
  });
  assert.equal(core.generation, generation + 1, "the core refused it");
  assert.equal(core.memoryBytes, 0, "and took no part in the answer");
  assert.deepEqual(
    first,
    request("first").map((e, i) => ({
      id: { server: 1, session: 1, instance: i + 1 },
      timestamp: { s: 1_800_000_000, us: 1 },
      ...e,
    })),
  );

  const second = await client.register(request("second"), {
    withResponse: true,
  });
  assert.ok(core.memoryBytes > 0, "the core took the next request");
  assert.equal(core.generation, generation + 1);
  assert.deepEqual(
    second,
    request("second").map((e, i) => ({
      id: { server: 1, session: 2, instance: i + 1 },
      timestamp: { s: 1_800_000_000, us: 2 },
      ...e,
    })),
  );
});

Deno.test("the Event Server's engine whose Wasm core runs out of memory registers that request through the TypeScript path, and the next one", async () => {
  await using engine = await startEngine(LOOPBACK, {
    storage: new MemoryStorage(),
    codec: "wasm",
    onError: () => {},
  });
  await using client = await connect(engine.addrs[0], "c");
  const core = serverInternals(engine.server).core!;
  exhaust(core);
  const generation = core.generation;

  const first = await client.register(request("first"), {
    withResponse: true,
  });
  assert.ok(core.generation > generation, "the core refused it");
  const second = await client.register(request("second"), {
    withResponse: true,
  });

  const parts = (events: Event[] | null) =>
    events?.map(({ type, sourceTimestamp, payload }) => ({
      type,
      sourceTimestamp,
      payload,
    }));
  assert.deepEqual(parts(first), request("first"));
  assert.deepEqual(parts(second), request("second"));
  const sessions = [first![0].id.session, second![0].id.session];
  assert.ok(sessions[1] > sessions[0], `sessions ${sessions}`);
  const stored = await client.query({
    kind: "latest",
    eventTypes: [["first", "*"], [
      "second",
      "*",
    ]],
  });
  assert.deepEqual(
    stored.events.toSorted((a, b) =>
      a.type.join().localeCompare(b.type.join())
    ),
    [...first!, ...second!].toSorted((a, b) =>
      a.type.join().localeCompare(b.type.join())
    ),
  );
});
