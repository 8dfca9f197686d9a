import assert from "node:assert/strict";
import {
  connect,
  Connection,
  ConnectionError,
  ProtocolError,
} from "../../chatter/mod.ts";
import { writeMsgFrame } from "../../chatter/msg_codec.ts";
import { Writer } from "../../codec/writer.ts";
import { RawListener, RawPeer, startServer } from "./_peer.ts";
import { goldenFrames } from "./_frames.ts";

const bytes = (...b: number[]) => new Uint8Array(b);
const NO_PING = { pingDelay: null };

Deno.test("send() numbers messages from 1 and opens or continues conversations", async () => {
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, NO_PING);
  await using peer = await raw.accept();

  const c1 = await conn.send({ type: "A", data: bytes(1) });
  assert.deepEqual(c1, { owner: true, firstId: 1 });
  const c2 = await conn.send({ type: "B", data: bytes() }, { last: false });
  assert.deepEqual(c2, { owner: true, firstId: 2 });
  const reply = { owner: false, firstId: 7 };
  const c3 = await conn.send({ type: "C", data: bytes(3) }, {
    conv: reply,
    token: false,
  });
  assert.equal(c3, reply);
  assert.equal(await conn.send({ type: "D", data: bytes() }, { conv: c2 }), c2);

  assert.deepEqual(await peer.readMsg(), {
    id: 1,
    first: 1,
    owner: true,
    token: true,
    last: true,
    data: { type: "A", data: bytes(1) },
  });
  assert.deepEqual(await peer.readMsg(), {
    id: 2,
    first: 2,
    owner: true,
    token: true,
    last: false,
    data: { type: "B", data: bytes() },
  });
  assert.deepEqual(await peer.readMsg(), {
    id: 3,
    first: 7,
    owner: false,
    token: false,
    last: true,
    data: { type: "C", data: bytes(3) },
  });
  assert.deepEqual(await peer.readMsg(), {
    id: 4,
    first: 2,
    owner: true,
    token: true,
    last: true,
    data: { type: "D", data: bytes() },
  });
});

Deno.test("receive() gives the receiver's view of the conversation", async () => {
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, NO_PING);
  await using peer = await raw.accept();
  const w = new Writer();
  // The peer opens conversation 5, then replies in our conversation 1.
  writeMsgFrame(w, {
    id: 5,
    first: 5,
    owner: true,
    token: true,
    last: false,
    data: { type: "Req", data: bytes(9) },
  });
  writeMsgFrame(w, {
    id: 6,
    first: 1,
    owner: false,
    token: false,
    last: true,
    data: { type: "Res", data: bytes() },
  });
  // A non-first message of the peer's own conversation.
  writeMsgFrame(w, {
    id: 7,
    first: 5,
    owner: true,
    token: true,
    last: true,
    data: { type: "More", data: bytes() },
  });
  await peer.write(w.finish());
  assert.deepEqual(await conn.receive(), {
    type: "Req",
    data: bytes(9),
    conv: { owner: false, firstId: 5 },
    first: true,
    last: false,
    token: true,
  });
  assert.deepEqual(await conn.receive(), {
    type: "Res",
    data: bytes(),
    conv: { owner: true, firstId: 1 },
    first: false,
    last: true,
    token: false,
  });
  const more = await conn.receive();
  assert.equal(more.first, false);
  assert.deepEqual(more.conv, { owner: false, firstId: 5 });
});

Deno.test("a connection receives golden frames written one byte at a time", async () => {
  const golden = await goldenFrames();
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, NO_PING);
  await using peer = await raw.accept();
  const writing = (async () => {
    for (const g of golden.slice(0, -1)) {
      for (let i = 0; i < g.frame.length; i++) {
        await peer.write(g.frame.subarray(i, i + 1));
      }
    }
    await peer.write(golden.at(-1)!.frame);
  })();
  for (const g of golden) {
    if (g.msg.data.type === "HatChatter.Ping") {
      // Answered by the connection itself, in the ping's conversation.
      const pong = await peer.readMsg();
      assert.deepEqual(pong, {
        id: 1,
        first: g.msg.first,
        owner: false,
        token: true,
        last: true,
        data: { type: "HatChatter.Pong", data: bytes() },
      });
      continue;
    }
    if (g.msg.data.type === "HatChatter.Pong") continue;
    const msg = await conn.receive();
    assert.equal(msg.type, g.msg.data.type, g.name);
    assert.deepEqual(msg.data, g.msg.data.data, g.name);
    assert.deepEqual(msg.conv, { owner: !g.msg.owner, firstId: g.msg.first });
    assert.equal(msg.last, g.msg.last);
  }
  await writing;
});

Deno.test("messages received before the peer closed stay receivable", async () => {
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, NO_PING);
  const peer = await raw.accept();
  const w = new Writer();
  for (let i = 1; i <= 3; i++) {
    writeMsgFrame(w, {
      id: i,
      first: i,
      owner: true,
      token: true,
      last: true,
      data: { type: "T", data: bytes(i) },
    });
  }
  await peer.write(w.finish());
  peer.close();
  await conn.closed;
  assert.equal(conn.isOpen, false);
  for (let i = 1; i <= 3; i++) {
    assert.deepEqual((await conn.receive()).data, bytes(i));
  }
  await assert.rejects(conn.receive(), ConnectionError);
  assert.equal(conn.closeReason?.message, "connection closed by the peer");
});

Deno.test("async iteration ends when the peer closes", async () => {
  await using server = await startServer(async (conn) => {
    for (let i = 0; i < 5; i++) await conn.send({ type: "N", data: bytes(i) });
    await conn.drain();
    await conn.close();
  });
  await using conn = await connect(server.server.addrs[0], NO_PING);
  const got: number[] = [];
  for await (const msg of conn) got.push(msg.data[0]);
  assert.deepEqual(got, [0, 1, 2, 3, 4]);
});

Deno.test("a pending receive(), send() and drain() reject with ConnectionError on close", async () => {
  await using raw = new RawListener();
  const conn = await connect(raw.addr, {
    ...NO_PING,
    sendQueueSize: 1,
    sendQueueBytes: 1,
  });
  await using peer = await raw.accept();
  const receiving = conn.receive();
  // The first send takes the only slot; the second waits for it.
  const first = conn.send({ type: "X", data: new Uint8Array(4) });
  const pending = Promise.allSettled([
    receiving,
    conn.send({ type: "Y", data: new Uint8Array(4) }),
    conn.drain(),
  ]);
  await first;
  await conn.close();
  const [received, second, drained] = await pending;
  for (const r of [received, second, drained]) {
    assert.equal(r.status, "rejected");
    assert.ok(r.reason instanceof ConnectionError);
  }
  await assert.rejects(
    conn.send({ type: "Z", data: bytes() }),
    ConnectionError,
  );
  await assert.rejects(conn.drain(), ConnectionError);
  await assert.rejects(conn.receive(), ConnectionError);
  assert.equal(await peer.readToEnd() >= 0, true);
});

Deno.test("drain() resolves once everything queued was written", async () => {
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, NO_PING);
  await using peer = await raw.accept();
  for (let i = 0; i < 100; i++) {
    conn.send({ type: "T", data: new Uint8Array(1000) });
  }
  await conn.drain();
  assert.equal(conn.bufferedAmount, 0);
  for (let i = 1; i <= 100; i++) assert.equal((await peer.readMsg())!.id, i);
});

Deno.test("send() rejects what cannot be encoded and the connection stays usable", async () => {
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, {
    ...NO_PING,
    maxMessageSize: 100,
  });
  await using peer = await raw.accept();
  await assert.rejects(
    conn.send({ type: "Big", data: new Uint8Array(200) }),
    RangeError,
  );
  await assert.rejects(
    conn.send({ type: "\udc00", data: bytes() }),
    TypeError,
  );
  const conv = await conn.send({ type: "Ok", data: bytes(1) });
  // The rejected messages did not use up ids.
  assert.equal(conv.firstId, 1);
  assert.equal((await peer.readMsg())!.data.type, "Ok");
});

Deno.test("a frame above maxMessageSize closes the connection with ProtocolError", async () => {
  await using server = await startServer(() => {}, {
    ...NO_PING,
    maxMessageSize: 1000,
  });
  const next = server.nextConnection();
  await using peer = await RawPeer.connect(server.server.addrs[0]);
  const conn = await next;
  const receiving = conn.receive();
  // 4 GiB announced; nothing close to it may be allocated.
  await peer.write(bytes(4, 0xff, 0xff, 0xff, 0xff));
  await assert.rejects(receiving, (e) => {
    assert.ok(e instanceof ProtocolError);
    assert.match(e.message, /4294967295 bytes exceeds maxMessageSize 1000/);
    return true;
  });
  await conn.closed;
  assert.equal(await peer.readToEnd(), 0);
  // Recorded by the server, which keeps serving.
  assert.ok(server.errors.some((e) => e instanceof ProtocolError));
  await using other = await connect(server.server.addrs[0], NO_PING);
  assert.ok(other.isOpen);
});

Deno.test("a malformed body closes the connection with ProtocolError", async () => {
  await using server = await startServer(() => {}, NO_PING);
  const next = server.nextConnection();
  await using peer = await RawPeer.connect(server.server.addrs[0]);
  const conn = await next;
  await peer.write(bytes(1, 3, 0x81, 0x81, 0x01)); // Msg cut after owner
  await assert.rejects(conn.receive(), /malformed HatChatter.Msg/);
  assert.ok(conn.closeReason instanceof ProtocolError);
});

Deno.test("a peer closing mid-frame ends the connection with ConnectionError", async () => {
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, NO_PING);
  const peer = await raw.accept();
  await peer.write(bytes(1, 50, 0x81, 0x81));
  peer.close();
  await assert.rejects(conn.receive(), (e) => {
    assert.ok(e instanceof ConnectionError);
    assert.ok(!(e instanceof ProtocolError));
    assert.match(e.message, /mid-frame/);
    return true;
  });
});

Deno.test("random garbage from many peers never disturbs the server", async () => {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  await using server = await startServer(async (conn) => {
    for await (const msg of conn) await conn.send(msg, { conv: msg.conv });
  }, { ...NO_PING, maxMessageSize: 1 << 16 });
  const peers = await Promise.all(
    Array.from({ length: 30 }, async () => {
      const peer = await RawPeer.connect(server.server.addrs[0]);
      const garbage = Uint8Array.from(
        { length: 1 + Math.floor(rand() * 500) },
        () => Math.floor(rand() * 256),
      );
      await peer.write(garbage);
      return peer;
    }),
  );
  // A healthy client keeps getting answers while the garbage is handled.
  await using good = await connect(server.server.addrs[0], NO_PING);
  await good.send({ type: "Echo", data: bytes(42) });
  assert.deepEqual((await good.receive()).data, bytes(42));
  for (const peer of peers) peer.close();
  const conns = server.accepted.filter((c) =>
    c.remoteAddr.port !== good.localAddr.port
  );
  assert.equal(conns.length, 30);
  await Promise.all(conns.map((c) => c.closed));
  for (const c of conns) assert.ok(c.closeReason instanceof ConnectionError);
  assert.ok(server.errors.length > 0);
  assert.ok(server.errors.every((e) => e instanceof ProtocolError));
  await good.send({ type: "Echo", data: bytes(43) });
  assert.deepEqual((await good.receive()).data, bytes(43));
});

Deno.test("a throwing onConnection closes only its own connection", async () => {
  let n = 0;
  await using server = await startServer(async (conn) => {
    n += 1;
    if (n === 1) throw new Error("refused");
    for await (const msg of conn) await conn.send(msg, { conv: msg.conv });
  }, NO_PING);
  await using bad = await connect(server.server.addrs[0], NO_PING);
  await bad.closed;
  await assert.rejects(bad.receive(), ConnectionError);
  assert.equal((server.errors[0] as Error).message, "refused");
  await using good = await connect(server.server.addrs[0], NO_PING);
  await good.send({ type: "E", data: bytes(1) });
  assert.deepEqual((await good.receive()).data, bytes(1));
});

Deno.test("Server.close() closes every connection it accepted", async () => {
  const server = await startServer(() => {}, NO_PING);
  assert.notEqual(server.server.addrs[0].port, 0);
  const clients = await Promise.all(
    Array.from({ length: 5 }, () => connect(server.server.addrs[0], NO_PING)),
  );
  while (server.accepted.length < 5) await server.nextConnection();
  assert.equal(server.server.connections.size, 5);
  await server.server.close();
  assert.equal(server.server.isOpen, false);
  await Promise.all(clients.map((c) => c.closed));
  assert.ok(clients.every((c) => !c.isOpen));
  assert.equal(server.server.connections.size, 0);
  await server.server.closed;
  await assert.rejects(
    connect(server.server.addrs[0], NO_PING),
    ConnectionError,
  );
});

Deno.test("connect() rejects with ConnectionError when nobody listens", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = l.addr.port;
  l.close();
  await assert.rejects(
    connect({ hostname: "127.0.0.1", port }),
    (e) => e instanceof ConnectionError && /Cannot connect/.test(e.message),
  );
});

Deno.test("connect() rejects with the reason of an aborted signal", async () => {
  await using raw = new RawListener();
  const ac = new AbortController();
  ac.abort(new Error("stop"));
  await assert.rejects(connect(raw.addr, { signal: ac.signal }), /stop/);
});

Deno.test("connect() and listen() reject invalid options", async () => {
  await using raw = new RawListener();
  await assert.rejects(connect(raw.addr, { pingDelay: -1 }), RangeError);
  await assert.rejects(connect(raw.addr, { receiveQueueSize: 0 }), RangeError);
  await assert.rejects(
    startServer(() => {}, { sendQueueSize: 1.5 }),
    RangeError,
  );
});

Deno.test("Connection works over any Deno.Conn it is given", async () => {
  await using raw = new RawListener();
  const tcp = await Deno.connect(raw.addr);
  await using conn = new Connection(tcp, NO_PING);
  await using peer = await raw.accept();
  assert.equal(conn.remoteAddr.port, raw.addr.port);
  assert.equal(conn.localAddr.hostname, "127.0.0.1");
  await conn.send({ type: "T", data: bytes(5) });
  assert.deepEqual((await peer.readMsg())!.data.data, bytes(5));
});
