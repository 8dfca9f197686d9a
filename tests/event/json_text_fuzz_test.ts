// isJsonText against its oracle on random texts: generated and mutated
// values and token sequences. The differential fuzz prints its seed; set
// JSON_TEXT_SEED to replay a run.

import { isJsonText } from "../../event/_json_text.ts";
import { Prng } from "../_prng.ts";
import { checkAgrees, decoder, encoder } from "./_json_text_oracle.ts";
import { mutate, randomValue, TOKENS, ws } from "./_json_text_random.ts";
import assert from "node:assert/strict";

Deno.test("isJsonText() agrees with JSON.parse on random valid and mutated texts", () => {
  const seed = Number(
    Deno.env.get("JSON_TEXT_SEED") ?? (Date.now() & 0x7fffffff),
  );
  console.log(`json_text fuzz seed ${seed} (replay: JSON_TEXT_SEED=${seed})`);
  const rng = new Prng(seed);
  let valid = 0;
  let invalid = 0;
  for (let n = 0; n < 20_000; n++) {
    const text = ws(rng) + randomValue(rng, 0) + ws(rng);
    const bytes = encoder.encode(text);
    try {
      assert.equal(checkAgrees(bytes), true, `generated text: ${text}`);
      if (checkAgrees(mutate(rng, bytes))) valid++;
      else invalid++;
    } catch (err) {
      throw new Error(`seed ${seed}, case ${n}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  console.log(`mutated texts: ${valid} valid, ${invalid} invalid`);
  // Mutations must explore both verdicts, or the fuzz checks little.
  assert.ok(
    valid > 1000 && invalid > 5000,
    `valid ${valid}, invalid ${invalid}`,
  );
});

Deno.test("isJsonText() agrees with JSON.parse on random token sequences", () => {
  const seed = Number(
    Deno.env.get("JSON_TEXT_SEED") ?? (Date.now() & 0x7fffffff),
  );
  console.log(`json_text token seed ${seed} (replay: JSON_TEXT_SEED=${seed})`);
  const rng = new Prng(seed);
  let valid = 0;
  for (let n = 0; n < 30_000; n++) {
    let text = "";
    for (let k = 1 + rng.int(8); k > 0; k--) text += rng.pick(TOKENS);
    try {
      if (checkAgrees(encoder.encode(text))) valid++;
    } catch (err) {
      throw new Error(`seed ${seed}, case ${n}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  console.log(`token sequences: ${valid} valid of 30000`);
  assert.ok(valid > 300, `only ${valid} valid`);
});

Deno.test("validated texts joined as [t1,t2,...] parse in one call to the values of each", () => {
  const rng = new Prng(7);
  const parts: Uint8Array[] = [];
  while (parts.length < 200) {
    const bytes = mutate(rng, encoder.encode(ws(rng) + randomValue(rng, 0)));
    if (isJsonText(bytes, 0, bytes.length)) parts.push(bytes);
  }
  let size = 1;
  for (const p of parts) size += p.length + 1;
  const joined = new Uint8Array(size);
  joined[0] = 0x5b; // [
  let at = 1;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
    joined[at++] = 0x2c; // ,
  }
  joined[at - 1] = 0x5d; // ] over the last comma
  assert.deepEqual(
    JSON.parse(decoder.decode(joined)),
    parts.map((p) => JSON.parse(decoder.decode(p))),
  );
});
