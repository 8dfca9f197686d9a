// Run by bundle_test.ts under Node.js: checks the golden vectors with the
// bundled codec. Arguments: bundle path, vectors dir, spec dir.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [bundlePath, vectorsDir, specDir] = process.argv.slice(2);
const codec = await import(pathToFileURL(bundlePath).href);
const read = (dir, name) => readFileSync(`${dir}/${name}`, "utf8");
const repo = new codec.Repository(
  read(specDir, "eventer.sbs"),
  read(specDir, "chatter.sbs"),
  read(vectorsDir, "primitives.sbs"),
);
const wasm = new codec.WasmDecoder(repo);

const hex = (b) => Buffer.from(b).toString("hex");
const fromHex = (h) => new Uint8Array(Buffer.from(h, "hex"));
const integer = (v) =>
  v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n ? Number(v) : v;
const FLOATS = { inf: Infinity, "-inf": -Infinity, nan: NaN, "-0": -0 };

function fromJson(t, j) {
  switch (t.kind) {
    case "named":
      return fromJson(t.type, j);
    case "integer":
      return typeof j === "number"
        ? (Number.isSafeInteger(j) ? j : BigInt(j))
        : integer(BigInt(j.int));
    case "float":
      return typeof j === "number" ? j : FLOATS[j.float];
    case "bytes":
      return fromHex(j.bytes);
    case "array":
      return j.map((x) => fromJson(t.item, x));
    case "record":
      return Object.fromEntries(
        t.entries.map((e) => [e.name, fromJson(e.type, j[e.name])]),
      );
    case "choice": {
      const e = t.entries.find((e) => e.name === j[0]);
      return [e.name, fromJson(e.type, j[1])];
    }
    default:
      return j;
  }
}

const vectors = JSON.parse(read(vectorsDir, "sbs_vectors.json"));
for (const v of vectors) {
  const value = fromJson(repo.resolve(v.module_type), v.value);
  assert.equal(hex(repo.encode(v.module_type, value)), v.hex, v.module_type);
  const bytes = fromHex(v.hex);
  assert.deepStrictEqual(repo.decode(v.module_type, bytes), value);
  assert.deepStrictEqual(wasm.decode(v.module_type, bytes), value);
  const lazy = wasm.decodeLazy(v.module_type, bytes);
  const back = lazy !== null && typeof lazy === "object" && "toValue" in lazy
    ? lazy.toValue()
    : lazy;
  assert.deepStrictEqual(
    back instanceof Uint8Array ? back.slice() : back,
    value,
  );
}
assert.throws(
  () => wasm.validate("Prim.Str", new Uint8Array([0x82, 0x61])),
  (e) => e instanceof codec.SbsDecodeError && e.reason === "length",
);
console.log(`node ${process.version}: ${vectors.length} vectors ok`);
