import assert from "node:assert/strict";
import {
  MAX_INTEGER_BYTES,
  Reader,
  SbsDecodeError,
  Writer,
} from "../../codec/mod.ts";
import { fromHex, toHex } from "../_vectors.ts";

const integers: [number | bigint, string][] = [
  [0, "80"],
  [1, "81"],
  [-1, "ff"],
  [63, "bf"],
  [64, "00c0"],
  [-64, "c0"],
  [-65, "7fbf"],
  [128, "0180"],
  [8191, "3fff"],
  [8192, "004080"],
  [-8193, "7f3fff"],
  [2 ** 53 - 1, "0f7f7f7f7f7f7fff"],
  [-(2 ** 53) + 1, "7000000000000081"],
  [2n ** 63n, "01000000000000000080"],
  [-(2n ** 100n), "7c0000000000000000000000000080"],
];

Deno.test("Writer.integer() writes the reference Integer encodings", async (t) => {
  for (const [value, hex] of integers) {
    await t.step(`${value}`, () => {
      const w = new Writer(1);
      w.integer(value);
      assert.equal(toHex(w.finish()), hex);
    });
  }
});

Deno.test("Reader.integer() inverts Writer.integer() over many magnitudes", () => {
  const w = new Writer(4);
  const values: (number | bigint)[] = [];
  for (let e = 0; e < 140; e++) {
    for (const sign of [1n, -1n]) {
      const big = sign * (2n ** BigInt(e));
      for (const v of [big - 1n, big, big + 1n]) {
        const safe = v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n;
        values.push(safe ? Number(v) : v);
      }
    }
  }
  for (const v of values) w.integer(v);
  const r = new Reader(w.finish());
  for (const v of values) assert.equal(r.integer("Prim.Int"), v);
  assert.equal(r.pos, r.end);
});

Deno.test("Reader.integer() rejects a truncated Integer with SbsDecodeError", () => {
  for (const hex of ["", "00", "0000000000", "7f7f7f7f7f7f7f7f7f"]) {
    assert.throws(
      () => new Reader(fromHex(hex)).integer("Prim.Int"),
      (e) => e instanceof SbsDecodeError && e.reason === "truncated",
    );
  }
});

Deno.test("Reader.integer() rejects an Integer beyond MAX_INTEGER_BYTES", () => {
  const bytes = new Uint8Array(MAX_INTEGER_BYTES + 2);
  bytes[bytes.length - 1] = 0x80;
  assert.throws(
    () => new Reader(bytes).integer("Prim.Int"),
    (e) => e instanceof SbsDecodeError && e.reason === "limit",
  );
});

Deno.test("Writer.string() and Reader.string() round-trip ASCII and Unicode", () => {
  const strings = [
    "",
    "a",
    "x".repeat(63),
    "x".repeat(64),
    "čćžšđ €",
    "😀".repeat(40),
    "a".repeat(5000),
  ];
  const w = new Writer(2);
  for (const s of strings) assert.equal(w.string(s), true);
  const r = new Reader(w.finish());
  for (const s of strings) assert.equal(r.string("Prim.Str"), s);
});

Deno.test("Writer.string() refuses a lone surrogate", () => {
  const w = new Writer();
  assert.equal(w.string("a\ud800b"), false);
  assert.equal(w.pos, 0);
});

Deno.test("Reader.string() rejects invalid UTF-8 with SbsDecodeError", () => {
  for (const hex of ["81ff", "82c0af", "83eda080"]) {
    assert.throws(
      () => new Reader(fromHex(hex)).string("Prim.Str"),
      (e) => e instanceof SbsDecodeError && e.reason === "utf8",
    );
  }
});

Deno.test("Reader.length() rejects a length beyond the remaining bytes", () => {
  assert.throws(
    () => new Reader(fromHex("8561")).bytesView("Prim.Byt"),
    (e) => e instanceof SbsDecodeError && e.reason === "length",
  );
});

Deno.test("Writer.string() writes what TextEncoder writes, for random strings", () => {
  const units = [
    0x41,
    0x7f,
    0x80,
    0x7ff,
    0x800,
    0xfffd,
    0xffff,
    0xd83d,
    0xde42,
  ];
  let seed = 1;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const te = new TextEncoder();
  for (let k = 0; k < 3000; k++) {
    const codes = Array.from(
      { length: rand(600) },
      () => units[rand(units.length)],
    );
    const s = String.fromCharCode(...codes);
    const w = new Writer(1);
    const ok = w.string(s);
    assert.equal(ok, s.isWellFormed());
    if (!ok) {
      assert.equal(w.pos, 0);
      continue;
    }
    const expected = new Writer(1);
    expected.bytes(te.encode(s));
    assert.deepEqual(w.finish(), expected.finish());
    assert.equal(new Reader(w.finish()).string("Prim.Str"), s);
  }
});

Deno.test("Reader.string() gives the right string when cached short strings collide", () => {
  const w = new Writer();
  const strings: string[] = [];
  for (let i = 0; i < 20000; i++) strings.push(`s${i.toString(36)}`);
  for (const s of strings) w.string(s);
  for (let round = 0; round < 2; round++) {
    const r = new Reader(w.finish());
    for (const s of strings) assert.equal(r.string("Prim.Str"), s);
  }
});
