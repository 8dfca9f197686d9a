import assert from "node:assert/strict";
import {
  Repository,
  SbsDecodeError,
  SbsEncodeError,
  SbsError,
  type SbsValue,
} from "../../codec/mod.ts";
import { fromHex, readVectors } from "../_vectors.ts";
import { setCodegen } from "../../codec/_codegen.ts";
import { vectorSchemas } from "./_json_form.ts";
import { randomSchema, randomValue, Rng } from "./_random.ts";

const SCHEMAS = 150;
const VALUES = 20;

Deno.test("random values of random schemas round-trip", () => {
  roundTrip(new Rng(20241125));
});

Deno.test("random values round-trip without code generation too", () => {
  setCodegen(false);
  try {
    roundTrip(new Rng(5));
  } finally {
    setCodegen(true);
  }
});

function roundTrip(rng: Rng): void {
  let checked = 0;
  for (let s = 0; s < SCHEMAS; s++) {
    const text = randomSchema(rng);
    const repo = new Repository(text);
    for (let i = 0; i < 7; i++) {
      const type = `R.T${i}`;
      const t = repo.resolve(type);
      for (let v = 0; v < VALUES; v++) {
        const value = randomValue(rng, t);
        const bytes = repo.encode(type, value);
        const back = repo.decode(type, bytes);
        assert.deepStrictEqual(back, value, `${text}\n${type}`);
        assert.deepStrictEqual(repo.encode(type, back), bytes);
        // Damaged encodings of the same value fail cleanly, if at all.
        try {
          repo.decode(type, mutate(rng, bytes));
        } catch (e) {
          assert.ok(e instanceof SbsDecodeError, String(e));
        }
        checked++;
      }
    }
  }
  assert.equal(checked, SCHEMAS * 7 * VALUES);
}

// Mutations of a valid value that make it not fit its type.
function spoil(rng: Rng, v: SbsValue): SbsValue | undefined {
  const bad = [undefined, "x", 1.5, {}, [], 1n, NaN, "\ud800", ["?", null]];
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    const copy = [...v];
    const i = rng.int(copy.length);
    const inner = spoil(rng, copy[i]);
    if (inner === undefined) return undefined;
    copy[i] = inner;
    return copy;
  }
  if (v !== null && typeof v === "object" && !(v instanceof Uint8Array)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return undefined;
    const k = rng.pick(keys);
    const inner = spoil(rng, (v as Record<string, SbsValue>)[k]);
    if (inner === undefined) return undefined;
    return { ...v, [k]: inner };
  }
  // A leaf: swap for something of another kind.
  const b = rng.pick(bad.filter((x) => typeof x !== typeof v));
  return b as SbsValue;
}

Deno.test("encode() of spoiled values throws only SbsEncodeError", () => {
  const rng = new Rng(7);
  let failures = 0;
  for (let s = 0; s < 60; s++) {
    const repo = new Repository(randomSchema(rng));
    for (let i = 0; i < 6; i++) {
      const type = `R.T${i}`;
      for (let v = 0; v < 10; v++) {
        const value = spoil(rng, randomValue(rng, repo.resolve(type)));
        if (value === undefined) continue;
        try {
          repo.encode(type, value);
        } catch (e) {
          assert.ok(e instanceof SbsEncodeError, String(e));
          assert.ok(e.path.startsWith(type), e.message);
          failures++;
        }
      }
    }
  }
  assert.ok(failures > 100, `only ${failures} spoiled values failed`);
});

interface Vector {
  module_type: string;
  hex: string;
}

const repo = new Repository(...await vectorSchemas());
const vectors = await readVectors<Vector[]>("sbs_vectors.json");

Deno.test("decode() of every golden encoding truncated at every offset throws SbsDecodeError", () => {
  let n = 0;
  for (const v of vectors) {
    const bytes = fromHex(v.hex);
    for (let end = 0; end < bytes.length; end++) {
      assert.throws(
        () => repo.decode(v.module_type, bytes.subarray(0, end)),
        (e) => e instanceof SbsDecodeError && e.path.startsWith(v.module_type),
        `${v.module_type} ${v.hex} cut at ${end}`,
      );
      n++;
    }
  }
  assert.ok(n > 1000);
});

Deno.test("decode() of randomly mutated golden encodings throws nothing but SbsError", () => {
  const rng = new Rng(99);
  let errors = 0;
  let decoded = 0;
  for (const v of vectors) {
    const original = fromHex(v.hex);
    for (let round = 0; round < 60; round++) {
      const bytes = mutate(rng, original);
      try {
        repo.decode(v.module_type, bytes);
        decoded++;
      } catch (e) {
        assert.ok(e instanceof SbsDecodeError, `${v.module_type}: ${e}`);
        errors++;
      }
    }
  }
  assert.ok(errors > 1000 && decoded > 100, `${errors} errors, ${decoded} ok`);
});

function mutate(rng: Rng, original: Uint8Array): Uint8Array {
  const out = [...original];
  const edits = 1 + rng.int(3);
  for (let i = 0; i < edits; i++) {
    const at = rng.int(out.length + 1);
    switch (rng.int(5)) {
      case 0:
        out[at] = rng.int(256);
        break;
      case 1:
        out[at] = rng.pick([0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xff]);
        break;
      case 2:
        out.splice(at, 0, rng.int(256));
        break;
      case 3:
        out.splice(at, 1);
        break;
      default:
        out.splice(
          at,
          0,
          ...new Array(rng.int(12)).fill(rng.pick([0x00, 0x7f])),
        );
    }
  }
  return new Uint8Array(out.slice(0, Math.max(out.length, 0)));
}

Deno.test("decode() of random bytes throws nothing but SbsError for every type", () => {
  const rng = new Rng(1234);
  const types = vectors.map((v) => v.module_type);
  for (let i = 0; i < 5000; i++) {
    const bytes = new Uint8Array(rng.int(40));
    for (let j = 0; j < bytes.length; j++) bytes[j] = rng.int(256);
    const type = rng.pick(types);
    try {
      repo.decode(type, bytes);
    } catch (e) {
      assert.ok(e instanceof SbsError, `${type}: ${e}`);
    }
  }
});
