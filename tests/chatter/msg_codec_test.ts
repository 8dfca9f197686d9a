import assert from "node:assert/strict";
import { Writer } from "../../codec/writer.ts";
import { SbsDecodeError } from "../../codec/errors.ts";
import {
  decodeMsg,
  encodeMsg,
  MsgDecoder,
  type WireMsg,
  writeMsgFrame,
} from "../../chatter/msg_codec.ts";
import { FrameParser } from "../../chatter/frame.ts";
import { CHATTER_SBS } from "../../chatter/chatter_schema.ts";
import { readText, SPEC_DIR, toHex } from "../_vectors.ts";
import { goldenFrames, transcriptFrames, TRANSCRIPTS } from "./_frames.ts";

function frameOf(msg: WireMsg): Uint8Array {
  const w = new Writer(1);
  writeMsgFrame(w, msg);
  return w.finish();
}

function parseOne(frame: Uint8Array): Uint8Array {
  const parser = new FrameParser();
  parser.push(frame);
  const body = parser.next();
  assert.ok(body !== undefined);
  assert.equal(parser.next(), undefined);
  return body;
}

Deno.test("CHATTER_SBS is the text of tests/testdata/spec/chatter.sbs", async () => {
  assert.equal(CHATTER_SBS, await readText(new URL("chatter.sbs", SPEC_DIR)));
});

Deno.test("writeMsgFrame() writes every golden frame exactly", async (t) => {
  for (const g of await goldenFrames()) {
    await t.step(g.name, () => {
      assert.equal(toHex(frameOf(g.msg)), toHex(g.frame));
    });
  }
});

Deno.test("decodeMsg() reads every golden frame back", async (t) => {
  for (const g of await goldenFrames()) {
    await t.step(g.name, () => {
      assert.deepEqual(decodeMsg(parseOne(g.frame)), g.msg);
    });
  }
});

Deno.test("every transcript frame parses to its recorded msg and re-encodes to its bytes", async (t) => {
  for (const file of TRANSCRIPTS) {
    await t.step(file, async () => {
      const frames = await transcriptFrames(file);
      assert.ok(frames.length > 0);
      for (const g of frames) {
        assert.deepEqual(decodeMsg(parseOne(g.frame)), g.msg, g.name);
        assert.equal(toHex(frameOf(g.msg)), toHex(g.frame), g.name);
      }
    });
  }
});

Deno.test("writeMsgFrame() appends frames one after another", async () => {
  const golden = await goldenFrames();
  const w = new Writer(8);
  for (const g of golden) writeMsgFrame(w, g.msg);
  const expected = golden.map((g) => toHex(g.frame)).join("");
  assert.equal(toHex(w.finish()), expected);
});

Deno.test("writeMsgFrame() picks the minimal length field when the type is not ASCII", () => {
  // Multi-byte UTF-8 makes the reserved header larger than needed.
  for (const len of [0, 40, 80, 84, 85, 86, 90, 200, 253, 254, 255, 256, 300]) {
    const msg: WireMsg = {
      id: 3,
      first: 1,
      owner: false,
      token: true,
      last: true,
      data: { type: "é".repeat(len), data: new Uint8Array(len % 7) },
    };
    const frame = frameOf(msg);
    const body = encodeMsg(msg);
    const l = body.length < 256 ? 1 : 2;
    assert.equal(frame[0], l);
    assert.equal(frame.length, 1 + l + body.length);
    assert.deepEqual(frame.subarray(1 + l), body);
    assert.deepEqual(decodeMsg(body), msg);
  }
});

Deno.test("writeMsgFrame() rejects bad fields and leaves the writer unchanged", () => {
  const w = new Writer();
  w.byte(7);
  const base = {
    id: 1,
    first: 1,
    owner: true,
    token: true,
    last: true,
    data: { type: "x", data: new Uint8Array() },
  };
  assert.throws(() => writeMsgFrame(w, { ...base, id: 1.5 }), TypeError);
  assert.throws(() => writeMsgFrame(w, { ...base, first: NaN }), TypeError);
  assert.throws(
    () =>
      writeMsgFrame(w, {
        ...base,
        data: { type: "\ud800", data: base.data.data },
      }),
    /lone surrogate/,
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => writeMsgFrame(w, { ...base, data: { type: "x", data: [1] as any } }),
    TypeError,
  );
  assert.deepEqual(w.finish(), new Uint8Array([7]));
});

Deno.test("MsgDecoder rejects malformed bodies with SbsDecodeError only", () => {
  const good = encodeMsg({
    id: 5,
    first: 5,
    owner: true,
    token: true,
    last: false,
    data: { type: "HatEventer.MsgQueryReq", data: new Uint8Array([1, 2, 3]) },
  });
  const d = new MsgDecoder();
  for (let n = 0; n < good.length; n++) {
    assert.throws(() => d.decode(good.subarray(0, n)), SbsDecodeError, `${n}`);
  }
  // An id beyond 2^53 is refused rather than rounded.
  const big = new Writer();
  big.integer(2n ** 60n);
  big.raw(good.subarray(1));
  assert.throws(() => d.decode(big.finish()), /beyond 2\^53/);
  // Invalid UTF-8 in the type.
  const bad = new Uint8Array([0x81, 0x81, 1, 1, 1, 0x81, 0xff, 0x80]);
  assert.throws(() => d.decode(bad), SbsDecodeError);
});

Deno.test("MsgDecoder returns the same type names as a fresh decode, across many types", () => {
  const d = new MsgDecoder();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 100; i++) {
      const type = `T${i % 40}.${"x".repeat(i % 5)}`;
      d.decode(encodeMsg({
        id: i,
        first: i,
        owner: true,
        token: false,
        last: true,
        data: { type, data: new Uint8Array([i]) },
      }));
      assert.equal(d.type, type);
      assert.deepEqual(d.data, new Uint8Array([i]));
    }
  }
});

Deno.test("MsgDecoder copies the payload out of the frame", () => {
  const body = encodeMsg({
    id: 1,
    first: 1,
    owner: true,
    token: true,
    last: true,
    data: { type: "t", data: new Uint8Array([1, 2]) },
  });
  const d = new MsgDecoder();
  d.decode(body);
  body.fill(0);
  assert.deepEqual(d.data, new Uint8Array([1, 2]));
});
