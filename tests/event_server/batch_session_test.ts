// The engine's session held as the Wasm core's batch, as the module runner
// uses it: types by interned id, event objects only for what modules
// process (with the ids and timestamp the batch was given), and what
// modules return appended to the batch with the session's next instances.
// Through a whole server: no event object is built for an event that no
// module subscribes to.

import assert from "node:assert/strict";
import { EventCore } from "../../codec/wasm/internal_mod.ts";
import type { RegisterEvent } from "../../event/mod.ts";
import { encodeRegisterReq } from "../../eventer/internal_mod.ts";
import { BatchSession } from "../../event_server/_batch_session.ts";
import { ModuleSet } from "../../event_server/modules/module_set.ts";
import { runSession } from "../../event_server/modules/session.ts";
import { ANY, loaded, reg } from "./modules/_modules.ts";
import { collector } from "./_engine.ts";
import { connect } from "../../client.ts";
import { startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/mod.ts";

const ENGINE = {
  serverId: 1,
  register: () => Promise.resolve(null),
  query: () => Promise.resolve({ events: [], moreFollows: false }),
  clientNames: () => [],
};
const TIMESTAMP = { s: 1_800_000_000, us: 123 };

function sessionOf(core: EventCore, events: RegisterEvent[]): BatchSession {
  const batch = core.batch();
  const n = batch.scanRegister(encodeRegisterReq(events));
  assert.equal(n, events.length);
  batch.assign(0, n, 1, 7, 1, TIMESTAMP);
  return new BatchSession({
    batch,
    server: 1,
    session: 7,
    timestamp: TIMESTAMP,
    check: () => {},
    objects: null,
    respond: true,
  });
}

Deno.test("BatchSession: modules see only the events they subscribe to, built from the batch, and their events join it", async () => {
  const core = new EventCore();
  const seen: unknown[] = [];
  const modules = await ModuleSet.create(
    loaded({
      create: () => ({
        subscription: [["load", "?", "t0"]],
        process: (_source, event) => {
          seen.push([
            event.id,
            event.type,
            event.timestamp,
            event.payload?.kind === "json" ? event.payload.data : null,
          ]);
          return [reg(["alarm", ...event.type], { from: event.id.instance })];
        },
      }),
    }),
    ENGINE,
    { timeout: 5 },
  );
  const events = Array.from(
    { length: 200 },
    (_, i) => reg(["load", "1", `t${i % 100}`], { value: i }),
  );
  const s = sessionOf(core, events);
  try {
    assert.equal(
      runSession(modules, s, { type: "eventer", id: 1 }, {
        timeout: 5,
        maxAdded: 100,
        report: () => {},
      }),
      undefined,
    );
    assert.deepEqual(seen, [
      [{ server: 1, session: 7, instance: 1 }, ["load", "1", "t0"], TIMESTAMP, {
        value: 0,
      }],
      [
        { server: 1, session: 7, instance: 101 },
        ["load", "1", "t0"],
        TIMESTAMP,
        { value: 100 },
      ],
    ]);
    assert.equal(s.length, 202);
    const added = [s.event(200), s.event(201)];
    assert.deepEqual(added.map((e) => [e.id, e.type, e.timestamp]), [
      [
        { server: 1, session: 7, instance: 201 },
        ["alarm", "load", "1", "t0"],
        TIMESTAMP,
      ],
      [
        { server: 1, session: 7, instance: 202 },
        ["alarm", "load", "1", "t0"],
        TIMESTAMP,
      ],
    ]);
    assert.deepEqual(
      added.map((e) => e.payload?.kind === "json" ? e.payload.data : null),
      [{ from: 1 }, { from: 101 }],
    );
    // Types come by interned id: equal types, equal keys.
    assert.equal(s.typeKey(0), s.typeKey(100));
    assert.deepEqual(
      [...s.typeKeys(150, 202).subarray(0, 52)],
      Array.from({ length: 52 }, (_, k) => s.typeKey(150 + k)),
    );
    assert.notEqual(s.typeKey(0), s.typeKey(1));
  } finally {
    s.batch.clear();
  }
});

Deno.test("a server on the Wasm path builds event objects only for the events a module subscribes to", async () => {
  // Spies on the batch session's event building and type reading, by
  // session id: [position] for each event built, a count of types read.
  const built = new Map<number, number[]>();
  const typesRead = new Map<number, number>();
  const sessions = new Set<number>();
  const { event, type, typeKeys } = BatchSession.prototype;
  BatchSession.prototype.event = function (this: BatchSession, i: number) {
    built.set(this.id, [...built.get(this.id) ?? [], i]);
    return event.call(this, i);
  };
  BatchSession.prototype.type = function (this: BatchSession, i: number) {
    typesRead.set(this.id, (typesRead.get(this.id) ?? 0) + 1);
    return type.call(this, i);
  };
  BatchSession.prototype.typeKeys = function (
    this: BatchSession,
    from: number,
    to: number,
  ) {
    sessions.add(this.id);
    return typeKeys.call(this, from, to);
  };
  try {
    const seen: number[][] = [];
    const engine = await startEngine(ANY, {
      storage: new MemoryStorage(),
      codec: "wasm",
      onError: () => {},
      modules: loaded({
        create: () => ({
          subscription: [["load", "?", "t0"]],
          process: (_source, e) => {
            seen.push([e.id.session, e.id.instance]);
            return [reg(["alarm", ...e.type], { from: e.id.instance })];
          },
        }),
      }),
    });
    try {
      // 2 requests of 200 events over 100 types, each with 2 alarms added.
      const all = collector(2 * 202);
      await using _subscriber = await connect(engine.addrs[0], "sub", {
        subscriptions: [["load", "*"], ["alarm", "*"]],
        onEvents: all.onEvents,
      });
      await using client = await connect(engine.addrs[0], "load");
      const ids: number[] = [];
      for (let r = 0; r < 2; r++) {
        const response = await client.register(
          Array.from(
            { length: 200 },
            (_, i) => reg(["load", "1", `t${i % 100}`], { value: i }),
          ),
          { withResponse: true },
        );
        assert.equal(response?.length, 200);
        ids.push(response![0].id.session);
      }
      await all.all;
      const [s1, s2] = ids;
      // Both went through the batch sessions (the Wasm path)...
      assert.ok(sessions.has(s1) && sessions.has(s2), "not on the Wasm path");
      // ...which built the two t0 events of each, and nothing else: not the
      // 198 others, not the alarms added, not for the response or the
      // subscriber that got all 404.
      assert.deepEqual(built.get(s1), [0, 100]);
      assert.deepEqual(built.get(s2), [0, 100]);
      assert.deepEqual(seen, [[s1, 1], [s1, 101], [s2, 1], [s2, 101]]);
      assert.equal(all.events.length, 404);
      // Types are read once per type id: 100 of the request and the
      // alarm's in the first session, none in the second.
      assert.equal(typesRead.get(s1), 101);
      assert.equal(typesRead.get(s2), undefined);
    } finally {
      await engine.close();
    }
  } finally {
    Object.assign(BatchSession.prototype, { event, type, typeKeys });
  }
});
