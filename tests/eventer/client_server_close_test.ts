// A real client against a real server on loopback: throwing callbacks,
// closing either side and what becomes of waiting calls.

import { ConnectionError } from "../../chatter/mod.ts";
import { connect } from "../../client.ts";
import type { Event, QueryResult } from "../../event/mod.ts";
import { type ConnectionInfo, listen } from "../../server.ts";
import {
  deferred,
  errorLog,
  event,
  LOOPBACK,
  registerEvent,
} from "./_helpers.ts";
import assert from "node:assert/strict";

Deno.test("a throwing query callback closes only its connection", async () => {
  const log = errorLog();
  const disconnected = deferred<ConnectionInfo>();
  await using server = await listen(LOOPBACK, {
    onQuery: (info) => {
      if (info.clientName === "bad") throw new Error("query failed");
      return { events: [], moreFollows: false };
    },
    onDisconnected: (info) => disconnected.resolve(info),
    onError: log.onError,
  });
  await using good = await connect(server.addrs[0], "good");
  await using bad = await connect(server.addrs[0], "bad");
  await assert.rejects(bad.query({ kind: "latest" }), ConnectionError);
  await bad.closed;
  assert.equal(bad.isOpen, false);
  assert.equal((await disconnected.promise).clientName, "bad");
  assert.match(String(log.errors[0]), /query failed/);
  assert.deepEqual(await good.query({ kind: "latest" }), {
    events: [],
    moreFollows: false,
  });
  assert.deepEqual(server.connInfos().map((i) => i.clientName), ["good"]);
});

Deno.test("closing the server rejects a client's waiting calls", async () => {
  const registering = deferred();
  const never = deferred<Event[]>();
  const server = await listen(LOOPBACK, {
    onRegister: () => {
      registering.resolve();
      return never.promise;
    },
  });
  const client = await connect(server.addrs[0], "c");
  const pending = client.register([registerEvent(["a"])], {
    withResponse: true,
  });
  const query = client.query({ kind: "latest" }); // queued behind the register
  await registering.promise;
  await server.close();
  await assert.rejects(pending, ConnectionError);
  await assert.rejects(query, ConnectionError);
  await client.closed;
  assert.equal(client.isOpen, false);
  await assert.rejects(client.query({ kind: "latest" }), ConnectionError);
  await assert.rejects(
    client.register([registerEvent(["a"])], { withResponse: true }),
    ConnectionError,
  );
  never.resolve([]);
});

Deno.test("closing the client rejects its waiting calls", async () => {
  const querying = deferred();
  const never = deferred<QueryResult>();
  await using server = await listen(LOOPBACK, {
    onQuery: () => {
      querying.resolve();
      return never.promise;
    },
  });
  const client = await connect(server.addrs[0], "c");
  const query = client.query({ kind: "latest" });
  await querying.promise;
  await client.close();
  await assert.rejects(query, ConnectionError);
  never.resolve({ events: [], moreFollows: false });
});
Deno.test("a throwing events callback closes the client and is reported", async () => {
  await using server = await listen(LOOPBACK);
  const log = errorLog();
  const client = await connect(server.addrs[0], "c", {
    subscriptions: [["*"]],
    onEvents: () => {
      throw new Error("callback failed");
    },
    onError: log.onError,
  });
  await server.notifyEvents([event(["a"])]);
  await client.closed;
  assert.match(String(log.errors[0]), /callback failed/);
});

Deno.test("server close calls onDisconnected for every client", async () => {
  const disconnected: string[] = [];
  const server = await listen(LOOPBACK, {
    onDisconnected: (info) => {
      disconnected.push(info.clientName);
    },
  });
  const a = await connect(server.addrs[0], "a");
  const b = await connect(server.addrs[0], "b");
  await server.close();
  await server.closed;
  await a.closed;
  await b.closed;
  assert.deepEqual(disconnected.sort(), ["a", "b"]);
  assert.deepEqual(server.connInfos(), []);
});
