// The session runner against the narrow SessionEvents interface: the
// types of a session's events are all it reads of the events no module
// wants, and a session whose modules never return a promise runs without
// one.

import assert from "node:assert/strict";
import type { Event, EventType, RegisterEvent } from "../../../event/mod.ts";
import type {
  ModuleInfo,
  SessionEvents,
} from "../../../event_server/modules/internal_mod.ts";
import { ModuleSet } from "../../../event_server/modules/module_set.ts";
import { runSession } from "../../../event_server/modules/session.ts";
import { loaded, reg } from "./_modules.ts";

const ENGINE = {
  serverId: 1,
  register: () => Promise.resolve(null),
  query: () => Promise.resolve({ events: [], moreFollows: false }),
  clientNames: () => [],
};

/** A session that counts what the runner asks of it. */
class CountingSession implements SessionEvents {
  readonly id = 9;
  types: EventType[];
  built: number[] = [];
  typeReads = 0;

  constructor(types: EventType[]) {
    this.types = types;
  }

  get length(): number {
    return this.types.length;
  }

  type(i: number): EventType {
    this.typeReads++;
    return this.types[i];
  }

  event(i: number): Event {
    this.built.push(i);
    return {
      id: { server: 1, session: this.id, instance: i + 1 },
      type: this.types[i],
      timestamp: { s: 0, us: 0 },
      sourceTimestamp: null,
      payload: null,
    };
  }

  add(events: readonly RegisterEvent[]): void {
    for (const e of events) this.types.push(e.type);
  }
}

const OPTIONS = { timeout: 5, maxAdded: 1000, report: () => {} };
const SOURCE = { type: "eventer", id: 1 } as const;

async function set(...infos: ModuleInfo[]): Promise<ModuleSet> {
  return await ModuleSet.create(loaded(...infos), ENGINE, { timeout: 5 });
}

Deno.test("runSession() builds an event object only for events some module subscribes to", async () => {
  const modules = await set({
    create: () => ({
      subscription: [["load", "?", "t0"]],
      process: () => [reg(["alarm"])],
    }),
  });
  const types = Array.from(
    { length: 1000 },
    (_, i) => ["load", "1", `t${i % 100}`],
  );
  const session = new CountingSession(types);
  const done = runSession(modules, session, SOURCE, OPTIONS);
  assert.equal(done, undefined);
  // 10 of the 1000 events match; the 10 alarms they add match nothing.
  assert.deepEqual(session.built, [
    0,
    100,
    200,
    300,
    400,
    500,
    600,
    700,
    800,
    900,
  ]);
  assert.equal(session.length, 1010);
  assert.equal(session.typeReads, 1010);
});

Deno.test("runSession() reads nothing but types when no module subscribes to the session's events", async () => {
  const modules = await set({
    create: () => ({ subscription: [["other", "*"]], process: () => [] }),
  });
  const session = new CountingSession([["a"], ["b"], ["c"]]);
  assert.equal(runSession(modules, session, SOURCE, OPTIONS), undefined);
  assert.deepEqual(session.built, []);
  assert.equal(session.typeReads, 3);
});

Deno.test("runSession() returns a promise from the first call that returns one, and the same result", async () => {
  const order: string[] = [];
  const modules = await set({
    create: () => ({
      subscription: [["a"]],
      process: () => {
        order.push("a");
        return [reg(["b"])];
      },
    }),
  }, {
    create: () => ({
      subscription: [["b"]],
      process: async () => {
        order.push("b");
        await Promise.resolve();
        return [reg(["c"])];
      },
    }),
  });
  const session = new CountingSession([["a"]]);
  const done = runSession(modules, session, SOURCE, OPTIONS);
  assert.ok(done instanceof Promise);
  await done;
  assert.deepEqual(session.types, [["a"], ["b"], ["c"]]);
  assert.deepEqual(order, ["a", "b"]);
});

/** A session whose types come with keys (as interned type ids would). */
class KeyedSession extends CountingSession {
  typeKeyGeneration = 1;
  typeKey(i: number): number {
    return Number(this.types[i][2].slice(1));
  }
}

Deno.test("runSession() matches each type once per key when the session gives type keys", async () => {
  const modules = await set({
    create: () => ({ subscription: [["load", "?", "t7"]], process: () => [] }),
  });
  const types = Array.from(
    { length: 300 },
    (_, i) => ["load", "1", `t${i % 100}`],
  );
  const first = new KeyedSession(types);
  runSession(modules, first, SOURCE, OPTIONS);
  assert.equal(first.typeReads, 100);
  assert.deepEqual(first.built, [7, 107, 207]);
  const second = new KeyedSession(types.slice());
  runSession(modules, second, SOURCE, OPTIONS);
  assert.equal(second.typeReads, 0, "every key was matched before");
  assert.deepEqual(second.built, [7, 107, 207]);
  // A new generation: the keys may name other types now.
  const third = new KeyedSession(types.slice());
  third.typeKeyGeneration = 2;
  runSession(modules, third, SOURCE, OPTIONS);
  assert.equal(third.typeReads, 100);
});
