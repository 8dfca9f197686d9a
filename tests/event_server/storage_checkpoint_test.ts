import assert from "node:assert/strict";
import {
  Checkpointer,
  FAILURES_BEFORE_FALLBACK,
} from "../../event_server/storage/sqlite/_checkpointer.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite/sqlite.ts";
import { within } from "../_within.ts";
import { ev } from "./_storages.ts";

/** A fresh directory, removed on dispose. */
async function tempDir(): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "eventer_checkpoint_" });
  return {
    dir,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/**
 * A Checkpointer on `path` that records what it reports; `reported`
 * resolves at the `reports`th error.
 */
function watched(path: string, worker?: URL, reports = 1) {
  const errors: string[] = [];
  const fallbacks: string[] = [];
  const fellBack = Promise.withResolvers<void>();
  const reported = Promise.withResolvers<void>();
  const checkpointer = new Checkpointer(path, {
    period: 1,
    onError: (e) => {
      errors.push((e as Error).message);
      if (errors.length === reports) reported.resolve();
    },
    onFallback: (cause) => {
      fallbacks.push(cause.message);
      fellBack.resolve();
    },
    worker,
  });
  return {
    checkpointer,
    errors,
    fallbacks,
    fellBack: fellBack.promise,
    reported: reported.promise,
  };
}

Deno.test("Checkpointer falls back once when its worker crashes", async () => {
  const worker = new URL("./_crashing_checkpoint_worker.ts", import.meta.url);
  const c = watched("unused.db", worker);
  await c.fellBack;
  await c.checkpointer.stop();
  assert.deepEqual(c.errors, []);
  assert.equal(c.fallbacks.length, 1);
  assert.match(c.fallbacks[0], /worker failed: .*checkpoint worker crashed/);
});

Deno.test("Checkpointer falls back once when its worker cannot start", async () => {
  await using tmp = await tempDir();
  const c = watched(`${tmp.dir}/missing/events.db`);
  await c.fellBack;
  await c.checkpointer.stop();
  assert.deepEqual(c.errors, []);
  assert.equal(c.fallbacks.length, 1);
  assert.match(c.fallbacks[0], /could not start: .*unable to open/);
});

Deno.test("Checkpointer reports a run of failed checkpoints once, then falls back", async () => {
  await using tmp = await tempDir();
  const path = `${tmp.dir}/not_a_database`;
  await Deno.writeTextFile(path, "text, not SQLite\n".repeat(100));
  const c = watched(path);
  await c.fellBack;
  await c.checkpointer.stop();
  assert.equal(c.errors.length, 1);
  assert.match(c.errors[0], /WAL checkpoint failed: .*not a database/);
  assert.equal(c.fallbacks.length, 1);
  assert.match(
    c.fallbacks[0],
    new RegExp(`^${FAILURES_BEFORE_FALLBACK} WAL checkpoints failed in a row`),
  );
});

Deno.test("Checkpointer keeps its worker through failures that pass", async () => {
  const worker = new URL("./_flaky_checkpoint_worker.ts", import.meta.url);
  const c = watched("unused.db", worker, 3);
  // Three reports (the first failure of each run), or a fallback if the
  // runs were counted as one.
  await within(
    Promise.race([c.reported, c.fellBack]),
    20_000,
    "three reports or a fallback",
  );
  await c.checkpointer.stop();
  assert.equal(c.errors.length, 3, "the first failure of each run");
  assert.deepEqual(c.fallbacks, []);
});

Deno.test("Checkpointer reports nothing that comes after stop()", async () => {
  const worker = new URL("./_late_error_checkpoint_worker.ts", import.meta.url);
  const c = watched("unused.db", worker);
  await c.checkpointer.stop();
  assert.deepEqual(c.errors, []);
  assert.deepEqual(c.fallbacks, []);
});

// Measured: 2000 commits of one event each grow the WAL to about 42 MB
// when nothing checkpoints, and leave it at about 4.1 MB (SQLite's 1000
// pages of 4 KiB, and one commit) with checkpoints in commits.
const COMMITS = 2000;
const WAL_BOUND = 8 * 2 ** 20;

Deno.test("SqliteStorage checkpoints by itself once its checkpoint worker failed", async () => {
  await using tmp = await tempDir();
  const path = `${tmp.dir}/events.db`;
  const errors: unknown[] = [];
  const reported = Promise.withResolvers<void>();
  await using storage = new SqliteStorage(path, {
    synchronous: "normal",
    checkpointWorker: new URL(
      "./_unstartable_checkpoint_worker.ts",
      import.meta.url,
    ),
    onError: (e) => {
      errors.push(e);
      reported.resolve();
    },
  });
  await reported.promise;
  for (let i = 1; i <= COMMITS; i++) {
    storage.register([ev([1, 1, i], ["a", String(i % 7)], i, null, {
      kind: "json",
      data: "x".repeat(100),
    })]);
    await storage.flush();
  }
  const wal = (await Deno.stat(`${path}-wal`)).size;
  assert.ok(wal < WAL_BOUND, `WAL is ${wal} bytes after ${COMMITS} commits`);
  assert.equal(errors.length, 1);
  assert.match(
    String(errors[0]),
    /Checkpoint worker of .* stopped \(WAL checkpoint worker could not start: no database here\); WAL checkpoints now run in commits/,
  );
});
