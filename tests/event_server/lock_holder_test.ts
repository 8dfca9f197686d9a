// The lock holders of the storage failure tests wait for a write in
// progress, as another process's writer does: the server commits on its
// own (its start, each connection), and a holder that met such a commit
// failed with "database is locked" (a flaky "exits 4" test).

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { holdWriteLock, holdWriteLockFor } from "./_storages.ts";

Deno.test("holdWriteLock() waits for a write in progress, then holds the lock", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_lock_" });
  try {
    const path = `${dir}/events.db`;
    const db = new DatabaseSync(path);
    db.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x)");
    db.close();
    // a write of another thread, as the server's commit is
    const other = await holdWriteLockFor(path, 200);
    {
      using _lock = holdWriteLock(path);
      const probe = new DatabaseSync(path);
      assert.throws(() => probe.exec("BEGIN IMMEDIATE"), /database is locked/);
      probe.close();
    }
    await other.released;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
