// The scanners written per type (codec/wasm/_scanner.ts) against the
// interpreter of codec/wasm/assembly/scan.ts: the same result, error kind, error
// offset and tape, slot for slot, on the golden vectors, random values of
// random schemas, and damaged bytes. (differential_test.ts holds both to the
// TypeScript decoder through WasmDecoder.)

import assert from "node:assert/strict";
import { Repository } from "../../../codec/mod.ts";
import {
  compileProgram,
  MAX_DEPTH,
  MAX_EMPTY_ITEMS,
} from "../../../codec/wasm/_program.ts";
import { SbsWasm } from "../../../codec/wasm/_instance.ts";
import { fromHex, readVectors } from "../../_vectors.ts";
import { vectorSchemas } from "../_json_form.ts";
import { randomSchema, randomValue, Rng } from "../_random.ts";
import { mutate } from "./_mutate.ts";

const limits = { depth: MAX_DEPTH, empty: MAX_EMPTY_ITEMS, trailing: false };

/** Scans with both and asserts the same outcome; returns it. */
function same(
  r: Repository,
  type: string,
  bytes: Uint8Array,
  special: SbsWasm,
  interp: SbsWasm,
): number | string {
  const program = compileProgram(r.resolve(type), type);
  assert.ok(special.specialized(program), `${type} is not specialized`);
  assert.ok(!interp.specialized(program));
  const outcome = (w: SbsWasm) => {
    const n = w.scan(program, bytes, limits);
    const tape = Array.from(
      w.tape.subarray(w.tapeBase, w.tapeBase + w.tapeLength),
    );
    return { n, offset: typeof n === "number" ? 0 : w.errorOffset, tape };
  };
  const a = outcome(special);
  const b = outcome(interp);
  const what = `${type} ${Array.from(bytes, (x) => x.toString(16)).join(" ")}`;
  assert.deepStrictEqual(a, b, what);
  return a.n;
}

const repo = new Repository(...await vectorSchemas());
const vectors = await readVectors<{ module_type: string; hex: string }[]>(
  "sbs_vectors.json",
);

Deno.test("specialized scanners leave the interpreter's tape on every vector", () => {
  const special = new SbsWasm();
  const interp = new SbsWasm({ specialize: false });
  const rng = new Rng(5);
  const reasons = new Set<number | string>();
  for (const v of vectors) {
    const bytes = fromHex(v.hex);
    assert.equal(
      typeof same(repo, v.module_type, bytes, special, interp),
      "number",
    );
    for (let n = 0; n < bytes.length; n++) {
      reasons.add(
        same(repo, v.module_type, bytes.subarray(0, n), special, interp),
      );
    }
    for (let k = 0; k < 20; k++) {
      reasons.add(
        same(repo, v.module_type, mutate(rng, bytes), special, interp),
      );
    }
  }
  for (const r of ["truncated", "length", "choice", "utf8", "trailing"]) {
    assert.ok(reasons.has(r), `no ${r} error seen`);
  }
});

Deno.test("specialized scanners agree with the interpreter on random schemas", () => {
  const special = new SbsWasm();
  const interp = new SbsWasm({ specialize: false });
  const rng = new Rng(2024);
  let ok = 0;
  for (let s = 0; s < 50; s++) {
    const r = new Repository(randomSchema(rng));
    for (let i = 0; i < 7; i++) {
      const type = `R.T${i}`;
      for (let k = 0; k < 6; k++) {
        const bytes = r.encode(type, randomValue(rng, r.resolve(type)));
        if (typeof same(r, type, bytes, special, interp) === "number") ok++;
        same(r, type, mutate(rng, bytes), special, interp);
      }
    }
  }
  assert.equal(ok, 50 * 7 * 6);
});

Deno.test("limits and edge values scan alike in both", () => {
  const r = new Repository(`
    module E
    Deep = Optional(Deep)
    Nones = Array(None)
    Ints = Array(Integer)
    F = Record { f: Float, b: Boolean, x: Bytes }
    Never = Array(Record { a: Never })
    Strs = Array(String)
  `);
  const special = new SbsWasm();
  const interp = new SbsWasm({ specialize: false });
  const run = (type: string, bytes: number[] | Uint8Array) =>
    same(r, type, Uint8Array.from(bytes), special, interp);
  assert.equal(run("E.Deep", [...new Array(600).fill(0x81), 0x80]), "limit");
  assert.equal(
    typeof run("E.Deep", [...new Array(100).fill(0x81), 0x80]),
    "number",
  );
  assert.equal(typeof run("E.Nones", [0x04, 0x00, 0x80]), "number");
  assert.equal(run("E.Nones", [0x04, 0x00, 0x81]), "limit");
  const ints = [
    0,
    1,
    -1,
    63,
    -64,
    64,
    2 ** 31,
    -(2 ** 31),
    2 ** 53 - 1,
    -(2 ** 53 - 1),
  ];
  const big = [2n ** 53n, -(2n ** 53n), 2n ** 64n, -(2n ** 200n)];
  assert.equal(
    typeof run("E.Ints", r.encode("E.Ints", [...ints, ...big])),
    "number",
  );
  // An Integer longer than the reader accepts.
  assert.equal(
    run("E.Ints", [0x81, ...new Array(1100).fill(0x01), 0x80]),
    "limit",
  );
  const f = r.encode("E.F", {
    f: -1.5e300,
    b: true,
    x: new Uint8Array([1, 2]),
  });
  assert.equal(typeof run("E.F", f), "number");
  for (let n = 0; n < f.length; n++) run("E.F", f.subarray(0, n));
  assert.equal(run("E.Never", [0x81]), "length");
  const strs = ["", "a", "é", "x".repeat(32), "y".repeat(33), "€".repeat(20)];
  assert.equal(typeof run("E.Strs", r.encode("E.Strs", strs)), "number");
  assert.equal(run("E.Strs", [0x81, 0x82, 0xed, 0xa0]), "utf8");
});

Deno.test("types whose scanner would be too large use the interpreter", () => {
  // Each level doubles the inlined code: 2^24 copies of T0.
  const levels = ["T0 = Record { a: Integer, b: String }"];
  for (let k = 1; k <= 24; k++) {
    levels.push(
      `T${k} = Record { a: Optional(T${k - 1}), b: Optional(T${k - 1}) }`,
    );
  }
  const r = new Repository(`module X\n${levels.join("\n")}`);
  const w = new SbsWasm();
  const big = compileProgram(r.resolve("X.T24"), "X.T24");
  assert.equal(w.specialized(big), false);
  assert.equal(w.scan(big, Uint8Array.of(0x80, 0x80), limits), 6);
  const small = compileProgram(r.resolve("X.T2"), "X.T2");
  assert.equal(w.specialized(small), true);
});
