import assert from "node:assert/strict";
import { StorageClosedError } from "../../event_server/errors.ts";
import type { Storage } from "../../event_server/storage/storage.ts";
import { ev, KINDS } from "./_storages.ts";

function cleanupOf(storage: Storage): () => boolean {
  return () => (storage as unknown as { cleanup(): boolean }).cleanup();
}

for (const kind of KINDS) {
  Deno.test(`${kind.name} storage counts its events, chunks, bytes and types`, async () => {
    await using opened = await kind.open();
    const { storage } = opened;
    assert.deepEqual(storage.stats(), {
      events: 0,
      chunks: 0,
      bytes: kind.name.startsWith("sqlite") ? storage.stats().bytes : 0,
      types: 0,
      retentionDeleted: 0,
    });
    const before = storage.stats().bytes;
    const data = "x".repeat(200);
    for (let s = 1; s <= 200; s++) {
      await storage.register([
        ev([1, s, 1], ["a", "x"], 1000 + s, null, { kind: "json", data }),
        ev([1, s, 2], ["b"], 1000 + s),
      ]);
    }
    await storage.flush();
    const stats = storage.stats();
    assert.equal(stats.events, 400);
    assert.equal(stats.types, 2);
    assert.ok(stats.chunks >= 1);
    assert.ok(stats.bytes > before, `${stats.bytes} > ${before}`);
  });

  Deno.test(`${kind.name} storage counts the events retention removed`, async () => {
    await using opened = await kind.open({
      retention: [{ eventTypes: [["a", "*"]], maxEntries: 4 }],
      cleanupPeriod: 3_600_000,
    });
    const { storage } = opened;
    for (let s = 1; s <= 10; s++) {
      await storage.register([ev([1, s, 1], ["a", String(s % 2)], 1000 + s)]);
    }
    const cleanup = cleanupOf(storage);
    while (cleanup());
    const stats = storage.stats();
    assert.equal(stats.retentionDeleted, 6);
    assert.equal(stats.events, 4);
    assert.equal(
      storage.query({ kind: "server", serverId: 1 }).events.length,
      stats.events,
    );
  });

  Deno.test(`${kind.name} storage lists the next segments of its types`, async () => {
    await using opened = await kind.open();
    const { storage } = opened;
    await storage.register([
      ev([1, 1, 1], ["a", "b", "c"], 1),
      ev([1, 1, 2], ["a", "b"], 1),
      ev([1, 1, 3], ["a", "d"], 1),
      ev([1, 1, 4], ["e"], 1),
    ]);
    assert.deepEqual(storage.typeChildren([]), [
      { segment: "a", isType: false, children: 2 },
      { segment: "e", isType: true, children: 0 },
    ]);
    assert.deepEqual(storage.typeChildren(["a"]), [
      { segment: "b", isType: true, children: 1 },
      { segment: "d", isType: true, children: 0 },
    ]);
    assert.deepEqual(storage.typeChildren(["a", "b", "c"]), []);
    assert.deepEqual(storage.typeChildren(["z"]), []);
  });

  if (kind.name.startsWith("sqlite")) {
    Deno.test(`${kind.name} storage counts the events it holds after a reopen`, async () => {
      const opened = await kind.open();
      await opened.storage.register([
        ev([1, 1, 1], ["a"], 1),
        ev([1, 1, 2], ["a", "b"], 1),
      ]);
      await using again = await opened.reopen!();
      assert.equal(again.storage.stats().events, 2);
      assert.equal(again.storage.stats().types, 2);
      assert.deepEqual(again.storage.typeChildren(["a"]), [
        { segment: "b", isType: true, children: 0 },
      ]);
    });
  }

  Deno.test(`${kind.name} storage refuses stats once closed`, async () => {
    await using opened = await kind.open();
    await opened.storage.close();
    assert.throws(() => opened.storage.stats(), StorageClosedError);
    assert.throws(() => opened.storage.typeChildren([]), StorageClosedError);
  });
}
