// Sync when things go wrong: a peer killed during the catch-up and back
// with more events, a peer that sends an event already stored, peers with
// this server's id.

import assert from "node:assert/strict";
import { type Client, connect } from "../../../client.ts";
import {
  compareEventIds,
  type Event,
  type EventId,
  type QueryResult,
} from "../../../event/mod.ts";
import { listen } from "../../../server.ts";
import { resolveConfig } from "../../../event_server/config.ts";
import { ConfigError } from "../../../event_server/errors.ts";
import { serveProcess } from "../_cli.ts";
import { within } from "../../_within.ts";
import { closeAll, registerMany, startServer } from "./_group.ts";
import { startEngine } from "../../../event_server/engine.ts";
import { createLogger } from "../../../event_server/log.ts";
import { PeerSet } from "../../../event_server/redundancy/mod.ts";
import { MemoryStorage } from "../../../event_server/storage/mod.ts";
import { startRelay } from "./_relay.ts";

function addr(address: string) {
  const [hostname, port] = address.split(":");
  return { hostname, port: Number(port) };
}

const ids = (events: Event[]) =>
  events.map((e) => `${e.id.server}/${e.id.session}/${e.id.instance}`);

async function allOf(client: Client, serverId: number): Promise<Event[]> {
  const all: Event[] = [];
  let result: QueryResult;
  do {
    const last = all.at(-1)?.id;
    result = await client.query({
      kind: "server",
      serverId,
      ...(last ? { lastEventId: last } : {}),
    });
    all.push(...result.events);
  } while (result.moreFollows);
  return all;
}

async function fill(client: Client, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 500) {
    await client.register(
      Array.from({ length: 500 }, (_, k) => ({
        type: [prefix, String((i + k) % 10)],
        sourceTimestamp: null,
        payload: { kind: "json" as const, data: { n: i + k } },
      })),
      { withResponse: true },
    );
  }
}

Deno.test("a peer killed during the catch-up and restarted with more events is synced without gap or duplicate", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_sync_kill_" });
  let b;
  try {
    const first = await serveProcess(["--data-dir", dir, "--server-id", "1"]);
    let second;
    try {
      const writer = await connect(addr(first.address), "writer");
      await fill(writer, "old", 20_000);
      await writer.close();
      // Page 1 (4,096 events) passes, page 2 stalls in the relay.
      await using relay = startRelay(addr(first.address), {
        holdAfter: 400_000,
      });
      b = await startServer({
        serverId: 2,
        name: "b",
        peers: [{ address: relay.address, serverId: 1 }],
      });
      const y = b;
      await within(relay.held, 30_000, "the catch-up held mid-way");
      await y.until(() => y.serverEvents(1).length > 0, "page 1 stored");
      first.child.kill("SIGKILL");
      await first.status;
      relay.cut();
      const partial = y.serverEvents(1).length;
      assert.ok(partial > 0 && partial < 20_000, `${partial} stored`);

      // Back on another port with the same data, and more events.
      second = await serveProcess(["--data-dir", dir, "--server-id", "1"]);
      relay.target = addr(second.address);
      const more = await connect(addr(second.address), "writer");
      await fill(more, "new", 5_000);
      const expected = await allOf(more, 1);
      assert.ok(expected.length > 25_000);
      const last = expected.at(-1)!.id;
      await y.until(
        () => y.serverEvents(1).some((e) => compareEventIds(e.id, last) === 0),
        "the restarted peer's last event",
        60_000,
      );
      // The peer goes on registering (b's synced events): what b has is
      // exactly the start of what the peer has, asked afterwards.
      const got = y.serverEvents(1);
      const peerNow = await allOf(more, 1);
      await more.close();
      assert.deepEqual(ids(got), ids(peerNow.slice(0, got.length)));
      assert.deepEqual(got, peerNow.slice(0, got.length));
      const [stats] = b.running.redundancy!.peers();
      assert.equal(stats.connections >= 2, true);
      // A catch-up cut short asks for smaller pages next time.
      assert.equal(stats.pageSize, 2048);
      assert.ok(y.lines.some((l) => / in pages of 2048 from now on$/.test(l)));
    } finally {
      await first[Symbol.asyncDispose]();
      await second?.[Symbol.asyncDispose]();
    }
  } finally {
    await closeAll(b);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an event a peer sends again is stored and notified once", async () => {
  const event = (session: number): Event => ({
    id: { server: 7, session, instance: 1 },
    type: ["p", String(session)],
    timestamp: { s: 1_000 + session, us: 0 },
    sourceTimestamp: null,
    payload: { kind: "json", data: session },
  });
  const synced = Promise.withResolvers<void>();
  // A peer of its own making: three stored events, and once the syncing
  // server says SYNCED, a notification of the third again and a fourth.
  await using peer = await listen({ hostname: "127.0.0.1", port: 0 }, {
    status: "operational",
    onQuery: (_info, params) =>
      params.kind === "server" &&
        (params.lastEventId?.session ?? 0) < 3
        ? { events: [1, 2, 3].map(event), moreFollows: false }
        : { events: [], moreFollows: false },
    onRegister: (_info, events) => {
      const data = events[0].payload?.kind === "json"
        ? events[0].payload.data as { state: string }
        : null;
      if (data?.state === "SYNCED") synced.resolve();
      return null;
    },
  });
  await using b = await startServer({
    serverId: 2,
    name: "b",
    peers: [{ address: `127.0.0.1:${peer.addrs[0].port}`, serverId: 7 }],
  });
  await within(synced.promise, 30_000, "SYNCED");
  await peer.notifyEvents([event(3), event(4)], { persisted: true });
  await b.until(() => b.serverEvents(7).length === 4, "the fourth event");
  assert.deepEqual(b.serverEvents(7), [1, 2, 3, 4].map(event));
  await b.until(
    () => b.seen.some((e) => e.id.server === 7 && e.id.session === 4),
    "the fourth notified",
  );
  assert.deepEqual(
    ids(b.seen.filter((e) => e.id.server === 7)),
    ids([1, 2, 3, 4].map(event)),
  );
  const [stats] = b.running.redundancy!.peers();
  assert.equal(stats.skipped, 1);
  assert.equal(stats.stored, 4);
});

Deno.test("a static peer with this server's id is refused at start", () => {
  assert.throws(
    () =>
      resolveConfig({
        serverId: 3,
        peers: [{ address: "127.0.0.1:5000", serverId: 3 }],
      }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /Invalid peers\[0\]\.serverId: peer 127\.0\.0\.1:5000 has server id 3, the id of this server/
        .test(e.message),
  );
  assert.throws(
    () =>
      resolveConfig({
        peers: [
          { address: "127.0.0.1:5000", serverId: 4 },
          { address: "127.0.0.1:5001", serverId: 4 },
        ],
      }),
    /peers 127\.0\.0\.1:5000 and 127\.0\.0\.1:5001 both have server id 4/,
  );
});

Deno.test("a peer that turns out to have this server's id is logged naming both and never synced from", async () => {
  let a, b;
  try {
    a = await startServer({ serverId: 5, name: "a" });
    // b is server 5 too, and was told a is server 6.
    b = await startServer({
      serverId: 5,
      name: "b",
      peers: [{ address: a.address, serverId: 6 }],
    });
    const y = b;
    await y.until(
      () => y.running.redundancy!.peers()[0]?.state === "refused",
      "the peer refused",
    );
    const line = y.lines.find((l) => / ERROR /.test(l));
    assert.match(
      line ?? "",
      new RegExp(
        `ERROR peer 6 at ${a.address} registers events with server id 5, ` +
          "the id of this server \\(b\\): never synced from",
      ),
    );
    assert.deepEqual(b.serverEvents(6), []);
    assert.equal(b.running.redundancy!.peers()[0].connections, 1);
  } finally {
    await closeAll(a, b);
  }
});

Deno.test("notifications that outgrow the catch-up's buffer are dropped and queried again, without gap", async () => {
  await using a = await startServer({
    serverId: 1,
    name: "a",
    maxResults: 100,
  });
  await registerMany(a, "old", 2_000);
  const lines: string[] = [];
  await using engine = await startEngine({ hostname: "127.0.0.1", port: 0 }, {
    storage: new MemoryStorage(),
    serverId: 2,
  });
  // Every event of server 1 stored here, paging through server queries.
  const all = (): Event[] => {
    const out: Event[] = [];
    for (;;) {
      const r = engine.query({
        kind: "server",
        serverId: 1,
        ...(out.length ? { lastEventId: out.at(-1)!.id } : {}),
      });
      out.push(...r.events);
      if (!r.moreFollows) return out;
    }
  };
  const synced = Promise.withResolvers<void>();
  let target: EventId | null = null;
  const reached = Promise.withResolvers<void>();
  const peers = new PeerSet({
    engine,
    name: "b",
    clientToken: null,
    reconnectDelay: 100,
    maxQueued: 5,
    log: createLogger("debug", (line) => lines.push(line)),
    onChange: (sync) => {
      if (sync.state === "SYNCED") synced.resolve();
      const t = target;
      if (t !== null && compareEventIds(sync.stats().lastEventId, t) >= 0) {
        reached.resolve();
      }
    },
  });
  let writing = true;
  const writer = (async () => {
    while (writing) {
      await registerMany(a, "new", 10);
      // lets the server send and the sync store meanwhile
      await new Promise((r) => setTimeout(r, 0));
    }
  })();
  try {
    peers.update([{ serverId: 1, address: addr(a.address) }]);
    await within(synced.promise, 30_000, "SYNCED");
    writing = false;
    await writer;
    assert.ok(lines.some((l) => /outgrew the catch-up's buffer/.test(l)));
    target = (await registerMany(a, "last", 1))[0].id;
    await within(reached.promise, 30_000, "the last event");
    const expected = a.serverEvents(1);
    const got = all();
    assert.ok(got.length > 2_000);
    assert.deepEqual(ids(got), ids(expected.slice(0, got.length)));
  } finally {
    writing = false;
    await writer;
    await peers.close();
  }
});
