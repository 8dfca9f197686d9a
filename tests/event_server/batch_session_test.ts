// The engine's session held as the Wasm core's batch, as the module runner
// uses it: types by interned id, event objects only for what modules
// process (with the ids and timestamp the batch was given), and what
// modules return appended to the batch with the session's next instances.

import assert from "node:assert/strict";
import { EventCore } from "../../codec/wasm/internal_mod.ts";
import type { RegisterEvent } from "../../event/mod.ts";
import { encodeRegisterReq } from "../../eventer/internal_mod.ts";
import { BatchSession } from "../../event_server/_batch_session.ts";
import { ModuleSet } from "../../event_server/modules/module_set.ts";
import { runSession } from "../../event_server/modules/session.ts";
import { loaded, reg } from "./modules/_modules.ts";

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
