// A real client against a real server on loopback: register, with and
// without response, and its ordering with notifications and acks.

import { connect } from "../../client.ts";
import type { Event, RegisterEvent } from "../../event/mod.ts";
import { listen } from "../../server.ts";
import {
  deferred,
  errorLog,
  LOOPBACK,
  registerCallback,
  registerEvent,
} from "./_helpers.ts";
import assert from "node:assert/strict";

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
