// A session reservation is written with `synchronous = FULL` also on a
// connection opened with `synchronous: "normal"`. A crash image copied from
// the files (session_ids_test.ts) includes the OS page cache, so it cannot
// tell a synced write from an unsynced one; instead these tests read the
// setting in effect, through the same connection, at the moment the
// reservation row is written.

import assert from "node:assert/strict";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { openDb } from "../../event_server/storage/sqlite/_db.ts";
import {
  SESSION_BLOCK,
  SessionReservations,
} from "../../event_server/storage/sqlite/_sessions.ts";

/** SQLite's numbers for the `synchronous` setting. */
const SYNCHRONOUS = { 1: "normal", 2: "full" } as Record<number, string>;

function synchronousOf(db: DatabaseSync): string {
  const row = db.prepare("PRAGMA synchronous").get() as {
    synchronous: number;
  };
  return SYNCHRONOUS[row.synchronous] ?? String(row.synchronous);
}

/**
 * Opens a database in a fresh directory as the SQLite storage does, and
 * records the `synchronous` setting each time a row of the `sessions`
 * table is written.
 */
async function openWatched(synchronous: "normal" | "full") {
  const dir = await Deno.makeTempDir({ prefix: "eventer_reserve_" });
  const { db } = openDb(`${dir}/events.db`, {
    synchronous,
    autoCheckpoint: true,
    busyTimeout: 0,
  });
  const duringWrites: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = (sql: string): StatementSync => {
    const statement = prepare(sql);
    if (/INSERT (OR REPLACE )?INTO sessions/.test(sql)) {
      type Run = StatementSync["run"];
      const run = statement.run.bind(statement) as (
        ...args: unknown[]
      ) => ReturnType<Run>;
      statement.run = ((...args: unknown[]) => {
        duringWrites.push(synchronousOf(db));
        return run(...args);
      }) as Run;
    }
    return statement;
  };
  return {
    db,
    duringWrites,
    [Symbol.asyncDispose]: async () => {
      db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("reserve() writes with synchronous FULL on a NORMAL connection, then restores NORMAL", async () => {
  await using watched = await openWatched("normal");
  const sessions = new SessionReservations(watched.db, "normal");
  assert.equal(synchronousOf(watched.db), "normal");
  assert.equal(sessions.reserve(1, 5), 5 + SESSION_BLOCK - 1);
  assert.deepEqual(watched.duringWrites, ["full"]);
  // the group commits of events stay unsynced, as configured
  assert.equal(synchronousOf(watched.db), "normal");
  const row = watched.db.prepare("SELECT reserved FROM sessions").get();
  assert.deepEqual({ ...row }, { reserved: 5 + SESSION_BLOCK - 1 });
});

Deno.test("reserve() writes with synchronous FULL on a FULL connection", async () => {
  await using watched = await openWatched("full");
  const sessions = new SessionReservations(watched.db, "full");
  sessions.reserve(1, 1);
  sessions.reserve(2, 1);
  assert.deepEqual(watched.duringWrites, ["full", "full"]);
  assert.equal(synchronousOf(watched.db), "full");
});
