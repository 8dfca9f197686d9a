// The storages fed from batches of the Wasm core (codec "wasm"): the same
// chunks, latest table and answers as from event objects; events of other
// servers stored under their own ids (peer sync); values beyond the
// compact form kept in the fixed form.

import assert from "node:assert/strict";
import { EventCore } from "../../codec/wasm/internal_mod.ts";
import type { Event } from "../../event/mod.ts";
import {
  encodeEvents,
  encodeQueryRes,
  encodeRegisterReq,
} from "../../eventer/_messages.ts";
import {
  type ChunkMeta,
  ChunkStore,
} from "../../event_server/storage/chunk/mod.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite/sqlite.ts";
import { Prng } from "../_prng.ts";
import { toHex } from "../_vectors.ts";
import { randomRegisterEvents } from "../codec/wasm/_events_random.ts";

/** A chunk store whose backend records what it is given. */
function recordingStore(chunkSize: number) {
  const chunks: string[] = [];
  const latest = new Map<number, string>();
  const rows = new Map<number, Uint8Array>();
  const store = new ChunkStore({
    transaction: (fn) => fn(),
    insertType: () => {},
    setCount: () => {},
    setServer: () => {},
    setLatest: (t, data) => void latest.set(t, toHex(data)),
    insertChunk: (meta: ChunkMeta, data) => {
      chunks.push(`${meta.count} ${toHex(data)}`);
      rows.set(meta.id, data);
    },
    updateChunk: (meta: ChunkMeta, data) => {
      chunks.push(`${meta.count} ${toHex(data)}`);
      rows.set(meta.id, data);
    },
    deleteChunk: (id) => void rows.delete(id),
    readChunk: (id) => rows.get(id)!,
  }, {
    chunkSize,
    maxResults: 4096,
    retention: [],
    cleanupPeriod: 1000,
    cleanupBatch: 1024,
    onError: () => {},
  });
  return { store, chunks, latest };
}

/** Sessions of one server, as the engine makes them. */
function sessions(rng: Prng, n: number, server = 1): Event[][] {
  let s = 1_700_000_000;
  return Array.from({ length: n }, (_, k) => {
    s += rng.int(3);
    const timestamp = { s, us: rng.int(1_000_000) };
    return randomRegisterEvents(rng, 1 + rng.int(30)).map((e, i) => ({
      id: { server, session: k + 1, instance: i + 1 },
      timestamp,
      ...e,
      sourceTimestamp: e.sourceTimestamp === null
        ? null
        : { s: s - rng.int(1000), us: e.sourceTimestamp.us },
    }));
  });
}

Deno.test("chunks and the latest table from batches are byte for byte those from event objects", () => {
  const rng = new Prng(91);
  const objects = recordingStore(100);
  const bytes = recordingStore(100);
  const core = new EventCore();
  const batch = core.batch();
  for (const session of sessions(rng, 80)) {
    objects.store.register(session);
    batch.clear();
    const registerEvents = session.map((e) => ({
      type: e.type,
      sourceTimestamp: e.sourceTimestamp,
      payload: e.payload,
    }));
    const n = batch.scanRegister(encodeRegisterReq(registerEvents)) as number;
    const { server, session: id } = session[0].id;
    batch.assign(0, n, server, id, 1, session[0].timestamp);
    bytes.store.registerBatch(batch, 0, n, true);
    // The latest table holds a new event as its place in the chunk being
    // built until read, committed or the chunk is finished.
    if (rng.next() < 0.2) {
      assert.deepEqual(
        bytes.store.query({ kind: "latest" }, true),
        objects.store.query({ kind: "latest" }, true),
      );
    }
    if (rng.next() < 0.2) {
      objects.store.commit();
      bytes.store.commit();
    }
  }
  objects.store.commit();
  bytes.store.commit();
  assert.ok(objects.chunks.length > 10);
  assert.deepEqual(bytes.chunks, objects.chunks);
  assert.deepEqual(bytes.latest, objects.latest);
  for (const params of [{ kind: "latest" }, { kind: "timeseries" }] as const) {
    assert.deepEqual(
      bytes.store.query(params, true),
      objects.store.query(params, true),
    );
  }
  batch.free();
});

Deno.test("events of another server are stored from a peer's answer under their own ids", async () => {
  const rng = new Prng(92);
  await using storage = new MemoryStorage();
  const core = new EventCore();
  const batch = core.batch();
  const peer = sessions(rng, 5, 7).flat();
  const answer = encodeQueryRes({ events: peer, moreFollows: false });
  assert.equal(batch.scanEvents(answer, 2), peer.length);
  await storage.registerBatch(batch, 0, peer.length, false);
  assert.deepEqual(storage.lastEventId(7), peer[peer.length - 1].id);
  const stored = storage.query(
    { kind: "server", serverId: 7 },
    { jsonText: true },
  );
  assert.equal(
    toHex(encodeEvents(stored.events)),
    toHex(encodeEvents(peer)),
  );
  // The same events again are not after the last stored: refused whole.
  batch.clear();
  batch.scanEvents(encodeEvents(peer.slice(-3)), 0);
  assert.throws(
    () => storage.registerBatch(batch, 0, 3, false),
    RangeError,
  );
  assert.equal(
    storage.query({ kind: "server", serverId: 7 }).events.length,
    peer.length,
  );
  // Its query answers, written by the core from the records, are the
  // events as they came.
  batch.clear();
  const bytes = storage.queryBytes(
    { kind: "server", serverId: 7 },
    batch,
    4096,
    encodeQueryRes,
  );
  assert.equal(toHex(bytes!), toHex(answer));
  batch.free();
});

Deno.test("a chunk with seconds beyond 2^53 takes the fixed form from a batch too", async () => {
  await using storage = new MemoryStorage();
  const core = new EventCore();
  const batch = core.batch();
  const events: Event[] = [
    {
      id: { server: 2, session: 1, instance: 1 },
      type: ["a"],
      timestamp: { s: 1_700_000_000, us: 0 },
      sourceTimestamp: null,
      payload: null,
    },
    {
      id: { server: 2, session: 2, instance: 1 },
      type: ["b"],
      timestamp: { s: 2n ** 60n, us: 5 },
      sourceTimestamp: { s: -(2n ** 62n), us: 1 },
      payload: { kind: "binary", type: "t", data: new Uint8Array([1, 2]) },
    },
  ];
  batch.scanEvents(encodeEvents(events), 0);
  await storage.registerBatch(batch, 0, 2, false);
  const found = storage.query({ kind: "server", serverId: 2 });
  assert.deepEqual(found.events, events);
  batch.free();
});

Deno.test("the latest of a type registered from a batch is answered before its commit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_latest_batch_" });
  try {
    await using storage = new SqliteStorage(`${dir}/events.db`, {
      flushPeriod: 60_000,
    });
    const core = new EventCore();
    const batch = core.batch();
    const registerEvents = [{
      type: ["x", "y"],
      sourceTimestamp: null,
      payload: { kind: "json" as const, data: { v: 1.5 } },
    }];
    batch.scanRegister(encodeRegisterReq(registerEvents));
    batch.assign(0, 1, 1, 1, 1, { s: 10, us: 20 });
    const durable = storage.registerBatch(batch, 0, 1, true);
    batch.clear();
    const expected = [{
      id: { server: 1, session: 1, instance: 1 },
      timestamp: { s: 10, us: 20 },
      ...registerEvents[0],
    }];
    const latest = { kind: "latest", eventTypes: [["x", "y"]] } as const;
    assert.deepEqual(storage.query(latest).events, expected);
    const answer = storage.queryBytes(latest, batch, 10, encodeQueryRes);
    assert.equal(
      toHex(answer!),
      toHex(encodeQueryRes({ events: expected, moreFollows: false })),
    );
    await storage.flush();
    await durable;
    assert.deepEqual(storage.query(latest).events, expected);
    batch.free();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
