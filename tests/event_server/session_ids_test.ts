// Session ids are never reused: not after a graceful restart (which
// continues right after the highest stored id, as the Python server does)
// and not after a crash that lost events whose ids were already handed
// out (the group commit keeps them in memory for up to `flushPeriod`).

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { connect } from "../../client.ts";
import type { Event, RegisterEvent } from "../../event/mod.ts";
import { type Engine, startEngine } from "../../event_server/engine.ts";
import { StorageError } from "../../event_server/errors.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite/sqlite.ts";
import { SESSION_BLOCK } from "../../event_server/storage/sqlite/_sessions.ts";
import { serveProcess } from "./_cli.ts";

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

async function register(engine: Engine): Promise<number> {
  const events = await engine.register([EVENT, EVENT]);
  assert.ok(events !== null);
  return events[0].id.session;
}

function sessionsOf(storage: SqliteStorage): number[] {
  return storage.query({ kind: "server", serverId: 1 }).events.map((e) =>
    e.id.session
  );
}

for (const synchronous of ["full", "normal"] as const) {
  Deno.test(`engine on SQLite (synchronous ${synchronous}): after a crash no session handed out before it is given again`, async () => {
    await using dir = await tempDir();
    await using image = await tempDir();
    await using engine = await serve(
      open(`${dir.path}/events.db`, synchronous),
    );
    const handed = await Promise.all([
      register(engine),
      register(engine),
      register(engine),
    ]);
    const highest = Math.max(...handed);
    const crashed = await crashImage(`${dir.path}/events.db`, image.path);

    const storage = open(crashed, synchronous);
    // the crash lost the uncommitted events (what makes the test a test)
    assert.ok(storage.lastEventId(1).session < handed[0]);
    assert.ok(storage.lastSession(1) >= highest);
    await using after = await serve(storage);
    const next = await register(after);
    assert.ok(next > highest, `session ${next} after ${highest}`);
    // and the stored events have sessions of their own
    await storage.flush();
    const stored = sessionsOf(storage);
    for (const s of handed) assert.ok(!stored.includes(s));
  });
}

Deno.test("engine on SQLite: a graceful restart continues right after the highest stored session", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/events.db`;
  const first = await serve(open(path));
  await register(first);
  await register(first);
  await first.close(); // registers STOPPED, commits, closes the storage

  const storage = open(path);
  const stored = storage.lastEventId(1).session;
  assert.equal(storage.lastSession(1), stored);
  await using second = await serve(storage);
  assert.equal(await register(second), stored + 2); // after STARTED
  await storage.flush();
  // no gap: sessions 1, 2, ... in order
  const sessions = [...new Set(sessionsOf(storage))];
  assert.deepEqual(sessions, sessions.map((_, i) => i + 1));
});

Deno.test("SqliteStorage: opening and closing after a crash keeps the sessions handed out before it reserved", async () => {
  await using dir = await tempDir();
  await using image = await tempDir();
  await using engine = await serve(open(`${dir.path}/events.db`));
  const handed = await register(engine);
  const crashed = await crashImage(`${dir.path}/events.db`, image.path);
  // a look at the database left by the crash (as the crash test does),
  // and one that reserved sessions but registered nothing
  await open(crashed).close();
  const looked = open(crashed);
  looked.reserveSessions(1, looked.lastSession(1) + 1);
  await looked.close();
  const storage = open(crashed);
  try {
    assert.ok(storage.lastSession(1) >= handed);
  } finally {
    await storage.close();
  }
});

Deno.test("SqliteStorage.reserveSessions() writes a block, read back after a crash", async () => {
  await using dir = await tempDir();
  await using image = await tempDir();
  await using storage = open(`${dir.path}/events.db`);
  assert.equal(storage.reserveSessions(1, 5), 5 + SESSION_BLOCK - 1);
  assert.equal(storage.reserveSessions(7, 1), SESSION_BLOCK);
  // asking again from lower down never lowers what is reserved
  storage.reserveSessions(1, 2);
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

Deno.test("SqliteStorage: a reservation that cannot be written still commits what waits, then closes with its error", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/events.db`;
  const storage = new SqliteStorage(path, {
    flushPeriod: 60_000,
    checkpointPeriod: 0,
    onError: () => {},
  });
  // every reservation write fails (in place of an I/O error on that write)
  const other = new DatabaseSync(path);
  other.exec(
    "CREATE TRIGGER no BEFORE INSERT ON sessions " +
      "BEGIN SELECT RAISE(ABORT, 'refused'); END",
  );
  other.close();
  const durable = storage.register([{
    id: { server: 1, session: 1, instance: 1 },
    type: ["a"],
    timestamp: { s: 1, us: 0 },
    sourceTimestamp: null,
    payload: null,
  }]);
  assert.throws(() => storage.reserveSessions(1, 2), StorageError);
  await durable; // committed, not dropped
  const failure = await storage.closed;
  assert.match(String(failure?.message), /Cannot reserve sessions/);
  await using again = new SqliteStorage(path, { checkpointPeriod: 0 });
  assert.deepEqual(
    again.query({ kind: "timeseries" }).events.map((e) => e.id.session),
    [1],
  );
});

Deno.test("SqliteStorage opens a database written without the sessions table", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/events.db`;
  await using engine = await serve(open(path));
  await register(engine);
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

Deno.test("engine: a reservation that cannot be written fails the registration and stops the engine", async () => {
  class Unwritable extends MemoryStorage {
    override reserveSessions(): number {
      throw new StorageError("disk full");
    }
  }
  const errors: [unknown, string][] = [];
  await using engine = await startEngine({ hostname: "127.0.0.1", port: 0 }, {
    storage: new Unwritable(),
    status: "standby", // no STARTED event yet
    onError: (error, context) => void errors.push([error, context]),
  });
  await engine.setStatus("operational"); // STARTED needs a session
  assert.equal(await engine.register([EVENT]), null);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0][0]), /disk full/);
  assert.match(errors[0][1], /storage failed/);
  await engine.closed;
});

function addr(address: string) {
  const [hostname, port] = address.split(":");
  return { hostname, port: Number(port) };
}

async function registerVia(address: string): Promise<Event> {
  await using client = await connect(addr(address), "ids");
  const events = await client.register([EVENT], { withResponse: true });
  assert.ok(events !== null);
  return events[0];
}

Deno.test("server process: an id handed out before SIGKILL is not given to another event after the restart", async () => {
  await using dir = await tempDir();
  const args = ["--data-dir", dir.path, "--flush-period", "60000"];
  let before: Event;
  {
    await using server = await serveProcess(args);
    before = await registerVia(server.address);
    server.child.kill("SIGKILL");
    await server.status;
  }
  await using again = await serveProcess(args);
  const after = await registerVia(again.address);
  assert.ok(
    after.id.session > before.id.session,
    `session ${after.id.session} after ${before.id.session}`,
  );
});
