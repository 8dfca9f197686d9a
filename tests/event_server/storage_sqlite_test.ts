import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { Event } from "../../event/types.ts";
import { StorageClosedError, StorageError } from "../../event_server/errors.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite/sqlite.ts";
import { ev, holdWriteLock, holdWriteLockFor, ids } from "./_storages.ts";
import { oracle } from "./_oracle.ts";
import { randomQuery, randomSessions, rng } from "./_random.ts";

/** A database path in a fresh directory, removed on dispose. */
async function tempDb(): Promise<{ path: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "eventer_sqlite_" });
  return {
    path: `${dir}/events.db`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Resolves after pending timers and I/O callbacks of this turn ran. */
function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("SqliteStorage continues after a restart with the same data and ids", async () => {
  await using db = await tempDb();
  const path = db.path;
  const sessions = randomSessions(rng(3), 60);
  const first = new SqliteStorage(path, { synchronous: "normal" });
  for (const s of sessions) first.register(s);
  await first.flush();
  const before = first.query({ kind: "timeseries" });
  const latestBefore = first.query({ kind: "latest" });
  await first.close();

  const second = new SqliteStorage(path, { synchronous: "normal" });
  try {
    assert.deepEqual(second.lastEventId(1), {
      server: 1,
      session: 60,
      instance: sessions[59].length,
    });
    assert.deepEqual(second.query({ kind: "timeseries" }), before);
    assert.deepEqual(second.query({ kind: "latest" }), latestBefore);
    assert.throws(() => second.register(sessions[59]), RangeError);
    const next = ev([1, 61, 1], ["new", "type"], 5000, null, {
      kind: "json",
      data: { ok: true },
    });
    await second.register([next]);
    const latest = second.query({
      kind: "latest",
      eventTypes: [["new", "type"]],
    });
    assert.deepEqual(latest.events, [next]);
  } finally {
    await second.close();
  }
});

Deno.test("SqliteStorage.lastEventIds() lists each server's last id, also after a restart", async () => {
  await using db = await tempDb();
  const byServer = (ids: { server: number }[]) =>
    ids.toSorted((a, b) => a.server - b.server);
  const expected = [
    { server: 1, session: 3, instance: 1 },
    { server: 2, session: 7, instance: 2 },
  ];
  {
    await using first = new SqliteStorage(db.path);
    assert.deepEqual(first.lastEventIds(), []);
    await first.register([ev([2, 7, 1], ["a"], 10), ev([2, 7, 2], ["a"], 10)]);
    await first.register([ev([1, 3, 1], ["a"], 20)]);
    assert.deepEqual(byServer(first.lastEventIds()), expected);
  }
  await using second = new SqliteStorage(db.path);
  assert.deepEqual(byServer(second.lastEventIds()), expected);
});

Deno.test("SqliteStorage.register() resolves only after the commit", async () => {
  await using db = await tempDb();
  const path = db.path;
  await using storage = new SqliteStorage(path, {
    flushPeriod: 60_000,
    synchronous: "normal",
  });
  let durable = false;
  const done = storage.register([ev([1, 1, 1], ["a"], 10)]).then(() => {
    durable = true;
  });
  await tick();
  assert.equal(durable, false);
  // persisted-only server queries do not see what is not committed yet
  const persisted = storage.query({
    kind: "server",
    serverId: 1,
    persisted: true,
  });
  assert.deepEqual(persisted.events, []);
  await tick();
  assert.equal(durable, false);
  await storage.flush();
  await done;
  assert.equal(durable, true);
});

Deno.test("SqliteStorage queries see events that are not committed yet", async () => {
  await using db = await tempDb();
  const path = db.path;
  await using storage = new SqliteStorage(path, {
    flushPeriod: 60_000,
    synchronous: "normal",
  });
  let durable = false;
  storage.register([ev([1, 1, 1], ["a"], 10)]).then(() => durable = true);
  assert.equal(storage.query({ kind: "latest" }).events.length, 1);
  assert.equal(
    storage.query({ kind: "server", serverId: 1 }).events.length,
    1,
  );
  storage.register([ev([1, 2, 1], ["a"], 11)]);
  assert.deepEqual(ids(storage.query({ kind: "timeseries" }).events), [
    "1/2/1",
    "1/1/1",
  ]);
  await tick();
  assert.equal(durable, true);
});

Deno.test("SqliteStorage commits at once when maxPending events wait", async () => {
  await using db = await tempDb();
  const path = db.path;
  await using storage = new SqliteStorage(path, {
    flushPeriod: 60_000,
    maxPending: 3,
    synchronous: "normal",
  });
  let durable = false;
  storage.register([ev([1, 1, 1], ["a"], 10), ev([1, 1, 2], ["a"], 10)])
    .then(() => durable = true);
  await tick();
  assert.equal(durable, false);
  storage.register([ev([1, 2, 1], ["a"], 10)]);
  await tick();
  assert.equal(durable, true);
});

Deno.test("SqliteStorage merges the small chunks of slow traffic", async () => {
  await using db = await tempDb();
  const path = db.path;
  const rand = rng(11);
  const sessions = randomSessions(rand, 300);
  const stored: Event[] = [];
  await using storage = new SqliteStorage(path, {
    flushPeriod: 0,
    synchronous: "normal",
  });
  for (const s of sessions) {
    await storage.register(s);
    stored.push(...s);
  }
  // one commit per session would leave 300 chunks
  assert.ok(storage.chunkCount < 40, `${storage.chunkCount} chunks`);
  for (let q = 0; q < 200; q++) {
    const params = randomQuery(rand, stored);
    if (params.kind === "latest") continue;
    const result = storage.query(params);
    const expected = oracle(stored, params);
    assert.deepEqual(ids(result.events), ids(expected.events));
    assert.equal(result.moreFollows, expected.moreFollows);
  }
});

Deno.test("SqliteStorage commits pending events on close and refuses use after", async () => {
  await using db = await tempDb();
  const path = db.path;
  const storage = new SqliteStorage(path, { flushPeriod: 60_000 });
  const done = storage.register([ev([1, 1, 1], ["a"], 10)]);
  await storage.close();
  await done;
  assert.equal(storage.isOpen, false);
  assert.throws(() => storage.register([]), StorageClosedError);
  assert.throws(() => storage.query({ kind: "latest" }), StorageClosedError);
  await assert.rejects(() => storage.flush(), StorageClosedError);
  await storage.close();
  const reopened = new SqliteStorage(path);
  assert.equal(reopened.query({ kind: "timeseries" }).events.length, 1);
  await reopened.close();
});

Deno.test("SqliteStorage fails a commit and closes when another connection holds the write lock beyond busyTimeout", async () => {
  await using db = await tempDb();
  const errors: unknown[] = [];
  const storage = new SqliteStorage(db.path, {
    busyTimeout: 10,
    onError: (error) => void errors.push(error),
  });
  try {
    await storage.register([ev([1, 1, 1], ["a"], 10)]);
    const started = Date.now();
    {
      using _lock = holdWriteLock(db.path);
      await assert.rejects(
        storage.register([ev([1, 2, 1], ["a"], 11)]),
        (error: Error) =>
          error instanceof StorageError &&
          /database is locked/.test(String(error.cause)),
      );
    }
    // far below the default of 5 s: the option was applied
    assert.ok(Date.now() - started < 4000, `${Date.now() - started} ms`);
    assert.equal(storage.isOpen, false);
    assert.equal(errors.length, 1);
  } finally {
    await storage.close();
  }
});

Deno.test("SqliteStorage's retention cleanup waits for another connection's write lock, as a commit does", async () => {
  await using db = await tempDb();
  await using storage = new SqliteStorage(db.path, {
    retention: [{ eventTypes: [["old"]], maxAge: 3600 }],
    // run by hand below
    cleanupPeriod: 3_600_000,
  });
  await storage.register([ev([1, 1, 1], ["old"], 1000)]);
  const lock = await holdWriteLockFor(db.path, 100);
  // blocks until the other thread lets go (well within the 5 s timeout)
  assert.equal(storage.cleanup(), false);
  await lock.released;
  assert.deepEqual(storage.query({ kind: "timeseries" }).events, []);
});

Deno.test("SqliteStorage keeps its database in WAL mode", async () => {
  await using db = await tempDb();
  await using storage = new SqliteStorage(db.path);
  await storage.register([ev([1, 1, 1], ["a"], 1)]);
  const other = new DatabaseSync(db.path);
  try {
    const row = other.prepare("PRAGMA journal_mode").get();
    assert.deepEqual({ ...row }, { journal_mode: "wal" });
  } finally {
    other.close();
  }
});

Deno.test("SqliteStorage reports a file that is not its database", async () => {
  await using db = await tempDb();
  const path = db.path;
  await Deno.writeTextFile(path, "this is not an SQLite database, at all.");
  assert.throws(() => new SqliteStorage(path), StorageError);
  assert.throws(
    () => new SqliteStorage(`${path}.missing/dir/events.db`),
    StorageError,
  );
});

Deno.test("SqliteStorage keeps exact 64-bit timestamps and payloads", async () => {
  await using db = await tempDb();
  const path = db.path;
  const events = [
    ev([1, 1, 1], ["x"], { s: 2n ** 63n - 1n, us: 999_999 }, {
      s: -(2n ** 63n),
      us: 0,
    }, { kind: "binary", type: "žš", data: new Uint8Array(70_000).fill(7) }),
    ev([1, 1, 2], ["x", ""], { s: -(2n ** 53n), us: 1 }, {
      s: 2 ** 53 - 1,
      us: 2,
    }, { kind: "json", data: { "ключ": ["\u0000", 1.5, null, true] } }),
  ];
  const storage = new SqliteStorage(path);
  await storage.register(events);
  await storage.close();
  await using reopened = new SqliteStorage(path);
  assert.deepEqual(
    reopened.query({ kind: "server", serverId: 1 }).events,
    events,
  );
});
