// A real client against a real server on loopback: init, status, notify,
// register and query.

import assert from "node:assert/strict";
import { type Client, connect, EventerInitError } from "../../client.ts";
import { type ConnectionInfo, listen } from "../../server.ts";
import { ConnectionError } from "../../chatter/mod.ts";
import type {
  Event,
  QueryParams,
  QueryResult,
  RegisterEvent,
  Status,
} from "../../event/mod.ts";
import {
  deferred,
  errorLog,
  event,
  LOOPBACK,
  registerCallback,
  registerEvent,
} from "./_helpers.ts";

Deno.test("connect() sends every combination of the init fields", async (t) => {
  const seen: ConnectionInfo[] = [];
  await using server = await listen(LOOPBACK, {
    status: "operational",
    onConnected: (info) => {
      seen.push(info);
    },
  });
  let id = 0;
  for (const clientToken of [null, "token ž"]) {
    for (const subscriptions of [[], [["a", "*"], ["b", "?", "c"], []]]) {
      for (const serverId of [null, 0, 7]) {
        for (const persisted of [false, true]) {
          const name = JSON.stringify({
            clientToken,
            subscriptions,
            serverId,
            persisted,
          });
          await t.step(name, async () => {
            id++;
            await using client = await connect(server.addrs[0], `c${id}`, {
              clientToken,
              subscriptions,
              serverId,
              persisted,
            });
            assert.equal(client.status, "operational");
            const info = seen.at(-1)!;
            assert.equal(info.id, id);
            assert.equal(info.clientName, `c${id}`);
            assert.equal(info.clientToken, clientToken);
            assert.equal(info.serverId, serverId);
            assert.equal(info.persisted, persisted);
            assert.deepEqual(
              info.subscription.queryTypes(),
              subscriptions.length === 0
                ? []
                : [["a", "*"], ["b", "?", "c"], []]
                  .sort(),
            );
            assert.deepEqual(server.connInfos(), [info]);
          });
        }
      }
    }
  }
  assert.equal(seen.length, 24);
});

Deno.test("connect() without options sends the Python defaults", async () => {
  let info: ConnectionInfo | undefined;
  await using server = await listen(LOOPBACK, {
    onConnected: (i) => {
      info = i;
    },
  });
  await using client = await connect(server.addrs[0], "defaults");
  assert.equal(client.status, "standby");
  assert.equal(info?.clientToken, null);
  assert.equal(info?.serverId, null);
  assert.equal(info?.persisted, false);
  assert.deepEqual(info?.subscription.queryTypes(), []);
});

Deno.test("connect() rejects with EventerInitError when refused", async () => {
  const disconnected: ConnectionInfo[] = [];
  await using server = await listen(LOOPBACK, {
    onConnected: async (info) => {
      await Promise.resolve();
      if (info.clientToken !== "secret") {
        throw new Error("invalid client token");
      }
    },
    onDisconnected: (info) => {
      disconnected.push(info);
    },
  });
  await assert.rejects(
    connect(server.addrs[0], "c", { clientToken: "bad" }),
    (e) =>
      e instanceof EventerInitError && e.message === "invalid client token",
  );
  assert.deepEqual(server.connInfos(), []);
  await using ok = await connect(server.addrs[0], "c", {
    clientToken: "secret",
  });
  assert.equal(server.connInfos().length, 1);
  await ok.close();
  await server.close();
  // Only the accepted client was disconnected.
  assert.deepEqual(disconnected.map((i) => i.clientToken), ["secret"]);
});

Deno.test("connect() validates its options", async () => {
  const addr = { hostname: "127.0.0.1", port: 1 };
  await assert.rejects(
    connect(addr, "c", { serverId: 1.5 }),
    TypeError,
  );
  await assert.rejects(
    connect(addr, "c", { subscriptions: [[1 as unknown as string]] }),
    TypeError,
  );
  await assert.rejects(connect(addr, 3 as unknown as string), TypeError);
});

Deno.test("setStatus() notifies every client of each change", async () => {
  await using server = await listen(LOOPBACK);
  const statuses: Status[][] = [[], []];
  const clients: Client[] = [];
  const changed = [deferred(), deferred()];
  for (const i of [0, 1]) {
    clients.push(
      await connect(server.addrs[0], `c${i}`, {
        onStatus: async (client, status) => {
          await Promise.resolve();
          assert.equal(client.status, status);
          statuses[i].push(status);
          if (status === "stopping") changed[i].resolve();
        },
      }),
    );
  }
  await server.setStatus("standby"); // unchanged: nothing sent
  await server.setStatus("starting");
  await server.setStatus("operational");
  await server.setStatus("operational");
  await server.setStatus("stopping");
  await Promise.all(changed.map((d) => d.promise));
  assert.deepEqual(statuses, [
    ["starting", "operational", "stopping"],
    ["starting", "operational", "stopping"],
  ]);
  assert.equal(server.status, "stopping");
  await using late = await connect(server.addrs[0], "late");
  assert.equal(late.status, "stopping");
  await assert.rejects(
    server.setStatus("bogus" as Status),
    TypeError,
  );
  for (const c of clients) await c.close();
});

Deno.test("notifyEvents() filters by persisted flag, subscription and server id", async () => {
  await using server = await listen(LOOPBACK);
  const got = new Map<string, string[]>();
  const open = async (name: string, options: Parameters<typeof connect>[2]) => {
    got.set(name, []);
    return await connect(server.addrs[0], name, {
      ...options,
      onEvents: (_c, events) => {
        for (const e of events) {
          got.get(name)!.push(`${e.type.join("/")}@${e.id.server}`);
        }
      },
    });
  };
  const clients = [
    await open("all", { subscriptions: [["*"]] }),
    await open("a", { subscriptions: [["a", "*"]] }),
    await open("ab", { subscriptions: [["a", "b"]], persisted: true }),
    await open("s2", { subscriptions: [["?", "?"]], serverId: 2 }),
    await open("none", {}),
  ];
  await server.notifyEvents([
    event(["a", "b"], 1),
    event(["a", "c"], 2),
    event(["x"], 2),
  ]);
  await server.notifyEvents([event(["a", "b"], 3)], { persisted: true });
  await server.notifyEvents([event(["a", "x"], 3)], { persisted: true });
  await server.notifyEvents([]);
  // A round trip on each connection: notifications sent before have arrived.
  for (const c of clients) await c.query({ kind: "latest" });
  assert.deepEqual(Object.fromEntries(got), {
    all: ["a/b@1", "a/c@2", "x@2"],
    a: ["a/b@1", "a/c@2"],
    ab: ["a/b@3"],
    s2: ["a/c@2"],
    none: [],
  });
  for (const c of clients) await c.close();
});

Deno.test("notifyEvents() with ack resolves only after the events callback", async () => {
  await using server = await listen(LOOPBACK);
  const log: string[] = [];
  const started = deferred();
  const release = deferred();
  await using client = await connect(server.addrs[0], "slow", {
    subscriptions: [["a"]],
    onEvents: async (_c, events) => {
      log.push(`callback ${events.length}`);
      started.resolve();
      await release.promise;
    },
  });
  await using other = await connect(server.addrs[0], "other");
  const acked = server.notifyEvents([event(["a"]), event(["a"], 1, 1, 2)], {
    withAck: true,
  }).then(() => log.push("resolved"));
  await started.promise;
  // Round trips through the server while the callback still runs.
  for (let i = 0; i < 3; i++) await other.query({ kind: "latest" });
  log.push("release");
  release.resolve();
  await acked;
  assert.deepEqual(log, ["callback 2", "release", "resolved"]);
  assert.equal(client.isOpen, true);
});

Deno.test("notifyEvents() with ack waits for every client, or its disconnect", async () => {
  await using server = await listen(LOOPBACK);
  const release = deferred();
  const started = deferred();
  let fast = 0;
  await using _fast = await connect(server.addrs[0], "fast", {
    subscriptions: [["*"]],
    onEvents: () => {
      fast++;
    },
  });
  const slow = await connect(server.addrs[0], "slow", {
    subscriptions: [["*"]],
    onEvents: async () => {
      started.resolve();
      await release.promise;
    },
  });
  let resolved = false;
  const acked = server.notifyEvents([event(["e"])], { withAck: true })
    .then(() => resolved = true);
  await started.promise;
  await _fast.query({ kind: "latest" });
  assert.equal(fast, 1);
  assert.equal(resolved, false);
  await slow.close(); // never acks: the disconnect ends the wait
  await acked;
  assert.equal(resolved, true);
  release.resolve();
});

Deno.test("notifyEvents() without ack sends last=true and needs no ack", async () => {
  await using server = await listen(LOOPBACK);
  const received: Event[][] = [];
  await using client = await connect(server.addrs[0], "c", {
    subscriptions: [["*"]],
    onEvents: (_c, events) => {
      received.push(events);
    },
  });
  await server.notifyEvents([event(["e"])]);
  await client.query({ kind: "latest" });
  assert.deepEqual(received, [[event(["e"])]]);
});

Deno.test("events() yields batches and acks each when the next is asked for", async () => {
  await using server = await listen(LOOPBACK);
  await using client = await connect(server.addrs[0], "iter", {
    subscriptions: [["*"]],
  });
  {
    await using withCallback = await connect(server.addrs[0], "x", {
      onEvents: () => {},
    });
    assert.throws(() => withCallback.events(), TypeError);
  }
  let acked1 = false;
  const first = server.notifyEvents([event(["one"])], { withAck: true })
    .then(() => acked1 = true);
  const second = server.notifyEvents([event(["two"])], { withAck: true });
  const it = client.events();
  const r1 = await it.next();
  assert.deepEqual(r1.value, [event(["one"])]);
  // Still holding the first batch: not acked.
  await client.query({ kind: "latest" });
  assert.equal(acked1, false);
  const r2 = await it.next(); // done with the first one
  assert.deepEqual(r2.value, [event(["two"])]);
  await first;
  assert.equal(acked1, true);
  await it.return!();
  await second;
  // A new iterator gets the batches that arrive later.
  await server.notifyEvents([event(["three"])]);
  for await (const batch of client) {
    assert.deepEqual(batch, [event(["three"])]);
    break;
  }
});

Deno.test("events() ends after the client is closed", async () => {
  await using server = await listen(LOOPBACK);
  const client = await connect(server.addrs[0], "iter", {
    subscriptions: [["*"]],
  });
  await server.notifyEvents([event(["one"])]);
  await client.query({ kind: "latest" });
  await client.close();
  const batches = [];
  for await (const batch of client.events()) batches.push(batch);
  assert.deepEqual(batches, [[event(["one"])]]);
});

Deno.test("register() without response resolves once sent and gets no answer", async () => {
  const calls: RegisterEvent[][] = [];
  const got = deferred();
  await using server = await listen(LOOPBACK, {
    onRegister: (_info, events) => {
      calls.push(events);
      got.resolve();
      return registerCallback()(_info, events);
    },
  });
  await using client = await connect(server.addrs[0], "c");
  const events = [
    registerEvent(["a", "b"], { x: [1, "ž", null] }),
    {
      type: ["bin"],
      sourceTimestamp: null,
      payload: {
        kind: "binary" as const,
        type: "t",
        data: new Uint8Array([0, 255]),
      },
    },
    {
      type: [],
      sourceTimestamp: { s: -1n << 62n, us: 999_999 },
      payload: null,
    },
  ];
  assert.equal(await client.register(events), undefined);
  await got.promise;
  assert.deepEqual(calls, [[
    events[0],
    events[1],
    {
      type: [],
      sourceTimestamp: { s: -1n << 62n, us: 999_999 },
      payload: null,
    },
  ]]);
  // Nothing came back: the next answer is the query's.
  assert.deepEqual(await client.query({ kind: "latest" }), {
    events: [],
    moreFollows: false,
  });
});

Deno.test("register() with response gives the registered events", async () => {
  await using server = await listen(LOOPBACK, {
    onRegister: registerCallback(5),
  });
  await using client = await connect(server.addrs[0], "c");
  const result = await client.register(
    [registerEvent(["a"], 1), registerEvent(["b"], { v: 2 })],
    { withResponse: true },
  );
  assert.deepEqual(result, [
    {
      id: { server: 5, session: 1, instance: 1 },
      timestamp: { s: 1_800_000_000, us: 1 },
      ...registerEvent(["a"], 1),
    },
    {
      id: { server: 5, session: 1, instance: 2 },
      timestamp: { s: 1_800_000_000, us: 1 },
      ...registerEvent(["b"], { v: 2 }),
    },
  ]);
  const again = await client.register([registerEvent(["c"])], {
    withResponse: true,
  });
  assert.equal(again?.[0].id.session, 2);
});

Deno.test("register() with response gives null on failure", async (t) => {
  const cases: [string, Parameters<typeof listen>[1], number][] = [
    ["no callback", {}, 0],
    ["callback returns null", { onRegister: () => null }, 0],
    ["callback returns nothing", { onRegister: () => {} }, 0],
    [
      "async callback gives null",
      { onRegister: () => Promise.resolve(null) },
      0,
    ],
    ["callback throws", {
      onRegister: () => {
        throw new Error("boom");
      },
    }, 1],
    ["callback rejects", {
      onRegister: () => Promise.reject(new Error("boom")),
    }, 1],
    ["callback returns invalid events", {
      onRegister: () => [{ id: "x" }] as unknown as Event[],
    }, 1],
  ];
  for (const [name, options, errorCount] of cases) {
    await t.step(name, async () => {
      const log = errorLog();
      await using server = await listen(LOOPBACK, {
        ...options,
        onError: log.onError,
      });
      await using client = await connect(server.addrs[0], "c");
      const result = await client.register([registerEvent(["a"])], {
        withResponse: true,
      });
      assert.equal(result, null);
      // The connection survives.
      assert.deepEqual(
        await client.register([registerEvent(["a"])], { withResponse: true }),
        null,
      );
      assert.equal(log.errors.length, errorCount * 2);
    });
  }
});

Deno.test("register() rejects invalid events before sending", async () => {
  await using server = await listen(LOOPBACK, {
    onRegister: registerCallback(),
  });
  await using client = await connect(server.addrs[0], "c");
  await assert.rejects(
    client.register([{ type: "a" } as unknown as RegisterEvent]),
    TypeError,
  );
  await assert.rejects(
    client.register([{
      type: ["a"],
      sourceTimestamp: { s: 0, us: 1_000_000 },
      payload: null,
    }]),
    RangeError,
  );
  await assert.rejects(
    client.register([{
      type: ["a"],
      sourceTimestamp: null,
      payload: { kind: "json", data: 1n as unknown as null },
    }]),
    TypeError,
  );
  assert.equal(client.isOpen, true);
  assert.equal(
    (await client.register([registerEvent(["ok"])], { withResponse: true }))
      ?.length,
    1,
  );
});

Deno.test("query() passes each kind of params and gives the result", async (t) => {
  const seen: QueryParams[] = [];
  const result: QueryResult = {
    events: [event(["a"]), event(["b"], 2, 3, 4)],
    moreFollows: true,
  };
  await using server = await listen(LOOPBACK, {
    onQuery: async (_info, params) => {
      await Promise.resolve();
      seen.push(params);
      return result;
    },
  });
  await using client = await connect(server.addrs[0], "c");
  const cases: [QueryParams, QueryParams][] = [
    [{ kind: "latest" }, { kind: "latest", eventTypes: null }],
    [{ kind: "latest", eventTypes: [["a", "*"]] }, {
      kind: "latest",
      eventTypes: [["a", "*"]],
    }],
    [{ kind: "timeseries" }, {
      kind: "timeseries",
      eventTypes: null,
      tFrom: null,
      tTo: null,
      sourceTFrom: null,
      sourceTTo: null,
      order: "descending",
      orderBy: "timestamp",
      maxResults: null,
      lastEventId: null,
    }],
    [{
      kind: "timeseries",
      eventTypes: [["x"]],
      tFrom: { s: 1, us: 2 },
      tTo: { s: 3, us: 4 },
      sourceTFrom: { s: 5, us: 6 },
      sourceTTo: { s: 7, us: 8 },
      order: "ascending",
      orderBy: "sourceTimestamp",
      maxResults: 10,
      lastEventId: { server: 1, session: 2, instance: 3 },
    }, {
      kind: "timeseries",
      eventTypes: [["x"]],
      tFrom: { s: 1, us: 2 },
      tTo: { s: 3, us: 4 },
      sourceTFrom: { s: 5, us: 6 },
      sourceTTo: { s: 7, us: 8 },
      order: "ascending",
      orderBy: "sourceTimestamp",
      maxResults: 10,
      lastEventId: { server: 1, session: 2, instance: 3 },
    }],
    [{ kind: "server", serverId: 3 }, {
      kind: "server",
      serverId: 3,
      persisted: false,
      maxResults: null,
      lastEventId: null,
    }],
    [{
      kind: "server",
      serverId: 3,
      persisted: true,
      maxResults: 1,
      lastEventId: { server: 3, session: 1, instance: 1 },
    }, {
      kind: "server",
      serverId: 3,
      persisted: true,
      maxResults: 1,
      lastEventId: { server: 3, session: 1, instance: 1 },
    }],
  ];
  for (const [params, expected] of cases) {
    await t.step(JSON.stringify(params), async () => {
      assert.deepEqual(await client.query(params), result);
      assert.deepEqual(seen.at(-1), expected);
    });
  }
});

Deno.test("query() gets an empty result when the server has no callback", async () => {
  await using server = await listen(LOOPBACK);
  await using client = await connect(server.addrs[0], "c");
  assert.deepEqual(await client.query({ kind: "server", serverId: 1 }), {
    events: [],
    moreFollows: false,
  });
});

Deno.test("a throwing query callback closes only its connection", async () => {
  const log = errorLog();
  const disconnected = deferred<ConnectionInfo>();
  await using server = await listen(LOOPBACK, {
    onQuery: (info) => {
      if (info.clientName === "bad") throw new Error("query failed");
      return { events: [], moreFollows: false };
    },
    onDisconnected: (info) => disconnected.resolve(info),
    onError: log.onError,
  });
  await using good = await connect(server.addrs[0], "good");
  await using bad = await connect(server.addrs[0], "bad");
  await assert.rejects(bad.query({ kind: "latest" }), ConnectionError);
  await bad.closed;
  assert.equal(bad.isOpen, false);
  assert.equal((await disconnected.promise).clientName, "bad");
  assert.match(String(log.errors[0]), /query failed/);
  assert.deepEqual(await good.query({ kind: "latest" }), {
    events: [],
    moreFollows: false,
  });
  assert.deepEqual(server.connInfos().map((i) => i.clientName), ["good"]);
});

Deno.test("closing the server rejects a client's waiting calls", async () => {
  const registering = deferred();
  const never = deferred<Event[]>();
  const server = await listen(LOOPBACK, {
    onRegister: () => {
      registering.resolve();
      return never.promise;
    },
  });
  const client = await connect(server.addrs[0], "c");
  const pending = client.register([registerEvent(["a"])], {
    withResponse: true,
  });
  const query = client.query({ kind: "latest" }); // queued behind the register
  await registering.promise;
  await server.close();
  await assert.rejects(pending, ConnectionError);
  await assert.rejects(query, ConnectionError);
  await client.closed;
  assert.equal(client.isOpen, false);
  await assert.rejects(client.query({ kind: "latest" }), ConnectionError);
  await assert.rejects(
    client.register([registerEvent(["a"])], { withResponse: true }),
    ConnectionError,
  );
  never.resolve([]);
});

Deno.test("closing the client rejects its waiting calls", async () => {
  const querying = deferred();
  const never = deferred<QueryResult>();
  await using server = await listen(LOOPBACK, {
    onQuery: () => {
      querying.resolve();
      return never.promise;
    },
  });
  const client = await connect(server.addrs[0], "c");
  const query = client.query({ kind: "latest" });
  await querying.promise;
  await client.close();
  await assert.rejects(query, ConnectionError);
  never.resolve({ events: [], moreFollows: false });
});

Deno.test("a registering client gets its events notified before the response", async () => {
  const register = registerCallback();
  const server = await listen(LOOPBACK, {
    onRegister: async (info, registerEvents) => {
      await Promise.resolve();
      const events = register(info, registerEvents);
      server.notifyEvents(events);
      return events;
    },
  });
  const log: string[] = [];
  await using client = await connect(server.addrs[0], "c", {
    subscriptions: [["*"]],
    onEvents: (_c, events) => {
      log.push(`notified ${events[0].id.session}`);
    },
  });
  for (let i = 1; i <= 3; i++) {
    const events = await client.register([registerEvent(["a"])], {
      withResponse: true,
    });
    log.push(`response ${events![0].id.session}`);
  }
  assert.deepEqual(log, [
    "notified 1",
    "response 1",
    "notified 2",
    "response 2",
    "notified 3",
    "response 3",
  ]);
  await server.close();
});

Deno.test("an ack is read while a register callback of the same connection waits for it", async () => {
  // The Python server deadlocks here: it reads nothing of a connection while
  // that connection's register callback runs.
  const register = registerCallback();
  const server = await listen(LOOPBACK, {
    onRegister: async (info, registerEvents) => {
      const events = register(info, registerEvents);
      await server.notifyEvents(events, { withAck: true });
      return events;
    },
  });
  const notified: Event[] = [];
  await using client = await connect(server.addrs[0], "c", {
    subscriptions: [["*"]],
    onEvents: (_c, events) => {
      notified.push(...events);
    },
  });
  const result = await client.register([registerEvent(["a"], 1)], {
    withResponse: true,
  });
  assert.deepEqual(result, notified);
  assert.equal(notified.length, 1);
  await server.close();
});

Deno.test("a throwing events callback closes the client and is reported", async () => {
  await using server = await listen(LOOPBACK);
  const log = errorLog();
  const client = await connect(server.addrs[0], "c", {
    subscriptions: [["*"]],
    onEvents: () => {
      throw new Error("callback failed");
    },
    onError: log.onError,
  });
  await server.notifyEvents([event(["a"])]);
  await client.closed;
  assert.match(String(log.errors[0]), /callback failed/);
});

Deno.test("server close calls onDisconnected for every client", async () => {
  const disconnected: string[] = [];
  const server = await listen(LOOPBACK, {
    onDisconnected: (info) => {
      disconnected.push(info.clientName);
    },
  });
  const a = await connect(server.addrs[0], "a");
  const b = await connect(server.addrs[0], "b");
  await server.close();
  await server.closed;
  await a.closed;
  await b.closed;
  assert.deepEqual(disconnected.sort(), ["a", "b"]);
  assert.deepEqual(server.connInfos(), []);
});
