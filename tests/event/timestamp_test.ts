import assert from "node:assert/strict";
import {
  addSeconds,
  compareTimestamps,
  MAX_TIMESTAMP,
  MIN_TIMESTAMP,
  now,
  timestampFromBytes,
  timestampFromDate,
  timestampFromFloat,
  timestampToBytes,
  timestampToDate,
  timestampToFloat,
  validateTimestamp,
} from "../../event/timestamp.ts";
import type { Timestamp } from "../../event/types.ts";
import { Prng } from "./_prng.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** A random valid timestamp spread over the whole range and near edges. */
function randomTimestamp(rng: Prng): Timestamp {
  const us = rng.pick([0, 1, 999_999, 500_000, rng.int(1_000_000)]);
  switch (rng.int(5)) {
    case 0:
      return { s: rng.int(2001) - 1000, us };
    case 1:
      return { s: Math.floor((rng.next() - 0.5) * 2 ** 54), us };
    case 2: {
      // full int64 range
      let v = 0n;
      for (let i = 0; i < 4; i++) v = (v << 16n) | BigInt(rng.int(65536));
      return validateTimestamp({ s: BigInt.asIntN(64, v), us });
    }
    case 3:
      return validateTimestamp({
        s: rng.pick([INT64_MIN, INT64_MAX, INT64_MIN + 1n, INT64_MAX - 1n]),
        us,
      });
    default:
      return validateTimestamp({
        s: rng.pick([
          2n ** 53n,
          -(2n ** 53n),
          2n ** 53n - 1n,
          -(2n ** 53n) + 1n,
          2n ** 32n,
          -(2n ** 32n),
          2n ** 31n,
          -(2n ** 31n) - 1n,
        ]),
        us,
      });
  }
}

Deno.test("MIN_TIMESTAMP and MAX_TIMESTAMP cover signed 64-bit seconds", () => {
  assert.deepEqual(MIN_TIMESTAMP, { s: INT64_MIN, us: 0 });
  assert.deepEqual(MAX_TIMESTAMP, { s: INT64_MAX, us: 999_999 });
  assert.ok(Object.isFrozen(MIN_TIMESTAMP) && Object.isFrozen(MAX_TIMESTAMP));
  assert.equal(compareTimestamps(MIN_TIMESTAMP, MAX_TIMESTAMP), -1);
});

Deno.test("validateTimestamp() rejects bad values with clear errors", async (t) => {
  const cases: [unknown, ErrorConstructor, RegExp][] = [
    [null, TypeError, /expected an object, got null/],
    [{ s: 0, us: -1 }, RangeError, /us must be in 0\.\.999999, got -1/],
    [{ s: 0, us: 1_000_000 }, RangeError, /got 1000000/],
    [{ s: 0, us: 0.5 }, TypeError, /us must be an integer/],
    [{ s: 0, us: 1n }, TypeError, /us must be an integer number, got 1n/],
    [{ s: 0.5, us: 0 }, TypeError, /s must be an integer, got 0\.5/],
    [{ s: NaN, us: 0 }, TypeError, /s must be an integer/],
    [{ s: "1", us: 0 }, TypeError, /s must be an integer number or bigint/],
    [{ s: 2n ** 63n, us: 0 }, RangeError, /signed 64-bit/],
    [{ s: -(2n ** 63n) - 1n, us: 0 }, RangeError, /signed 64-bit/],
    [{ s: 2 ** 63, us: 0 }, RangeError, /signed 64-bit/],
    [{ s: 1e300, us: 0 }, RangeError, /signed 64-bit/],
  ];
  for (const [value, ctor, re] of cases) {
    await t.step(
      JSON.stringify(value, (_, v) => typeof v === "bigint" ? `${v}n` : v),
      () => {
        assert.throws(() => validateTimestamp(value as Timestamp), (err) => {
          assert.ok(err instanceof ctor);
          assert.match((err as Error).message, re);
          return true;
        });
      },
    );
  }
});

Deno.test("validateTimestamp() returns the canonical form", () => {
  const t = { s: 5, us: 1 };
  assert.equal(validateTimestamp(t), t);
  assert.deepEqual(validateTimestamp({ s: 5n, us: 1 }), { s: 5, us: 1 });
  assert.deepEqual(validateTimestamp({ s: 2 ** 60, us: 1 }), {
    s: 2n ** 60n,
    us: 1,
  });
  assert.deepEqual(validateTimestamp({ s: -(2 ** 63), us: 0 }), MIN_TIMESTAMP);
  const big = { s: 2n ** 60n, us: 0 };
  assert.equal(validateTimestamp(big), big);
});

Deno.test("compareTimestamps() agrees across number and bigint seconds", () => {
  const rng = new Prng(7);
  for (let i = 0; i < 2000; i++) {
    const a = randomTimestamp(rng);
    const b = randomTimestamp(rng);
    const expected = BigInt(a.s) < BigInt(b.s)
      ? -1
      : BigInt(a.s) > BigInt(b.s)
      ? 1
      : Math.sign(a.us - b.us);
    assert.equal(compareTimestamps(a, b), expected);
    const aBig = { s: BigInt(a.s), us: a.us };
    assert.equal(compareTimestamps(aBig, b), expected);
    assert.equal(compareTimestamps(aBig, a), 0);
  }
});

Deno.test("compareTimestamps() throws on NaN or missing fields instead of calling them equal", () => {
  const bad: [Timestamp, Timestamp, RegExp][] = [
    [{ s: NaN, us: 0 }, { s: 0, us: 0 }, /s must be an integer, got NaN/],
    [{ s: 0, us: 0 }, { s: NaN, us: 0 }, /s must be an integer, got NaN/],
    [{ s: NaN, us: 0 }, { s: NaN, us: 0 }, /s must be an integer, got NaN/],
    [{ s: 5, us: NaN }, { s: 5, us: 0 }, /us must be an integer/],
    [{ s: 5n, us: 3 }, { s: 5, us: NaN }, /us must be an integer/],
    [
      { s: undefined, us: 0 } as unknown as Timestamp,
      { s: 5, us: 0 },
      /s must be an integer number or bigint/,
    ],
  ];
  for (const [a, b, message] of bad) {
    assert.throws(() => compareTimestamps(a, b), TypeError);
    assert.throws(() => compareTimestamps(a, b), message);
  }
  // equal valid timestamps still compare equal, whatever the form of s
  assert.equal(compareTimestamps({ s: 5n, us: 3 }, { s: 5, us: 3 }), 0);
  assert.equal(compareTimestamps(MAX_TIMESTAMP, MAX_TIMESTAMP), 0);
});

Deno.test("compareTimestamps() throws on seconds that are not numbers even when they compare as equal", () => {
  const bad = [
    [{ s: "5", us: 0 }, { s: 5, us: 0 }],
    [{ s: 0, us: 0 }, { s: null, us: 0 }],
    [{ s: [], us: 0 }, { s: 0, us: 0 }],
    [{ s: 5, us: 0 }, { s: "5", us: 0 }],
  ] as unknown as [Timestamp, Timestamp][];
  for (const [a, b] of bad) {
    assert.throws(() => compareTimestamps(a, b), TypeError);
  }
});

Deno.test("timestampToBytes() round-trips and its byte order is the timestamp order", () => {
  const rng = new Prng(11);
  const samples: Timestamp[] = [MIN_TIMESTAMP, MAX_TIMESTAMP];
  for (let i = 0; i < 3000; i++) samples.push(randomTimestamp(rng));
  const bytes = samples.map(timestampToBytes);
  for (let i = 0; i < samples.length; i++) {
    assert.equal(bytes[i].length, 12);
    assert.deepEqual(timestampFromBytes(bytes[i]), samples[i]);
    const j = rng.int(samples.length);
    assert.equal(
      compareBytes(bytes[i], bytes[j]),
      compareTimestamps(samples[i], samples[j]),
    );
  }
});

Deno.test("timestampToBytes() writes s + 2^63 and us big-endian", () => {
  assert.deepEqual(
    timestampToBytes(MIN_TIMESTAMP),
    new Uint8Array(12),
  );
  assert.deepEqual(
    timestampToBytes(MAX_TIMESTAMP),
    new Uint8Array([
      255,
      255,
      255,
      255,
      255,
      255,
      255,
      255,
      0,
      0x0f,
      0x42,
      0x3f,
    ]),
  );
  assert.deepEqual(
    timestampToBytes({ s: -1, us: 0 }),
    new Uint8Array([0x7f, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0]),
  );
  assert.deepEqual(
    timestampToBytes({ s: 2 ** 32 + 1, us: 256 }),
    new Uint8Array([0x80, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0]),
  );
});

Deno.test("timestampFromBytes() gives a number for safe seconds, a bigint beyond", () => {
  const safe = timestampFromBytes(
    timestampToBytes({ s: -(2n ** 53n) + 1n, us: 0 }),
  );
  assert.equal(safe.s, -(2 ** 53) + 1);
  const unsafe = timestampFromBytes(
    timestampToBytes({ s: -(2n ** 53n), us: 0 }),
  );
  assert.equal(unsafe.s, -(2n ** 53n));
  const up = timestampFromBytes(timestampToBytes({ s: 2n ** 53n, us: 0 }));
  assert.equal(up.s, 2n ** 53n);
});

Deno.test("timestampFromBytes() rejects a wrong length or us out of range", () => {
  assert.throws(
    () => timestampFromBytes(new Uint8Array(11)),
    /expected 12 bytes, got 11/,
  );
  assert.throws(() => timestampFromBytes(new Uint8Array(13)), RangeError);
  const b = new Uint8Array(12);
  new DataView(b.buffer).setUint32(8, 1_000_000);
  assert.throws(() => timestampFromBytes(b), /us must be in 0\.\.999999/);
});

Deno.test("timestampFromBytes() reads a view into a larger buffer", () => {
  const buf = new Uint8Array(20);
  buf.set(timestampToBytes({ s: 123, us: 456 }), 5);
  assert.deepEqual(timestampFromBytes(buf.subarray(5, 17)), {
    s: 123,
    us: 456,
  });
});

Deno.test("timestampFromFloat() rounds as Python's timestamp_from_float", async (t) => {
  const cases: [number, Timestamp][] = [
    [0, { s: 0, us: 0 }],
    [1.5, { s: 1, us: 500_000 }],
    [-0.5, { s: -1, us: 500_000 }],
    [-1, { s: -1, us: 0 }],
    [-1e-7, { s: 0, us: 0 }],
    [1.9999999, { s: 2, us: 0 }],
    // (f - s) * 1e6 is exactly 7812.5: Python rounds half to even
    [0.0078125, { s: 0, us: 7812 }],
    [0.0234375, { s: 0, us: 23438 }],
    [1732540000.123456, { s: 1732540000, us: 123456 }],
    [2 ** 60, { s: 2n ** 60n, us: 0 }],
    [-(2 ** 63), { s: INT64_MIN, us: 0 }],
  ];
  for (const [f, expected] of cases) {
    await t.step(
      `${f}`,
      () => assert.deepEqual(timestampFromFloat(f), expected),
    );
  }
  assert.throws(() => timestampFromFloat(2 ** 63), RangeError);
  assert.throws(() => timestampFromFloat(Infinity), RangeError);
  assert.throws(() => timestampFromFloat(NaN), /not a finite number/);
});

Deno.test("timestampToFloat() and timestampFromFloat() round-trip microseconds near the epoch", () => {
  const rng = new Prng(3);
  for (let i = 0; i < 5000; i++) {
    const t = {
      s: rng.int(4_000_000_000) - 2_000_000_000,
      us: rng.int(1_000_000),
    };
    assert.deepEqual(timestampFromFloat(timestampToFloat(t)), t);
  }
});

Deno.test("timestampToDate() and timestampFromDate() round-trip milliseconds", () => {
  const rng = new Prng(5);
  for (let i = 0; i < 2000; i++) {
    const ms = Math.floor((rng.next() - 0.5) * 2 * 8.64e15);
    const d = new Date(ms);
    const t = timestampFromDate(d);
    assert.ok(t.us >= 0 && t.us < 1_000_000 && t.us % 1000 === 0);
    assert.equal(timestampToDate(t).getTime(), ms);
  }
  assert.equal(timestampToDate({ s: 0, us: 999_999 }).getTime(), 999);
  assert.equal(timestampToDate({ s: -1, us: 999_999 }).getTime(), -1);
  assert.throws(() => timestampToDate(MAX_TIMESTAMP), /out of Date range/);
  assert.throws(() => timestampToDate(MIN_TIMESTAMP), RangeError);
  assert.throws(() => timestampFromDate(new Date(NaN)), /invalid Date/);
});

Deno.test("addSeconds() carries microseconds and keeps the range", () => {
  assert.deepEqual(addSeconds({ s: 0, us: 999_999 }, 0.000001), {
    s: 1,
    us: 0,
  });
  assert.deepEqual(addSeconds({ s: 0, us: 0 }, -0.000001), {
    s: -1,
    us: 999_999,
  });
  assert.deepEqual(addSeconds({ s: 5, us: 10 }, -5), { s: 0, us: 10 });
  assert.deepEqual(addSeconds({ s: 2 ** 53 - 1, us: 0 }, 1), {
    s: 2n ** 53n,
    us: 0,
  });
  assert.deepEqual(addSeconds({ s: 2n ** 53n, us: 0 }, -1), {
    s: 2 ** 53 - 1,
    us: 0,
  });
  assert.deepEqual(addSeconds(MAX_TIMESTAMP, -(2n ** 64n) + 1n), {
    s: INT64_MIN,
    us: 999_999,
  });
  assert.throws(() => addSeconds(MAX_TIMESTAMP, 1), /out of timestamp range/);
  assert.throws(() => addSeconds(MIN_TIMESTAMP, -0.000001), RangeError);
  assert.throws(() => addSeconds({ s: 0, us: 0 }, NaN), /not a finite number/);
  assert.throws(() => addSeconds({ s: 0, us: 2_000_000 }, 1), RangeError);
});

Deno.test("addSeconds() agrees with exact microsecond arithmetic", () => {
  const rng = new Prng(9);
  for (let i = 0; i < 3000; i++) {
    const t = { s: rng.int(2_000_000) - 1_000_000, us: rng.int(1_000_000) };
    const deltaUs = rng.int(4_000_000_000) - 2_000_000_000;
    const r = addSeconds(t, deltaUs / 1e6);
    const total = BigInt(t.s) * 1_000_000n + BigInt(t.us) + BigInt(deltaUs);
    assert.equal(BigInt(r.s) * 1_000_000n + BigInt(r.us), total);
    assert.ok(r.us >= 0 && r.us < 1_000_000);
  }
});

Deno.test("now() is close to the wall clock and valid", () => {
  const t = now();
  assert.equal(validateTimestamp(t), t);
  assert.ok(Math.abs(timestampToFloat(t) * 1000 - Date.now()) < 1000);
});
