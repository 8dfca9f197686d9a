// A persisted subscriber made with `reconnect`: after a reconnect it asks
// for what it missed and sees each server's events once, in order. Against
// the Event Server's engine (in this process), and against a server whose
// answers the test holds back to order notifications around them.

import assert from "node:assert/strict";
import { type Client, connect, type ReconnectInfo } from "../../client.ts";
import type { Event, QueryParams, QueryResult } from "../../event/mod.ts";
import { startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { listen } from "../../server.ts";
import { within } from "../_within.ts";
import { deferred, LOOPBACK, registerEvent } from "./_helpers.ts";
import { Proxy } from "./_proxy.ts";
import { collect, ids, Store } from "./_reconnect.ts";

const FAST = { delay: 0.01, maxDelay: 0.05 };

function reconnected() {
  let next = deferred<ReconnectInfo>();
  return {
    onReconnect: (_c: Client, info: ReconnectInfo) => next.resolve(info),
    next(): Promise<ReconnectInfo> {
      next = deferred<ReconnectInfo>();
      return within(next.promise, 20_000, "a reconnect");
    },
  };
}

/** Every event of `serverId` stored by a client's server, in id order. */
async function stored(client: Client, serverId: number): Promise<Event[]> {
  const out: Event[] = [];
  let last = null;
  for (;;) {
    const page: QueryResult = await client.query({
      kind: "server",
      serverId,
      persisted: true,
      lastEventId: last,
    });
    out.push(...page.events);
    if (!page.moreFollows || page.events.length === 0) return out;
    last = page.events[page.events.length - 1].id;
  }
}

function register(client: Client, type: string[], n: number) {
  return client.register(
    Array.from({ length: n }, (_, i) => registerEvent(type, i)),
    { withResponse: true },
  );
}

Deno.test("a persisted subscriber catches up, in pages, on what was registered while it was away", async () => {
  await using engine = await startEngine(LOOPBACK, {
    storage: new MemoryStorage(),
    maxQueryResults: 3, // the catch-up pages with moreFollows
  });
  await using proxy = new Proxy(engine.addrs[0]);
  const r = reconnected();
  await using subscriber = await connect(proxy.addr, "sub", {
    subscriptions: [["data", "*"]],
    persisted: true,
    reconnect: FAST,
    onReconnect: r.onReconnect,
  });
  const got = collect(subscriber);
  await using writer = await connect(engine.addrs[0], "writer");

  await register(writer, ["data", "before"], 2);
  await got.until(2);
  proxy.refuse();
  // registered while the subscriber cannot connect: only a query finds them
  for (let i = 0; i < 4; i++) await register(writer, ["data", "away"], 2);
  await register(writer, ["other"], 3); // not subscribed to
  const back = r.next();
  proxy.forward();
  await back;
  await register(writer, ["data", "after"], 2);
  await got.until(12);

  const expected = (await stored(writer, 1)).filter((e) =>
    e.type[0] === "data"
  );
  assert.equal(expected.length, 12);
  assert.deepEqual(ids(got.events), ids(expected));
  assert.deepEqual(got.events, expected);
});

/** A server whose first catch-up query the test answers when it wants. */
async function heldServer(store: Store) {
  let hold: ReturnType<typeof deferred<void>> | null = null;
  const queried = deferred();
  const server = await listen(LOOPBACK, {
    onQuery: async (_info, params: QueryParams) => {
      if (params.kind === "server" && hold === null) {
        hold = deferred();
        const answer = store.answer(params); // what is stored now
        queried.resolve();
        await hold.promise;
        return answer;
      }
      return store.answer(params);
    },
  });
  return {
    server,
    queried: () => within(queried.promise, 20_000, "the catch-up query"),
    release: () => hold!.resolve(),
  };
}

Deno.test("notifications that arrive during the catch-up follow its events, without repeats", async () => {
  const store = new Store();
  const held = await heldServer(store);
  await using server = held.server;
  await using proxy = new Proxy(server.addrs[0]);
  await using subscriber = await connect(proxy.addr, "sub", {
    subscriptions: [["a"]],
    persisted: true,
    reconnect: FAST,
  });
  const got = collect(subscriber);
  const e1 = store.add(1, 1, ["a"]);
  const e2 = store.add(1, 2, ["a"]);
  await server.notifyEvents([e1, e2], { persisted: true });
  await got.until(2);

  proxy.refuse();
  store.add(1, 3, ["a"]);
  const e4 = store.add(1, 4, ["a"]);
  proxy.forward();
  await held.queried(); // answer: 3, 4
  // stored after the answer was made, notified before it is sent
  const e5 = store.add(1, 5, ["a"]);
  await server.notifyEvents([e4, e5], { persisted: true });
  await server.notifyEvents([e5], { persisted: true });
  held.release();
  await got.until(5);
  const e6 = store.add(1, 6, ["a"]);
  await server.notifyEvents([e6], { persisted: true });
  await got.until(6);
  assert.deepEqual(ids(got.events), [
    "1:1/1",
    "1:2/1",
    "1:3/1",
    "1:4/1",
    "1:5/1",
    "1:6/1",
  ]);
  // the catch-up asked from the last event delivered
  assert.deepEqual(store.queries[0], {
    kind: "server",
    serverId: 1,
    persisted: true,
    lastEventId: e2.id,
    maxResults: 1000,
  });
});

Deno.test("a catch-up whose buffered notifications overflow asks its queries again", async () => {
  const store = new Store();
  const held = await heldServer(store);
  await using server = held.server;
  await using proxy = new Proxy(server.addrs[0]);
  await using subscriber = await connect(proxy.addr, "sub", {
    subscriptions: [["a"]],
    persisted: true,
    reconnect: FAST,
    eventsQueueSize: 2, // also the most batches buffered
  });
  const got = collect(subscriber);
  await server.notifyEvents([store.add(1, 1, ["a"])], { persisted: true });
  await got.until(1);

  proxy.refuse();
  store.add(1, 2, ["a"]);
  proxy.forward();
  await held.queried(); // answer: 2
  for (let s = 3; s <= 7; s++) {
    await server.notifyEvents([store.add(1, s, ["a"])], { persisted: true });
  }
  held.release();
  await got.until(7);
  assert.deepEqual(
    ids(got.events),
    [1, 2, 3, 4, 5, 6, 7].map((s) => `1:${s}/1`),
  );
  const serverQueries = store.queries.filter((q) => q.kind === "server");
  assert.deepEqual(
    serverQueries.map((q) => q.kind === "server" && q.lastEventId?.session),
    [1, 2], // the held answer, then again after the overflow
  );
});

Deno.test("the catch-up asks each server id from its own last event, and passes over what is not subscribed", async () => {
  const store = new Store();
  await using server = await listen(LOOPBACK, {
    onQuery: (_info, params) => store.answer(params),
  });
  await using proxy = new Proxy(server.addrs[0]);
  const r = reconnected();
  await using subscriber = await connect(proxy.addr, "sub", {
    subscriptions: [["a", "*"]],
    persisted: true,
    reconnect: FAST,
    onReconnect: r.onReconnect,
  });
  const got = collect(subscriber);
  await server.notifyEvents(
    [store.add(1, 1, ["a", "x"]), store.add(2, 7, ["a", "y"])],
    { persisted: true },
  );
  await got.until(2);
  proxy.refuse();
  store.add(2, 8, ["b"]);
  store.add(1, 2, ["a", "x"]);
  store.add(2, 9, ["a", "y"]);
  store.add(1, 3, ["b"]);
  const back = r.next();
  proxy.forward();
  await back;
  await got.until(4);
  const byServer = (s: number) => got.events.filter((e) => e.id.server === s);
  assert.deepEqual(ids(byServer(1)), ["1:1/1", "1:2/1"]);
  assert.deepEqual(ids(byServer(2)), ["2:7/1", "2:9/1"]);
  const asked = store.queries.filter((q) => q.kind === "server").map((q) =>
    q.kind === "server" && `${q.serverId} after ${q.lastEventId?.session}`
  );
  assert.deepEqual(asked, ["1 after 1", "2 after 7"]);
  // passed over: the next catch-up starts after the unsubscribed events
  store.queries = [];
  const again = r.next();
  proxy.cut();
  await again;
  // delivered after the catch-up (or by it): its queries were asked
  await server.notifyEvents(
    [store.add(1, 4, ["a", "x"]), store.add(2, 10, ["a", "y"])],
    { persisted: true },
  );
  await got.until(6);
  const askedAgain = store.queries.filter((q) => q.kind === "server").map((
    q,
  ) => q.kind === "server" && `${q.serverId} after ${q.lastEventId?.session}`);
  assert.deepEqual(askedAgain, ["1 after 3", "2 after 9"]);
});

Deno.test("a subscriber that fails over to another server gets that server's events registered before it got there", async () => {
  await using a = await startEngine(LOOPBACK, {
    storage: new MemoryStorage(),
    serverId: 1,
  });
  await using b = await startEngine(LOOPBACK, {
    storage: new MemoryStorage(),
    serverId: 2,
  });
  await using pa = new Proxy(a.addrs[0]);
  await using pb = new Proxy(b.addrs[0]);
  const r = reconnected();
  await using subscriber = await connect([pa.addr, pb.addr], "sub", {
    subscriptions: [["data", "*"]],
    persisted: true,
    reconnect: FAST,
    onReconnect: r.onReconnect,
  });
  const got = collect(subscriber);
  await using writerA = await connect(a.addrs[0], "writer");
  await using writerB = await connect(b.addrs[0], "writer");
  await register(writerA, ["data", "a"], 3);
  await got.until(3);

  pa.refuse();
  pb.refuse();
  await register(writerB, ["data", "b"], 2); // before the subscriber is there
  const back = r.next();
  pb.forward();
  const info = await back;
  assert.deepEqual(info.address, pb.addr);
  await register(writerB, ["data", "b"], 2);
  await got.until(7);
  const fromB = (await stored(writerB, 2)).filter((e) => e.type[0] === "data");
  assert.deepEqual(
    ids(got.events),
    ids([
      ...(await stored(writerA, 1)).filter((e) => e.type[0] === "data"),
      ...fromB,
    ]),
  );
});

Deno.test("a server that counts its ids from the start again is noticed by its timestamps", async () => {
  const store = new Store();
  await using server = await listen(LOOPBACK, {
    onQuery: (_info, params) => store.answer(params),
  });
  await using proxy = new Proxy(server.addrs[0]);
  const r = reconnected();
  await using subscriber = await connect(proxy.addr, "sub", {
    subscriptions: [["a"]],
    persisted: true,
    reconnect: FAST,
    onReconnect: r.onReconnect,
  });
  const got = collect(subscriber);
  const old = [1, 2, 3].map((s) => store.add(1, s, ["a"], 100 + s));
  await server.notifyEvents(old, { persisted: true });
  await got.until(3);
  // the server lost its store: ids start over, timestamps go on
  store.events = [];
  const back = r.next();
  proxy.cut();
  await back;
  const fresh = store.add(1, 1, ["a"], 200);
  await server.notifyEvents([old[1], fresh], { persisted: true }); // a repeat, a new one
  await got.until(4);
  await server.notifyEvents([store.add(1, 2, ["a"], 201)], { persisted: true });
  await got.until(5);
  assert.deepEqual(
    got.events.map((e) => `${e.id.session}@${e.timestamp.s}`),
    ["1@101", "2@102", "3@103", "1@200", "2@201"],
  );
});

Deno.test("a subscriber without persisted does not catch up", async () => {
  const store = new Store();
  await using server = await listen(LOOPBACK, {
    onQuery: (_info, params) => store.answer(params),
  });
  await using proxy = new Proxy(server.addrs[0]);
  const r = reconnected();
  await using subscriber = await connect(proxy.addr, "sub", {
    subscriptions: [["a"]],
    reconnect: FAST,
    onReconnect: r.onReconnect,
  });
  const got = collect(subscriber);
  await server.notifyEvents([store.add(1, 1, ["a"])]);
  await got.until(1);
  store.add(1, 2, ["a"]);
  const back = r.next();
  proxy.cut();
  await back;
  await server.notifyEvents([store.add(1, 3, ["a"])]);
  await got.until(2);
  assert.deepEqual(ids(got.events), ["1:1/1", "1:3/1"]);
  assert.deepEqual(store.queries, []);
});

Deno.test("an onEvents callback is caught up too", async () => {
  await using engine = await startEngine(LOOPBACK, {
    storage: new MemoryStorage(),
  });
  await using proxy = new Proxy(engine.addrs[0]);
  const got: Event[] = [];
  let enough = deferred();
  let wanted = 2;
  await using _subscriber = await connect(proxy.addr, "sub", {
    subscriptions: [["data"]],
    persisted: true,
    reconnect: FAST,
    onEvents: async (_c, events) => {
      await Promise.resolve(); // an async callback holds the next batch back
      got.push(...events);
      if (got.length >= wanted) enough.resolve();
    },
  });
  await using writer = await connect(engine.addrs[0], "writer");
  await register(writer, ["data"], 2);
  await within(enough.promise, 20_000, "2 events");
  proxy.refuse();
  await register(writer, ["data"], 3);
  enough = deferred();
  wanted = 5;
  proxy.forward();
  await within(enough.promise, 20_000, "5 events");
  const expected = (await stored(writer, 1)).filter((e) =>
    e.type[0] === "data"
  );
  assert.deepEqual(ids(got), ids(expected));
});
