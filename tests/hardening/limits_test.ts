// The eventer server's limits: each one cuts off only the peer that
// exceeds it, is reported, and leaves well-behaved clients working.

import assert from "node:assert/strict";
import { ConnectionError, ProtocolError } from "../../chatter/mod.ts";
import { connect } from "../../client.ts";
import { listen, ServerLimitError } from "../../server.ts";
import type { Event } from "../../event/mod.ts";
import { within } from "../_within.ts";
import {
  deferred,
  event,
  LOOPBACK,
  registerEvent,
} from "../eventer/_helpers.ts";
import {
  closeQuietly,
  initFrame,
  rawConnect,
  readUntilClosed,
  registrar,
  writeAll,
} from "./_peers.ts";

function limitErrors(errors: unknown[], limit: string): ServerLimitError[] {
  return errors.filter((e): e is ServerLimitError =>
    e instanceof ServerLimitError && e.limit === limit
  );
}

Deno.test("invalid limits are refused", async () => {
  for (
    const bad of [
      { maxConnections: 0 },
      { initTimeout: 0 },
      { initTimeout: Infinity },
      { maxRegisterEvents: 1.5 },
      { maxQueryResults: -1 },
      { maxMessageSize: Infinity },
    ]
  ) {
    await assert.rejects(
      listen(LOOPBACK, bad),
      RangeError,
      JSON.stringify(bad),
    );
  }
});

Deno.test("maxConnections: a connection beyond it is closed at once", async () => {
  const errors: unknown[] = [];
  const left = deferred();
  await using server = await listen(LOOPBACK, {
    maxConnections: 3,
    onError: (e) => errors.push(e),
    // Only accepted clients are told of: the first to leave is the one
    // closed below.
    onDisconnected: () => left.resolve(),
  });
  const clients = [];
  for (let i = 0; i < 3; i++) {
    clients.push(await connect(server.addrs[0], `c${i}`));
  }
  // A raw socket beyond the limit: closed without sending anything.
  const extra = await rawConnect(server.addrs[0]);
  assert.equal(await extra.read(new Uint8Array(16)), null);
  closeQuietly(extra);
  await assert.rejects(connect(server.addrs[0], "c3"), ConnectionError);
  assert.equal(limitErrors(errors, "maxConnections").length, 2);
  // The held clients still work.
  for (const c of clients) {
    assert.deepEqual(
      await c.query({ kind: "latest", eventTypes: null }),
      { events: [], moreFollows: false },
    );
  }
  // Once one leaves, a new one gets in: its slot frees when the server has
  // finished with its connection, which onDisconnected tells.
  await clients.pop()!.close();
  await within(left.promise, 30_000, "the server saw the client leave");
  const again = await connect(server.addrs[0], "again");
  await again.close();
  for (const c of clients) await c.close();
});

Deno.test("initTimeout: a silent or half-sent connection is closed", async () => {
  const errors: unknown[] = [];
  await using server = await listen(LOOPBACK, {
    initTimeout: 0.2,
    onError: (e) => errors.push(e),
  });
  const silent = await rawConnect(server.addrs[0]);
  const half = await rawConnect(server.addrs[0]);
  const frame = initFrame("half");
  await writeAll(half, frame.subarray(0, frame.length - 3));
  // A well-behaved client meanwhile connects and works.
  await using good = await connect(server.addrs[0], "good");
  await Promise.all([readUntilClosed(silent), readUntilClosed(half)]);
  closeQuietly(silent);
  closeQuietly(half);
  assert.ok(good.isOpen);
  assert.deepEqual(server.connInfos().map((i) => i.clientName), ["good"]);
  const timeouts = limitErrors(errors, "initTimeout");
  assert.equal(timeouts.length, 2, String(errors));
  assert.match(timeouts[0].message, /no HatEventer.MsgInitReq within 0.2 s/);
});

Deno.test("maxRegisterEvents: failure with a response, closed without one", async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const register = registrar(() => {});
  await using server = await listen(LOOPBACK, {
    maxRegisterEvents: 5,
    onError: (e) => errors.push(e),
    onRegister: (info, events) => {
      calls += 1;
      return register(info, events);
    },
  });
  await using client = await connect(server.addrs[0], "c");
  const five = Array.from({ length: 5 }, () => registerEvent(["a"]));
  const six = Array.from({ length: 6 }, () => registerEvent(["a"]));
  assert.equal(
    (await client.register(five, { withResponse: true }))?.length,
    5,
  );
  assert.equal(await client.register(six, { withResponse: true }), null);
  assert.equal(calls, 1);
  assert.equal(limitErrors(errors, "maxRegisterEvents").length, 1);
  // Still connected and working after the failure.
  assert.equal(
    (await client.register(five, { withResponse: true }))?.length,
    5,
  );
  // Without a response the client could not learn of a failure: closed.
  await client.register(six);
  await client.closed;
  assert.equal(calls, 2);
  assert.equal(limitErrors(errors, "maxRegisterEvents").length, 2);
});

Deno.test("maxQueryResults: longer results are cut with moreFollows", async () => {
  const events: Event[] = Array.from(
    { length: 7 },
    (_, i) => event(["a", String(i)], 1, 1, i + 1),
  );
  await using server = await listen(LOOPBACK, {
    maxQueryResults: 3,
    onQuery: (_info, params) => ({
      // A callback that ignores maxResults and the cap.
      events: params.kind === "server" ? events.slice(0, 2) : events,
      moreFollows: false,
    }),
  });
  await using client = await connect(server.addrs[0], "c");
  const ts = await client.query({ kind: "timeseries" });
  assert.deepEqual(ts.events.map((e) => e.id.instance), [1, 2, 3]);
  assert.equal(ts.moreFollows, true);
  // Within the cap: unchanged.
  assert.deepEqual(await client.query({ kind: "server", serverId: 1 }), {
    events: events.slice(0, 2),
    moreFollows: false,
  });
  // Latest queries are not capped (at most one event per type).
  const latest = await client.query({ kind: "latest", eventTypes: null });
  assert.equal(latest.events.length, 7);
  assert.equal(latest.moreFollows, false);
});

Deno.test("maxMessageSize: a frame announcing 4 GiB is cut off at once", async () => {
  const errors: unknown[] = [];
  await using server = await listen(LOOPBACK, {
    onError: (e) => errors.push(e),
  });
  const peer = await rawConnect(server.addrs[0]);
  // Length field of 4 bytes: 0xFFFFFFFF, then nothing more.
  await writeAll(peer, new Uint8Array([4, 0xff, 0xff, 0xff, 0xff]));
  await readUntilClosed(peer);
  closeQuietly(peer);
  assert.ok(errors.some((e) => e instanceof ProtocolError), String(errors));
});

Deno.test("maxMessageSize: a register request over it closes that client only", async () => {
  const errors: unknown[] = [];
  await using server = await listen(LOOPBACK, {
    maxMessageSize: 4096,
    onError: (e) => errors.push(e),
    onRegister: registrar(() => {}),
  });
  await using big = await connect(server.addrs[0], "big");
  await using small = await connect(server.addrs[0], "small");
  const huge = [registerEvent(["a"], "y".repeat(8000))];
  await assert.rejects(
    big.register(huge, { withResponse: true }),
    ConnectionError,
  );
  assert.equal(
    (await small.register([registerEvent(["a"])], { withResponse: true }))
      ?.length,
    1,
  );
  assert.ok(errors.some((e) => e instanceof ProtocolError), String(errors));
});
