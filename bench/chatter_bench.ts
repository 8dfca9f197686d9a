// Chatter transport benchmarks over loopback.
// Run: deno bench -A bench/chatter_bench.ts
//
// Deno.bench reports time per iteration: throughput groups send a batch of
// BATCH messages per iteration (messages/s = BATCH / time per iteration).

import { Writer } from "../codec/writer.ts";
import { Repository } from "../codec/mod.ts";
import { CHATTER_SBS } from "../chatter/chatter_schema.ts";
import { encodeFrame, FrameParser } from "../chatter/frame.ts";
import {
  MsgDecoder,
  type WireMsg,
  writeMsgFrame,
} from "../chatter/msg_codec.ts";
import { connectedPair } from "./_chatter_pair.ts";

const BATCH = 1000;
const payload = {
  type: "HatEventer.MsgRegisterReq",
  data: new Uint8Array(100),
};

// One way: the sender queues BATCH messages, the receiver takes them all.
const [sender, receiver] = await connectedPair();
Deno.bench({
  name: `chatter: ${BATCH} × 100 B messages one way`,
  group: "one way",
  baseline: true,
  async fn() {
    const receiving = (async () => {
      for (let i = 0; i < BATCH; i++) await receiver.receive();
    })();
    for (let i = 0; i < BATCH; i++) await sender.send(payload);
    await receiving;
  },
});

// The same bytes through bare sockets: the floor the transport sits on.
async function rawPair(): Promise<[Deno.Conn, Deno.Conn]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pair = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  listener.close();
  return pair;
}
const [rawA, rawB] = await rawPair();
const batchBytes = (() => {
  const w = new Writer();
  for (let i = 0; i < BATCH; i++) {
    writeMsgFrame(w, {
      id: i + 1,
      first: i + 1,
      owner: true,
      token: true,
      last: true,
      data: payload,
    });
  }
  return w.finish();
})();
const rawBuf = new Uint8Array(64 * 1024);
Deno.bench({
  name: `bare TCP: the same ${batchBytes.length} bytes, pre-encoded`,
  group: "one way",
  async fn() {
    const reading = (async () => {
      let got = 0;
      while (got < batchBytes.length) got += (await rawB.read(rawBuf))!;
    })();
    let off = 0;
    while (off < batchBytes.length) {
      off += await rawA.write(batchBytes.subarray(off));
    }
    await reading;
  },
});

// Request/response: one message each way per iteration.
const [client, server] = await connectedPair();
(async () => {
  for (;;) {
    const req = await server.receive();
    await server.send(req, { conv: req.conv });
  }
})().catch(() => {});
Deno.bench({
  name: "chatter: request/response round trip (100 B)",
  group: "round trip",
  baseline: true,
  async fn() {
    await client.send(payload, { last: false });
    await client.receive();
  },
});
const pingBuf = new Uint8Array(1);
const [pingA, pingB] = await rawPair();
(async () => {
  const buf = new Uint8Array(1);
  for (;;) {
    if ((await pingB.read(buf)) === null) return;
    await pingB.write(buf);
  }
})().catch(() => {});
Deno.bench({
  name: "bare TCP: 1 byte ping-pong",
  group: "round trip",
  async fn() {
    await pingA.write(pingBuf);
    await pingA.read(pingBuf);
  },
});

// Encoding one frame: the specialized codec against the generic repository.
const repo = new Repository(CHATTER_SBS);
const msg: WireMsg = {
  id: 1234,
  first: 1200,
  owner: false,
  token: true,
  last: true,
  data: payload,
};
const w = new Writer();
Deno.bench({
  name: "writeMsgFrame (specialized)",
  group: "encode frame",
  baseline: true,
  fn() {
    w.reset();
    writeMsgFrame(w, msg);
  },
});
Deno.bench({
  name: "Repository.encode + encodeFrame (generic)",
  group: "encode frame",
  fn() {
    encodeFrame(repo.encode("HatChatter.Msg", { ...msg }));
  },
});

// Parsing and decoding a chunk of BATCH frames.
Deno.bench({
  name: `FrameParser.advance + MsgDecoder, ${BATCH} frames`,
  group: "parse + decode",
  baseline: true,
  fn() {
    const parser = new FrameParser();
    const d = new MsgDecoder();
    parser.push(batchBytes);
    while (parser.advance()) {
      d.decode(parser.body, parser.bodyStart, parser.bodyEnd);
    }
  },
});
Deno.bench({
  name: `FrameParser.next + Repository.decode, ${BATCH} frames`,
  group: "parse + decode",
  fn() {
    const parser = new FrameParser();
    parser.push(batchBytes);
    for (let b = parser.next(); b !== undefined; b = parser.next()) {
      repo.decode("HatChatter.Msg", b);
    }
  },
});
