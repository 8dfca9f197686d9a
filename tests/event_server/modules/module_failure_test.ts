// A module that fails fails one session, never the server: the client gets
// `failure`, nothing of the session is stored or notified, the failure is
// reported with the module's name and counted, and the sessions before and
// after it go on (better than the reference, whose engine stops).

import assert from "node:assert/strict";
import { connect } from "../../../client.ts";
import type { Event } from "../../../event/mod.ts";
import {
  ModuleCreateError,
  type ModuleInfo,
  ModuleSessionError,
} from "../../../event_server/modules/internal_mod.ts";
import {
  MemoryStorage,
  SqliteStorage,
} from "../../../event_server/storage/mod.ts";
import { startEngine } from "../../../event_server/engine.ts";
import { resolveConfig } from "../../../event_server/config.ts";
import { createLogger } from "../../../event_server/log.ts";
import { startEventServer } from "../../../event_server/main.ts";
import { ANY, dataOf, loaded, reg, startWith, subscriber } from "./_modules.ts";

function failOn(type: string, how: (event: Event) => unknown): ModuleInfo {
  return {
    create: () => ({
      subscription: [[type]],
      process: (_source, event) => how(event) as never,
    }),
  };
}

const echo: ModuleInfo = {
  create: () => ({
    subscription: [["ok"]],
    process: () => [reg(["echo"])],
  }),
};

const CASES: [string, ModuleInfo, RegExp][] = [
  [
    "throws",
    failOn("bad", () => {
      throw new Error("sensor table missing");
    }),
    /m1 \(1\) failed in process: sensor table missing/,
  ],
  [
    "rejects",
    failOn("bad", () => Promise.reject(new Error("no route"))),
    /m1 \(1\) failed in process: no route/,
  ],
  [
    "returns no register events",
    failOn("bad", () => "oops"),
    /process returned string oops, expected an array/,
  ],
  [
    "returns an event of the wrong shape",
    failOn(
      "bad",
      () => [{ type: "a/b", sourceTimestamp: null, payload: null }],
    ),
    /Invalid event 0: type must be an array of strings/,
  ],
  [
    "returns JSON data that has no JSON text",
    failOn("bad", () => [{
      type: ["x"],
      sourceTimestamp: null,
      payload: { kind: "json", data: { n: 1n } },
    }]),
    /failed in process/,
  ],
];

for (const [what, module, message] of CASES) {
  Deno.test(`modules: a module that ${what} fails that session only`, async () => {
    await using s = await startWith([echo, module]);
    await using sub = await subscriber(s.engine, [["*"]], { name: "sub" });
    await using client = await connect(s.engine.addrs[0], "c");
    const before = await client.register([reg(["ok"])], { withResponse: true });
    const failed = await client.register([reg(["ok"]), reg(["bad"])], {
      withResponse: true,
    });
    const after = await client.register([reg(["ok"])], { withResponse: true });
    assert.equal(failed, null);
    assert.ok(before !== null && after !== null);
    // Nothing of the failed session was stored: its id is a gap.
    const sessions = s.engine.query({ kind: "server", serverId: 1 }).events
      .map((e) => e.id.session);
    assert.ok(!sessions.includes(before[0].id.session + 1));
    assert.ok(sessions.includes(after[0].id.session));
    assert.equal(after[0].id.session, before[0].id.session + 2);
    // ...nor notified: the subscriber got the sessions around it only.
    await sub.until(4);
    const client1 = sub.events().filter((e) => e.type[0] !== "event");
    assert.deepEqual(
      client1.map((e) => [e.id.session - before[0].id.session, e.type[0]]),
      [[0, "ok"], [0, "echo"], [2, "ok"], [2, "echo"]],
    );
    assert.equal(s.failures.length, 1);
    assert.ok(s.failures[0] instanceof ModuleSessionError);
    assert.match(s.failures[0].message, message);
    assert.equal(s.failures[0].module, "m1");
    assert.deepEqual(
      s.engine.moduleFailures().map((f) => f.failures),
      [0, 1],
    );
  });
}

Deno.test("modules: a call that does not settle within moduleTimeout fails its session, and the next sessions go on", async () => {
  const hang: ModuleInfo = failOn("hang", () => new Promise(() => {}));
  await using s = await startWith([hang, echo], { moduleTimeout: 0.1 });
  await using a = await connect(s.engine.addrs[0], "a");
  await using b = await connect(s.engine.addrs[0], "b");
  const [hung, next] = await Promise.all([
    a.register([reg(["hang"])], { withResponse: true }),
    b.register([reg(["ok"])], { withResponse: true }),
  ]);
  assert.equal(hung, null);
  assert.deepEqual(next?.map((e) => e.type), [["ok"]]);
  assert.equal(s.failures.length, 1);
  assert.match(
    s.failures[0].message,
    /m0 \(0\) failed in process: did not settle within 0\.1 s \(moduleTimeout\)/,
  );
});

Deno.test("modules: awaiting its own register() inside process fails the session by the timeout, then the registration goes through", async () => {
  const selfWait: ModuleInfo = {
    create: (_conf, engine, source) => ({
      subscription: [["deadlock"]],
      process: async () => {
        await engine.register(source, [reg(["inner"])]);
      },
    }),
  };
  await using s = await startWith([selfWait], { moduleTimeout: 0.1 });
  await using sub = await subscriber(s.engine, [["inner"]]);
  assert.equal(await s.engine.register([reg(["deadlock"])]), null);
  await sub.until(1);
  assert.deepEqual(sub.events().map((e) => e.type), [["inner"]]);
});

Deno.test("modules: a module that answers its own events fails the session at maxRegisterEvents events", async () => {
  const loop: ModuleInfo = {
    create: () => ({
      subscription: [["loop"]],
      process: () => [reg(["loop"])],
    }),
  };
  await using s = await startWith([loop], { maxRegisterEvents: 50 });
  assert.equal(await s.engine.register([reg(["loop"])]), null);
  assert.match(
    s.failures[0].message,
    /more than 50 events from modules \(does a module answer its own events\?\)/,
  );
  assert.ok((await s.engine.register([reg(["other"])])) !== null);
});

Deno.test("modules: onSessionStart or onSessionStop that throws fails the session, and onSessionStop is still called", async (t) => {
  for (const hook of ["onSessionStart", "onSessionStop"] as const) {
    await t.step(hook, async () => {
      const calls: string[] = [];
      let fail = false;
      const module: ModuleInfo = {
        create: () => ({
          subscription: [],
          process: () => {},
          onSessionStart: () => {
            calls.push("start");
            if (fail && hook === "onSessionStart") throw new Error("start");
          },
          onSessionStop: () => {
            calls.push("stop");
            if (fail && hook === "onSessionStop") throw new Error("stop");
          },
        }),
      };
      await using s = await startWith([module]);
      calls.length = 0;
      fail = true;
      assert.equal(await s.engine.register([reg(["x"])]), null);
      fail = false;
      assert.ok((await s.engine.register([reg(["x"])])) !== null);
      assert.deepEqual(calls, ["start", "stop", "start", "stop"]);
      assert.match(s.failures[0].message, new RegExp(`failed in ${hook}`));
    });
  }
});

Deno.test("modules: a create that throws or does not settle stops the engine's start with the module's message", async (t) => {
  const cases: [string, ModuleInfo, RegExp][] = [
    ["throws", {
      create: () => {
        throw new Error('missing setting "limit"');
      },
    }, /m1 \(1\) failed in create: missing setting "limit"/],
    [
      "does not settle",
      { create: () => new Promise(() => {}) },
      /m1 \(1\) failed in create: did not settle within 0\.1 s/,
    ],
    [
      "returns no module",
      { create: () => ({ subscription: [] }) as never },
      /m1 \(1\) failed in create: the module has no process function/,
    ],
    [
      "has a bad subscription",
      { create: () => ({ subscription: "a/*", process() {} }) as never },
      /its subscription must be an array of query types or a Subscription/,
    ],
  ];
  for (const [what, bad, message] of cases) {
    await t.step(what, async () => {
      const closed: string[] = [];
      const first: ModuleInfo = {
        create: () => ({
          subscription: [],
          process() {},
          close: () => void closed.push("m0"),
        }),
      };
      const storage = new MemoryStorage();
      await assert.rejects(
        startEngine(ANY, {
          storage,
          modules: loaded(first, bad),
          moduleTimeout: 0.1,
          onError: () => {},
        }),
        (e) => e instanceof ModuleCreateError && message.test(e.message),
      );
      // The module created before it was closed again.
      assert.deepEqual(closed, ["m0"]);
      await storage.close();
    });
  }
});

Deno.test("modules: a close that fails is reported and counted, and the engine closes", async () => {
  const module: ModuleInfo = {
    create: () => ({
      subscription: [],
      process() {},
      close: () => Promise.reject(new Error("stuck")),
    }),
  };
  const s = await startWith([module]);
  await s.engine.close();
  assert.equal(s.engine.storage.isOpen, false);
  assert.match(s.failures[0].message, /m0 \(0\) failed in close: stuck/);
  assert.deepEqual(s.engine.moduleFailures(), [
    { module: "m0", index: 0, failures: 1 },
  ]);
});

Deno.test("serve: a failing module's failures are counted on /metrics and logged at most once per 10 s per module, with a count of the rest", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_module_log_" });
  try {
    await Deno.writeTextFile(
      `${dir}/fail.ts`,
      "export const info = { create: () => ({ subscription: [['bad']], " +
        "process() { throw new Error('boom'); } }) };\n",
    );
    const lines: string[] = [];
    const log = createLogger("info", (l) => lines.push(l));
    const server = await startEventServer(
      resolveConfig({
        address: "127.0.0.1:0",
        storage: "memory",
        http: "127.0.0.1:0",
      }, { modules: [{ module: `${dir}/fail.ts` }] }),
      { log },
    );
    await using client = await connect(server.engine.addrs[0], "c");
    for (let i = 0; i < 5; i++) {
      assert.equal(
        await client.register([reg(["bad"])], { withResponse: true }),
        null,
      );
    }
    assert.ok(await client.register([reg(["ok"])], { withResponse: true }));
    const metrics = await (await fetch(new URL("/metrics", server.http!.url)))
      .text();
    const name = JSON.stringify(`${dir}/fail.ts`);
    assert.ok(
      metrics.includes(`hat_eventer_module_failures_total{module=${name}} 5`),
      metrics,
    );
    await server.close();
    const errors = lines.filter((l) => / ERROR /.test(l));
    assert.equal(errors.length, 2, errors.join("\n"));
    assert.match(
      errors[0],
      /Module .*fail\.ts \(0\) failed in process: boom \(session \d+\)$/,
    );
    assert.match(
      errors[1],
      /Module .*fail\.ts \(0\): 4 more failures not logged$/,
    );
    assert.deepEqual(server.engine.moduleFailures().map((f) => f.failures), [
      5,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("modules: a shutdown during a session that waits for a module fails it and the waiting ones, stores STOPPED, closes the modules", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_module_stop_" });
  try {
    const life: string[] = [];
    let entered!: () => void;
    const waiting = new Promise<void>((resolve) => entered = resolve);
    const slow: ModuleInfo = {
      create: () => ({
        subscription: [["slow"]],
        process: () => {
          entered();
          return new Promise(() => {}); // until moduleTimeout
        },
        onSessionStop: (id) => void life.push(`stop ${id}`),
        close: () => void life.push("close"),
      }),
    };
    const engine = await startEngine(ANY, {
      storage: new SqliteStorage(`${dir}/events.db`),
      onError: () => {},
      modules: loaded(slow),
      moduleTimeout: 0.2,
    });
    const client = await connect(engine.addrs[0], "c");
    const slowSession = client.register([reg(["slow"])], {
      withResponse: true,
    });
    await waiting;
    const queued = engine.register([reg(["queued"])]);
    await engine.close();
    assert.equal(await slowSession, null); // answered before the close
    assert.equal(await queued, null);
    await client.close();
    // The modules were closed after the session's onSessionStop.
    assert.deepEqual(life.slice(-2), [life.at(-2)!, "close"]);
    assert.match(life.at(-2)!, /^stop \d+$/);
    const storage = new SqliteStorage(`${dir}/events.db`);
    try {
      const stored = storage.query({ kind: "server", serverId: 1 }).events;
      assert.deepEqual(
        stored.map((e) => [e.type.join("/"), dataOf(e)]).filter(([t]) =>
          t !== "event/1/eventer/c"
        ),
        [["event/1/engine", "STARTED"], ["event/1/engine", "STOPPED"]],
      );
    } finally {
      await storage.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("modules: a module that cannot be created when the server becomes active stops the server, as in the reference", async () => {
  const reports: string[] = [];
  const engine = await startEngine(ANY, {
    storage: new MemoryStorage(),
    status: "standby",
    onError: (_error, context) => void reports.push(context),
    modules: loaded({
      create: () => {
        throw new Error("no route to the PLC");
      },
    }),
  });
  await engine.activate(); // resolves: the engine stops instead
  await engine.closed;
  assert.ok(engine.stopReason instanceof ModuleCreateError);
  assert.match(
    (engine.stopReason as Error).message,
    /m0 \(0\) failed in create: no route to the PLC/,
  );
  assert.deepEqual(reports, ["engine modules could not be created, stopping"]);
  await engine.close();
});
