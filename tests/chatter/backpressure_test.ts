import assert from "node:assert/strict";
import { connect, type Connection } from "../../chatter/mod.ts";
import { RawListener, startServer, turn } from "./_peer.ts";

// Far more than loopback socket buffers hold (a few MiB each way), so a
// sender can only finish once the other side reads.
const COUNT = 30_000;
const SIZE = 1000;

/** Sends COUNT numbered messages; records the largest bufferedAmount. */
function sendAll(conn: Connection): {
  done: Promise<void>;
  sent: () => number;
  maxBuffered: () => number;
} {
  let sent = 0;
  let maxBuffered = 0;
  const done = (async () => {
    const data = new Uint8Array(SIZE);
    for (let i = 0; i < COUNT; i++) {
      data[0] = i & 0xff;
      data[1] = i >> 8;
      await conn.send({ type: "Bulk", data });
      sent += 1;
      maxBuffered = Math.max(maxBuffered, conn.bufferedAmount);
    }
  })();
  return { done, sent: () => sent, maxBuffered: () => maxBuffered };
}

/** Waits (event-loop turns, no fixed delay) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await turn();
}

Deno.test("send() waits instead of buffering when the peer never reads", async () => {
  const queueBytes = 64 * 1024;
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, {
    pingDelay: null,
    sendQueueBytes: queueBytes,
  });
  await using peer = await raw.accept();
  const sender = sendAll(conn);
  // The queue fills up once the socket buffers are full.
  await until(() => conn.bufferedAmount >= queueBytes);
  const stalledAt = sender.sent();
  assert.ok(stalledAt < COUNT, `${stalledAt} sent without the peer reading`);
  // Bounded: at most the byte bound plus one message (and its header).
  assert.ok(sender.maxBuffered() <= queueBytes + SIZE + 32);
  // Once the peer reads, everything arrives, in order.
  let seen = 0;
  const reading = (async () => {
    for (; seen < COUNT; seen++) {
      const msg = (await peer.readMsg())!;
      assert.equal(msg.id, seen + 1);
      assert.equal(msg.data.data[0] | (msg.data.data[1] << 8), seen & 0xffff);
    }
  })();
  await sender.done;
  await reading;
  assert.equal(seen, COUNT);
  assert.ok(sender.maxBuffered() <= queueBytes + SIZE + 32);
});

Deno.test("send() waits on the message-count bound as well", async () => {
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, {
    pingDelay: null,
    sendQueueSize: 8,
  });
  await using peer = await raw.accept();
  const sender = sendAll(conn);
  await until(() => conn.bufferedAmount >= 8 * SIZE);
  assert.ok(sender.sent() < COUNT);
  assert.ok(sender.maxBuffered() <= 8 * (SIZE + 32));
  let n = 0;
  for (; n < COUNT; n++) await peer.readMsg();
  await sender.done;
  assert.equal(n, COUNT);
});

Deno.test("a connection whose application does not receive stops reading the socket", async () => {
  const accepted = Promise.withResolvers<Connection>();
  await using server = await startServer((c) => accepted.resolve(c), {
    pingDelay: null,
    receiveQueueSize: 16,
  });
  await using conn = await connect(server.server.addrs[0], {
    pingDelay: null,
    sendQueueBytes: 64 * 1024,
  });
  const serverSide = await accepted.promise;
  const sender = sendAll(conn);
  // The client can only stall if the server stopped reading: had it kept
  // reading into its queue, the client's writes would always complete.
  await until(() => conn.bufferedAmount >= 64 * 1024);
  assert.ok(sender.sent() < COUNT);
  for (let i = 0; i < COUNT; i++) {
    const msg = await serverSide.receive();
    assert.equal(msg.data[0] | (msg.data[1] << 8), i & 0xffff);
  }
  await sender.done;
});

Deno.test("a peer that sends pings but never reads the pongs is not answered without bound", async () => {
  await using raw = new RawListener();
  await using conn = await connect(raw.addr, {
    pingDelay: null,
    sendQueueSize: 4,
  });
  await using peer = await raw.accept();
  // A ping frame, repeated: enough pongs to exceed the socket buffers many
  // times over if they were all queued.
  const ping = new Uint8Array([
    0x01,
    0x16,
    0x81,
    0x81,
    0x01,
    0x01,
    0x00,
    0x8f,
    ...new TextEncoder().encode("HatChatter.Ping"),
    0x80,
  ]);
  const burst = new Uint8Array(ping.length * 1000);
  for (let i = 0; i < 1000; i++) burst.set(ping, i * ping.length);
  let written = 0;
  let writingDone = false;
  const writing = (async () => {
    for (let i = 0; i < 1000; i++) {
      await peer.write(burst);
      written += 1;
    }
    writingDone = true;
  })().catch(() => {}); // fails with the socket when the test closes it
  // Run until the peer's writes stop making progress (the connection no
  // longer reads) or all 24 MB went through (it answered without bound).
  let maxBuffered = 0;
  let last = -1;
  let stable = 0;
  while (!writingDone && stable < 50) {
    await turn();
    maxBuffered = Math.max(maxBuffered, conn.bufferedAmount);
    stable = written === last ? stable + 1 : 0;
    last = written;
  }
  assert.equal(writingDone, false);
  // Four pongs, whose ids have grown to 3 bytes.
  assert.ok(maxBuffered <= 4 * (ping.length + 2), `${maxBuffered}`);
  await conn.close();
  await writing;
});
