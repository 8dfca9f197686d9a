// The client's writer of register requests with codec "wasm"
// (eventer/_register_wasm.ts) against the TypeScript writer: the same bytes
// for random requests, the same error (class and message) for bad ones,
// and the TypeScript writer's bytes for what it leaves to that writer.

import assert from "node:assert/strict";
import type { EventCore } from "../../codec/wasm/internal_mod.ts";
import {
  JsonTextPayload,
  type JsonValue,
  type RegisterEvent,
} from "../../event/mod.ts";
import { clientCore } from "../../eventer/_event_batch.ts";
import { encodeRegisterReq } from "../../eventer/_messages.ts";
import {
  encodeRegisterReqWasm,
  writeRegisterReqWasm,
} from "../../eventer/_register_wasm.ts";
import { Prng } from "../_prng.ts";
import { randomRegisterEvents } from "../codec/wasm/_events_random.ts";

const STRINGS = [
  "",
  "a",
  "gateway",
  "device7",
  "x".repeat(15),
  "y".repeat(16),
  "z".repeat(17),
  "w".repeat(600),
  "\u00e9t\u00e9",
  "\u20ac",
  "\u{1f600}",
  "a\u{1f600}b",
  "\u{1f600}".repeat(9),
  "\u00fc".repeat(40),
  'quote " backslash \\ newline \n',
  "\u2028\u0000\u001f",
  "\ud800", // JSON.stringify escapes it; as a segment it is refused
];

function randomJson(rng: Prng, depth: number): JsonValue {
  switch (rng.int(depth > 2 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return rng.pick([0, -0, 1, -1, 21.5, 1e21, 5e-324, 2 ** 53, -1e300]);
    case 3:
    case 4:
      return rng.pick(STRINGS);
    case 5:
      return Array.from(
        { length: rng.int(4) },
        () => randomJson(rng, depth + 1),
      );
    default: {
      const o: Record<string, JsonValue> = {};
      for (let i = rng.int(4); i > 0; i--) {
        o[rng.pick(STRINGS)] = randomJson(rng, depth + 1);
      }
      return o;
    }
  }
}

function randomEvent(rng: Prng, binary: boolean): RegisterEvent {
  const type = Array.from(
    { length: rng.int(5) },
    () => rng.pick(STRINGS.slice(0, -1)),
  );
  const sourceTimestamp = rng.next() < 0.3 ? null : {
    s: rng.pick([0, -1, 1_700_000_000, -(2 ** 53) + 1, 2 ** 53 - 1, 63, 64]),
    us: rng.pick([0, 1, 999_999, 8191, 8192]),
  };
  const r = rng.next();
  const payload = r < 0.2 ? null : binary && r < 0.6
    ? {
      kind: "binary" as const,
      type: rng.pick(STRINGS.slice(0, -1)),
      data: new Uint8Array(rng.pick([0, 1, 7, 16, 17, 300])).fill(rng.int(256)),
    }
    : { kind: "json" as const, data: randomJson(rng, 0) };
  return { type, sourceTimestamp, payload };
}

Deno.test("writeRegisterReqWasm() writes the bytes of the TypeScript writer for random requests", async (t) => {
  for (const binary of [false, true]) {
    await t.step(binary ? "binary payloads taken" : "JSON payloads", () => {
      const rng = new Prng(binary ? 17 : 16);
      for (let k = 0; k < 400; k++) {
        const events = Array.from(
          { length: rng.pick([0, 1, 2, 10, 100]) },
          () => randomEvent(rng, binary),
        );
        const wasm = writeRegisterReqWasm(events, binary);
        assert.ok(wasm !== null, `request ${k} was not taken`);
        assert.deepEqual(wasm, encodeRegisterReq(events), `request ${k}`);
      }
    });
  }
});

Deno.test("encodeRegisterReqWasm() leaves to the TypeScript writer what it is not faster for, with its bytes", async (t) => {
  const cases: [string, RegisterEvent[]][] = [
    ["a binary payload", [{
      type: ["a"],
      sourceTimestamp: null,
      payload: { kind: "binary", type: "t", data: new Uint8Array([1]) },
    }]],
    ["JSON kept as text", [{
      type: ["a"],
      sourceTimestamp: null,
      payload: new JsonTextPayload('{"a": NaN}'),
    }]],
    ["seconds beyond 2^53", [{
      type: ["a"],
      sourceTimestamp: { s: 2n ** 60n, us: 0 },
      payload: null,
    }]],
    ["seconds as a safe bigint", [{
      type: ["a"],
      sourceTimestamp: { s: 5n, us: 0 },
      payload: null,
    }]],
    ["more than 2^20 units of text", [{
      type: ["a"],
      sourceTimestamp: null,
      payload: { kind: "json", data: "x".repeat(1 << 20) },
    }]],
  ];
  for (const [name, events] of cases) {
    await t.step(name, () => {
      assert.equal(writeRegisterReqWasm(events), null);
      assert.deepEqual(
        encodeRegisterReqWasm(events),
        encodeRegisterReq(events),
      );
    });
  }
  await t.step("random requests of every kind", () => {
    const rng = new Prng(18);
    for (let k = 0; k < 300; k++) {
      const events = randomRegisterEvents(rng, rng.pick([1, 5, 40]));
      assert.deepEqual(
        encodeRegisterReqWasm(events),
        encodeRegisterReq(events),
        `request ${k}`,
      );
    }
  });
});

function error(encode: () => unknown): string {
  try {
    encode();
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
  return "no error";
}

Deno.test("encodeRegisterReqWasm() throws the TypeScript writer's error for a bad request", async (t) => {
  const ok: RegisterEvent = {
    type: ["a"],
    sourceTimestamp: { s: 1, us: 2 },
    payload: { kind: "json", data: 1 },
  };
  const throwing = {
    toJSON() {
      throw new Error("no JSON for me");
    },
  };
  const cases: [string, unknown][] = [
    ["not an array", { length: 1, 0: ok }],
    ["an event that is null", [ok, null]],
    ["a type that is a string", [{ ...ok, type: "a/b" }]],
    ["a segment that is a number", [{ ...ok, type: ["a", 5] }]],
    ["a lone high surrogate ending a segment", [{ ...ok, type: ["a\ud800"] }]],
    ["a lone low surrogate", [{ ...ok, type: ["\udc00a"] }]],
    ["a pair split between two segments", [{
      ...ok,
      type: ["a\ud83d", "\ude00"],
    }]],
    ["a lone surrogate inside a segment", [{ ...ok, type: ["a\ud800b"] }]],
    ["a lone surrogate in a binary type name", [{
      ...ok,
      payload: { kind: "binary", type: "\udfff", data: new Uint8Array() },
    }]],
    ["microseconds of a million", [{
      ...ok,
      sourceTimestamp: { s: 1, us: 1_000_000 },
    }]],
    ["fractional seconds", [{ ...ok, sourceTimestamp: { s: 1.5, us: 0 } }]],
    ["a timestamp that is a number", [{ ...ok, sourceTimestamp: 5 }]],
    ["a payload of an unknown kind", [{ ...ok, payload: { kind: "xml" } }]],
    ["JSON data that is undefined", [{
      ...ok,
      payload: { kind: "json", data: undefined },
    }]],
    ["JSON data with a BigInt", [{
      ...ok,
      payload: { kind: "json", data: [1n] },
    }]],
    ["JSON data whose toJSON throws", [{
      ...ok,
      payload: { kind: "json", data: throwing },
    }]],
    ["a lone surrogate before a throwing toJSON: the first error", [
      { ...ok, type: ["a\ud800b"] },
      { ...ok, payload: { kind: "json", data: throwing } },
    ]],
    ["binary data that is an array", [{
      ...ok,
      payload: { kind: "binary", type: "t", data: [1, 2] },
    }]],
  ];
  for (const [name, events] of cases) {
    await t.step(name, () => {
      const bad = events as RegisterEvent[];
      const reference = error(() => encodeRegisterReq(bad));
      assert.notEqual(reference, "no error");
      assert.equal(error(() => encodeRegisterReqWasm(bad)), reference);
      assert.equal(
        error(() => writeRegisterReqWasm(bad, true) ?? encodeRegisterReq(bad)),
        reference,
      );
    });
  }
});

Deno.test("a toJSON that encodes a request from inside JSON.stringify gets the bytes of the TypeScript writer", () => {
  const inner: RegisterEvent[] = [{
    type: ["inner"],
    sourceTimestamp: null,
    payload: { kind: "json", data: [1, "\u00e9"] },
  }];
  const seen: Uint8Array[] = [];
  const outer = (encode: (e: RegisterEvent[]) => Uint8Array) => [{
    type: ["outer"],
    sourceTimestamp: null,
    payload: {
      kind: "json" as const,
      data: {
        toJSON() {
          seen.push(encode(inner));
          return { inner: true };
        },
      } as unknown as JsonValue,
    },
  }];
  const wasm = writeRegisterReqWasm(outer(encodeRegisterReqWasm));
  const ts = encodeRegisterReq(outer(encodeRegisterReq));
  assert.ok(wasm !== null);
  assert.deepEqual(wasm, ts);
  assert.deepEqual(seen[0], seen[1]);
  assert.deepEqual(seen[0], encodeRegisterReq(inner));
});

// Fills the core's memory up to the most it can grow to: its next
// allocation traps (as in tests/eventer/wasm_memory_test.ts).
function exhaust(core: EventCore): void {
  const ex = core.exports();
  for (let size = 2 ** 30 - 8192; size >= 16; size = Math.floor(size / 16)) {
    for (;;) {
      try {
        ex.alloc(size);
      } catch {
        break;
      }
    }
  }
}

Deno.test("a request the clients' core has no memory for is written by the TypeScript writer, and the next by the core", () => {
  const events: RegisterEvent[] = [{
    type: ["a", "b"],
    sourceTimestamp: { s: 1, us: 1 },
    payload: { kind: "json", data: { v: 1 } },
  }];
  const core = clientCore();
  exhaust(core);
  const generation = core.generation;
  assert.equal(writeRegisterReqWasm(events), null);
  assert.equal(core.generation, generation + 1, "the core failed");
  assert.deepEqual(encodeRegisterReqWasm(events), encodeRegisterReq(events));
  const next = writeRegisterReqWasm(events);
  assert.deepEqual(next, encodeRegisterReq(events));
  assert.ok(core.memoryBytes <= 16 * 1024 * 1024);
});
