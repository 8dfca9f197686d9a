// A real client against a real server on loopback: status changes,
// notified events (filters, acks) and the events() iterator.

import { type Client, connect } from "../../client.ts";
import type { Event, Status } from "../../event/mod.ts";
import { listen } from "../../server.ts";
import { deferred, event, LOOPBACK } from "./_helpers.ts";
import assert from "node:assert/strict";

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
