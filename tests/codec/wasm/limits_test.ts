import assert from "node:assert/strict";
import { Repository, SbsDecodeError, WasmDecoder } from "../../../codec/mod.ts";

const repo = new Repository(`
  module L
  Deep = Optional(Deep)
  Nones = Array(None)
  Blob = Bytes
`);

function rejects(
  f: () => unknown,
  reason: SbsDecodeError["reason"],
  offset: number,
): void {
  assert.throws(
    f,
    (e) =>
      e instanceof SbsDecodeError && e.reason === reason && e.offset === offset,
  );
}

Deno.test("recursive types nest at most as deep as in the TypeScript decoder", () => {
  const wasm = new WasmDecoder(repo);
  const nested = (n: number) => {
    const b = new Uint8Array(n + 1).fill(0x81);
    b[n] = 0x80;
    return b;
  };
  // Two recursive named types per level (L.Deep and its Optional).
  const ok = nested(250);
  assert.deepStrictEqual(wasm.decode("L.Deep", ok), repo.decode("L.Deep", ok));
  const deep = nested(600);
  let ts: SbsDecodeError | undefined;
  try {
    repo.decode("L.Deep", deep);
  } catch (e) {
    ts = e as SbsDecodeError;
  }
  assert.ok(ts instanceof SbsDecodeError && ts.reason === "limit");
  rejects(() => wasm.decode("L.Deep", deep), "limit", ts.offset);
  rejects(() => wasm.validate("L.Deep", deep), "limit", ts.offset);
});

Deno.test("zero-byte items are limited as in the TypeScript decoder", () => {
  const wasm = new WasmDecoder(repo);
  // 65536 items: 0x04 0x00 0x80 is 65536 as an SBS Integer.
  const max = new Uint8Array([0x04, 0x00, 0x80]);
  assert.equal((wasm.decode("L.Nones", max) as null[]).length, 65536);
  const over = new Uint8Array([0x04, 0x00, 0x81]);
  assert.throws(() => repo.decode("L.Nones", over), SbsDecodeError);
  rejects(() => wasm.decode("L.Nones", over), "limit", 0);
});

Deno.test("a length beyond the input fails without memory for it", () => {
  const wasm = new WasmDecoder(repo);
  // Bytes announcing 2^40 bytes, with 3 present.
  const b = new Uint8Array([0x10, 0, 0, 0, 0, 0x80, 1, 2, 3]);
  rejects(() => wasm.decode("L.Blob", b), "length", 0);
  assert.ok(wasm.memoryBytes <= 1 << 20, `${wasm.memoryBytes} bytes held`);
});

Deno.test("after a 100 MB message, small messages do not keep its memory", () => {
  const wasm = new WasmDecoder(repo, { retainBytes: 4 << 20 });
  const small = repo.encode("L.Blob", new Uint8Array(100));
  wasm.validate("L.Blob", small);
  const before = wasm.memoryBytes;
  assert.ok(before > 0 && before <= 4 << 20);
  const big = repo.encode("L.Blob", new Uint8Array(100 << 20));
  wasm.validate("L.Blob", big);
  // The grown instance was dropped at the end of the call.
  assert.equal(wasm.memoryBytes, 0);
  assert.deepStrictEqual(wasm.decode("L.Blob", small), new Uint8Array(100));
  assert.equal(wasm.memoryBytes, before);
});
