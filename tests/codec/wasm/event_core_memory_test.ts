// The memory policy of the Wasm eventer core (docs/wasm.md): memory grown
// for a large message is given back by replacing the instance once no
// batch holds received bytes, with the type table carried over; a failed
// call drops the instance and starts type ids again.

import assert from "node:assert/strict";
import { EventCore } from "../../../codec/wasm/event_core.ts";
import { encodeRegisterReq } from "../../../eventer/_messages.ts";

const MiB = 1024 * 1024;

function request(type: string[], payloadBytes: number): Uint8Array {
  return encodeRegisterReq([{
    type,
    sourceTimestamp: null,
    payload: {
      kind: "binary",
      type: "blob",
      data: new Uint8Array(payloadBytes),
    },
  }]);
}

Deno.test("a 64 MiB request does not keep its memory, and type ids survive the new instance", () => {
  const core = new EventCore({ retainBytes: 16 * MiB });
  const batch = core.batch();
  assert.equal(batch.scanRegister(request(["small"], 100)), 1);
  const small = batch.typeId(0);
  batch.clear();
  core.release();
  const before = core.memoryBytes;
  assert.ok(before > 0 && before <= 16 * MiB, `${before}`);

  assert.equal(batch.scanRegister(request(["big"], 64 * MiB)), 1);
  const big = batch.typeId(0);
  assert.ok(core.memoryBytes > 64 * MiB);
  // The batch still holds the request: the instance stays.
  core.release();
  assert.ok(core.memoryBytes > 64 * MiB);
  batch.clear();
  core.release();
  assert.ok(core.memoryBytes <= 16 * MiB, `${core.memoryBytes} bytes kept`);
  assert.equal(core.generation, 0);

  // The same types have the same ids and strings in the new instance.
  assert.equal(batch.scanRegister(request(["small"], 10)), 1);
  assert.equal(batch.typeId(0), small);
  assert.equal(batch.scanRegister(request(["big"], 10)), 1);
  assert.equal(batch.typeId(1), big);
  assert.deepEqual(core.typeStrings(big), ["big"]);
  batch.free();
});

Deno.test("a type table grown past a quarter of retainBytes starts again", () => {
  const core = new EventCore({ retainBytes: 1 * MiB });
  const batch = core.batch();
  const events = Array.from({ length: 4000 }, (_, i) => ({
    type: ["t", "x".repeat(100), String(i)],
    sourceTimestamp: null,
    payload: null,
  }));
  assert.equal(batch.scanRegister(encodeRegisterReq(events)), 4000);
  batch.clear();
  core.release();
  assert.equal(core.generation, 1);
  assert.ok(core.memoryBytes <= 1 * MiB);
  assert.equal(batch.scanRegister(request(["again"], 1)), 1);
  assert.equal(batch.typeId(0), 0);
  assert.deepEqual(core.typeStrings(0), ["again"]);
  batch.free();
});

Deno.test("a call that traps drops the instance, and the batches holding bytes learn they lost them", () => {
  const core = new EventCore();
  const batch = core.batch();
  assert.equal(batch.scanRegister(request(["a"], 1)), 1);
  assert.throws(() => core.exports().alloc(2 ** 31 - 1));
  try {
    core.exports().alloc(2 ** 31 - 1);
  } catch (e) {
    core.failed(e);
  }
  assert.equal(core.generation, 1);
  assert.equal(batch.isLost, true);
  assert.equal(batch.length, 0);
  assert.equal(batch.scanRegister(request(["a"], 1)), "memory");
  batch.clear();
  assert.equal(batch.isLost, false);
  assert.equal(batch.scanRegister(request(["a"], 1)), 1);
  batch.free();
});

Deno.test("failed() passes on what is not a failure of the module", () => {
  const core = new EventCore();
  assert.throws(() => core.failed(new TypeError("x")), TypeError);
});
