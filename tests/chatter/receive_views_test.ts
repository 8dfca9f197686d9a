import assert from "node:assert/strict";
import { connect, type Msg } from "../../chatter/mod.ts";
import { writeMsgFrame } from "../../chatter/msg_codec.ts";
import { Writer } from "../../codec/writer.ts";
import { RawListener } from "./_peer.ts";

function payload(i: number): Uint8Array {
  // Mostly small, sometimes larger than a receive buffer.
  const size = i % 97 === 0 ? 70_000 + i : 1 + (i * 37) % 300;
  const data = new Uint8Array(size);
  for (let k = 0; k < size; k++) data[k] = (i * 31 + k) & 0xff;
  return data;
}

Deno.test("received data stays intact while many more messages arrive after it", async () => {
  const count = 3000;
  const w = new Writer();
  for (let i = 0; i < count; i++) {
    writeMsgFrame(w, {
      id: i + 1,
      first: i + 1,
      owner: true,
      token: true,
      last: true,
      data: { type: "T", data: payload(i) },
    });
  }
  const stream = w.finish();
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, { pingDelay: null });
  await using peer = await raw.accept();
  // Writes of odd sizes, so frames are split across reads anywhere.
  const writing = (async () => {
    for (let off = 0, step = 1; off < stream.length; step = step * 7 % 9973) {
      const end = Math.min(stream.length, off + step * 13);
      await peer.write(stream.subarray(off, end));
      off = end;
    }
  })();
  const received: Msg[] = [];
  for (let i = 0; i < count; i++) received.push(await conn.receive());
  await writing;
  for (let i = 0; i < count; i++) {
    assert.deepEqual(received[i].data, payload(i), `message ${i}`);
  }
});
