import assert from "node:assert/strict";
import { findFrames } from "../../../codec/mod.ts";
import { fromHex, readVectors } from "../../_vectors.ts";
import { Rng } from "../_random.ts";

const frames = (await readVectors<{ hex: string }[]>("chatter_frames.json"))
  .map((f) => fromHex(f.hex));

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// The body of a frame by reading L and N in TypeScript.
function body(frame: Uint8Array): [number, number] {
  const l = frame[0];
  let n = 0;
  for (let i = 1; i <= l; i++) n = n * 256 + frame[i];
  return [1 + l, n];
}

Deno.test("findFrames() finds every golden frame in their concatenation", () => {
  const all = concat(frames);
  const out = new Int32Array(2 * frames.length);
  const found = findFrames(all, out);
  assert.deepStrictEqual(found, { count: frames.length, end: all.length });
  let at = 0;
  frames.forEach((f, i) => {
    const [start, n] = body(f);
    assert.deepStrictEqual([out[2 * i], out[2 * i + 1]], [at + start, n]);
    at += f.length;
  });
});

Deno.test("findFrames() stops at an incomplete frame, wherever the bytes end", () => {
  const all = concat(frames);
  const rng = new Rng(8);
  const out = new Int32Array(64);
  for (let k = 0; k < 200; k++) {
    const cut = rng.int(all.length + 1);
    const found = findFrames(all.subarray(0, cut), out);
    // The complete frames are exactly those that end at or before the cut.
    let end = 0;
    let count = 0;
    for (const f of frames) {
      if (end + f.length > cut) break;
      end += f.length;
      count++;
    }
    assert.deepStrictEqual(found, { count, end });
  }
});

Deno.test("findFrames() rejects L = 0 and bodies over maxBody before reading them", () => {
  const out = new Int32Array(8);
  assert.deepStrictEqual(findFrames(new Uint8Array([1, 0, 0, 5]), out), {
    count: 1,
    end: 2,
    error: "length-size",
  });
  // 2^40 announced, 3 bytes present: too large at once.
  const huge = new Uint8Array([6, 1, 0, 0, 0, 0, 0, 1, 2, 3]);
  assert.deepStrictEqual(findFrames(huge, out), {
    count: 0,
    end: 0,
    error: "too-large",
  });
  // Leading zero bytes of N are fine.
  const padded = new Uint8Array([3, 0, 0, 2, 7, 7]);
  assert.deepStrictEqual(findFrames(padded, out, { maxBody: 2 }), {
    count: 1,
    end: 6,
  });
  assert.deepStrictEqual(findFrames(padded, out, { maxBody: 1 }), {
    count: 0,
    end: 0,
    error: "too-large",
  });
});

Deno.test("findFrames() reports at most out.length / 2 frames per call", () => {
  const all = concat(frames);
  const out = new Int32Array(4);
  const found = findFrames(all, out);
  assert.equal(found.count, 2);
  assert.equal(found.end, frames[0].length + frames[1].length);
});
