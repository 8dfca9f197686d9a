import assert from "node:assert/strict";
import { StorageError } from "../../event_server/errors.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite/sqlite.ts";
import { ev, holdWriteLock, KINDS } from "./_storages.ts";
import { within } from "../_within.ts";

/** A database path in a fresh directory, removed on dispose. */
async function tempDb(): Promise<{ path: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "eventer_closed_" });
  return {
    path: `${dir}/events.db`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

for (const kind of KINDS) {
  Deno.test(`${kind.name} storage: closed resolves with null after close()`, async () => {
    await using opened = await kind.open();
    let reason: unknown = "pending";
    opened.storage.closed.then((r) => reason = r);
    await opened.storage.register([ev([1, 1, 1], ["a"], 1)]);
    assert.equal(reason, "pending");
    await opened.storage.close();
    assert.equal(await opened.storage.closed, null);
  });
}

Deno.test("SqliteStorage: closed resolves with the error of a failed commit", async () => {
  await using db = await tempDb();
  const storage = new SqliteStorage(db.path, {
    busyTimeout: 10,
    onError: () => {},
  });
  try {
    using _lock = holdWriteLock(db.path);
    const durable = storage.register([ev([1, 1, 1], ["a"], 1)])
      .then(() => "committed", (error) => error);
    const reason = await storage.closed;
    assert.ok(reason instanceof StorageError);
    assert.match(reason.message, /Cannot commit events/);
    assert.equal(await durable, reason);
    assert.equal(storage.isOpen, false);
  } finally {
    await storage.close();
  }
});

Deno.test("SqliteStorage closes itself when its periodic retention cleanup fails, and closed tells why", async () => {
  await using db = await tempDb();
  const first = new SqliteStorage(db.path);
  await first.register([ev([1, 1, 1], ["old"], 1000)]);
  await first.close();
  // held before the storage opens, so its first cleanup cannot write
  using _lock = holdWriteLock(db.path);
  const errors: unknown[] = [];
  const storage = new SqliteStorage(db.path, {
    busyTimeout: 10,
    retention: [{ eventTypes: [["old"]], maxAge: 3600 }],
    cleanupPeriod: 1,
    onError: (error) => void errors.push(error),
  });
  try {
    const reason = await within(storage.closed, 20_000, "the storage closes");
    assert.ok(reason instanceof StorageError);
    assert.match(reason.message, /Retention cleanup failed/);
    assert.equal(storage.isOpen, false);
    assert.deepEqual(errors, [reason]);
  } finally {
    await storage.close();
  }
});
