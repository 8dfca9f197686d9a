// Events of the wrong shape given to a storage or to the engine's register
// fail that call with a named error and store nothing (before, some were
// stored corrupted: "a/b" as ["a", "/", "b"], a bigint payload as null).

import assert from "node:assert/strict";
import { type Event, EventPayloadError } from "../../event/mod.ts";
import { startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { KINDS } from "./_storages.ts";

const GOOD = { type: ["a"], sourceTimestamp: null, payload: null };

// [what is wrong, the register event, the error it gets]
const BAD: [string, unknown, RegExp][] = [
  ["type as a string", { ...GOOD, type: "a/b" }, /type must be an array/],
  [
    "a number segment",
    { ...GOOD, type: ["a", 1] },
    /segment 1 must be a string/,
  ],
  [
    "a bad source timestamp",
    { ...GOOD, sourceTimestamp: { s: "x", us: 0 } },
    /sourceTimestamp/,
  ],
  [
    "a bigint in JSON data",
    { ...GOOD, payload: { kind: "json", data: 1n } },
    /cannot write the JSON payload/,
  ],
  [
    "binary data as a string",
    { ...GOOD, payload: { kind: "binary", type: "t", data: "x" } },
    /data must be bytes/,
  ],
  ["an unknown payload kind", { ...GOOD, payload: { kind: "weird" } }, /kind/],
];

function event(instance: number, e: unknown): Event {
  return {
    ...(e as object),
    id: { server: 1, session: 1, instance },
    timestamp: { s: 1, us: 0 },
  } as Event;
}

for (const kind of KINDS) {
  Deno.test(`${kind.name} storage refuses events of the wrong shape and stores nothing of the call`, async () => {
    await using opened = await kind.open();
    const storage = opened.storage;
    for (const [what, bad, re] of BAD) {
      assert.throws(
        () => storage.register([event(1, GOOD), event(2, bad)]),
        (e: Error) =>
          (e instanceof TypeError || e instanceof EventPayloadError) &&
          re.test(e.message),
        what,
      );
    }
    assert.equal(storage.query({ kind: "timeseries" }).events.length, 0);
    assert.deepEqual(storage.lastEventId(1), {
      server: 1,
      session: 0,
      instance: 0,
    });
    // The storage still works.
    await storage.register([event(1, GOOD)]);
    assert.equal(storage.query({ kind: "timeseries" }).events.length, 1);
  });
}

Deno.test("engine.register() refuses events of the wrong shape before taking a session", async () => {
  await using engine = await startEngine({ hostname: "127.0.0.1", port: 0 }, {
    storage: new MemoryStorage(),
  });
  const before = engine.storage.lastEventId(1).session;
  for (const [what, bad, re] of BAD) {
    await assert.rejects(
      engine.register([GOOD, bad as typeof GOOD]),
      (e: Error) =>
        (e instanceof TypeError || e instanceof EventPayloadError) &&
        re.test(e.message),
      what,
    );
  }
  assert.equal(engine.storage.lastEventId(1).session, before);
  const [ok] = (await engine.register([GOOD]))!;
  assert.equal(ok.id.session, before + 1, "no session id was used up");
});
