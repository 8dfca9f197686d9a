import assert from "node:assert/strict";
import { connect, type Connection, listen } from "../../chatter/mod.ts";
import { writeMsgFrame } from "../../chatter/msg_codec.ts";
import { Writer } from "../../codec/writer.ts";
import { toHex } from "../_vectors.ts";
import { transcriptFrames, TRANSCRIPTS } from "./_frames.ts";
import { LOOPBACK, RawListener, RawPeer } from "./_peer.ts";

const FAST = { pingDelay: 0.05, pingTimeout: 0.05 };

function frame(msg: Parameters<typeof writeMsgFrame>[1]): Uint8Array {
  const w = new Writer();
  writeMsgFrame(w, msg);
  return w.finish();
}

Deno.test("a silent peer gets a ping, then the connection closes when nothing answers", async () => {
  await using raw = new RawListener();
  const conn = await connect(raw.addr, FAST);
  await using peer = await raw.accept();
  const ping = await peer.readMsg();
  assert.deepEqual(ping, {
    id: 1,
    first: 1,
    owner: true,
    token: true,
    last: false,
    data: { type: "HatChatter.Ping", data: new Uint8Array() },
  });
  await conn.closed;
  assert.match(conn.closeReason!.message, /no answer to ping within 0.05 s/);
  await assert.rejects(conn.receive(), /no answer to ping/);
});

Deno.test("answered pings keep the connection open and never reach the application", async () => {
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, FAST);
  await using peer = await raw.accept();
  for (let i = 1; i <= 3; i++) {
    const ping = (await peer.readMsg())!;
    assert.equal(ping.data.type, "HatChatter.Ping");
    assert.equal(ping.id, i);
    await peer.write(frame({
      id: i,
      first: ping.first,
      owner: false,
      token: true,
      last: true,
      data: { type: "HatChatter.Pong", data: new Uint8Array() },
    }));
  }
  assert.ok(conn.isOpen);
  await peer.write(frame({
    id: 4,
    first: 4,
    owner: true,
    token: true,
    last: true,
    data: { type: "App", data: new Uint8Array([1]) },
  }));
  const msg = await conn.receive();
  assert.equal(msg.type, "App");
  // The pings took ids 1..3, so our next message is 4.
  assert.equal(
    (await conn.send({ type: "Next", data: new Uint8Array() })).firstId,
    4,
  );
});

Deno.test("after an answered ping the next comes pingDelay after the answer, not after pingTimeout", async () => {
  // pingTimeout is 250 times pingDelay: the old cadence (next ping when the
  // timeout would have expired) cannot fit three pings before the guard,
  // at half the timeout, fires.
  const options = { pingDelay: 0.02, pingTimeout: 5 };
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, options);
  await using peer = await raw.accept();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), options.pingTimeout * 500);
  });
  try {
    for (let i = 1; i <= 3; i++) {
      const ping = await Promise.race([peer.readMsg(), guard]);
      assert.notEqual(ping, "late", `ping ${i} came only after the timeout`);
      const m = ping as Exclude<typeof ping, "late" | null>;
      assert.ok(m !== null, "the connection ended");
      assert.equal(m.data.type, "HatChatter.Ping");
      await peer.write(frame({
        id: i,
        first: m.first,
        owner: false,
        token: true,
        last: true,
        data: { type: "HatChatter.Pong", data: new Uint8Array() },
      }));
    }
  } finally {
    clearTimeout(timer);
  }
  assert.ok(conn.isOpen);
});

Deno.test("two connections with keep-alive on both sides stay up through pings and pongs", async () => {
  // Quiet gaps (150 ms) are longer than pingDelay + pingTimeout (70 ms):
  // only the pongs keep the connections open through them.
  const options = { pingDelay: 0.02, pingTimeout: 0.05 };
  const accepted = Promise.withResolvers<Connection>();
  await using server = await listen(
    (c) => accepted.resolve(c),
    LOOPBACK,
    options,
  );
  await using conn = await connect(server.addrs[0], options);
  const serverSide = await accepted.promise;
  let lastA = 0;
  let lastB = 0;
  let gaps = 0;
  while (gaps < 3) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const a = await conn.send({ type: "Probe", data: new Uint8Array() });
    const b = await serverSide.send({ type: "Probe", data: new Uint8Array() });
    assert.equal((await conn.receive()).type, "Probe");
    assert.equal((await serverSide.receive()).type, "Probe");
    // Ids skipped since the last probe were taken by pings (and pongs).
    if (a.firstId > lastA + 1 && b.firstId > lastB + 1) gaps += 1;
    lastA = a.firstId;
    lastB = b.firstId;
  }
  assert.ok(conn.isOpen && serverSide.isOpen);
});

for (const file of TRANSCRIPTS) {
  Deno.test(`replaying ${file} as the client reproduces its frames, pongs included`, async () => {
    const frames = await transcriptFrames(file);
    await using raw = new RawListener();
    await using conn = await connect(raw.addr, { pingDelay: null });
    await using peer = await raw.accept();
    for (const f of frames) {
      const m = f.msg;
      if (f.dir === "c2s") {
        if (m.data.type !== "HatChatter.Pong") {
          const opens = m.owner && m.first === m.id;
          const conv = await conn.send(m.data, {
            conv: opens ? undefined : { owner: m.owner, firstId: m.first },
            last: m.last,
            token: m.token,
          });
          assert.deepEqual(conv, { owner: m.owner, firstId: m.first });
        }
        assert.equal(
          toHex(await peer.readExact(f.frame.length)),
          toHex(f.frame),
          f.name,
        );
      } else {
        await peer.write(f.frame);
        if (m.data.type.startsWith("HatChatter.")) continue;
        const msg = await conn.receive();
        assert.deepEqual(msg, {
          type: m.data.type,
          data: m.data.data,
          conv: { owner: !m.owner, firstId: m.first },
          first: m.owner && m.first === m.id,
          last: m.last,
          token: m.token,
        }, f.name);
      }
    }
  });
}

for (const file of TRANSCRIPTS.filter((f) => !f.includes("ping"))) {
  Deno.test(`replaying ${file} as the server reproduces its frames`, async () => {
    const frames = await transcriptFrames(file);
    const accepted = Promise.withResolvers<Connection>();
    await using server = await listen((c) => accepted.resolve(c), LOOPBACK, {
      pingDelay: null,
    });
    await using peer = await RawPeer.connect(server.addrs[0]);
    const conn = await accepted.promise;
    for (const f of frames) {
      const m = f.msg;
      if (f.dir === "s2c") {
        const opens = m.owner && m.first === m.id;
        await conn.send(m.data, {
          conv: opens ? undefined : { owner: m.owner, firstId: m.first },
          last: m.last,
          token: m.token,
        });
        assert.equal(
          toHex(await peer.readExact(f.frame.length)),
          toHex(f.frame),
          f.name,
        );
      } else {
        await peer.write(f.frame);
        const msg = await conn.receive();
        assert.equal(msg.type, m.data.type);
        assert.deepEqual(msg.conv, { owner: !m.owner, firstId: m.first });
      }
    }
  });
}
