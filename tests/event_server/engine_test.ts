import assert from "node:assert/strict";
import { connect, EventerInitError } from "../../client.ts";
import type { Event, Status } from "../../event/mod.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite/sqlite.ts";
import { collector, reg, start } from "./_engine.ts";

Deno.test("engine: a register request is one session with instances 1..n and one timestamp", async () => {
  await using engine = await start();
  await using client = await connect(engine.addrs[0], "c");
  const first = await client.register([reg(["a"]), reg(["b"]), reg(["c"])], {
    withResponse: true,
  });
  const second = await client.register([reg(["d"])], { withResponse: true });
  assert.ok(first !== null && second !== null);
  const session = first[0].id.session;
  assert.deepEqual(
    first.map((e) => e.id),
    [1, 2, 3].map((instance) => ({
      server: 1,
      session,
      instance,
    })),
  );
  for (const e of first) assert.deepEqual(e.timestamp, first[0].timestamp);
  assert.deepEqual(second[0].id, {
    server: 1,
    session: session + 1,
    instance: 1,
  });
  assert.deepEqual(await client.register([], { withResponse: true }), []);
  const third = await client.register([reg(["e"])], { withResponse: true });
  assert.equal(third![0].id.session, session + 2);
});

Deno.test("engine: registers STARTED, CONNECTED and DISCONNECTED events", async () => {
  await using engine = await start(new MemoryStorage(), { serverId: 7 });
  const other: Event[] = [];
  let done!: () => void;
  const both = new Promise<void>((r) => done = r);
  await using watcher = await connect(engine.addrs[0], "watcher", {
    subscriptions: [["event", "7", "eventer", "other"]],
    onEvents: (_c, events) => {
      other.push(...events);
      if (other.length === 2) done();
    },
  });
  await (await connect(engine.addrs[0], "other")).close();
  await both;
  assert.deepEqual(other.map((e) => [e.type, e.payload]), [
    [["event", "7", "eventer", "other"], { kind: "json", data: "CONNECTED" }],
    [["event", "7", "eventer", "other"], {
      kind: "json",
      data: "DISCONNECTED",
    }],
  ]);
  const latest = await watcher.query({
    kind: "latest",
    eventTypes: [["event", "7", "engine"], [
      "event",
      "7",
      "eventer",
      "watcher",
    ]],
  });
  assert.deepEqual(latest.events.map((e) => e.payload), [
    { kind: "json", data: "STARTED" },
    { kind: "json", data: "CONNECTED" },
  ]);
  assert.equal(latest.events[0].id.session, 1);
});

Deno.test("engine: refuses a client token that differs from the server's", async () => {
  await using engine = await start(new MemoryStorage(), {
    serverToken: "secret",
  });
  await (await connect(engine.addrs[0], "ok", { clientToken: "secret" }))
    .close();
  await (await connect(engine.addrs[0], "no token")).close();
  await assert.rejects(
    () => connect(engine.addrs[0], "bad", { clientToken: "guess" }),
    (e: unknown) =>
      e instanceof EventerInitError && e.message === "invalid client token",
  );
  await using open = await start();
  await assert.rejects(
    () => connect(open.addrs[0], "any", { clientToken: "x" }),
    /invalid client token/,
  );
});

Deno.test("engine: new-event subscribers are told before the register answer", async () => {
  await using engine = await start();
  const order: string[] = [];
  await using _sub = await connect(engine.addrs[0], "sub", {
    subscriptions: [["x", "*"]],
    onEvents: () => void order.push("notified"),
  });
  await using client = await connect(engine.addrs[0], "c", {
    subscriptions: [["x", "*"]],
    onEvents: () => void order.push("own notified"),
  });
  await client.register([reg(["x", "1"])], { withResponse: true });
  order.push("answered");
  assert.deepEqual(order.slice(-2), ["own notified", "answered"]);
});

Deno.test("engine: persisted subscribers are told only after the commit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const storage = new SqliteStorage(`${dir}/events.db`, {
      flushPeriod: 60_000,
      synchronous: "normal",
    });
    await using engine = await start(storage);
    const fresh = collector(1);
    const persisted = collector(1);
    await using _a = await connect(engine.addrs[0], "fresh", {
      subscriptions: [["p"]],
      onEvents: fresh.onEvents,
    });
    await using _b = await connect(engine.addrs[0], "persisted", {
      subscriptions: [["p"]],
      persisted: true,
      onEvents: persisted.onEvents,
    });
    await using client = await connect(engine.addrs[0], "c");
    const registered = await client.register([reg(["p"], "v")], {
      withResponse: true,
    });
    await fresh.all;
    // a round trip later the persisted subscriber still has nothing
    await client.query({ kind: "latest", eventTypes: [] });
    assert.deepEqual(persisted.events, []);
    await storage.flush();
    await persisted.all;
    assert.deepEqual(persisted.events, registered);
    assert.deepEqual(fresh.events, registered);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("engine: a persisted subscriber that comes before the commit is told of what it commits", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const storage = new SqliteStorage(`${dir}/events.db`, {
      flushPeriod: 60_000,
      synchronous: "normal",
    });
    await using engine = await start(storage);
    await using client = await connect(engine.addrs[0], "c");
    const registered = await client.register(
      [reg(["p"], "v"), reg(["q"], "w"), reg(["p"], "x")],
      { withResponse: true },
    );
    // Connected after the registration, before its commit.
    const persisted = collector(2);
    await using _b = await connect(engine.addrs[0], "persisted", {
      subscriptions: [["p"]],
      persisted: true,
      onEvents: persisted.onEvents,
    });
    await storage.flush();
    await persisted.all;
    assert.deepEqual(persisted.events, [registered![0], registered![2]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("engine: session ids continue after a restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/events.db`;
    let last: Event;
    {
      await using engine = await start(new SqliteStorage(path));
      await using client = await connect(engine.addrs[0], "c");
      const events = await client.register([reg(["a"]), reg(["a"])], {
        withResponse: true,
      });
      last = events![1];
    }
    await using engine = await start(new SqliteStorage(path));
    await using client = await connect(engine.addrs[0], "c");
    const events = await client.register([reg(["a"])], { withResponse: true });
    // sessions in between: DISCONNECTED, STOPPED, STARTED, CONNECTED
    assert.ok(events![0].id.session > last.id.session);
    const all = await client.query({ kind: "server", serverId: 1 });
    const sessions = all.events.map((e) => e.id.session);
    assert.deepEqual(sessions, [...sessions].sort((a, b) => a - b));
    assert.equal(
      new Set(all.events.map((e) => `${e.id.session}/${e.id.instance}`)).size,
      sessions.length,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("engine: takes registrations only while operational and announces its status", async () => {
  await using engine = await start();
  const statuses: Status[] = [];
  let changed!: () => void;
  let seen = new Promise<void>((r) => changed = r);
  await using client = await connect(engine.addrs[0], "c", {
    onStatus: (_c, s) => {
      statuses.push(s);
      changed();
    },
  });
  assert.equal(client.status, "operational");
  await engine.setStatus("standby");
  await seen;
  assert.equal(
    await client.register([reg(["a"])], { withResponse: true }),
    null,
  );
  const q = await client.query({
    kind: "latest",
    eventTypes: [["event", "*"]],
  });
  assert.ok(q.events.length > 0);
  seen = new Promise<void>((r) => changed = r);
  await engine.setStatus("operational");
  await seen;
  const ok = await client.register([reg(["a"])], { withResponse: true });
  assert.equal(ok?.length, 1);
  assert.deepEqual(statuses, ["standby", "operational"]);
  const engineEvents = await client.query({
    kind: "timeseries",
    eventTypes: [["event", "1", "engine"]],
    order: "ascending",
  });
  assert.deepEqual(
    engineEvents.events.map((e) =>
      e.payload?.kind === "json" && e.payload.data
    ),
    [
      "STARTED",
      "STOPPED",
      "STARTED",
    ],
  );
});
