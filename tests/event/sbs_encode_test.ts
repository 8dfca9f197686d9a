// The conversions against the Python encodings: encode(ToSbs(FromSbs(v)))
// must give the vector's bytes, and decoding the vector's bytes must give
// the same model value.

import assert from "node:assert/strict";
import { Repository } from "../../codec/mod.ts";
import { EVENTER_SBS } from "../../event/eventer_schema.ts";
import { fromHex, readVectors, toHex } from "../_vectors.ts";
import { CONVERSIONS, fromJsonForm } from "./_sbs_conversions.ts";

interface Vector {
  module_type: string;
  value: unknown;
  hex: string;
}

const vectors = (await readVectors<Vector[]>("sbs_vectors.json")).filter((
  v,
) => v.module_type.startsWith("HatEventer."));

/** Whether a JSON-form value holds a JSON payload (its text may differ). */
function hasJsonPayload(v: unknown): boolean {
  if (Array.isArray(v)) {
    if (v.length === 2 && v[0] === "json" && typeof v[1] === "string") {
      return true;
    }
    return v.some(hasJsonPayload);
  }
  if (typeof v === "object" && v !== null) {
    return Object.values(v).some(hasJsonPayload);
  }
  return false;
}

Deno.test({
  name: "HatEventer vectors: encode(toSbs(x)) gives the Python bytes",
  fn: async (t) => {
    const repo = new Repository(EVENTER_SBS);
    let exact = 0;
    for (const [i, vec] of vectors.entries()) {
      const name = vec.module_type.slice("HatEventer.".length);
      const conv = CONVERSIONS[name];
      if (conv === undefined) continue;
      await t.step(`${vec.module_type} #${i}`, () => {
        const model = conv[0](fromJsonForm(vec.value));
        const bytes = repo.encode(vec.module_type, conv[1](model as never));
        // Decoding the Python bytes gives the same model value.
        assert.deepEqual(
          conv[0](repo.decode(vec.module_type, fromHex(vec.hex))),
          model,
        );
        if (name === "EventPayloadJson" || hasJsonPayload(vec.value)) {
          // Python writes JSON with ", " and ": " separators: compare the
          // model values our bytes decode to.
          assert.deepEqual(conv[0](repo.decode(vec.module_type, bytes)), model);
        } else {
          assert.equal(toHex(bytes), vec.hex);
          exact++;
        }
      });
    }
    assert.ok(exact >= 50, `only ${exact} vectors compared byte for byte`);
  },
});
