// The limits reach the Event Server through its config and `serve` flags:
// a server process started with low limits enforces each one and logs it.

import assert from "node:assert/strict";
import { ConnectionError } from "../../chatter/mod.ts";
import { connect } from "../../client.ts";
import { DEFAULT_CONFIG, resolveConfig } from "../../event_server/config.ts";
import { serveProcess } from "../event_server/_cli.ts";
import {
  closeQuietly,
  initFrame,
  rawConnect,
  readUntilClosed,
  writeAll,
} from "./_peers.ts";

Deno.test("config: the limits have defaults and are checked", () => {
  assert.equal(DEFAULT_CONFIG.maxConnections, 4096);
  assert.equal(DEFAULT_CONFIG.initTimeout, 10);
  assert.equal(DEFAULT_CONFIG.maxRegisterEvents, 100_000);
  assert.equal(DEFAULT_CONFIG.sendQueueBytes, 4 * 1024 * 1024);
  const c = resolveConfig({ maxConnections: 5, initTimeout: 0.5 });
  assert.equal(c.maxConnections, 5);
  assert.equal(c.initTimeout, 0.5);
  assert.throws(() => resolveConfig({ maxConnections: 0 }), /maxConnections/);
  assert.throws(() => resolveConfig({ initTimeout: 0 }), /initTimeout/);
  assert.throws(
    () => resolveConfig({ maxRegisterEvents: 1.5 }),
    /maxRegisterEvents/,
  );
  assert.throws(() => resolveConfig({ sendQueueBytes: -1 }), /sendQueueBytes/);
});

Deno.test("serve flags: each limit enforced and logged by the server process", async () => {
  await using server = await serveProcess([
    "--memory",
    "--log-level",
    "info",
    "--max-connections",
    "3",
    "--init-timeout",
    "0.3",
    "--max-register-events",
    "3",
    "--max-results",
    "2",
    "--send-queue-bytes",
    "65536",
  ]);
  const [hostname, port] = server.address.split(":");
  const addr = { hostname, port: Number(port) };

  // initTimeout: a silent connection is closed.
  const silent = await rawConnect(addr);
  await readUntilClosed(silent);
  closeQuietly(silent);

  await using a = await connect(addr, "a");
  // maxRegisterEvents: 4 events fail, 3 succeed.
  const ev = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      type: ["t", String(i)],
      sourceTimestamp: null,
      payload: { kind: "json" as const, data: "z".repeat(2000) },
    }));
  assert.equal(await a.register(ev(4), { withResponse: true }), null);
  assert.equal((await a.register(ev(3), { withResponse: true }))?.length, 3);
  // maxResults caps query results, with moreFollows.
  const page = await a.query({ kind: "timeseries" });
  assert.equal(page.events.length, 2);
  assert.equal(page.moreFollows, true);

  // sendQueueBytes: a subscriber that never reads is dropped, named.
  const slow = await rawConnect(addr);
  await writeAll(slow, initFrame("slow", [["*"]]));
  // maxConnections: a, slow and b are 3; a fourth is refused.
  await using b = await connect(addr, "b");
  await assert.rejects(connect(addr, "c"), ConnectionError);
  for (let i = 0; i < 2000 && !server.log().includes("slow client"); i++) {
    await a.register(ev(3), { withResponse: true });
  }
  await readUntilClosed(slow);
  closeQuietly(slow);
  assert.ok(b.isOpen);

  const log = server.log();
  assert.match(log, /initTimeout|no HatEventer.MsgInitReq within 0.3 s/);
  assert.match(log, /over maxRegisterEvents 3/);
  assert.match(log, /disconnecting slow client "slow"/);
  assert.match(log, /maxConnections 3/);
});
