// The writers of the Wasm eventer core against the TypeScript reference,
// byte for byte: MsgEventsNotify and MsgRegisterRes (eventer/_messages.ts),
// the storage's compact chunk records (event_server/storage, the
// ChunkBuilder) and query answers written from stored records.

import assert from "node:assert/strict";
import {
  type EventBatch,
  EventCore,
  EVENTS_KIND,
  type IdMap,
} from "../../../codec/wasm/event_core.ts";
import { Writer } from "../../../codec/mod.ts";
import type { Event } from "../../../event/mod.ts";
import {
  encodeEvents,
  encodeQueryRes,
  encodeRegisterReq,
  encodeRegisterRes,
} from "../../../eventer/_messages.ts";
import { writeEventType } from "../../../eventer/_event_write.ts";
import {
  ChunkBuilder,
  ChunkView,
} from "../../../event_server/storage/chunk/_chunk.ts";
import { isCompact } from "../../../event_server/storage/chunk/_compact.ts";
import { TypeRegistry } from "../../../event_server/storage/chunk/_type_registry.ts";
import { Prng } from "../../_prng.ts";
import {
  randomEvents,
  randomRegisterEvents,
  randomTimestamp,
} from "./_events_random.ts";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

Deno.test("writeEvents() writes the notification and response the TypeScript writer writes", () => {
  const rng = new Prng(24);
  const core = new EventCore();
  const batch = core.batch();
  for (let k = 0; k < 300; k++) {
    const registerEvents = randomRegisterEvents(rng, rng.int(12));
    const n = registerEvents.length;
    const timestamp = randomTimestamp(rng);
    const server = rng.pick([1, 7, Number.MAX_SAFE_INTEGER]);
    const session = rng.int(2 ** 40);
    const events: Event[] = registerEvents.map((e, i) => ({
      id: { server, session, instance: i + 1 },
      timestamp,
      ...e,
    }));
    batch.clear();
    assert.equal(batch.scanRegister(encodeRegisterReq(registerEvents)), n);
    batch.assign(0, n, server, session, 1, timestamp);
    const notify = batch.writeEvents(0, 0, n, 0);
    assert.deepEqual(hex(notify), hex(encodeEvents(events)));
    const res = batch.writeEvents(1, 0, n, 1).slice();
    res[0] = 0x80;
    assert.deepEqual(hex(res), hex(encodeRegisterRes(events)));
    // A subset, for subscribers that get some of the events.
    const some = events.map((_, i) => i).filter(() => rng.next() < 0.5);
    assert.deepEqual(
      hex(batch.writeList(2, some, 0)),
      hex(encodeEvents(some.map((i) => events[i]))),
    );
  }
  batch.free();
});

Deno.test("events scanned with their ids are written back as they came", () => {
  const rng = new Prng(25);
  const core = new EventCore();
  const batch = core.batch();
  for (let k = 0; k < 200; k++) {
    const events = randomEvents(rng, rng.int(8));
    const bytes = encodeEvents(events);
    batch.clear();
    assert.equal(batch.scanEvents(bytes, EVENTS_KIND.notify), events.length);
    assert.equal(
      hex(batch.writeEvents(0, 0, events.length, 0)),
      hex(bytes),
    );
  }
  batch.free();
});

Deno.test("events added to a session later (engine modules) join its notification with the next instances", () => {
  // docs/wasm.md, issue 16 (c) and (d): what modules return is written as a
  // MsgRegisterReq by the TypeScript writer and scanned into the same batch.
  const rng = new Prng(26);
  const core = new EventCore();
  const batch = core.batch();
  for (let k = 0; k < 100; k++) {
    const timestamp = randomTimestamp(rng);
    const session = 1 + rng.int(1000);
    const rounds = [randomRegisterEvents(rng, 1 + rng.int(6))];
    for (let r = rng.int(3); r > 0; r--) {
      rounds.push(randomRegisterEvents(rng, rng.int(4)));
    }
    batch.clear();
    let n = 0;
    for (const round of rounds) {
      assert.equal(batch.scanRegister(encodeRegisterReq(round)), round.length);
      batch.assign(n, n + round.length, 5, session, n + 1, timestamp);
      n += round.length;
    }
    assert.equal(batch.length, n);
    const events: Event[] = rounds.flat().map((e, i) => ({
      id: { server: 5, session, instance: i + 1 },
      timestamp,
      ...e,
    }));
    assert.equal(
      hex(batch.writeEvents(0, 0, n, 0)),
      hex(encodeEvents(events)),
    );
    // The client's response: its own events only.
    const k0 = rounds[0].length;
    const res = batch.writeEvents(1, 0, k0, 1).slice();
    res[0] = 0x80;
    assert.equal(hex(res), hex(encodeRegisterRes(events.slice(0, k0))));
  }
  // A failed session leaves nothing behind in the batch.
  batch.clear();
  assert.equal(batch.length, 0);
  batch.free();
});

/** Storage type ids for the core's type ids, from a registry. */
function mapTypes(core: EventCore, map: IdMap, registry: TypeRegistry) {
  return (ids: number[]) => {
    for (const id of ids) map.set(id, registry.intern(core.typeStrings(id)));
  };
}

/** Compact chunk bytes from what writeRecords wrote, as the builder lays them out. */
function chunkOf(
  count: number,
  base: { server: number; session: number; seconds: number },
  records: Uint8Array,
  offsets: Uint8Array,
): Uint8Array {
  const header = 32 + 4 * count;
  const out = new Uint8Array(header + records.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, count, true);
  v.setUint32(4, 1, true);
  v.setFloat64(8, base.server, true);
  v.setFloat64(16, base.session, true);
  v.setFloat64(24, base.seconds, true);
  const rel = new DataView(offsets.buffer, offsets.byteOffset, offsets.length);
  for (let i = 0; i < count; i++) {
    v.setUint32(32 + 4 * i, header + rel.getUint32(4 * i, true), true);
  }
  out.set(records, header);
  return out;
}

/** Sessions of a steady server: events whose values fit the compact form. */
function steadyEvents(rng: Prng, n: number): Event[] {
  const server = rng.pick([1, 3]);
  let session = 1 + rng.int(1000);
  let s = 1_700_000_000 + rng.int(1000);
  const out: Event[] = [];
  for (const e of randomRegisterEvents(rng, n)) {
    if (rng.next() < 0.3) {
      session++;
      s += rng.int(3);
    }
    out.push({
      id: {
        server: rng.next() < 0.1 ? server + 1 : server,
        session,
        instance: out.length + 1,
      },
      timestamp: { s, us: rng.int(1_000_000) },
      ...e,
      sourceTimestamp: e.sourceTimestamp === null
        ? null
        : { s: s - rng.int(100), us: rng.int(1_000_000) },
    });
  }
  return out;
}

function writeRecords(
  batch: EventBatch,
  map: IdMap,
  mapAll: (ids: number[]) => void,
  n: number,
  base: { server: number; session: number; seconds: number },
) {
  for (;;) {
    const r = batch.writeRecords(0, 0, n, base, map, 0);
    if (!("unmapped" in r)) return r;
    mapAll(r.unmapped);
  }
}

Deno.test("writeRecords() writes the compact records of the storage's chunk builder", () => {
  const rng = new Prng(26);
  const core = new EventCore();
  const batch = core.batch();
  const registry = new TypeRegistry();
  const map = core.idMap();
  const mapAll = mapTypes(core, map, registry);
  let compact = 0;
  let fixed = 0;
  for (let k = 0; k < 400; k++) {
    const n = 1 + rng.int(20);
    const events = k % 4 === 0 ? randomEvents(rng, n) : steadyEvents(rng, n);
    batch.clear();
    assert.equal(batch.scanEvents(encodeEvents(events), EVENTS_KIND.notify), n);
    const builder = new ChunkBuilder();
    for (const e of events) builder.add(e, registry.intern(e.type));
    const expected = builder.finish().data;
    const first = events[0];
    if (typeof first.timestamp.s === "bigint") {
      // Such a chunk is never compact: its base seconds are not safe.
      assert.equal(isCompact(expected), false);
      fixed++;
      continue;
    }
    const base = {
      server: first.id.server,
      session: first.id.session,
      seconds: first.timestamp.s,
    };
    const r = writeRecords(batch, map, mapAll, n, base);
    if ("unfit" in r) {
      assert.equal(isCompact(expected), false, `event ${r.unfit} unfit`);
      fixed++;
      continue;
    }
    assert.ok(isCompact(expected));
    compact++;
    assert.equal(
      hex(chunkOf(n, base, r.records, r.offsets)),
      hex(expected),
    );
    // The distinct storage types, each with its last event and count.
    const triples = new Int32Array(
      r.types.slice().buffer,
      0,
      r.types.length / 4,
    );
    const last = new Map<number, [number, number]>();
    events.forEach((e, i) => {
      const t = registry.find(e.type);
      last.set(t, [i, (last.get(t)?.[1] ?? 0) + 1]);
    });
    const got = new Map<number, [number, number]>();
    for (let j = 0; j < triples.length; j += 3) {
      got.set(triples[j], [triples[j + 1], triples[j + 2]]);
    }
    assert.deepEqual(got, last);
    assert.equal(
      r.oneServer,
      events.every((e) => e.id.server === first.id.server),
    );
    const times = events.map((e) => e.timestamp);
    const src = events.filter((e) => e.sourceTimestamp !== null)
      .map((e) => e.sourceTimestamp!);
    const cmp = (a: typeof src[0], b: typeof src[0]) =>
      a.s < b.s ? -1 : a.s > b.s ? 1 : a.us - b.us;
    src.sort(cmp);
    assert.deepEqual(r.srcMin, src.length > 0 ? src[0] : null);
    assert.deepEqual(r.srcMax, src.length > 0 ? src[src.length - 1] : null);
    times.sort(cmp);
    assert.deepEqual(r.tsMin, times[0]);
    assert.deepEqual(r.tsMax, times[times.length - 1]);
  }
  assert.ok(compact > 200 && fixed > 20, `${compact} compact, ${fixed} fixed`);
  batch.free();
});

Deno.test("writeStored() writes the query answer of stored records as the TypeScript writer does", () => {
  const rng = new Prng(27);
  const core = new EventCore();
  const batch = core.batch();
  const registry = new TypeRegistry();
  const toCore = core.idMap();
  for (let k = 0; k < 200; k++) {
    const builder = new ChunkBuilder();
    const events = steadyEvents(rng, 1 + rng.int(30));
    for (const e of events) builder.add(e, registry.intern(e.type));
    const data = builder.finish().data;
    assert.ok(isCompact(data));
    const view = new ChunkView(data);
    batch.clear();
    const at = batch.hold(data);
    const picked = events.map((_, i) => i).filter(() => rng.next() < 0.6);
    if (rng.next() < 0.5) picked.reverse();
    const more = rng.int(2);
    const pairs = picked.flatMap((i) => [at, i]);
    let out = batch.writeStored(0, pairs, toCore, more);
    while (out !== null && "unmapped" in out) {
      for (const st of out.unmapped) {
        const w = new Writer();
        writeEventType(w, registry.type(st), "type");
        toCore.set(st, core.internType(w.finish()));
      }
      out = batch.writeStored(0, pairs, toCore, more);
    }
    assert.ok(out instanceof Uint8Array);
    const expected = encodeQueryRes({
      events: picked.map((i) => view.event(i, registry)),
      moreFollows: more === 1,
    });
    assert.equal(hex(out), hex(expected));
  }
  batch.free();
});
