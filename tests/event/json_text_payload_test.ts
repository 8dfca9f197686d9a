import assert from "node:assert/strict";
import {
  EventPayloadError,
  JsonTextPayload,
  registerEventFromSbs,
  registerEventToSbs,
} from "../../event/mod.ts";

const encoder = new TextEncoder();

Deno.test("JsonTextPayload keeps its text and parses it once, on first read", () => {
  const text = '{"b": 1e400, "a": [1, "ž"], "a": null}';
  const p = new JsonTextPayload(text);
  assert.equal(p.kind, "json");
  assert.equal(p.text, text);
  assert.deepEqual(p.bytes, encoder.encode(text));
  assert.equal(p.byteLength, encoder.encode(text).length);
  const data = p.data;
  assert.deepEqual(data, { b: Infinity, a: null });
  assert.equal(p.data, data, "the parsed value is kept");
  assert.deepEqual(JSON.parse(JSON.stringify(p)), {
    kind: "json",
    data: { b: null, a: null },
  });
});

Deno.test("JsonTextPayload reads a range of bytes without copying them", () => {
  const bytes = encoder.encode('xx[1, "é"]yy');
  const p = new JsonTextPayload(bytes, 2, bytes.length - 2);
  assert.equal(p.text, '[1, "é"]');
  assert.deepEqual(p.data, [1, "é"]);
  assert.equal(p.bytes.buffer, bytes.buffer);
  const out = new Uint8Array(20).fill(7);
  assert.equal(p.copyTo(out, 3), p.byteLength);
  assert.deepEqual(out.subarray(3, 3 + p.byteLength), p.bytes);
  assert.equal(out[2], 7);
  assert.equal(out[3 + p.byteLength], 7);
  assert.throws(() => p.copyTo(new Uint8Array(4), 0), RangeError);
});

Deno.test("JsonTextPayload refuses what JSON.parse refuses (but Python's NaN), as EventPayloadError", () => {
  const bad: (string | Uint8Array)[] = [
    "",
    "{oops}",
    "[1,]",
    "1 2",
    "nan",
    "'a'",
    '"\u0001"',
    "\ud800",
    '"\ud800"',
    new Uint8Array([0x22, 0xc3, 0x22]), // truncated UTF-8 in a string
    new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), // encoded surrogate
    new Uint8Array([0xef, 0xbb, 0xbf, 0x31]), // BOM before 1
  ];
  for (const text of bad) {
    assert.throws(
      () => new JsonTextPayload(text),
      (e: Error) =>
        e instanceof EventPayloadError && /invalid JSON/.test(e.message),
      String(text),
    );
  }
  assert.throws(() => new JsonTextPayload(new Uint8Array(3), 2, 5), RangeError);
  assert.throws(() => new JsonTextPayload(new Uint8Array(3), -1), RangeError);
  assert.throws(
    () => new JsonTextPayload(42 as unknown as string),
    TypeError,
  );
});

Deno.test("JsonTextPayload takes every text JSON.parse takes", () => {
  const good = [
    " 1 ",
    "-0.5e-7",
    "1e400",
    '"\\ud800"',
    '{"a":{"b":[true,false,null,{}]}}',
    "\t\r\n[]",
    '"🙂"',
  ];
  for (const text of good) {
    assert.deepEqual(new JsonTextPayload(text).data, JSON.parse(text));
  }
});

Deno.test("the SBS conversions write a JsonTextPayload's own text", () => {
  const text = '{"a": 1, "b": [1.50, 1e400]}';
  const sbs = registerEventToSbs({
    type: ["a"],
    sourceTimestamp: null,
    payload: new JsonTextPayload(text),
  }) as Record<string, unknown>;
  assert.deepEqual(sbs.payload, ["value", ["json", text]]);
  const back = registerEventFromSbs(sbs as never);
  assert.deepEqual(back.payload, {
    kind: "json",
    data: { a: 1, b: [1.5, Infinity] },
  });
});
