// The server as a real process: events whose persisted notification a
// client received survive SIGKILL; SIGTERM and SIGINT shut it down
// gracefully; a storage that fails stops it with exit 4.

import assert from "node:assert/strict";
import { connect } from "../../client.ts";
import { ConnectionError } from "../../mod.ts";
import type { Event, Status } from "../../event/mod.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite/sqlite.ts";
import { serveProcess } from "./_cli.ts";
import { within } from "../_within.ts";
import { ev, holdWriteLock } from "./_storages.ts";

function addr(address: string) {
  const [hostname, port] = address.split(":");
  return { hostname, port: Number(port) };
}

const key = (e: Event) => `${e.id.session}/${e.id.instance}`;

Deno.test("server process: every event notified as persisted survives SIGKILL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_durability_" });
  try {
    const persisted = new Map<string, Event>();
    let enough!: () => void;
    const reached = new Promise<void>((r) => enough = r);
    {
      await using server = await serveProcess(["--data-dir", dir]);
      const subscriber = await connect(addr(server.address), "durable", {
        subscriptions: [["d", "*"]],
        persisted: true,
        onEvents: (_c, events) => {
          for (const e of events) persisted.set(key(e), e);
          if (persisted.size >= 2000) enough();
        },
        onError: () => {},
      });
      const client = await connect(addr(server.address), "writer", {
        onError: () => {},
      });
      // keep registering while the server is killed
      let writing = true;
      const writer = (async () => {
        for (let i = 0; writing; i++) {
          const batch = Array.from({ length: 50 }, (_, k) => ({
            type: ["d", String(k % 5)],
            sourceTimestamp: { s: i, us: k },
            payload: { kind: "json" as const, data: { i, k } },
          }));
          try {
            await client.register(batch, { withResponse: true });
          } catch {
            return;
          }
        }
      })();
      await reached;
      server.child.kill("SIGKILL");
      await server.status;
      writing = false;
      await writer;
      await client.close();
      await subscriber.close();
    }
    assert.ok(persisted.size >= 2000);
    // nothing of it is lost: read the database the killed server left
    await using storage = new SqliteStorage(`${dir}/events.db`);
    const stored = new Map<string, Event>();
    let last = null;
    for (;;) {
      const page = storage.query({
        kind: "server",
        serverId: 1,
        lastEventId: last,
      });
      for (const e of page.events) stored.set(key(e), e);
      if (!page.moreFollows) break;
      last = page.events[page.events.length - 1].id;
    }
    let missing = 0;
    for (const [k, e] of persisted) {
      const s = stored.get(k);
      if (s === undefined) missing++;
      else assert.deepEqual(s, e);
    }
    assert.equal(
      missing,
      0,
      `${missing} of ${persisted.size} persisted events lost`,
    );
    // and a restarted server continues after the highest stored id
    const highest = storage.lastEventId(1);
    await storage.close();
    await using again = await serveProcess(["--data-dir", dir]);
    await using client = await connect(addr(again.address), "after");
    const [next] = (await client.register([{
      type: ["d", "x"],
      sourceTimestamp: null,
      payload: null,
    }], {
      withResponse: true,
    }))!;
    assert.ok(next.id.session > highest.session);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("server process: SIGTERM and SIGINT each announce stopping, close clients, commit, exit 0", async (t) => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    await t.step(signal, async () => {
      const dir = await Deno.makeTempDir({ prefix: "eventer_shutdown_" });
      try {
        await using server = await serveProcess([
          "--data-dir",
          dir,
          "--flush-period",
          "60000",
          "--log-level",
          "info",
        ]);
        const statuses: Status[] = [];
        const client = await connect(addr(server.address), "c", {
          onStatus: (_c, s) => void statuses.push(s),
        });
        const registered = await client.register(
          [{
            type: ["t"],
            sourceTimestamp: null,
            payload: { kind: "json", data: "last words" },
          }],
          { withResponse: true },
        );
        server.child.kill(signal);
        await client.closed;
        const status = await server.status;
        assert.equal(status.code, 0);
        assert.equal(status.signal, null);
        assert.deepEqual(statuses, ["stopping"]);
        assert.match(server.log(), /shutting down/);
        assert.match(server.log(), /stopped/);
        // committed although the flush period was a minute
        await using storage = new SqliteStorage(`${dir}/events.db`);
        assert.deepEqual(
          storage.query({ kind: "latest", eventTypes: [["t"]] }).events,
          registered,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});

Deno.test("server process: exits 4 when it cannot start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_start_" });
  try {
    await Deno.writeTextFile(
      `${dir}/events.db`,
      "not a database, just some text here",
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../../event_server/cli/main.ts", import.meta.url).href,
        "serve",
        "--data-dir",
        dir,
        "--address",
        "127.0.0.1:0",
        "--http",
        "off",
      ],
      stdout: "null",
      stderr: "piped",
    });
    const out = await child.output();
    assert.equal(out.code, 4);
    assert.match(new TextDecoder().decode(out.stderr), /SQLite database/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("server process: exits 4 when its storage fails to commit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_fail_" });
  try {
    await using server = await serveProcess(["--data-dir", dir]);
    const client = await connect(addr(server.address), "c");
    let status;
    {
      // another process writing: the server's commit waits for the lock
      // for its busy timeout (5 s), then fails
      using _lock = holdWriteLock(`${dir}/events.db`);
      await client.register([{
        type: ["t"],
        sourceTimestamp: null,
        payload: { kind: "json", data: "lost" },
      }]);
      status = await server.status;
    }
    await client.closed;
    assert.equal(status.code, 4, server.log());
    assert.match(server.log(), /Cannot commit events/);
    assert.match(server.log(), /The server stopped: its storage failed/);
    assert.doesNotMatch(server.log(), /Unexpected error/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("server process: exits 4 when a retention cleanup of its storage fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_fail_" });
  try {
    const path = `${dir}/events.db`;
    const storage = new SqliteStorage(path);
    await storage.register([ev([1, 1, 1], ["old"], 1000)]);
    await storage.close();
    await Deno.writeTextFile(
      `${dir}/config.json`,
      JSON.stringify({
        dataDir: dir,
        // nothing registered, so nothing to commit: only the cleanup writes
        status: "standby",
        retention: [{ eventTypes: [["old"]], maxAge: 3600 }],
        cleanupPeriod: 100,
      }),
    );
    // another process writing: the cleanup waits for the lock for the busy
    // timeout (5 s), then fails
    using _lock = holdWriteLock(path);
    await using server = await serveProcess(["--config", `${dir}/config.json`]);
    // The cleanup blocks the server's thread from its first run (after
    // cleanupPeriod) until it fails, so a client may or may not finish its
    // handshake before the server exits: a connected one sees its
    // connection closed, a late one a ConnectionError.
    const client = await connect(addr(server.address), "c").catch((e) => {
      if (e instanceof ConnectionError) return null;
      throw e;
    });
    const status = await within(server.status, 30_000, "serve exits");
    if (client) await within(client.closed, 10_000, "the client is closed");
    assert.equal(status.code, 4, server.log());
    assert.match(server.log(), /Retention cleanup failed/);
    assert.match(server.log(), /The server stopped: its storage failed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("server process: exits 4 when the last commit of a shutdown fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_fail_" });
  try {
    // a long flush period: the event waits for the shutdown's commit
    await using server = await serveProcess([
      "--data-dir",
      dir,
      "--flush-period",
      "60000",
    ]);
    const client = await connect(addr(server.address), "c");
    const answer = await client.register([{
      type: ["t"],
      sourceTimestamp: null,
      payload: { kind: "json", data: "lost" },
    }], { withResponse: true });
    assert.notEqual(answer, null);
    let status;
    {
      // another process writing: the final commit waits for the lock for
      // its busy timeout (5 s), then fails
      using _lock = holdWriteLock(`${dir}/events.db`);
      server.child.kill("SIGTERM");
      status = await within(server.status, 30_000, "serve exits");
    }
    await client.closed;
    assert.equal(status.code, 4, server.log());
    assert.match(server.log(), /Cannot commit events/);
    assert.match(server.log(), /The server stopped: its storage failed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
