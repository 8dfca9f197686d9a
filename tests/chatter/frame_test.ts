import assert from "node:assert/strict";
import {
  encodeFrame,
  frameHeaderSize,
  FrameParser,
  MAX_LENGTH_BYTES,
  writeFrameHeader,
} from "../../chatter/frame.ts";
import { ProtocolError } from "../../chatter/errors.ts";
import { toHex } from "../_vectors.ts";
import { goldenFrames } from "./_frames.ts";

/** Feeds `chunks` and returns copies of the bodies, in order. */
function parseAll(
  chunks: Iterable<Uint8Array>,
  parser = new FrameParser(),
): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const chunk of chunks) parser.feed(chunk, (b) => out.push(b.slice()));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

/** Deterministic pseudo-random numbers (xorshift32). */
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

Deno.test("frame headers use the minimal length field", () => {
  const cases: [number, string][] = [
    [0, "0100"],
    [1, "0101"],
    [255, "01ff"],
    [256, "020100"],
    [65535, "02ffff"],
    [65536, "03010000"],
    [2 ** 32, "050100000000"],
    [2 ** 53 - 1, "071fffffffffffff"],
  ];
  for (const [n, hex] of cases) {
    const buf = new Uint8Array(9);
    const end = writeFrameHeader(buf, 0, n);
    assert.equal(end, frameHeaderSize(n));
    assert.equal(toHex(buf.subarray(0, end)), hex, `${n}`);
  }
  assert.throws(() => writeFrameHeader(new Uint8Array(9), 0, -1), RangeError);
  assert.throws(() => writeFrameHeader(new Uint8Array(9), 0, 0.5), RangeError);
});

Deno.test("encodeFrame() wraps every golden body into its golden frame", async () => {
  for (const g of await goldenFrames()) {
    const body = g.frame.subarray(1 + g.frame[0]);
    assert.deepEqual(encodeFrame(body), g.frame, g.name);
  }
});

Deno.test("FrameParser reads all golden frames from one chunk", async () => {
  const golden = await goldenFrames();
  const stream = concat(golden.map((g) => g.frame));
  const bodies = parseAll([stream]);
  assert.deepEqual(bodies, golden.map((g) => g.frame.subarray(1 + g.frame[0])));
});

Deno.test("FrameParser reads frames fed one byte at a time", async () => {
  const golden = await goldenFrames();
  const stream = concat(golden.map((g) => g.frame));
  const bytes = Array.from(stream, (_, i) => stream.subarray(i, i + 1));
  const bodies = parseAll(bytes);
  assert.deepEqual(bodies, golden.map((g) => g.frame.subarray(1 + g.frame[0])));
});

Deno.test("FrameParser reads a stream split at every boundary", async () => {
  // Small frames, including an empty body and a 2-byte length, so that every
  // split point is tried in reasonable time.
  const bodies = [0, 1, 5, 255, 256, 300].map((n) =>
    Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff)
  );
  const stream = concat(bodies.map(encodeFrame));
  for (let a = 0; a <= stream.length; a++) {
    for (let b = a; b <= stream.length; b += 13) {
      const got = parseAll([
        stream.subarray(0, a),
        stream.subarray(a, b),
        stream.subarray(b),
      ]);
      assert.deepEqual(got, bodies, `split at ${a}, ${b}`);
    }
  }
  // And the largest golden frame split at every position into two chunks.
  const big = (await goldenFrames()).at(-1)!.frame;
  const body = big.subarray(1 + big[0]);
  for (let a = 0; a <= big.length; a += 997) {
    assert.deepEqual(
      parseAll([big.subarray(0, a), big.subarray(a)]),
      [body],
    );
  }
});

Deno.test("FrameParser reads random frames in random chunks", () => {
  const rand = rng(42);
  for (let round = 0; round < 50; round++) {
    const bodies = Array.from(
      { length: 1 + Math.floor(rand() * 20) },
      () =>
        Uint8Array.from(
          { length: Math.floor(rand() ** 3 * 2000) },
          () => Math.floor(rand() * 256),
        ),
    );
    const stream = concat(bodies.map(encodeFrame));
    const chunks: Uint8Array[] = [];
    for (let p = 0; p < stream.length;) {
      const n = 1 + Math.floor(rand() * 600);
      chunks.push(stream.subarray(p, p + n));
      p += n;
    }
    assert.deepEqual(parseAll(chunks), bodies);
  }
});

Deno.test("FrameParser returns bodies inside a chunk as views, without copying", () => {
  const stream = concat([
    encodeFrame(new Uint8Array([1, 2])),
    encodeFrame(new Uint8Array([3])),
  ]);
  const parser = new FrameParser();
  parser.push(stream);
  const a = parser.next()!;
  const b = parser.next()!;
  assert.equal(a.buffer, stream.buffer);
  assert.equal(b.buffer, stream.buffer);
  assert.equal(parser.next(), undefined);
  assert.ok(parser.atBoundary);
});

Deno.test("FrameParser lets the caller stop in the middle of a chunk", () => {
  const stream = concat([1, 2, 3].map((b) => encodeFrame(new Uint8Array([b]))));
  const parser = new FrameParser();
  parser.push(stream);
  assert.deepEqual(parser.next(), new Uint8Array([1]));
  assert.throws(() => parser.push(new Uint8Array([1])), /previous chunk/);
  assert.deepEqual(parser.next(), new Uint8Array([2]));
  assert.deepEqual(parser.next(), new Uint8Array([3]));
  assert.equal(parser.next(), undefined);
});

Deno.test("FrameParser rejects a body above maxMessageSize before buffering it", async (t) => {
  await t.step("announced in one chunk", () => {
    const parser = new FrameParser({ maxMessageSize: 100 });
    parser.push(new Uint8Array([1, 101]));
    assert.throws(
      () => parser.next(),
      (e) =>
        e instanceof ProtocolError &&
        /101 bytes exceeds maxMessageSize 100/.test(e.message),
    );
    assert.equal(parser.buffered, 0);
    // The parser stays failed.
    assert.throws(() => parser.next(), ProtocolError);
  });
  await t.step("a huge length fails on its first byte", () => {
    const parser = new FrameParser({ maxMessageSize: 1 << 20 });
    parser.push(new Uint8Array([8, 0xff]));
    assert.throws(() => parser.next(), /at least \d+ bytes exceeds/);
  });
  await t.step("exactly the limit is accepted", () => {
    const body = new Uint8Array(100);
    assert.deepEqual(
      parseAll([encodeFrame(body)], new FrameParser({ maxMessageSize: 100 })),
      [body],
    );
  });
  await t.step("the default limit is 64 MiB", () => {
    const parser = new FrameParser();
    parser.push(new Uint8Array([4, 0x04, 0x00, 0x00, 0x01]));
    assert.throws(() => parser.next(), /exceeds maxMessageSize 67108864/);
  });
});

Deno.test("FrameParser rejects a length field of 0 or more than 8 bytes", () => {
  for (const l of [0, MAX_LENGTH_BYTES + 1, 0xff]) {
    const parser = new FrameParser();
    parser.push(new Uint8Array([l, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    assert.throws(() => parser.next(), ProtocolError, `${l}`);
  }
  // A non-minimal length field (leading zeros) is accepted, as in the reference.
  assert.deepEqual(
    parseAll([new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 1, 42])]),
    [new Uint8Array([42])],
  );
});

Deno.test("FrameParser fails only with ProtocolError on random garbage", () => {
  const rand = rng(7);
  let failed = 0;
  for (let round = 0; round < 500; round++) {
    const garbage = Uint8Array.from(
      { length: Math.floor(rand() * 300) },
      () => Math.floor(rand() * 256),
    );
    const parser = new FrameParser({ maxMessageSize: 4096 });
    try {
      for (let p = 0; p < garbage.length; p += 17) {
        parser.feed(garbage.subarray(p, p + 17), () => {});
      }
    } catch (e) {
      assert.ok(e instanceof ProtocolError, String(e));
      failed += 1;
    }
    assert.ok(parser.buffered <= 4096);
  }
  assert.ok(failed > 0);
});
