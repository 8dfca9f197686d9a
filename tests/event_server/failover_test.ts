// Reconnecting clients against the Event Server as a real process: killed
// with SIGKILL and started again on the same address, and a failover from
// one server to another. A persisted subscriber must see exactly what the
// servers stored, once each, in order; registrations must resume.

import assert from "node:assert/strict";
import { ConnectionError } from "../../chatter/mod.ts";
import { type Client, connect, type ReconnectInfo } from "../../client.ts";
import type { Address } from "../../chatter/mod.ts";
import type { Event } from "../../event/mod.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite/sqlite.ts";
import { collect, ids } from "../eventer/_reconnect.ts";
import { within } from "../_within.ts";
import { serveProcess } from "./_cli.ts";

const BACKOFF = { delay: 0.05, maxDelay: 0.4 };
// The subscriber comes back later than the writer: what the writer
// registers on the new server meanwhile only the catch-up can give it.
const SLOW_BACKOFF = { delay: 0.4, maxDelay: 0.8 };

function addr(address: string): Address {
  const [hostname, port] = address.split(":");
  return { hostname, port: Number(port) };
}

const subscribed = (e: Event) => e.type[0] === "r";

/** A client registering batches of 10 until stopped. */
function writer(client: Client) {
  let running = true;
  let ok = 0;
  let lost = 0; // in flight when the connection dropped
  const waiters: { n: number; resolve: () => void }[] = [];
  const servers = new Set<number>();
  const done = (async () => {
    for (let i = 0; running; i++) {
      const batch = Array.from({ length: 10 }, (_, k) => ({
        type: ["r", String(k)],
        sourceTimestamp: null,
        payload: { kind: "json" as const, data: { i, k } },
      }));
      try {
        const events = await client.register(batch, { withResponse: true });
        if (events === null) continue;
        ok++;
        servers.add(events[0].id.server);
        for (const w of waiters.splice(0)) {
          if (ok >= w.n) w.resolve();
          else waiters.push(w);
        }
      } catch (err) {
        if (!(err instanceof ConnectionError)) throw err;
        lost++;
      }
    }
  })();
  return {
    get ok() {
      return ok;
    },
    get lost() {
      return lost;
    },
    servers,
    /** Resolves after `n` more successful registrations. */
    more(n: number): Promise<void> {
      const target = ok + n;
      return within(
        new Promise<void>((resolve) => waiters.push({ n: target, resolve })),
        60_000,
        `${n} more registrations`,
      );
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

/**
 * The events of `serverId` a server stored, in id order (a query not
 * restricted to persisted events commits what waits first).
 */
async function stored(at: Address, serverId: number): Promise<Event[]> {
  await using client = await connect(at, "reader");
  const out: Event[] = [];
  let last = null;
  for (;;) {
    const page = await client.query({
      kind: "server",
      serverId,
      persisted: false,
      lastEventId: last,
    });
    out.push(...page.events);
    if (!page.moreFollows || page.events.length === 0) break;
    last = page.events[page.events.length - 1].id;
  }
  return out.filter(subscribed);
}

function checkBackoff(
  info: ReconnectInfo,
  backoff: { delay: number; maxDelay: number },
): void {
  info.delays.forEach((d, k) => {
    const full = Math.min(backoff.maxDelay, backoff.delay * 2 ** k);
    assert.ok(d >= full / 2 && d < full, `wait ${k}: ${d}`);
  });
}

Deno.test("a persisted subscriber and a writer ride out a SIGKILL and restart of the Event Server", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_failover_" });
  try {
    const first = await serveProcess(["--data-dir", dir]);
    const at = addr(first.address);
    const reconnects: Record<string, ReconnectInfo[]> = { sub: [], w: [] };
    const subscriber = await connect(at, "sub", {
      subscriptions: [["r", "*"]],
      persisted: true,
      reconnect: SLOW_BACKOFF,
      onReconnect: (_c, info) => void reconnects.sub.push(info),
      onError: () => {},
    });
    const got = collect(subscriber);
    const client = await connect(at, "w", {
      reconnect: BACKOFF,
      requestTimeout: 60,
      onReconnect: (_c, info) => void reconnects.w.push(info),
      onError: () => {},
    });
    const w = writer(client);
    await got.until(300);

    first.child.kill("SIGKILL");
    await first.status;
    const before = w.ok;
    await using second = await serveProcess(["--data-dir", dir], {
      listenOn: first.address,
    });
    await w.more(30); // registrations resume on the new server
    await w.stop();
    assert.ok(w.ok >= before + 30);

    const expected = await stored(at, 1);
    await got.until(expected.length);
    await client.close();
    await subscriber.close();
    await got.done;
    assert.equal(got.events.length, expected.length);
    assert.deepEqual(ids(got.events), ids(expected));
    assert.deepEqual(got.events, expected);
    assert.ok(w.lost <= 1, `${w.lost} calls were in flight`);
    for (const info of reconnects.sub) checkBackoff(info, SLOW_BACKOFF);
    for (const info of reconnects.w) checkBackoff(info, BACKOFF);
    for (const info of [...reconnects.sub, ...reconnects.w]) {
      assert.deepEqual(info.address, at);
    }
    assert.equal(reconnects.sub.length, 1);
    assert.equal(reconnects.w.length, 1);
    assert.match(second.log(), /listening/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("clients move from a killed Event Server to the next address of their list", async () => {
  const dirA = await Deno.makeTempDir({ prefix: "eventer_failover_a_" });
  try {
    const a = await serveProcess(["--data-dir", dirA, "--server-id", "1"]);
    await using b = await serveProcess(["--memory", "--server-id", "2"]);
    const addrs = [addr(a.address), addr(b.address)];
    const moved: ReconnectInfo[] = [];
    const subscriber = await connect(addrs, "sub", {
      subscriptions: [["r", "*"]],
      persisted: true,
      reconnect: BACKOFF,
      onReconnect: (_c, info) => void moved.push(info),
      onError: () => {},
    });
    const got = collect(subscriber);
    const client = await connect(addrs, "w", {
      reconnect: BACKOFF,
      requestTimeout: 60,
      onReconnect: (_c, info) => void moved.push(info),
      onError: () => {},
    });
    const w = writer(client);
    await got.until(200);
    a.child.kill("SIGKILL");
    await a.status;
    await w.more(30);
    await w.stop();
    assert.deepEqual([...w.servers].sort(), [1, 2]);

    // what A stored and notified before it died: a prefix of its store
    let fromA: Event[];
    {
      await using storage = new SqliteStorage(`${dirA}/events.db`);
      fromA = [];
      let last = null;
      for (;;) {
        const page = storage.query({
          kind: "server",
          serverId: 1,
          lastEventId: last,
        });
        fromA.push(...page.events);
        if (!page.moreFollows) break;
        last = page.events[page.events.length - 1].id;
      }
      fromA = fromA.filter(subscribed);
    }
    const fromB = await stored(addrs[1], 2);
    const gotA = got.events.filter((e) => e.id.server === 1);
    await got.until(gotA.length + fromB.length);
    await client.close();
    await subscriber.close();
    await got.done;
    assert.ok(gotA.length >= 200);
    assert.deepEqual(ids(gotA), ids(fromA.slice(0, gotA.length)));
    // all of B's, also those registered before the subscriber got there
    const gotB = got.events.filter((e) => e.id.server === 2);
    assert.deepEqual(ids(gotB), ids(fromB));
    assert.equal(got.events.length, gotA.length + gotB.length);
    assert.deepEqual(moved.map((i) => i.address), [addrs[1], addrs[1]]);
  } finally {
    await Deno.remove(dirA, { recursive: true });
  }
});
