// Memory kept per chunk must not grow with what chunks hold: steady
// traffic of many types leaves chunks with equal type sets, which the
// summaries share (one array of type ids, not one per chunk). The counter
// the storages expose for this is checked, not wall-clock or heap size.

import assert from "node:assert/strict";
import type { Event } from "../../event/types.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite/sqlite.ts";
import { ev } from "./_storages.ts";

const TYPES = 50;
const COMMITS = 40;

/** One commit's events: every type once, ids continuing from `session`. */
function commitOf(session: number): Event[] {
  return Array.from(
    { length: TYPES },
    (_, k) => ev([1, session, k + 1], ["t", String(k)], session + k / 1000),
  );
}

interface Measured {
  readonly chunkCount: number;
  readonly summaryTypeIds: number;
  register(events: Event[]): Promise<void>;
  flush(): Promise<void>;
}

async function fill(storage: Measured): Promise<void> {
  for (let s = 1; s <= COMMITS; s++) {
    await storage.register(commitOf(s));
    await storage.flush();
  }
}

Deno.test("MemoryStorage chunk summaries share equal type sets", async () => {
  await using storage = new MemoryStorage({ chunkSize: TYPES });
  await fill(storage);
  assert.ok(storage.chunkCount >= COMMITS / 2, `${storage.chunkCount}`);
  // unshared, it would be TYPES per chunk
  assert.equal(storage.summaryTypeIds, TYPES);
});

Deno.test("SqliteStorage chunk summaries share equal type sets, also after reopening", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/events.db`;
    const options = { chunkSize: TYPES, flushPeriod: 0, checkpointPeriod: 0 };
    {
      await using storage = new SqliteStorage(path, options);
      await fill(storage);
      assert.ok(storage.chunkCount >= COMMITS / 2, `${storage.chunkCount}`);
      assert.equal(storage.summaryTypeIds, TYPES);
    }
    await using reopened = new SqliteStorage(path, options);
    assert.ok(reopened.chunkCount >= COMMITS / 2, `${reopened.chunkCount}`);
    assert.equal(reopened.summaryTypeIds, TYPES);
    const { events } = reopened.query({
      kind: "timeseries",
      eventTypes: [["t", "7"]],
      maxResults: 1000,
    });
    assert.equal(events.length, COMMITS);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
