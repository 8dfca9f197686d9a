import assert from "node:assert/strict";
import type { Event } from "../../../event/mod.ts";
import { Cursor } from "../../../event_server/http/_cursor.ts";
import { MemoryStorage } from "../../../event_server/storage/memory.ts";

/** Events of one session of `server`, `n` of them, at second `s`. */
function session(
  server: number,
  sessionId: number,
  s: number,
  types: string[][],
): Event[] {
  return types.map((type, i) => ({
    id: { server, session: sessionId, instance: i + 1 },
    type,
    timestamp: { s, us: 0 },
    sourceTimestamp: null,
    payload: { kind: "json", data: `${server}/${sessionId}/${i + 1}` },
  }));
}

function names(events: readonly Event[] | undefined): string[] {
  return (events ?? []).map((e) =>
    `${e.id.server}/${e.id.session}/${e.id.instance}`
  );
}

/** More events than an update takes. */
const BURST = 64;

function many(n: number, type: string[]): string[][] {
  return Array.from({ length: n }, () => type);
}

Deno.test("Cursor.take() gives nothing when nothing was stored since", async () => {
  await using storage = new MemoryStorage();
  await storage.register(session(1, 1, 100, [["a"]]));
  const cursor = new Cursor(storage, [["*"]]);
  assert.equal(cursor.take(storage, 10), null);
  await storage.register(session(1, 2, 101, [["a"]]));
  assert.deepEqual(names(cursor.take(storage, 10)?.events), ["1/2/1"]);
  assert.equal(cursor.take(storage, 10), null);
});

Deno.test("Cursor.take() gives a peer's events however old their timestamps", async () => {
  await using storage = new MemoryStorage();
  await storage.register(session(1, 1, 5000, [["a"]]));
  const cursor = new Cursor(storage, [["a"]]);
  // A peer catching up after an hour: its events are older than anything
  // taken, stored after it.
  await storage.register(session(2, 7, 1400, [["a"], ["b"], ["a"]]));
  await storage.register(session(1, 2, 5001, [["a"]]));
  const got = cursor.take(storage, 10)!;
  assert.deepEqual(names(got.events), ["1/2/1", "2/7/3", "2/7/1"]);
  assert.equal(got.sampled, false);
  assert.equal(cursor.take(storage, 10), null);
});

Deno.test("Cursor.take() samples the newest of a burst and says so", async () => {
  await using storage = new MemoryStorage({ chunkSize: 64 });
  const cursor = new Cursor(storage, [["a"]]);
  await storage.register(session(1, 1, 100, many(3 * BURST, ["a"])));
  const got = cursor.take(storage, 5)!;
  const n = 3 * BURST;
  assert.deepEqual(
    names(got.events),
    [n, n - 1, n - 2, n - 3, n - 4].map((i) => `1/1/${i}`),
  );
  assert.equal(got.sampled, true);
  // Everything stored was taken: the rest of the burst does not come late.
  await storage.register(session(1, 2, 101, [["a"]]));
  const next = cursor.take(storage, 5)!;
  assert.deepEqual(names(next.events), ["1/2/1"]);
  assert.equal(next.sampled, false);
});

Deno.test("Cursor.take() finds the few matching events of a burst of others", async () => {
  await using storage = new MemoryStorage({ chunkSize: 64 });
  await storage.register(session(1, 1, 100, [["rare"]]));
  const cursor = new Cursor(storage, [["rare"]]);
  await storage.register(session(1, 2, 101, many(2 * BURST, ["noise"])));
  await storage.register(session(1, 3, 102, [["rare"]]));
  await storage.register(session(1, 4, 103, many(2 * BURST, ["noise"])));
  const got = cursor.take(storage, 5)!;
  assert.deepEqual(names(got.events), ["1/3/1"]);
  assert.equal(got.sampled, false);
});

Deno.test("Cursor.take() finds a peer's late event beside a burst of this server", async () => {
  await using storage = new MemoryStorage({ chunkSize: 64 });
  await storage.register(session(1, 1, 100, [["a"]]));
  const cursor = new Cursor(storage, [["a"]]);
  await storage.register(session(1, 2, 110, many(2 * BURST, ["b"])));
  await storage.register(session(2, 1, 105, [["a"]]));
  const got = cursor.take(storage, 5)!;
  assert.deepEqual(names(got.events), ["2/1/1"]);
  assert.equal(got.sampled, false);
});

Deno.test("Cursor.take() finds a peer's rare late event in its burst of others", async () => {
  await using storage = new MemoryStorage({ chunkSize: 64 });
  // Many events taken already, newer than the peer's that come next.
  await storage.register(session(1, 1, 200, many(100, ["a"])));
  const cursor = new Cursor(storage, [["a"]]);
  // The peer's backlog: its timestamps older than this server's, a match
  // first and then many others.
  await storage.register(session(2, 1, 50, [["a"]]));
  await storage.register(session(2, 2, 60, many(2 * BURST, ["b"])));
  const got = cursor.take(storage, 1)!;
  assert.deepEqual(names(got.events), ["2/1/1"]);
  assert.equal(got.sampled, false);
});
