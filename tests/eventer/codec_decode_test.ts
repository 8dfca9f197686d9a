// The decoders of codec "wasm" against those of codec "ts" on random and
// damaged messages: the same values, or the same error (class and
// message). Notifications and answers as the client reads them, register
// requests as the server hands them to a callback, query requests.

import assert from "node:assert/strict";
import { EventCore } from "../../codec/wasm/internal_mod.ts";
import {
  JsonTextPayload,
  type QueryParams,
  type RegisterEvent,
} from "../../event/mod.ts";
import {
  decodeEventsWasm,
  decodeQueryResWasm,
  decodeRegisterResWasm,
  registerEventsOfBatch,
} from "../../eventer/_event_batch.ts";
import {
  decodeEvents,
  decodeQueryReq,
  decodeQueryReqWasm,
  decodeQueryRes,
  decodeRegisterReq,
  decodeRegisterRes,
  encodeEvents,
  encodeQueryReq,
  encodeQueryRes,
  encodeRegisterReq,
  encodeRegisterRes,
} from "../../eventer/_messages.ts";
import { Prng } from "../_prng.ts";
import {
  randomEvents,
  randomRegisterEvents,
  randomTimestamp,
} from "../codec/wasm/_events_random.ts";
import { mutate } from "../codec/wasm/_mutate.ts";

type Outcome = { value: unknown } | { error: string };

function outcome(decode: () => unknown): Outcome {
  try {
    return { value: decode() };
  } catch (e) {
    return {
      error: `${(e as Error).constructor.name}: ${(e as Error).message}`,
    };
  }
}

/** Asserts the same outcome; gives whether it was a value. */
function same(a: () => unknown, b: () => unknown, what: Uint8Array): boolean {
  const wasm = outcome(a);
  const ts = outcome(b);
  assert.deepStrictEqual(wasm, ts, Array.from(what).join(","));
  return "value" in ts;
}

const DECODERS = [
  [decodeEventsWasm, decodeEvents, encodeEvents],
  [decodeRegisterResWasm, decodeRegisterRes, encodeRegisterRes],
  [
    decodeQueryResWasm,
    decodeQueryRes,
    (events: Parameters<typeof encodeEvents>[0]) =>
      encodeQueryRes({ events, moreFollows: true }),
  ],
] as const;

Deno.test("the client's Wasm decoders give the values and errors of the TypeScript ones", () => {
  const rng = new Prng(141);
  let values = 0;
  let errors = 0;
  for (let k = 0; k < 600; k++) {
    for (const [wasm, ts, encode] of DECODERS) {
      const valid = encode(randomEvents(rng, rng.int(6)));
      assert.ok(same(() => wasm(valid), () => ts(valid), valid));
      const bytes = mutate(rng, valid);
      if (same(() => wasm(bytes), () => ts(bytes), bytes)) values++;
      else errors++;
    }
  }
  assert.ok(values > 200 && errors > 500, `${values} / ${errors}`);
});

Deno.test("register events built from a Wasm batch are those of the TypeScript decoder", () => {
  const rng = new Prng(142);
  const core = new EventCore();
  const batch = core.batch();
  for (let k = 0; k < 400; k++) {
    const valid = encodeRegisterReq(randomRegisterEvents(rng, rng.int(8)));
    const bytes = k % 2 === 0 ? valid : mutate(rng, valid);
    for (const jsonText of [true, false]) {
      batch.clear();
      const n = batch.scanRegister(bytes);
      const ts = outcome(() => decodeRegisterReq(bytes, false, jsonText));
      if (typeof n !== "number") {
        assert.ok("error" in ts, "the core refused what TypeScript reads");
        continue;
      }
      const wasm = registerEventsOfBatch(batch, bytes, jsonText, false);
      assert.deepStrictEqual(
        wasm.map(plain),
        (ts as { value: typeof wasm }).value.map(plain),
      );
    }
  }
  batch.free();
});

/** A register event with its JSON text (private fields) spelled out. */
function plain(e: RegisterEvent) {
  const p = e.payload;
  return {
    ...e,
    type: [...e.type],
    payload: p instanceof JsonTextPayload
      ? { jsonText: p.text, data: p.data }
      : p,
  };
}

function randomQuery(rng: Prng): QueryParams {
  const types = () =>
    rng.next() < 0.5
      ? null
      : [["a", "*"], ["?", "b"], ["\u00e9"]].slice(0, 1 + rng.int(3));
  switch (rng.int(3)) {
    case 0:
      return { kind: "latest", eventTypes: types() };
    case 1:
      return {
        kind: "timeseries",
        eventTypes: types(),
        tFrom: rng.next() < 0.5 ? null : randomTimestamp(rng),
        order: rng.pick(["ascending", "descending"] as const),
        orderBy: rng.pick(["timestamp", "sourceTimestamp"] as const),
        maxResults: rng.next() < 0.5 ? null : rng.int(5000),
        lastEventId: rng.next() < 0.5
          ? null
          : { server: 1, session: rng.int(100), instance: 1 },
      };
    default:
      return {
        kind: "server",
        serverId: rng.int(10),
        persisted: rng.next() < 0.5,
        maxResults: rng.next() < 0.5 ? null : rng.int(100),
      };
  }
}

Deno.test("query requests decode alike through the Wasm decoder and the Repository", () => {
  const rng = new Prng(143);
  let errors = 0;
  for (let k = 0; k < 1500; k++) {
    const valid = encodeQueryReq(randomQuery(rng));
    assert.ok(
      same(() => decodeQueryReqWasm(valid), () => decodeQueryReq(valid), valid),
    );
    const bytes = mutate(rng, valid);
    if (
      !same(() => decodeQueryReqWasm(bytes), () => decodeQueryReq(bytes), bytes)
    ) {
      errors++;
    }
  }
  assert.ok(errors > 300, `${errors} errors`);
});
