import assert from "node:assert/strict";
import type { Event } from "../../event/types.ts";
import type { Storage } from "../../event_server/storage/storage.ts";
import { within } from "../_within.ts";
import { ev, ids, KINDS, ts } from "./_storages.ts";

function cleanupOf(storage: Storage): () => boolean {
  return () => (storage as unknown as { cleanup(): boolean }).cleanup();
}

const nowS = () => Math.floor(Date.now() / 1000);

for (const kind of KINDS) {
  Deno.test(`${kind.name} storage keeps at most maxEntries matching events, oldest go first`, async () => {
    await using opened = await kind.open({
      retention: [{ eventTypes: [["a", "*"]], maxEntries: 5 }],
      cleanupBatch: 3,
      cleanupPeriod: 3_600_000,
    });
    const { storage } = opened;
    const events: Event[] = [];
    for (let s = 1; s <= 20; s++) {
      events.push(ev([1, s, 1], ["a", String(s % 3)], 1000 + s));
      events.push(ev([1, s, 2], ["b"], 1000 + s));
    }
    for (let s = 0; s < 20; s++) {
      await storage.register(events.slice(2 * s, 2 * s + 2));
    }
    const latestBefore = storage.query({ kind: "latest" });
    const cleanup = cleanupOf(storage);
    const all = () => storage.query({ kind: "server", serverId: 1 }).events;
    let steps = 0;
    for (let before = all().length; cleanup(); steps++) {
      const after = all().length;
      assert.ok(before - after <= 3 && before - after > 0);
      before = after;
    }
    assert.ok(steps >= 4, `${steps} steps`);
    const a = storage.query({
      kind: "timeseries",
      eventTypes: [["a", "*"]],
      order: "ascending",
    });
    assert.deepEqual(ids(a.events), [
      "1/16/1",
      "1/17/1",
      "1/18/1",
      "1/19/1",
      "1/20/1",
    ]);
    const b = storage.query({ kind: "timeseries", eventTypes: [["b"]] });
    assert.equal(b.events.length, 20);
    assert.deepEqual(storage.query({ kind: "latest" }), latestBefore);
    assert.equal(cleanup(), false);
    assert.deepEqual(storage.lastEventId(1), {
      server: 1,
      session: 20,
      instance: 2,
    });
  });

  Deno.test(`${kind.name} storage deletes whole chunks beyond a step's event budget`, async () => {
    // A step removes at most cleanupBatch events by rewriting chunks, but
    // deletes a chunk that goes whole without counting its events: else
    // retention falls behind any rate above cleanupBatch per step.
    await using opened = await kind.open({
      retention: [{ eventTypes: [["*"]], maxEntries: 50 }],
      cleanupBatch: 2,
      cleanupPeriod: 3_600_000,
      chunkSize: 10,
    });
    const { storage } = opened;
    for (let s = 1; s <= 20; s++) {
      await storage.register(
        Array.from({ length: 10 }, (_, i) => ev([1, s, i + 1], ["a"], s)),
      );
    }
    const cleanup = cleanupOf(storage);
    let steps = 0;
    while (cleanup()) steps++;
    // 15 chunks of 10 go, one per step (2 events a step would take 75)
    assert.ok(steps <= 15, `${steps} steps`);
    const left = storage.query({ kind: "server", serverId: 1 }).events;
    assert.equal(left.length, 50);
    assert.deepEqual(ids(left.slice(0, 1)), ["1/16/1"]);
  });

  Deno.test(`${kind.name} storage removes events older than maxAge`, async () => {
    await using opened = await kind.open({
      retention: [{ eventTypes: [["old", "*"]], maxAge: 3600 }],
      cleanupPeriod: 3_600_000,
    });
    const { storage } = opened;
    const now = nowS();
    await storage.register([
      ev([1, 1, 1], ["old", "x"], now - 7200),
      ev([1, 1, 2], ["keep"], now - 7200),
    ]);
    await storage.register([ev([1, 2, 1], ["old", "x"], now - 10)]);
    await storage.register([ev([1, 3, 1], ["old"], now - 3700)]);
    while (cleanupOf(storage)());
    const left = storage.query({ kind: "timeseries", order: "ascending" });
    assert.deepEqual(ids(left.events), ["1/1/2", "1/2/1"]);
    const latest = storage.query({ kind: "latest", eventTypes: [["old"]] });
    assert.deepEqual(ids(latest.events), ["1/3/1"]);
  });

  if (kind.name === "sqlite") {
    Deno.test("sqlite storage keeps retention counts and ids across a restart", async () => {
      await using first = await kind.open({
        retention: [{ eventTypes: [["*"]], maxEntries: 2 }],
        cleanupPeriod: 3_600_000,
      });
      for (let s = 1; s <= 4; s++) {
        await first.storage.register([ev([1, s, 1], ["t"], ts(100 + s))]);
      }
      while (cleanupOf(first.storage)());
      await using second = await first.reopen!({
        retention: [{ eventTypes: [["*"]], maxEntries: 2 }],
        cleanupPeriod: 3_600_000,
      });
      assert.equal(cleanupOf(second.storage)(), false);
      const left = second.storage.query({ kind: "server", serverId: 1 });
      assert.deepEqual(ids(left.events), ["1/3/1", "1/4/1"]);
      assert.deepEqual(second.storage.lastEventId(1), {
        server: 1,
        session: 4,
        instance: 1,
      });
      // removing everything still never gives an id back
      await using third = await second.reopen!({
        retention: [{ eventTypes: [["*"]], maxEntries: 0 }],
        cleanupPeriod: 3_600_000,
      });
      while (cleanupOf(third.storage)());
      assert.equal(
        third.storage.query({ kind: "server", serverId: 1 }).events.length,
        0,
      );
      await using fourth = await third.reopen!();
      assert.deepEqual(fourth.storage.lastEventId(1), {
        server: 1,
        session: 4,
        instance: 1,
      });
    });
  }
}

for (const kind of KINDS) {
  Deno.test(`${kind.name} storage applies retention periodically by itself`, async () => {
    await using opened = await kind.open({
      retention: [{ eventTypes: [["*"]], maxEntries: 1 }],
      cleanupPeriod: 1,
    });
    const left = () => opened.storage.query({ kind: "timeseries" }).events;
    // The background loop calls the storage's own cleanup() step; watching
    // that call tells when a step has applied the rule, with no polling.
    const storage = opened.storage as unknown as { cleanup(): boolean };
    const step = storage.cleanup.bind(storage);
    const { promise: applied, resolve } = Promise.withResolvers<void>();
    storage.cleanup = () => {
      const more = step();
      if (left().length <= 1) resolve();
      return more;
    };
    await opened.storage.register([
      ev([1, 1, 1], ["a"], 1),
      ev([1, 1, 2], ["a"], 1),
    ]);
    // a generous bound: it only tells a cleanup that never runs from a slow one
    await within(applied, 10_000, "background retention cleanup");
    assert.deepEqual(ids(left()), ["1/1/2"]);
  });
}

Deno.test("storages reject invalid retention rules", async () => {
  for (const kind of KINDS) {
    await assert.rejects(
      () => kind.open({ retention: [{ eventTypes: [["*", "a"]] }] }),
      RangeError,
    );
    await assert.rejects(
      () => kind.open({ retention: [{ eventTypes: [["a"]], maxEntries: -1 }] }),
      RangeError,
    );
    await assert.rejects(
      // deno-lint-ignore no-explicit-any
      () => kind.open({ retention: [{ eventTypes: "a" as any }] }),
      TypeError,
    );
  }
});
