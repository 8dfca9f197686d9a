// The engine at its end: a graceful close, a close that times out, and a
// stop when its storage fails (commit or retention cleanup) or is closed
// by someone else.

import assert from "node:assert/strict";
import { connect } from "../../client.ts";
import type { Event, Status } from "../../event/mod.ts";
import type { EventBatch } from "../../codec/wasm/internal_mod.ts";
import { startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite/sqlite.ts";
import { within } from "../_within.ts";
import {
  ANY,
  assertStorageStop,
  collector,
  reg,
  start,
  startWatched,
} from "./_engine.ts";
import { ev, holdWriteLock } from "./_storages.ts";

Deno.test("engine: close() announces stopping, commits, closes clients and storage", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/events.db`;
    const storage = new SqliteStorage(path, { flushPeriod: 60_000 });
    const engine = await start(storage);
    const statuses: Status[] = [];
    const persisted = collector(1);
    const client = await connect(engine.addrs[0], "c", {
      subscriptions: [["k"]],
      persisted: true,
      onStatus: (_c, s) => void statuses.push(s),
      onEvents: persisted.onEvents,
    });
    const registered = await client.register([reg(["k"])], {
      withResponse: true,
    });
    await engine.close();
    await client.closed;
    assert.deepEqual(statuses, ["stopping"]);
    assert.equal(storage.isOpen, false);
    assert.deepEqual(persisted.events, registered);
    await using reopened = new SqliteStorage(path);
    const stored = reopened.query({ kind: "latest", eventTypes: [["k"]] });
    assert.deepEqual(stored.events, registered);
    const stopped = reopened.query({
      kind: "latest",
      eventTypes: [["event", "1", "engine"]],
    });
    assert.deepEqual(stopped.events[0].payload, {
      kind: "json",
      data: "STOPPED",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("engine: close() ends after its timeout when the graceful part cannot finish", async () => {
  // A commit that never completes (a stuck disk): only the timeout can end
  // the graceful part.
  const flushing = Promise.withResolvers<void>();
  class StuckStorage extends MemoryStorage {
    override flush(): Promise<void> {
      flushing.resolve();
      return new Promise(() => {});
    }
  }
  const storage = new StuckStorage();
  const engine = await start(storage);
  const client = await connect(engine.addrs[0], "c");
  const started = performance.now();
  const closing = engine.close({ timeout: 300 });
  await within(flushing.promise, 30_000, "the graceful part to flush");
  await within(closing, 30_000, "close() to end despite the stuck flush");
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 250, `closed after ${elapsed} ms, before its timeout`);
  await within(client.closed, 30_000, "the client to be closed");
  assert.equal(storage.isOpen, false);
});

Deno.test("engine: stops when its storage fails to commit", async () => {
  // A commit of a "boom" event fails, as objects (codec "ts") or as the
  // bytes of a Wasm batch (codec "wasm").
  class FailingStorage extends MemoryStorage {
    #failed = false;
    override get isOpen(): boolean {
      return !this.#failed && super.isOpen;
    }
    #fail(): Promise<void> {
      this.#failed = true;
      return Promise.reject(new Error("disk full"));
    }
    override register(events: readonly Event[]): Promise<void> {
      if (events.some((e) => e.type[0] === "boom")) return this.#fail();
      return super.register(events);
    }
    override registerBatch(
      batch: EventBatch,
      from: number,
      to: number,
      assigned: boolean,
    ): Promise<void> {
      for (let i = from; i < to; i++) {
        const type = batch.core.typeStrings(batch.typeId(i));
        if (type[0] === "boom") return this.#fail();
      }
      return super.registerBatch(batch, from, to, assigned);
    }
  }
  const errors: string[] = [];
  const engine = await startEngine(ANY, {
    storage: new FailingStorage(),
    onError: (_e, context) => void errors.push(context),
  });
  await using client = await connect(engine.addrs[0], "c");
  const events = await client.register([reg(["boom"])], { withResponse: true });
  assert.equal(events?.length, 1);
  await engine.closed;
  await client.closed;
  assert.ok(errors.includes("storage failed, stopping"));
});

Deno.test("engine: stops, and close() resolves, when its SQLite storage fails to commit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_engine_" });
  try {
    const path = `${dir}/events.db`;
    const storage = new SqliteStorage(path, {
      busyTimeout: 10,
      onError: () => {},
    });
    const watched = await startWatched(storage);
    const { engine, client } = watched;
    await storage.flush();
    {
      using _lock = holdWriteLock(path);
      const events = await client.register([reg(["k"])], {
        withResponse: true,
      });
      assert.equal(events?.length, 1);
      await engine.closed;
    }
    await engine.close();
    await assertStorageStop(watched, /Cannot commit events/);
    assert.equal(storage.isOpen, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("engine: close() resolves, and reports, when the last commit fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_engine_" });
  try {
    const path = `${dir}/events.db`;
    const storage = new SqliteStorage(path, {
      busyTimeout: 10,
      flushPeriod: 60_000,
      onError: () => {},
    });
    const errors: [unknown, string][] = [];
    const engine = await startEngine(ANY, {
      storage,
      onError: (error, context) => void errors.push([error, context]),
    });
    await storage.flush();
    assert.equal((await engine.register([reg(["k"])]))?.length, 1);
    {
      using _lock = holdWriteLock(path);
      await engine.close();
    }
    assert.equal(storage.isOpen, false);
    assert.deepEqual(errors.map(([, context]) => context), ["shutdown"]);
    assert.match(String(errors[0][0]), /Cannot commit events/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("engine: stops when its SQLite storage fails a retention cleanup with nothing pending", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_engine_" });
  try {
    const path = `${dir}/events.db`;
    const storage = new SqliteStorage(path, {
      busyTimeout: 10,
      retention: [{ eventTypes: [["old"]], maxAge: 3600 }],
      // run by hand below
      cleanupPeriod: 3_600_000,
      onError: () => {},
    });
    await storage.register([ev([1, 1, 1], ["old"], 1000)]);
    const watched = await startWatched(storage);
    const { engine } = watched;
    await storage.flush();
    {
      using _lock = holdWriteLock(path);
      assert.throws(() => storage.cleanup(), /Retention cleanup failed/);
    }
    try {
      await within(engine.closed, 20_000, "the engine stops");
    } finally {
      await engine.close();
    }
    await assertStorageStop(watched, /Retention cleanup failed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("engine: stops when its storage is closed under it", async () => {
  const storage = new MemoryStorage();
  const watched = await startWatched(storage);
  // someone else closes it: nothing could be registered or queried any more
  await storage.close();
  try {
    await within(watched.engine.closed, 20_000, "the engine stops");
  } finally {
    await watched.engine.close();
  }
  await assertStorageStop(watched, /^StorageClosedError/);
});
