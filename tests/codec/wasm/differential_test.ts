// The Wasm decoder (eager and lazy) against the TypeScript decoder, which is
// the reference: the same values for the golden vectors and for random
// values of random schemas, and the same acceptance (error class, reason and
// offset) for truncated, mutated and random bytes.

import assert from "node:assert/strict";
import {
  LazyArray,
  LazyChoice,
  LazyRecord,
  Repository,
  SbsDecodeError,
  type SbsValue,
  WasmDecoder,
} from "../../../codec/mod.ts";
import { fromHex, readVectors } from "../../_vectors.ts";
import { fromJsonForm, vectorSchemas } from "../_json_form.ts";
import { randomSchema, randomValue, Rng } from "../_random.ts";
import { walkLazy } from "./_lazy_walk.ts";
import { mutate } from "./_mutate.ts";

interface Event {
  type: SbsValue;
  sourceTimestamp: [string, SbsValue];
  payload: [string, SbsValue];
}

interface Vector {
  module_type: string;
  value: unknown;
  hex: string;
}

const repo = new Repository(...await vectorSchemas());
const wasm = new WasmDecoder(repo);
const vectors = await readVectors<Vector[]>("sbs_vectors.json");
const decodeOnly = await readVectors<Vector[]>("sbs_decode_only.json");

type Outcome =
  | { ok: SbsValue }
  | { reason: string; offset: number };

function outcome(f: () => SbsValue): Outcome {
  try {
    return { ok: f() };
  } catch (e) {
    if (!(e instanceof SbsDecodeError)) throw e;
    return { reason: e.reason, offset: e.offset };
  }
}

// Decodes with every decoder; asserts they agree and returns the outcome.
function agree(r: Repository, w: WasmDecoder, type: string, bytes: Uint8Array) {
  const ts = outcome(() => r.decode(type, bytes));
  const eager = outcome(() => w.decode(type, bytes));
  const valid = outcome(() => (w.validate(type, bytes), null));
  const lazy = outcome(() => walkLazy(w.decodeLazy(type, bytes)));
  const what = `${type} ${Array.from(bytes, (b) => b.toString(16)).join(" ")}`;
  assert.deepStrictEqual(eager, ts, `eager: ${what}`);
  assert.deepStrictEqual(lazy, ts, `lazy: ${what}`);
  if ("ok" in ts) assert.deepStrictEqual(valid, { ok: null }, what);
  else assert.deepStrictEqual(valid, ts, `validate: ${what}`);
  return ts;
}

Deno.test("every decoder gives the golden value of every vector", () => {
  for (const v of [...vectors, ...decodeOnly]) {
    const t = repo.resolve(v.module_type);
    const bytes = fromHex(v.hex);
    const got = agree(repo, wasm, v.module_type, bytes);
    // Decode-only vectors with trailing bytes are rejected by design (see
    // codec/repository.ts); agree() checked that every decoder does so.
    if ("ok" in got) {
      assert.deepStrictEqual(got.ok, fromJsonForm(t, v.value), v.hex);
    }
  }
});

Deno.test("lazy views give each event's parts as raw bytes to forward", () => {
  const T = "HatEventer.MsgEventsNotify";
  const v = vectors.filter((v) => v.module_type === T).at(-1)!;
  const expected = fromJsonForm(repo.resolve(T), v.value) as unknown as Event[];
  const events = wasm.decodeLazy(T, fromHex(v.hex));
  assert.ok(events instanceof LazyArray);
  assert.equal(events.length, expected.length);
  const optional = (type: string, o: [string, SbsValue]) =>
    o[0] === "none"
      ? new Uint8Array([0x80])
      : new Uint8Array([0x81, ...repo.encode(type, o[1])]);
  for (let i = 0; i < events.length; i++) {
    const ev = events.at(i);
    assert.ok(ev instanceof LazyRecord);
    assert.deepStrictEqual(ev.value("type"), expected[i].type);
    assert.deepStrictEqual(
      ev.raw("type"),
      repo.encode("HatEventer.EventType", expected[i].type),
    );
    assert.deepStrictEqual(
      ev.raw("sourceTimestamp"),
      optional("HatEventer.Timestamp", expected[i].sourceTimestamp),
    );
    assert.deepStrictEqual(
      ev.raw("payload"),
      optional("HatEventer.EventPayload", expected[i].payload),
    );
    const payload = ev.get("payload");
    assert.ok(payload instanceof LazyChoice);
    if (payload.name === "value") {
      assert.deepStrictEqual(
        payload.raw(),
        repo.encode("HatEventer.EventPayload", expected[i].payload[1]),
      );
    }
    // Views are kept: the same object each time.
    assert.equal(events.at(i), ev);
    assert.equal(ev.get("payload"), payload);
  }
});

Deno.test("random values of random schemas decode alike in every decoder", () => {
  const rng = new Rng(77);
  let checked = 0;
  for (let s = 0; s < 60; s++) {
    const r = new Repository(randomSchema(rng));
    const w = new WasmDecoder(r);
    for (let i = 0; i < 7; i++) {
      const type = `R.T${i}`;
      const t = r.resolve(type);
      for (let k = 0; k < 8; k++) {
        const value = randomValue(rng, t);
        const bytes = r.encode(type, value);
        const got = agree(r, w, type, bytes);
        assert.deepStrictEqual(got, { ok: value });
        checked++;
      }
    }
  }
  assert.equal(checked, 60 * 7 * 8);
});

Deno.test("truncated golden encodings are rejected alike, at every offset", () => {
  for (const v of vectors) {
    const bytes = fromHex(v.hex);
    for (let n = 0; n < bytes.length; n++) {
      agree(repo, wasm, v.module_type, bytes.subarray(0, n));
    }
  }
});

Deno.test("mutated encodings are accepted or rejected alike", () => {
  const rng = new Rng(4242);
  let rejected = 0;
  for (let round = 0; round < 20; round++) {
    for (const v of vectors) {
      const got = agree(repo, wasm, v.module_type, mutate(rng, fromHex(v.hex)));
      if (!("ok" in got)) rejected++;
    }
  }
  assert.ok(rejected > 100, `only ${rejected} rejected`);
});

Deno.test("random bytes are accepted or rejected alike for every type", () => {
  const rng = new Rng(99);
  const types = [...new Set(vectors.map((v) => v.module_type))];
  const reasons = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const b = new Uint8Array(rng.int(24));
    for (let k = 0; k < b.length; k++) {
      b[k] = rng.next() < 0.3
        ? rng.pick([0x80, 0x81, 0x82, 0xff])
        : rng.int(256);
    }
    const got = agree(repo, wasm, rng.pick(types), b);
    if ("reason" in got) reasons.add(got.reason);
  }
  for (const r of ["truncated", "length", "choice", "utf8", "trailing"]) {
    assert.ok(reasons.has(r), `no ${r} error seen`);
  }
});

Deno.test("damaged random values of random schemas are rejected alike", () => {
  const rng = new Rng(31337);
  for (let s = 0; s < 40; s++) {
    const r = new Repository(randomSchema(rng));
    const w = new WasmDecoder(r);
    for (let i = 0; i < 7; i++) {
      const type = `R.T${i}`;
      for (let k = 0; k < 6; k++) {
        const bytes = r.encode(type, randomValue(rng, r.resolve(type)));
        agree(r, w, type, mutate(rng, bytes));
      }
    }
  }
});
