// Seeded random eventer values for the differential tests of the Wasm
// eventer core: register events and events with the edge cases of the
// wire (multi-byte lengths, non-ASCII and empty segments, seconds beyond
// 2^53, binary and JSON payloads, Python's NaN/Infinity in JSON text).

import type {
  Event,
  EventPayload,
  RegisterEvent,
  Timestamp,
} from "../../../event/mod.ts";
import { JsonTextPayload } from "../../../event/json_text_payload.ts";
import type { Prng } from "../../_prng.ts";
import { randomValue, ws } from "../../event/_json_text_random.ts";

const SEGMENTS = [
  "gateway",
  "a",
  "",
  "device1",
  "device2",
  "\u00e9t\u00e9",
  "\u{1f600}",
  "*",
  "?",
  "x".repeat(70),
  "y".repeat(200),
];

const NAMES = ["measurement", "", "raw", "\u00fcber", "n".repeat(64)];

function randomType(rng: Prng): string[] {
  const n = rng.int(5);
  return Array.from({ length: n }, () => rng.pick(SEGMENTS));
}

function randomSeconds(rng: Prng): number | bigint {
  switch (rng.int(8)) {
    case 0:
      return -rng.int(1 << 30);
    case 1:
      return 2n ** 53n + BigInt(rng.int(1000));
    case 2:
      return -(2n ** 63n) + BigInt(rng.int(1000));
    case 3:
      return 2n ** 63n - 1n - BigInt(rng.int(1000));
    case 4:
      return Number.MAX_SAFE_INTEGER - rng.int(10);
    default:
      return 1_700_000_000 + rng.int(1 << 20);
  }
}

/** A random timestamp, sometimes with seconds beyond 2^53. */
export function randomTimestamp(rng: Prng): Timestamp {
  return {
    s: randomSeconds(rng),
    us: rng.next() < 0.2 ? 999_999 : rng.int(1_000_000),
  };
}

/** A random JSON text, sometimes with Python's non-finite tokens. */
export function randomJsonText(rng: Prng): string {
  if (rng.next() < 0.15) {
    return `[${rng.pick(["NaN", "Infinity", "-Infinity"])}, ${
      randomValue(rng, 2)
    }]`;
  }
  if (rng.next() < 0.05) return rng.pick(["NaN", "-Infinity", "Infinity"]);
  return ws(rng) + randomValue(rng, 0) + ws(rng);
}

function randomPayload(rng: Prng): EventPayload | null {
  switch (rng.int(3)) {
    case 0:
      return null;
    case 1: {
      const n = rng.pick([0, 1, 16, 63, 64, 300]);
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = rng.int(256);
      return { kind: "binary", type: rng.pick(NAMES), data };
    }
    default:
      return new JsonTextPayload(randomJsonText(rng));
  }
}

/** `n` random register events; consecutive ones often share their type. */
export function randomRegisterEvents(rng: Prng, n: number): RegisterEvent[] {
  const out: RegisterEvent[] = [];
  let type = randomType(rng);
  for (let i = 0; i < n; i++) {
    if (rng.next() < 0.5) type = randomType(rng);
    out.push({
      type,
      sourceTimestamp: rng.next() < 0.4 ? null : randomTimestamp(rng),
      payload: randomPayload(rng),
    });
  }
  return out;
}

/** `n` random events (ids of safe integers). */
export function randomEvents(rng: Prng, n: number): Event[] {
  return randomRegisterEvents(rng, n).map((e) => ({
    id: {
      server: rng.pick([1, 2, 0, -5, Number.MAX_SAFE_INTEGER]),
      session: rng.int(1 << 20),
      instance: rng.pick([1, 2, 64, 100_000]),
    },
    timestamp: randomTimestamp(rng),
    ...e,
  }));
}
