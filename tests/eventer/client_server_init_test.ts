// A real client against a real server on loopback: init (the fields
// sent, the defaults, refusal and option validation, of listen() too).

import { connect, EventerInitError } from "../../client.ts";
import { type ConnectionInfo, listen } from "../../server.ts";
import { LOOPBACK } from "./_helpers.ts";
import assert from "node:assert/strict";

Deno.test("connect() sends every combination of the init fields", async (t) => {
  const seen: ConnectionInfo[] = [];
  await using server = await listen(LOOPBACK, {
    status: "operational",
    onConnected: (info) => {
      seen.push(info);
    },
  });
  let id = 0;
  for (const clientToken of [null, "token ž"]) {
    for (const subscriptions of [[], [["a", "*"], ["b", "?", "c"], []]]) {
      for (const serverId of [null, 0, 7]) {
        for (const persisted of [false, true]) {
          const name = JSON.stringify({
            clientToken,
            subscriptions,
            serverId,
            persisted,
          });
          await t.step(name, async () => {
            id++;
            await using client = await connect(server.addrs[0], `c${id}`, {
              clientToken,
              subscriptions,
              serverId,
              persisted,
            });
            assert.equal(client.status, "operational");
            const info = seen.at(-1)!;
            assert.equal(info.id, id);
            assert.equal(info.clientName, `c${id}`);
            assert.equal(info.clientToken, clientToken);
            assert.equal(info.serverId, serverId);
            assert.equal(info.persisted, persisted);
            assert.deepEqual(
              info.subscription.queryTypes(),
              subscriptions.length === 0
                ? []
                : [["a", "*"], ["b", "?", "c"], []]
                  .sort(),
            );
            assert.deepEqual(server.connInfos(), [info]);
          });
        }
      }
    }
  }
  assert.equal(seen.length, 24);
});

Deno.test("connect() without options sends the Python defaults", async () => {
  let info: ConnectionInfo | undefined;
  await using server = await listen(LOOPBACK, {
    onConnected: (i) => {
      info = i;
    },
  });
  await using client = await connect(server.addrs[0], "defaults");
  assert.equal(client.status, "standby");
  assert.equal(info?.clientToken, null);
  assert.equal(info?.serverId, null);
  assert.equal(info?.persisted, false);
  assert.deepEqual(info?.subscription.queryTypes(), []);
});

Deno.test("connect() rejects with EventerInitError when refused", async () => {
  const disconnected: ConnectionInfo[] = [];
  await using server = await listen(LOOPBACK, {
    onConnected: async (info) => {
      await Promise.resolve();
      if (info.clientToken !== "secret") {
        throw new Error("invalid client token");
      }
    },
    onDisconnected: (info) => {
      disconnected.push(info);
    },
  });
  await assert.rejects(
    connect(server.addrs[0], "c", { clientToken: "bad" }),
    (e) =>
      e instanceof EventerInitError && e.message === "invalid client token",
  );
  assert.deepEqual(server.connInfos(), []);
  await using ok = await connect(server.addrs[0], "c", {
    clientToken: "secret",
  });
  assert.equal(server.connInfos().length, 1);
  await ok.close();
  await server.close();
  // Only the accepted client was disconnected.
  assert.deepEqual(disconnected.map((i) => i.clientToken), ["secret"]);
});

Deno.test("connect() validates its options", async () => {
  const addr = { hostname: "127.0.0.1", port: 1 };
  await assert.rejects(
    connect(addr, "c", { serverId: 1.5 }),
    TypeError,
  );
  await assert.rejects(
    connect(addr, "c", { subscriptions: [[1 as unknown as string]] }),
    TypeError,
  );
  await assert.rejects(connect(addr, 3 as unknown as string), TypeError);
});

Deno.test("connect() and listen() refuse a codec other than wasm or ts with a TypeError", async (t) => {
  const addr = { hostname: "127.0.0.1", port: 1 };
  for (const codec of ["bogus", "WASM", "", 5, null]) {
    const bad = { codec: codec as "wasm" };
    const refused = (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.equal(
        e.message,
        `Invalid codec: expected "wasm" or "ts", got ${JSON.stringify(codec)}`,
      );
      return true;
    };
    await t.step(JSON.stringify(codec), async () => {
      await assert.rejects(connect(addr, "c", bad), refused);
      await assert.rejects(listen(LOOPBACK, bad), refused);
    });
  }
});
