import assert from "node:assert/strict";
import { compareEventIds, type Event } from "../../../event/mod.ts";
import {
  closeAll,
  registerMany,
  startServer,
  syncedStates,
  type TestServer,
} from "./_group.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

const ids = (events: Event[]) =>
  events.map((e) => `${e.id.server}/${e.id.session}/${e.id.instance}`);

function sameEvents(a: TestServer, b: TestServer, serverId: number): boolean {
  const x = a.serverEvents(serverId);
  const y = b.serverEvents(serverId);
  return x.length === y.length &&
    x.every((e, i) => compareEventIds(e.id, y[i].id) === 0);
}

Deno.test("two servers with static peers hold each other's events under their own ids", async () => {
  let a, b;
  try {
    const [portA, portB] = [freePort(), freePort()];
    a = await startServer({
      serverId: 1,
      name: "a",
      address: `127.0.0.1:${portA}`,
      peers: [{ address: `127.0.0.1:${portB}`, serverId: 2 }],
    });
    await registerMany(a, "before", 5);
    b = await startServer({
      serverId: 2,
      name: "b",
      address: `127.0.0.1:${portB}`,
      peers: [{ address: a.address, serverId: 1 }],
    });
    await a.running.redundancy!.synced(2);
    await b.running.redundancy!.synced(1);
    await registerMany(a, "a", 3);
    await registerMany(b, "b", 3);
    const [x, y] = [a, b];
    // Either side's change is the other's to sync: equal both ways at once.
    const settled = () => sameEvents(x, y, 1) && sameEvents(x, y, 2);
    await y.until(settled, "a's events on b, b's on a");
    await x.until(settled, "the same on a");
    // Events identical to the last byte of their model: ids, timestamps,
    // payloads.
    assert.deepEqual(y.serverEvents(1), x.serverEvents(1));
    assert.deepEqual(x.serverEvents(2), y.serverEvents(2));
    assert.ok(y.serverEvents(1).some((e) => e.type.join("/") === "a/2"));
    assert.ok(x.serverEvents(2).some((e) => e.type.join("/") === "b/2"));
  } finally {
    await closeAll(a, b);
  }
});

Deno.test("three servers with static peers each keep every server's events", async () => {
  const servers: TestServer[] = [];
  try {
    const addresses = [1, 2, 3].map(() => `127.0.0.1:${freePort()}`);
    for (const id of [1, 2, 3]) {
      servers.push(
        await startServer({
          serverId: id,
          address: addresses[id - 1],
          peers: [1, 2, 3].filter((p) => p !== id).map((p) => ({
            address: addresses[p - 1],
            serverId: p,
          })),
        }),
      );
    }
    for (const s of servers) await registerMany(s, `from${s.serverId}`, 4);
    for (const s of servers) {
      for (const other of servers) {
        if (other === s) continue;
        await s.until(
          () => sameEvents(s, other, other.serverId),
          `server ${other.serverId}'s events`,
        );
      }
    }
    for (const s of servers) {
      assert.deepEqual(
        s.serverEvents(1).filter((e) => e.type[0] === "from1").length,
        4,
      );
    }
  } finally {
    await closeAll(...servers);
  }
});

Deno.test("synced events record CONNECTED, SYNCING and SYNCED with the catch-up's count, on both sides", async () => {
  let a, b;
  try {
    a = await startServer({ serverId: 1, name: "a" });
    await registerMany(a, "x", 7);
    const before = a.serverEvents(1).length;
    b = await startServer({
      serverId: 2,
      name: "b",
      peers: [{ address: a.address, serverId: 1 }],
    });
    await b.running.redundancy!.synced(1);
    const expected = [
      { state: "CONNECTED" },
      { state: "SYNCING" },
      // what a had, its event for b's connection and b's CONNECTED
      { state: "SYNCED", count: before + 2 },
    ];
    // Registered by b itself (it is active for its id) ...
    assert.deepEqual(syncedStates(b, 2, 2, 1), expected);
    // ... and on a, by b's client; both reach the other side.
    const [x, y] = [a, b];
    await y.until(
      () => syncedStates(y, 1, 2, 1).length === 3,
      "a's synced events back on b",
    );
    assert.deepEqual(syncedStates(y, 1, 2, 1), expected);
    assert.deepEqual(syncedStates(x, 1, 2, 1), expected);
    assert.deepEqual(b.running.redundancy!.peers()[0].caughtUp, before + 2);
  } finally {
    await closeAll(a, b);
  }
});

Deno.test("events registered during a catch-up are stored once each, in order, with no gap", async () => {
  let a, b;
  try {
    a = await startServer({ serverId: 1, name: "a", maxResults: 100 });
    await registerMany(a, "old", 2_000);
    const [x] = [a];
    let stop = false;
    let n = 0;
    // Keeps registering while b catches up (20 pages of 100).
    const writer = (async () => {
      while (!stop) {
        await registerMany(x, "new", 10);
        n += 10;
        await new Promise((r) => setTimeout(r, 0));
      }
    })();
    b = await startServer({
      serverId: 2,
      name: "b",
      peers: [{ address: a.address, serverId: 1 }],
    });
    await b.running.redundancy!.synced(1);
    stop = true;
    await writer;
    assert.ok(n > 0);
    const [y] = [b];
    await y.until(() => sameEvents(x, y, 1), "every event of a on b");
    const stored = y.serverEvents(1);
    assert.deepEqual(ids(stored), ids(x.serverEvents(1)));
    const last = stored.at(-1)!.id;
    await y.until(
      () => y.seen.some((e) => compareEventIds(e.id, last) === 0),
      "b's subscriber told of the last",
    );
    // b's own subscriber (connected as the sync began) was told of each of
    // a's events from its first on: once each, in order.
    const told = ids(y.seen.filter((e) => e.id.server === 1));
    const all = ids(stored);
    assert.ok(told.length > 0);
    assert.deepEqual(told, all.slice(all.indexOf(told[0])));
  } finally {
    await closeAll(a, b);
  }
});
