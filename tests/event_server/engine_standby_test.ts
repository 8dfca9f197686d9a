// The engine's part in a redundant group: activate/deactivate (standby
// control) and storeSynced (peers' events under their own ids).

import assert from "node:assert/strict";
import { connect } from "../../client.ts";
import type { Event, Status } from "../../event/mod.ts";
import { startEngine } from "../../event_server/engine.ts";
import { StorageClosedError } from "../../event_server/errors.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { ANY, reg } from "./_engine.ts";

const peerEvent = (session: number, instance = 1): Event => ({
  id: { server: 9, session, instance },
  type: ["peer", String(session)],
  timestamp: { s: 100 + session, us: 0 },
  sourceTimestamp: null,
  payload: { kind: "json", data: { session } },
});

function statusWatch() {
  const statuses: Status[] = [];
  const waiters: { status: Status; resolve(): void }[] = [];
  return {
    statuses,
    onStatus: (_c: unknown, s: Status) => {
      statuses.push(s);
      for (const w of waiters.splice(0)) {
        if (w.status === s) w.resolve();
        else waiters.push(w);
      }
    },
    reached(status: Status): Promise<void> {
      if (statuses.includes(status)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ status, resolve }));
    },
  };
}

Deno.test("activate() announces starting then operational and registers STARTED", async () => {
  await using engine = await startEngine(ANY, {
    storage: new MemoryStorage(),
    status: "standby",
    onError: () => {},
  });
  const watch = statusWatch();
  await using client = await connect(engine.addrs[0], "c", {
    onStatus: watch.onStatus,
  });
  assert.equal(client.status, "standby");
  assert.equal(
    await client.register([reg(["x"])], { withResponse: true }),
    null,
  );
  await engine.activate();
  await watch.reached("operational");
  assert.deepEqual(watch.statuses, ["starting", "operational"]);
  const [started] = engine.query({ kind: "server", serverId: 1 }).events;
  assert.deepEqual(started.payload, { kind: "json", data: "STARTED" });
  assert.notEqual(
    await client.register([reg(["x"])], { withResponse: true }),
    null,
  );
  await engine.activate();
  // A round trip: any status announced meanwhile came before its answer.
  await client.query({ kind: "latest" });
  assert.deepEqual(watch.statuses, ["starting", "operational"]);
});

Deno.test("deactivate() registers STOPPED, announces stopping then standby, and registrations fail", async () => {
  await using engine = await startEngine(ANY, {
    storage: new MemoryStorage(),
    onError: () => {},
  });
  const watch = statusWatch();
  await using client = await connect(engine.addrs[0], "c", {
    onStatus: watch.onStatus,
  });
  await engine.deactivate();
  await watch.reached("standby");
  assert.deepEqual(watch.statuses, ["stopping", "standby"]);
  const types = engine.query({ kind: "server", serverId: 1 }).events.map((e) =>
    e.payload?.kind === "json" ? e.payload.data : null
  );
  assert.deepEqual(types.at(-1), "STOPPED");
  assert.equal(
    await client.register([reg(["x"])], { withResponse: true }),
    null,
  );
  assert.equal(await engine.register([reg(["x"])]), null);
  await engine.deactivate();
  await client.query({ kind: "latest" });
  assert.deepEqual(watch.statuses, ["stopping", "standby"]);
});

Deno.test("activate() continues after the highest session stored of this server", async () => {
  const storage = new MemoryStorage();
  await using engine = await startEngine(ANY, {
    storage,
    status: "standby",
    onError: () => {},
  });
  // Stored while standby, as a peer's copy of this server's own events
  // would be after a restore.
  await storage.register([{
    ...peerEvent(40),
    id: { server: 1, session: 40, instance: 1 },
  }]);
  await engine.activate();
  const events = engine.query({ kind: "server", serverId: 1 }).events;
  assert.deepEqual(events.at(-1)!.id, { server: 1, session: 41, instance: 1 });
});

Deno.test("storeSynced() stores peers' events under their ids and tells subscribers once", async () => {
  await using engine = await startEngine(ANY, {
    storage: new MemoryStorage(),
    status: "standby",
    onError: () => {},
  });
  const told: Event[] = [];
  const persisted: Event[] = [];
  const both = Promise.withResolvers<void>();
  const check = () => {
    if (told.length === 4 && persisted.length === 4) both.resolve();
  };
  await using _a = await connect(engine.addrs[0], "new", {
    subscriptions: [["peer", "*"]],
    onEvents: (_c, events) => {
      told.push(...events);
      check();
    },
  });
  await using _b = await connect(engine.addrs[0], "persisted", {
    subscriptions: [["peer", "*"]],
    persisted: true,
    onEvents: (_c, events) => {
      persisted.push(...events);
      check();
    },
  });
  // A standby stores them too: sync runs whatever the status.
  assert.equal(engine.storeSynced([peerEvent(1), peerEvent(2)]), 2);
  // 2 again, then 3 and 4: only the new ones are stored and notified.
  assert.equal(
    engine.storeSynced([peerEvent(2), peerEvent(3), peerEvent(4)]),
    2,
  );
  assert.equal(engine.storeSynced([peerEvent(1)]), 0);
  await both.promise;
  const expected = [1, 2, 3, 4].map((s) => peerEvent(s));
  assert.deepEqual(told, expected);
  assert.deepEqual(persisted, expected);
  assert.deepEqual(
    engine.query({ kind: "server", serverId: 9 }).events,
    expected,
  );
  // None took a session of this server.
  assert.deepEqual(engine.query({ kind: "server", serverId: 1 }).events, []);
});

Deno.test("storeSynced() refuses events of this server's id and a closed storage", async () => {
  const storage = new MemoryStorage();
  const engine = await startEngine(ANY, { storage, onError: () => {} });
  const own = { ...peerEvent(1), id: { server: 1, session: 50, instance: 1 } };
  assert.throws(
    () => engine.storeSynced([peerEvent(1), own]),
    (e: unknown) =>
      e instanceof RangeError &&
      /event 1\/50\/1 has this server's id/.test(e.message),
  );
  assert.deepEqual(engine.query({ kind: "server", serverId: 9 }).events, []);
  await engine.close();
  assert.throws(() => engine.storeSynced([peerEvent(1)]), StorageClosedError);
});
