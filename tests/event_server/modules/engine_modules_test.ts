// The engine's module semantics, as the reference engine (hat-event 0.9.42
// `hat.event.server.engine`) has them: one session per request with one
// timestamp, the modules' events in the same session with the next
// instances, rounds until nothing is added, modules in configuration
// order, the response with the request's events only, and the session
// hooks around every session.

import assert from "node:assert/strict";
import { connect } from "../../../client.ts";
import type { Event, RegisterEvent } from "../../../event/mod.ts";
import type {
  ModuleEngine,
  ModuleInfo,
  Source,
} from "../../../event_server/modules/internal_mod.ts";
import { dataOf, reg, startWith, subscriber } from "./_modules.ts";
import { info as refModule } from "./_ref_module.ts";

const line = (e: Event) => [e.id.instance, e.type.join("/"), dataOf(e)];

function sessionOf(events: readonly Event[], session: number): Event[] {
  return events.filter((e) => e.id.session === session);
}

/** A module that answers each event of `types` with `prefix/<type>`. */
function echo(prefix: string, types: string[][]): ModuleInfo {
  return {
    create: () => ({
      subscription: types,
      process: (
        _source: Source,
        event: Event,
      ) => [reg([prefix, ...event.type])],
    }),
  };
}

Deno.test("modules: a request and what modules derive from it are one session with one timestamp, in the reference's instance order", async () => {
  await using s = await startWith([refModule as ModuleInfo]);
  await using sub = await subscriber(s.engine, [["mod", "*"]]);
  await using client = await connect(s.engine.addrs[0], "c");
  const response = await client.register([
    reg(["mod", "in", "x"], { v: 1 }),
    reg(["mod", "in", "chain"], { v: 2 }),
  ], { withResponse: true });
  assert.ok(response !== null);
  const session = response[0].id.session;
  // The response holds the request's events only.
  assert.deepEqual(response.map(line), [
    [1, "mod/in/x", { v: 1 }],
    [2, "mod/in/chain", { v: 2 }],
  ]);
  const stored = sessionOf(
    s.engine.query({ kind: "server", serverId: 1 }).events,
    session,
  );
  assert.deepEqual(stored.map(line), [
    [1, "mod/in/x", { v: 1 }],
    [2, "mod/in/chain", { v: 2 }],
    [3, "mod/out/x", { in: { v: 1 }, session, count: 1 }],
    [4, "mod/out/chain", { in: { v: 2 }, session, count: 2 }],
    [5, "mod/in/chained", { chained_from: [1, session, 2] }],
    [6, "mod/out/chained", {
      in: { chained_from: [1, session, 2] },
      session,
      count: 3,
    }],
  ]);
  assert.equal(new Set(stored.map((e) => JSON.stringify(e.timestamp))).size, 1);
  // Subscribers get all of them, in one notification.
  await sub.until(6);
  assert.deepEqual(sub.messages.map((m) => m.map(line)), [stored.map(line)]);
});

Deno.test("modules: each round runs the modules in configuration order over the round's events, until a round adds nothing", async () => {
  const seenByB: [string, string][] = [];
  const b: ModuleInfo = {
    create: () => ({
      subscription: [["in", "*"], ["a", "*"]],
      process: (source, event) => {
        seenByB.push([`${source.type}:${source.id}`, event.type.join("/")]);
        return [reg(["b", ...event.type])];
      },
    }),
  };
  await using s = await startWith([echo("a", [["in", "*"]]), b]);
  const response = await s.engine.register([
    reg(["in", "1"]),
    reg(["in", "2"]),
  ]);
  const session = response![0].id.session;
  const stored = sessionOf(
    s.engine.query({ kind: "server", serverId: 1 }).events,
    session,
  );
  assert.deepEqual(stored.map((e) => e.type.join("/")), [
    "in/1",
    "in/2",
    "a/in/1", // round 1: module 0 over both events
    "a/in/2",
    "b/in/1", // then module 1 over both
    "b/in/2",
    "b/a/in/1", // round 2: module 0's events, which module 1 matches
    "b/a/in/2",
  ]);
  assert.deepEqual(stored.map((e) => e.id.instance), [1, 2, 3, 4, 5, 6, 7, 8]);
  // What module 0 added comes from module 0's source.
  assert.deepEqual(seenByB, [
    ["server:0", "in/1"],
    ["server:0", "in/2"],
    ["module:0", "a/in/1"],
    ["module:0", "a/in/2"],
  ]);
});

Deno.test("modules: see the sources eventer (connection id), engine, server and module", async () => {
  const seen: [Source, string][] = [];
  let engineOfModule!: ModuleEngine;
  let sourceOfModule!: Source;
  const watch: ModuleInfo = {
    create: (_conf, engine, source) => {
      engineOfModule = engine;
      sourceOfModule = source;
      return {
        subscription: [["*"]],
        process: (source, event) => {
          seen.push([source, event.type.join("/")]);
        },
      };
    },
  };
  await using s = await startWith([echo("x", [["nothing"]]), watch]);
  assert.deepEqual(sourceOfModule, { type: "module", id: 1 });
  await using client = await connect(s.engine.addrs[0], "c");
  await client.register([reg(["by", "client"])], { withResponse: true });
  await s.engine.register([reg(["by", "api"])]);
  await engineOfModule.register(sourceOfModule, [reg(["by", "module"])]);
  const [info] = s.engine.server.connInfos();
  assert.deepEqual(seen, [
    [{ type: "engine", id: 0 }, "event/1/engine"], // STARTED
    [{ type: "eventer", id: info.id }, "event/1/eventer/c"], // CONNECTED
    [{ type: "eventer", id: info.id }, "by/client"],
    [{ type: "server", id: 0 }, "by/api"],
    [{ type: "module", id: 1 }, "by/module"],
  ]);
});

Deno.test("modules: a module's register() is a session of its own, after the current one", async () => {
  const trigger: ModuleInfo = {
    create: (_conf, engine, source) => ({
      subscription: [["trigger"]],
      process: () => {
        // Not awaited: the new session waits for this one.
        engine.register(source, [reg(["later"])]);
        return [reg(["now"])];
      },
    }),
  };
  await using s = await startWith([trigger]);
  await using sub = await subscriber(s.engine, [["trigger"], ["now"], [
    "later",
  ]]);
  const [t] = (await s.engine.register([reg(["trigger"])]))!;
  await sub.until(3);
  assert.deepEqual(
    sub.messages.map((m) => m.map((e) => [e.id.session, e.type[0]])),
    [[[t.id.session, "trigger"], [t.id.session, "now"]], [[
      t.id.session + 1,
      "later",
    ]]],
  );
});

Deno.test("modules: clientNames() lists the connected clients with their sources", async () => {
  let engineOfModule!: ModuleEngine;
  await using s = await startWith([{
    create: (_conf, engine) => {
      engineOfModule = engine;
      return { subscription: [], process: () => {} };
    },
  }]);
  assert.deepEqual(engineOfModule.clientNames(), []);
  await using _a = await connect(s.engine.addrs[0], "alpha");
  await using _b = await connect(s.engine.addrs[0], "beta");
  const ids = s.engine.server.connInfos().map((i) => i.id);
  assert.deepEqual(engineOfModule.clientNames(), [
    { source: { type: "eventer", id: ids[0] }, name: "alpha" },
    { source: { type: "eventer", id: ids[1] }, name: "beta" },
  ]);
  assert.equal(engineOfModule.serverId, 1);
  const latest = await engineOfModule.query({
    kind: "latest",
    eventTypes: [["event", "1", "eventer", "*"]],
  });
  assert.equal(latest.events.length, 2);
});

Deno.test("modules: async process, onSessionStart and onSessionStop give the same session as sync ones", async () => {
  const later = <T>(value: T) =>
    new Promise<T>((resolve) => setTimeout(() => resolve(value), 0));
  const asyncRef: ModuleInfo = {
    async create(conf, engine, source) {
      const inner = await (refModule as ModuleInfo).create(
        conf,
        engine,
        source,
      );
      return {
        subscription: inner.subscription,
        onSessionStart: async (id) => {
          await later(null);
          await inner.onSessionStart!(id);
        },
        onSessionStop: async (id) => {
          await inner.onSessionStop!(id);
          await later(null);
        },
        process: async (source, event) =>
          await later(await inner.process(source, event)),
      };
    },
  };
  const request = [
    reg(["mod", "in", "x"], { v: 1 }),
    reg(["mod", "in", "chain"], { v: 2 }),
  ];
  const runs: unknown[][] = [];
  for (const info of [refModule as ModuleInfo, asyncRef]) {
    await using s = await startWith([info]);
    const response = await s.engine.register(request);
    const session = response![0].id.session;
    runs.push(
      sessionOf(s.engine.query({ kind: "server", serverId: 1 }).events, session)
        .map(line),
    );
  }
  assert.equal(runs[0].length, 6);
  assert.deepEqual(runs[1], runs[0]);
});

Deno.test("modules: sessions of concurrent requests are processed one after another, in the order of their ids", async () => {
  const calls: string[] = [];
  const slow: ModuleInfo = {
    create: () => ({
      subscription: [["slow", "*"]],
      onSessionStart: (id) => void calls.push(`start ${id}`),
      onSessionStop: (id) => void calls.push(`stop ${id}`),
      process: (_source, event) =>
        new Promise<RegisterEvent[]>((resolve) =>
          setTimeout(() => resolve([reg(["done", ...event.type])]), 1)
        ),
    }),
  };
  await using s = await startWith([slow]);
  const clients = await Promise.all(
    [0, 1, 2].map((i) => connect(s.engine.addrs[0], `c${i}`)),
  );
  try {
    const responses = await Promise.all(
      clients.flatMap((c, i) =>
        [0, 1].map((k) =>
          c.register([reg(["slow", `${i}.${k}`])], { withResponse: true })
        )
      ),
    );
    const sessions = responses.map((r) => r![0].id.session);
    assert.equal(new Set(sessions).size, 6);
    // Hooks never interleave: each session starts after the last stopped.
    const expected = calls.slice().sort((a, b) =>
      Number(a.split(" ")[1]) - Number(b.split(" ")[1]) ||
      (a.startsWith("start") ? -1 : 1)
    );
    assert.deepEqual(calls, expected);
    // Stored in the order of their ids, each with its module event.
    const stored = s.engine.query({ kind: "server", serverId: 1 }).events
      .filter((e) => sessions.includes(e.id.session));
    assert.deepEqual(
      stored.map((e) => [e.id.session, e.id.instance]),
      sessions.slice().sort((a, b) => a - b).flatMap((s) => [[s, 1], [s, 2]]),
    );
  } finally {
    for (const c of clients) await c.close();
  }
});

Deno.test("modules: every session gets onSessionStart and onSessionStop, also one that another module failed", async () => {
  const calls: string[] = [];
  const hooks: ModuleInfo = {
    create: () => ({
      subscription: [],
      onSessionStart: (id) => void calls.push(`start ${id}`),
      onSessionStop: (id) => void calls.push(`stop ${id}`),
      process: () => {},
    }),
  };
  const failing: ModuleInfo = {
    create: () => ({
      subscription: [["fail"]],
      process: () => {
        throw new Error("no");
      },
    }),
  };
  await using s = await startWith([hooks, failing]);
  const ok = await s.engine.register([reg(["fine"])]);
  assert.equal(await s.engine.register([reg(["fail"])]), null);
  const session = ok![0].id.session;
  // STARTED was session 1; then the good one and the failed one.
  assert.deepEqual(calls, [
    "start 1",
    "stop 1",
    `start ${session}`,
    `stop ${session}`,
    `start ${session + 1}`,
    `stop ${session + 1}`,
  ]);
});

Deno.test("modules: persisted subscribers get the whole session once it is stored", async () => {
  await using s = await startWith([refModule as ModuleInfo]);
  await using sub = await subscriber(s.engine, [["mod", "*"]], {
    persisted: true,
  });
  const response = await s.engine.register([reg(["mod", "in", "chain"])]);
  await sub.until(4);
  assert.deepEqual(sub.events().map((e) => e.type.join("/")), [
    "mod/in/chain",
    "mod/out/chain",
    "mod/in/chained",
    "mod/out/chained",
  ]);
  assert.ok(
    sub.events().every((e) => e.id.session === response![0].id.session),
  );
});

Deno.test("modules: are created when the engine becomes operational and closed when it stops being so", async () => {
  const life: string[] = [];
  const watch: ModuleInfo = {
    create: () => {
      life.push("create");
      return {
        subscription: [["*"]],
        process: (_source, event) => {
          life.push(`process ${event.type.join("/")} ${dataOf(event)}`);
        },
        close: () => void life.push("close"),
      };
    },
  };
  await using s = await startWith([watch], { status: "standby" });
  assert.deepEqual(life, []);
  assert.equal(await s.engine.register([reg(["x"])]), null);
  await s.engine.setStatus("operational");
  assert.equal(s.engine.status, "operational");
  assert.ok((await s.engine.register([reg(["x"])])) !== null);
  await s.engine.setStatus("standby");
  assert.equal(await s.engine.register([reg(["y"])]), null);
  // STOPPED is stored past the modules, as the reference does.
  assert.deepEqual(life, [
    "create",
    "process event/1/engine STARTED",
    "process x undefined",
    "close",
  ]);
  const stopped = s.engine.query({
    kind: "latest",
    eventTypes: [["event", "1", "engine"]],
  }).events;
  assert.equal(dataOf(stopped[0]), "STOPPED");
});

Deno.test("modules: what a module registers while the modules are created waits, and comes after STARTED", async () => {
  const seen: string[] = [];
  let registered!: Promise<Event[] | null>;
  const early: ModuleInfo = {
    create: (_conf, engine, source) => {
      registered = engine.register(source, [reg(["early"])]);
      return {
        subscription: [["*"]],
        process: (_source, event) => void seen.push(event.type.join("/")),
      };
    },
  };
  await using s = await startWith([early]);
  const [e] = (await registered)!;
  assert.deepEqual(seen, ["event/1/engine", "early"]);
  const stored = s.engine.query({ kind: "server", serverId: 1 }).events;
  assert.deepEqual(
    stored.map((x) => [x.id.session, x.type.join("/")]),
    [[e.id.session - 1, "event/1/engine"], [e.id.session, "early"]],
  );
});

Deno.test("modules: run only while the server is active in its group, and never see events synced from other servers", async () => {
  const life: string[] = [];
  const watch: ModuleInfo = {
    create: () => {
      life.push("create");
      return {
        subscription: [["*"]],
        process: (_source, event) => void life.push(event.type.join("/")),
        close: () => void life.push("close"),
      };
    },
  };
  await using s = await startWith([watch], { status: "standby" });
  const synced = (instance: number): Event => ({
    id: { server: 2, session: 1, instance },
    type: ["synced", "from", "2"],
    timestamp: { s: 1, us: 0 },
    sourceTimestamp: null,
    payload: null,
  });
  assert.equal(s.engine.storeSynced([synced(1)]), 1);
  await s.engine.activate();
  assert.equal(s.engine.status, "operational");
  assert.equal(s.engine.storeSynced([synced(2)]), 1);
  await s.engine.register([reg(["local"])]);
  await s.engine.deactivate();
  assert.equal(s.engine.status, "standby");
  assert.deepEqual(life, ["create", "event/1/engine", "local", "close"]);
  const fromPeer = s.engine.query({ kind: "server", serverId: 2 }).events;
  assert.equal(fromPeer.length, 2);
});
