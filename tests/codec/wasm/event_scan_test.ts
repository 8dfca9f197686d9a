// The Wasm eventer core's scanners against the TypeScript decoders of the
// eventer (eventer/_messages.ts): the same events from every valid
// message, and the same accept/reject decision on damaged ones, for
// MsgRegisterReq, MsgEventsNotify, MsgRegisterRes and MsgQueryRes.

import assert from "node:assert/strict";
import {
  type EventBatch,
  EventCore,
  EVENTS_KIND,
} from "../../../codec/wasm/event_core.ts";
import {
  decodeEvents,
  decodeQueryRes,
  decodeRegisterReq,
  decodeRegisterRes,
  encodeEvents,
  encodeQueryRes,
  encodeRegisterReq,
  encodeRegisterRes,
} from "../../../eventer/_messages.ts";
import { Prng } from "../../_prng.ts";
import { fromBatch, fromEvents, fromRegisterEvents } from "./_entries.ts";
import { randomEvents, randomRegisterEvents } from "./_events_random.ts";
import { mutate } from "./_mutate.ts";

function accepts(decode: () => unknown): boolean {
  try {
    decode();
    return true;
  } catch {
    return false;
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Scans with the core and decides with TypeScript; asserts they agree. */
function sameDecision(
  batch: EventBatch,
  bytes: Uint8Array,
  scan: (b: EventBatch) => number | string,
  decode: () => unknown,
): boolean {
  batch.clear();
  const wasm = scan(batch);
  const ts = accepts(decode);
  assert.equal(
    typeof wasm === "number",
    ts,
    `wasm ${wasm}, TypeScript ${ts ? "accepts" : "rejects"}: ${hex(bytes)}`,
  );
  return ts;
}

Deno.test("scanRegister() reads every random MsgRegisterReq as the TypeScript decoder does", () => {
  const rng = new Prng(14);
  const core = new EventCore();
  const batch = core.batch();
  for (let k = 0; k < 400; k++) {
    const events = randomRegisterEvents(rng, rng.int(12));
    const bytes = encodeRegisterReq(events);
    batch.clear();
    assert.equal(batch.scanRegister(bytes), events.length, hex(bytes));
    assert.deepEqual(fromBatch(batch, false), fromRegisterEvents(events));
    assert.deepEqual(
      fromBatch(batch, false),
      fromRegisterEvents(decodeRegisterReq(bytes, false, true)),
    );
  }
  batch.free();
});

Deno.test("scanRegister() accepts and rejects damaged requests as the TypeScript decoder does", () => {
  const rng = new Prng(15);
  const core = new EventCore();
  const batch = core.batch();
  let accepted = 0;
  let rejected = 0;
  for (let k = 0; k < 3000; k++) {
    const bytes = mutate(rng, encodeRegisterReq(randomRegisterEvents(rng, 3)));
    const ok = sameDecision(
      batch,
      bytes,
      (b) => b.scanRegister(bytes),
      () => decodeRegisterReq(bytes, false, true),
    );
    if (ok) {
      accepted++;
      assert.deepEqual(
        fromBatch(batch, false),
        fromRegisterEvents(decodeRegisterReq(bytes, false, true)),
      );
    } else rejected++;
  }
  assert.ok(accepted > 300 && rejected > 1000, `${accepted} / ${rejected}`);
  batch.free();
});

Deno.test("scanEvents() reads every random notification, register and query answer", () => {
  const rng = new Prng(16);
  const core = new EventCore();
  const batch = core.batch();
  for (let k = 0; k < 300; k++) {
    const events = randomEvents(rng, rng.int(10));
    const more = rng.next() < 0.5;
    const cases = [
      [encodeEvents(events), EVENTS_KIND.notify, false],
      [encodeRegisterRes(events), EVENTS_KIND.registerRes, false],
      [
        encodeQueryRes({ events, moreFollows: more }),
        EVENTS_KIND.queryRes,
        more,
      ],
    ] as const;
    for (const [bytes, kind, expectMore] of cases) {
      batch.clear();
      assert.equal(batch.scanEvents(bytes, kind), events.length, hex(bytes));
      assert.deepEqual(fromBatch(batch, true), fromEvents(events));
      assert.equal(batch.more, expectMore);
    }
  }
  batch.clear();
  assert.equal(
    batch.scanEvents(encodeRegisterRes(null), EVENTS_KIND.registerRes),
    0,
  );
  assert.equal(batch.more, true);
  batch.free();
});

Deno.test("scanEvents() accepts and rejects damaged answers as the TypeScript decoders do", () => {
  const rng = new Prng(17);
  const core = new EventCore();
  const batch = core.batch();
  const decoders = [
    [EVENTS_KIND.notify, encodeEvents, decodeEvents],
    [EVENTS_KIND.registerRes, encodeRegisterRes, decodeRegisterRes],
    [
      EVENTS_KIND.queryRes,
      (events: Parameters<typeof encodeEvents>[0]) =>
        encodeQueryRes({ events, moreFollows: false }),
      decodeQueryRes,
    ],
  ] as const;
  let accepted = 0;
  let rejected = 0;
  for (let k = 0; k < 1500; k++) {
    for (const [kind, encode, decode] of decoders) {
      const bytes = mutate(rng, encode(randomEvents(rng, 2)));
      if (
        sameDecision(
          batch,
          bytes,
          (b) => b.scanEvents(bytes, kind),
          () => decode(bytes),
        )
      ) accepted++;
      else rejected++;
    }
  }
  assert.ok(accepted > 300 && rejected > 1000, `${accepted} / ${rejected}`);
  batch.free();
});

Deno.test("equal types get one id, and a type's strings are built once", () => {
  const core = new EventCore();
  const batch = core.batch();
  const type = ["gateway", "device1", "data"];
  const events = [
    { type, sourceTimestamp: null, payload: null },
    { type: ["other"], sourceTimestamp: null, payload: null },
    { type: [...type], sourceTimestamp: null, payload: null },
  ];
  batch.scanRegister(encodeRegisterReq(events));
  batch.scanRegister(encodeRegisterReq(events));
  const ids = Array.from({ length: 6 }, (_, i) => batch.typeId(i));
  assert.deepEqual(ids, [ids[0], ids[1], ids[0], ids[0], ids[1], ids[0]]);
  assert.notEqual(ids[0], ids[1]);
  const strings = core.typeStrings(ids[0]);
  assert.deepEqual(strings, type);
  assert.ok(Object.isFrozen(strings));
  assert.equal(core.typeStrings(ids[0]), strings);
  batch.free();
});
