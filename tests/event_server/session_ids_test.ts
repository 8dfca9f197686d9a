// Session ids are never reused: not after a graceful restart (which
// continues right after the highest stored id, as the Python server does)
// and not after a crash that lost events whose ids were already handed
// out (the group commit keeps them in memory for up to `flushPeriod`).

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { RegisterEvent } from "../../event/mod.ts";
import { type Engine, startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite.ts";
import { SESSION_BLOCK } from "../../event_server/storage/_sqlite_sessions.ts";

const EVENT: RegisterEvent = {
  type: ["a"],
  sourceTimestamp: null,
  payload: { kind: "json", data: 1 },
};

/** A fresh directory, removed on dispose. */
async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "eventer_ids_" });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/**
 * What a crash of the process at this moment leaves on disk: the database
 * file and its WAL as they are now, copied to `to` (events waiting for the
 * group commit are only in memory, so they are not in it). Exact while no
 * write is under way: the storages under test run no checkpoint Worker,
 * and their writes are synchronous.
 */
async function crashImage(path: string, to: string): Promise<string> {
  for (const suffix of ["", "-wal"]) {
    try {
      await Deno.copyFile(path + suffix, `${to}/events.db${suffix}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return `${to}/events.db`;
}

function open(
  path: string,
  synchronous: "full" | "normal" = "full",
): SqliteStorage {
  // No commit within the test, unless asked for; no checkpoint Worker.
  return new SqliteStorage(path, {
    flushPeriod: 2 ** 31 - 1,
    checkpointPeriod: 0,
    synchronous,
  });
}

function serve(storage: SqliteStorage | MemoryStorage): Promise<Engine> {
  return startEngine({ hostname: "127.0.0.1", port: 0 }, {
    storage,
    onError: () => {},
  });
}

function register(engine: Engine): number {
  const events = engine.register([EVENT, EVENT]);
  assert.ok(events !== null);
  return events[0].id.session;
}

Deno.test("SqliteStorage.reserveSessions() writes a block, read back after a crash", async () => {
  await using dir = await tempDir();
  await using image = await tempDir();
  await using storage = open(`${dir.path}/events.db`);
  assert.equal(storage.reserveSessions(1, 5), 5 + SESSION_BLOCK - 1);
  assert.equal(storage.reserveSessions(7, 1), SESSION_BLOCK);
  // reserving alone hands nothing out yet
  assert.equal(storage.lastSession(1), 0);
  const crashed = open(await crashImage(`${dir.path}/events.db`, image.path));
  try {
    assert.equal(crashed.lastSession(1), 5 + SESSION_BLOCK - 1);
    assert.equal(crashed.lastSession(7), SESSION_BLOCK);
    assert.equal(crashed.lastSession(2), 0);
  } finally {
    await crashed.close();
  }
});

Deno.test("SqliteStorage opens a database written without the sessions table", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/events.db`;
  await using engine = await serve(open(path));
  register(engine);
  await engine.close();
  const db = new DatabaseSync(path);
  db.exec("DROP TABLE sessions");
  db.close();

  const storage = open(path);
  try {
    const stored = storage.lastEventId(1).session;
    assert.ok(stored > 0);
    assert.equal(storage.lastSession(1), stored);
    assert.equal(
      storage.reserveSessions(1, stored + 1),
      stored + SESSION_BLOCK,
    );
  } finally {
    await storage.close();
  }
});

Deno.test("MemoryStorage reserves nothing: the engine never asks again", async () => {
  await using storage = new MemoryStorage();
  assert.equal(storage.lastSession(1), 0);
  assert.equal(storage.reserveSessions(1, 1), Number.MAX_SAFE_INTEGER);
  await storage.register([{
    id: { server: 1, session: 3, instance: 1 },
    type: ["a"],
    timestamp: { s: 1, us: 0 },
    sourceTimestamp: null,
    payload: null,
  }]);
  assert.equal(storage.lastSession(1), 3);
});
