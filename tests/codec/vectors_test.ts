import assert from "node:assert/strict";
import { Repository, SbsDecodeError } from "../../codec/mod.ts";
import { fromHex, readVectors, toHex } from "../_vectors.ts";
import { fromJsonForm, vectorSchemas } from "./_json_form.ts";

interface Vector {
  module_type: string;
  value: unknown;
  hex: string;
}

interface DecodeOnly extends Vector {
  note: string;
}

const repo = new Repository(...await vectorSchemas());
const vectors = await readVectors<Vector[]>("sbs_vectors.json");
const decodeOnly = await readVectors<DecodeOnly[]>("sbs_decode_only.json");

Deno.test("encode() reproduces every golden vector byte for byte", async (t) => {
  for (const [i, v] of vectors.entries()) {
    await t.step(`${i} ${v.module_type}`, () => {
      const value = fromJsonForm(repo.resolve(v.module_type), v.value);
      assert.equal(toHex(repo.encode(v.module_type, value)), v.hex);
    });
  }
});

Deno.test("decode() gives back the value of every golden vector", async (t) => {
  for (const [i, v] of vectors.entries()) {
    await t.step(`${i} ${v.module_type}`, () => {
      const value = fromJsonForm(repo.resolve(v.module_type), v.value);
      assert.deepStrictEqual(repo.decode(v.module_type, fromHex(v.hex)), value);
    });
  }
});

Deno.test("decode() accepts the reference's non-canonical inputs but rejects trailing bytes", async (t) => {
  for (const v of decodeOnly) {
    await t.step(`${v.module_type} ${v.hex}: ${v.note}`, () => {
      const bytes = fromHex(v.hex);
      if (v.note.includes("trailing")) {
        assert.throws(
          () => repo.decode(v.module_type, bytes),
          (e) =>
            e instanceof SbsDecodeError && e.reason === "trailing" &&
            e.path === v.module_type,
        );
      } else {
        const value = fromJsonForm(repo.resolve(v.module_type), v.value);
        assert.deepStrictEqual(repo.decode(v.module_type, bytes), value);
      }
    });
  }
});
