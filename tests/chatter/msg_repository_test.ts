import assert from "node:assert/strict";
import { Repository } from "../../codec/mod.ts";
import { CHATTER_SBS } from "../../chatter/chatter_schema.ts";
import { decodeMsg, encodeMsg, type WireMsg } from "../../chatter/msg_codec.ts";
import { toHex } from "../_vectors.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

function randomMsg(rand: () => number): WireMsg {
  const int = () => {
    // Small, boundary-crossing and large (up to 2^53) ids, some negative.
    const bits = Math.floor(rand() * 53);
    const v = Math.floor(rand() * 2 ** bits);
    return rand() < 0.05 && v !== 0 ? -v : v;
  };
  const chars = ["a", "Z", ".", "é", "中", "😀", "_", "0"];
  const type = Array.from(
    { length: Math.floor(rand() * 40) },
    () => chars[Math.floor(rand() * chars.length)],
  ).join("");
  const size = rand() < 0.05
    ? 300 + Math.floor(rand() * 70_000)
    : Math.floor(rand() * 200);
  return {
    id: int(),
    first: int(),
    owner: rand() < 0.5,
    token: rand() < 0.5,
    last: rand() < 0.5,
    data: {
      type,
      data: Uint8Array.from({ length: size }, () => Math.floor(rand() * 256)),
    },
  };
}

Deno.test("the Msg codec agrees byte for byte with Repository(CHATTER_SBS) on random messages", () => {
  const repo = new Repository(CHATTER_SBS);
  const rand = rng(2024);
  for (let i = 0; i < 2000; i++) {
    const msg = randomMsg(rand);
    const ours = encodeMsg(msg);
    const generic = repo.encode("HatChatter.Msg", { ...msg });
    assert.equal(toHex(ours), toHex(generic), `message ${i}`);
    assert.deepEqual(repo.decode("HatChatter.Msg", ours), msg);
    assert.deepEqual(decodeMsg(generic), msg);
  }
});
