// Misbehaving peers: each affects only its own connection, is reported,
// and never crashes the other side.

import assert from "node:assert/strict";
import {
  connect as chatterConnect,
  ConnectionError,
  listen as chatterListen,
  ProtocolError,
} from "../../chatter/mod.ts";
import { connect } from "../../client.ts";
import { type ConnectionInfo, listen } from "../../server.ts";
import {
  EMPTY,
  encodeInitReq,
  encodeInitRes,
  MSG_TYPE,
} from "../../eventer/_messages.ts";
import { deferred, errorLog, LOOPBACK } from "./_helpers.ts";

const INIT = encodeInitReq({
  clientName: "raw",
  clientToken: null,
  subscriptions: [],
  serverId: null,
  persisted: false,
});

async function rawClient(addr: { hostname: string; port: number }) {
  const conn = await chatterConnect(addr);
  const conv = await conn.send({ type: MSG_TYPE.INIT_REQ, data: INIT }, {
    last: false,
  });
  const res = await conn.receive();
  assert.equal(res.type, MSG_TYPE.INIT_RES);
  assert.deepEqual(res.conv, conv);
  return conn;
}

Deno.test("the server closes a connection that sends an unexpected message type", async () => {
  const log = errorLog();
  const disconnected = deferred<ConnectionInfo>();
  await using server = await listen(LOOPBACK, {
    onError: log.onError,
    onDisconnected: (info) => {
      if (info.clientName === "raw") disconnected.resolve(info);
    },
  });
  await using good = await connect(server.addrs[0], "good");
  await using raw = await rawClient(server.addrs[0]);
  await raw.send({
    type: MSG_TYPE.STATUS_NOTIFY,
    data: new Uint8Array([0x80]),
  });
  await raw.closed;
  await disconnected.promise;
  assert.ok(log.errors[0] instanceof ProtocolError);
  assert.match(String(log.errors[0]), /MsgStatusNotify/);
  assert.deepEqual(await good.query({ kind: "latest" }), {
    events: [],
    moreFollows: false,
  });
});

Deno.test("the server closes a connection whose first message is not an init request", async () => {
  const log = errorLog();
  await using server = await listen(LOOPBACK, { onError: log.onError });
  await using raw = await chatterConnect(server.addrs[0]);
  await raw.send({ type: "HatEventer.MsgQueryReq", data: EMPTY });
  await raw.closed;
  assert.ok(log.errors[0] instanceof ProtocolError);
  assert.deepEqual(server.connInfos(), []);
});

Deno.test("the server closes a connection that sends a malformed request", async (t) => {
  for (
    const [type, data] of [
      ["HatEventer.MsgRegisterReq", new Uint8Array([0x85])],
      [
        "HatEventer.MsgRegisterReq",
        new Uint8Array([0x81, 0x80, 0x80, 0x80, 1]),
      ],
      ["HatEventer.MsgQueryReq", new Uint8Array([0x87])],
    ] as const
  ) {
    await t.step(`${type} ${data}`, async () => {
      const log = errorLog();
      let registered = 0;
      await using server = await listen(LOOPBACK, {
        onError: log.onError,
        onRegister: () => {
          registered++;
          return null;
        },
      });
      await using raw = await rawClient(server.addrs[0]);
      await raw.send({ type, data }, { last: false });
      await raw.closed;
      assert.equal(registered, 0);
      assert.equal(log.errors.length, 1);
      assert.match((log.errors[0] as Error).name, /Sbs|Event/);
    });
  }
});

Deno.test("the server survives bytes that are not chatter", async () => {
  const log = errorLog();
  await using server = await listen(LOOPBACK, { onError: log.onError });
  const tcp = await Deno.connect(server.addrs[0]);
  await tcp.write(new Uint8Array([0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  const buf = new Uint8Array(16);
  assert.equal(await tcp.read(buf), null); // closed by the server
  tcp.close();
  await using client = await connect(server.addrs[0], "after");
  assert.equal(client.isOpen, true);
  assert.ok(log.errors.some((e) => e instanceof ProtocolError));
});

Deno.test("a refused client that stays is closed after closeTimeout", async () => {
  await using server = await listen(LOOPBACK, {
    closeTimeout: 0.05,
    onConnected: () => {
      throw new Error("go away");
    },
  });
  await using raw = await chatterConnect(server.addrs[0]);
  await raw.send({ type: MSG_TYPE.INIT_REQ, data: INIT }, { last: false });
  const res = await raw.receive();
  assert.deepEqual(
    res.data,
    encodeInitRes({ kind: "error", message: "go away" }),
  );
  await raw.closed; // the server closed it
  await assert.rejects(raw.receive(), ConnectionError);
});

/** A chatter server that accepts the init and then runs `then`. */
async function rawServer(
  then: (conn: Awaited<ReturnType<typeof chatterConnect>>) => Promise<void>,
) {
  return await chatterListen(async (conn) => {
    const req = await conn.receive();
    await conn.send({
      type: MSG_TYPE.INIT_RES,
      data: encodeInitRes({ kind: "success", status: "operational" }),
    }, { conv: req.conv });
    await then(conn);
  }, LOOPBACK);
}

Deno.test("the client closes on an unexpected message and rejects its waiting calls", async () => {
  await using server = await rawServer(async (conn) => {
    const query = await conn.receive();
    assert.equal(query.type, "HatEventer.MsgQueryReq");
    await conn.send({ type: "HatEventer.Bogus", data: EMPTY });
  });
  const log = errorLog();
  const client = await connect(server.addrs[0], "c", { onError: log.onError });
  await assert.rejects(client.query({ kind: "latest" }), ConnectionError);
  await client.closed;
  assert.ok(log.errors[0] instanceof ProtocolError);
  assert.match(String(log.errors[0]), /HatEventer\.Bogus/);
});

Deno.test("the client closes on a malformed notification", async () => {
  await using server = await rawServer(async (conn) => {
    await conn.send({
      type: "HatEventer.MsgEventsNotify",
      data: new Uint8Array([0x81, 0x80]),
    });
  });
  const log = errorLog();
  const client = await connect(server.addrs[0], "c", { onError: log.onError });
  await client.closed;
  assert.equal(log.errors.length, 1);
});

Deno.test("connect() rejects an init answer of another type", async () => {
  await using server = await chatterListen(async (conn) => {
    const req = await conn.receive();
    await conn.send({
      type: MSG_TYPE.STATUS_NOTIFY,
      data: new Uint8Array([0x80]),
    }, {
      conv: req.conv,
    });
  }, LOOPBACK);
  await assert.rejects(connect(server.addrs[0], "c"), ProtocolError);
});
