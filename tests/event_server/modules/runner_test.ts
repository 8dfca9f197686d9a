// The module runner's side of the engine's register path: an answer given
// at once is not late; one given after a wait (for a module, or for the
// sessions before it) is, so that the engine copies what it must.

import assert from "node:assert/strict";
import type { RegisterEvent } from "../../../event/mod.ts";
import {
  ModuleRunner,
  ObjectSession,
} from "../../../event_server/modules/internal_mod.ts";
import { loaded, reg } from "./_modules.ts";

const ENGINE = {
  serverId: 1,
  register: () => Promise.resolve(null),
  query: () => Promise.resolve({ events: [], moreFollows: false }),
  clientNames: () => [],
};

Deno.test("ModuleRunner tells the engine whether an answer comes after a wait", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const lates: [string, boolean][] = [];
  let session = 0;
  const runner = new ModuleRunner<ObjectSession>(
    loaded({
      create: () => ({
        subscription: [["slow"]],
        process: () => gate.then(() => null),
      }),
    }),
    {
      open: (_source, events: readonly RegisterEvent[]) =>
        new ObjectSession(
          { server: 1, session: ++session, timestamp: { s: 0, us: 0 } },
          events,
        ),
      commit: (s, _first, late) => {
        lates.push([s.events[0].type[0], late]);
        return s.events;
      },
      abort: () => {},
    },
    { timeout: 5, maxAdded: 10, onError: () => {} },
  );
  await runner.start(ENGINE);
  const source = { type: "server", id: 0 } as const;
  assert.ok(Array.isArray(runner.submit(source, [reg(["fast"])])));
  const slow = runner.submit(source, [reg(["slow"])]);
  const queued = runner.submit(source, [reg(["queued"])]);
  assert.ok(slow instanceof Promise && queued instanceof Promise);
  release();
  await Promise.all([slow, queued]);
  assert.deepEqual(lates, [["fast", false], ["slow", true], ["queued", true]]);
  await runner.stop();
});
