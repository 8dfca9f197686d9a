// The two forms of chunk bytes: events read back from a finished chunk are
// the events added, whether it was stored in the compact form or, when a
// value does not fit that, in the fixed one; rewrites (merges, retention)
// copy events between chunks of either form.

import assert from "node:assert/strict";
import {
  type Event,
  type EventPayload,
  JsonTextPayload,
  type Timestamp,
} from "../../event/mod.ts";
import {
  ChunkBuilder,
  ChunkView,
} from "../../event_server/storage/chunk/_chunk.ts";
import { isCompact } from "../../event_server/storage/chunk/_compact.ts";
import { TypeRegistry } from "../../event_server/storage/chunk/_type_registry.ts";
import { Prng } from "../_prng.ts";

function plain(e: Event): Event {
  const p = e.payload;
  return p instanceof JsonTextPayload
    ? { ...e, payload: { kind: "json", data: p.data } }
    : e;
}

function randomTs(rng: Prng, base: number, wide: boolean): Timestamp {
  const r = rng.next();
  const s = wide && r < 0.05
    ? rng.pick<number | bigint>([2n ** 62n, -(2n ** 63n), 2 ** 53 - 1])
    : wide && r < 0.1
    ? -rng.int(1e9)
    : base + rng.int(1000);
  return { s, us: rng.int(1_000_000) };
}

function randomPayload(rng: Prng): EventPayload | null {
  const r = rng.next();
  if (r < 0.2) return null;
  if (r < 0.4) {
    return {
      kind: "binary",
      type: rng.pick(["", "raw", "žš"]),
      data: Uint8Array.from({ length: rng.int(100) }, () => rng.int(256)),
    };
  }
  if (r < 0.7) return { kind: "json", data: { v: rng.int(1e6) / 8, s: "x" } };
  return new JsonTextPayload(rng.pick(['{"a": 1e400}', "[1, 2.50]", '"ž"']));
}

function randomEvents(rng: Prng, n: number, wide: boolean): Event[] {
  const base = 1_700_000_000;
  let session = wide ? rng.pick([1, 2 ** 40, 2 ** 53 - 5000]) : 100;
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    if (rng.next() < 0.2) session += 1 + rng.int(wide ? 1e6 : 3);
    out.push({
      id: {
        server: wide && rng.next() < 0.3 ? rng.int(5) : 1,
        session,
        instance: 1 + rng.int(wide ? 2 ** 31 : 100),
      },
      type: ["t", String(rng.int(4))],
      timestamp: randomTs(rng, base, wide),
      sourceTimestamp: rng.next() < 0.3 ? null : randomTs(rng, base, wide),
      payload: randomPayload(rng),
    });
  }
  return out;
}

function build(events: Event[], registry: TypeRegistry): Uint8Array {
  const builder = new ChunkBuilder();
  for (const e of events) builder.add(e, registry.intern(e.type));
  return builder.finish().data;
}

function readAll(data: Uint8Array, registry: TypeRegistry): Event[] {
  const view = new ChunkView(data);
  return Array.from({ length: view.count }, (_, i) => view.event(i, registry));
}

Deno.test("chunks give back the events added, compact or fixed", () => {
  const rng = new Prng(21);
  let compact = 0;
  let fixed = 0;
  for (let n = 0; n < 300; n++) {
    const registry = new TypeRegistry();
    const events = randomEvents(rng, 1 + rng.int(60), n % 2 === 1);
    const data = build(events, registry);
    if (isCompact(data)) compact++;
    else fixed++;
    assert.deepEqual(readAll(data, registry).map(plain), events.map(plain));
    // Per-field access in any order decodes the same values.
    const view = new ChunkView(data);
    for (let k = 0; k < 20; k++) {
      const i = rng.int(view.count);
      const e = events[i];
      assert.equal(view.instance(i), e.id.instance);
      assert.equal(view.server(i), e.id.server);
      assert.deepEqual(view.timestamp(i), e.timestamp);
      assert.equal(view.indexOf(e.id) <= i, true);
      // Reading another event's type between the parts of one event.
      const j = rng.int(view.count);
      view.hasSource(i);
      assert.deepEqual(registry.type(view.typeId(j)), events[j].type);
      assert.equal(view.session(i), e.id.session);
      assert.equal(view.typeId(i), registry.find(e.type));
    }
  }
  assert.ok(compact > 100, `only ${compact} compact chunks`);
  assert.ok(fixed > 10, `only ${fixed} fixed chunks`);
});

Deno.test("steady traffic takes under half the bytes in the compact form", () => {
  const rng = new Prng(22);
  const registry = new TypeRegistry();
  const events = randomEvents(rng, 4096, false);
  const data = build(events, registry);
  assert.ok(isCompact(data));
  // What the fixed form takes: 8 + 64 per event + the payload bytes.
  const view = new ChunkView(data);
  let payloads = 0;
  for (let i = 0; i < view.count; i++) payloads += view.payloadLength(i);
  const fixedSize = 8 + 64 * events.length + payloads;
  assert.ok(
    data.length - payloads < 0.4 * (fixedSize - payloads),
    `${data.length - payloads} record bytes against ${fixedSize - payloads}`,
  );
});

Deno.test("rewrites copy events between chunks of either form", () => {
  const rng = new Prng(23);
  for (let n = 0; n < 100; n++) {
    const registry = new TypeRegistry();
    const a = randomEvents(rng, 1 + rng.int(30), n % 3 === 0);
    const b = randomEvents(rng, 1 + rng.int(30), n % 3 === 1);
    const views = [
      new ChunkView(build(a, registry)),
      new ChunkView(build(b, registry)),
    ];
    const merged = new ChunkBuilder();
    const keep: Event[] = [];
    for (const [k, view] of views.entries()) {
      for (let i = 0; i < view.count; i++) {
        if (rng.next() < 0.2) continue;
        merged.addRaw(view, i);
        keep.push((k === 0 ? a : b)[i]);
      }
    }
    if (keep.length === 0) continue;
    const { data, meta } = merged.finish();
    assert.equal(meta.count, keep.length);
    assert.deepEqual(readAll(data, registry).map(plain), keep.map(plain));
  }
});

Deno.test("query results own their binary payloads, unless jsonText asks for views", async () => {
  const { MemoryStorage } = await import(
    "../../event_server/storage/memory.ts"
  );
  await using storage = new MemoryStorage();
  await storage.register(
    Array.from({ length: 5 }, (_, i): Event => ({
      id: { server: 1, session: 1, instance: i + 1 },
      type: ["b"],
      timestamp: { s: 1, us: i },
      sourceTimestamp: null,
      payload: { kind: "binary", type: "raw", data: new Uint8Array([i, 7]) },
    })),
  );
  const plainResult = storage.query({ kind: "timeseries" });
  const views = storage.query({ kind: "timeseries" }, { jsonText: true });
  assert.equal(plainResult.events.length, 5);
  for (const [k, e] of plainResult.events.entries()) {
    const p = e.payload!;
    assert.ok(p.kind === "binary");
    assert.deepEqual(p.data, new Uint8Array([4 - k, 7]));
    assert.equal(p.data.buffer.byteLength, 2, "a buffer of its own");
    const v = views.events[k].payload!;
    assert.ok(v.kind === "binary");
    assert.deepEqual(v.data, p.data);
    assert.ok(v.data.buffer.byteLength > 2, "a view of the chunk");
  }
});

Deno.test("a caller changing a query answer does not change the next one", async () => {
  const { KINDS } = await import("./_storages.ts");
  for (const kind of KINDS) {
    await using opened = await kind.open();
    const storage = opened.storage;
    await storage.register([{
      id: { server: 1, session: 1, instance: 1 },
      type: ["m"],
      timestamp: { s: 1, us: 0 },
      sourceTimestamp: { s: 2, us: 0 },
      payload: new JsonTextPayload('{"v": [1]}'),
    }]);
    await storage.flush();
    for (const q of [{ kind: "latest" }, { kind: "timeseries" }] as const) {
      const first = storage.query(q).events[0] as unknown as {
        id: { session: number };
        timestamp: { s: number };
        sourceTimestamp: { s: number };
        payload: { data: { v: number[] } };
      };
      first.id.session = 99;
      first.timestamp.s = 99;
      first.sourceTimestamp.s = 99;
      first.payload.data.v.push(99);
      const again = storage.query(q).events[0];
      assert.equal(again.id.session, 1, `${kind.name} ${q.kind}`);
      assert.deepEqual(again.timestamp, { s: 1, us: 0 });
      assert.deepEqual(again.sourceTimestamp, { s: 2, us: 0 });
      assert.deepEqual(again.payload, { kind: "json", data: { v: [1] } });
    }
  }
});
