// Our Event Servers in a monitor group, against the test monitor server of
// tests/monitor (whose frames are checked against the Python monitor's).

import assert from "node:assert/strict";
import { connect } from "../../../client.ts";
import { startMonitorServer } from "../../monitor/_monitor_server.ts";
import { serveProcess } from "../_cli.ts";
import {
  closeAll,
  registerMany,
  startServer,
  syncedStates,
  type TestServer,
} from "./_group.ts";

const BLESS_ONE = { groupAlgorithms: { event: "BLESS_ONE" as const } };

function member(monitorPort: number, serverId: number, extra = {}) {
  return {
    serverId,
    name: `event_${serverId}`,
    monitorComponent: { address: `127.0.0.1:${monitorPort}`, group: "event" },
    ...extra,
  };
}

function addr(address: string) {
  const [hostname, port] = address.split(":");
  return { hostname, port: Number(port) };
}

const has = (s: TestServer, serverId: number, type: string) =>
  s.serverEvents(serverId).some((e) => e.type.join("/") === type);

Deno.test("in a BLESS_ONE group the first server is operational, the other standby, and each syncs the other", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  const port = monitor.addr.port;
  let a, b;
  try {
    a = await startServer(member(port, 1));
    const x = a;
    await x.until(() => x.status === "operational", "a operational");
    b = await startServer(member(port, 2));
    const y = b;
    await y.until(() => has(y, 1, "event/2/synced/1"), "b synced from a");
    await y.running.redundancy!.synced(1);
    assert.equal(y.status, "standby");
    // What each publishes, as the Python Event Server does.
    const data = monitor.core.components.map((c) => [c.name, c.data]);
    assert.deepEqual(data, [
      [
        "event_1",
        `{"server_id": 1, "eventer_server": {"host": "127.0.0.1", "port": ${
          addr(x.address).port
        }}, "server_token": null}`,
      ],
      [
        "event_2",
        `{"server_id": 2, "eventer_server": {"host": "127.0.0.1", "port": ${
          addr(y.address).port
        }}, "server_token": null}`,
      ],
    ]);

    // The standby refuses registrations and registers nothing of its own.
    await using client = await connect(addr(y.address), "c");
    assert.equal(client.status, "standby");
    assert.equal(
      await client.register(
        [{ type: ["x"], sourceTimestamp: null, payload: null }],
        { withResponse: true },
      ),
      null,
    );
    assert.deepEqual(y.serverEvents(2), []);

    // Events registered on the active one reach the standby.
    await registerMany(x, "on_a", 3);
    await y.until(() => has(y, 1, "on_a/2"), "a's event on b");

    // Synced events as the reference pair has them: b's client registers
    // on a; a's client cannot register on the standby b, so a registers
    // its own locally (no SYNCING: b has no events).
    await x.until(
      () => syncedStates(x, 1, 1, 2).length === 2,
      "a's synced events of b",
    );
    assert.deepEqual(syncedStates(x, 1, 2, 1).map((d) => Object.keys(d!)), [
      ["state"],
      ["state"],
      ["state", "count"],
    ]);
    assert.deepEqual(syncedStates(x, 1, 1, 2), [
      { state: "CONNECTED" },
      { state: "SYNCED", count: 0 },
    ]);
  } finally {
    await closeAll(a, b);
  }
});

Deno.test("when the active server leaves, the standby becomes operational with every event", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  const port = monitor.addr.port;
  let a, b;
  try {
    a = await startServer(member(port, 1));
    const x = a;
    await x.until(() => x.status === "operational", "a operational");
    b = await startServer(member(port, 2));
    const y = b;
    await y.running.redundancy!.synced(1);
    await registerMany(x, "on_a", 10);
    await y.until(() => has(y, 1, "on_a/9"), "a's events on b");
    await a.close();
    await y.until(() => y.status === "operational", "b operational");
    assert.ok(has(y, 2, "event/2/engine"));
    // a said STOPPED before it went: b has it too.
    const stopped = y.serverEvents(1).filter((e) =>
      e.type.join("/") === "event/1/engine"
    ).map((e) => e.payload?.kind === "json" ? e.payload.data : null);
    assert.deepEqual(stopped, ["STARTED", "STOPPED"]);
    assert.notEqual(await registerMany(y, "on_b", 1), null);
  } finally {
    await closeAll(a, b);
  }
});

Deno.test("when the active server's process is killed, the standby takes over", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  const port = monitor.addr.port;
  await using a = await serveProcess([
    "--memory",
    "--server-id",
    "1",
    "--name",
    "a",
    "--monitor",
    `127.0.0.1:${port}`,
  ]);
  await monitor.until((core) =>
    core.components.some((c) => c.name === "a" && c.res.token !== null)
  );
  await using b = await startServer(member(port, 2));
  await b.running.redundancy!.synced(1);
  assert.equal(b.status, "standby");
  a.child.kill("SIGKILL");
  await b.until(() => b.status === "operational", "b operational");
  assert.ok(has(b, 2, "event/2/engine"));
  assert.ok(has(b, 1, "event/1/engine"));
});

Deno.test("with a monitor, a configured status is ignored with a warning", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  await using a = await startServer(
    member(monitor.addr.port, 1, { status: "operational" }),
  );
  assert.match(
    a.lines[0],
    / WARN status "operational" is ignored: with monitorComponent, the monitor decides the status$/,
  );
  assert.match(a.lines[1], /status standby$/);
  await a.until(() => a.status === "operational", "blessed");
});

Deno.test("when the monitor goes away the active server stands by, and one is active again once it is back", async () => {
  const first = await startMonitorServer(BLESS_ONE);
  const port = first.addr.port;
  let a, b, second;
  try {
    a = await startServer(member(port, 1));
    const x = a;
    await x.until(() => x.status === "operational", "a operational");
    b = await startServer(member(port, 2));
    const y = b;
    await y.running.redundancy!.synced(1);
    await first.kill();
    await x.until(() => x.status === "standby", "a standby without monitor");
    assert.equal(y.status, "standby");
    // The peers stay connected meanwhile: a's last events reached b.
    second = await startMonitorServer({ ...BLESS_ONE, port });
    await x.until(
      () => x.status === "operational" || y.status === "operational",
      "one active again",
    );
    const [active, standby] = x.status === "operational" ? [x, y] : [y, x];
    await registerMany(active, "back", 2);
    await standby.until(
      () => has(standby, active.serverId, "back/1"),
      "the active one's events on the other",
    );
    assert.equal(standby.status, "standby");
  } finally {
    await closeAll(a, b);
    await first.close();
    await second?.close();
  }
});

Deno.test("two servers of a group with the same id are logged naming both and never synced", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  const port = monitor.addr.port;
  await using a = await startServer(member(port, 1, { name: "a" }));
  await a.until(() => a.status === "operational", "a operational");
  await using c = await startServer(member(port, 1, { name: "c" }));
  await c.until(
    () => c.lines.some((l) => / ERROR /.test(l)),
    "c's error about a",
  );
  const error = c.lines.find((l) => / ERROR /.test(l))!;
  assert.match(
    error,
    new RegExp(
      `ERROR Event Server a at ${a.address} has server id 1, the id of ` +
        "this server \\(c\\): never synced from",
    ),
  );
  await a.until(
    () => a.lines.some((l) => /ERROR Event Server c .* \(a\): never/.test(l)),
    "a's error about c",
  );
  assert.deepEqual(a.running.redundancy!.peers(), []);
  assert.deepEqual(c.running.redundancy!.peers(), []);
});

Deno.test("with BLESS_ALL, a blessed server waits while its connected peer is active", async () => {
  await using monitor = await startMonitorServer();
  const port = monitor.addr.port;
  let a, b;
  try {
    a = await startServer(member(port, 1));
    const x = a;
    await x.until(() => x.status === "operational", "a operational");
    b = await startServer(member(port, 2));
    const y = b;
    await y.until(
      () => y.lines.some((l) => /waiting for the active peer/.test(l)),
      "b blessed and waiting",
    );
    await y.running.redundancy!.synced(1);
    assert.equal(y.status, "standby");
    await a.close();
    await y.until(() => y.status === "operational", "b operational");
  } finally {
    await closeAll(a, b);
  }
});

Deno.test("resetReady hands the blessing to the other server", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  const port = monitor.addr.port;
  await using a = await startServer(member(port, 1));
  await a.until(() => a.status === "operational", "a operational");
  await using b = await startServer(member(port, 2));
  await b.running.redundancy!.synced(1);
  await a.running.redundancy!.resetReady();
  await b.until(() => b.status === "operational", "b operational");
  await a.until(() => a.status === "standby", "a standby");
  assert.equal(a.running.redundancy!.monitor?.info?.blessingRes.ready, true);
});

Deno.test("monitorComponent.eventerAddress is what the group is told", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  await using a = await startServer(
    member(monitor.addr.port, 1, {
      monitorComponent: {
        address: `127.0.0.1:${monitor.addr.port}`,
        eventerAddress: "event-a.example:23012",
      },
    }),
  );
  await a.until(() => a.status === "operational", "a operational");
  assert.match(
    monitor.core.components[0].data,
    /"eventer_server": \{"host": "event-a\.example", "port": 23012\}/,
  );
});

Deno.test("a server closed by its monitor's MsgClose joins again once the monitor is back", async () => {
  const first = await startMonitorServer(BLESS_ONE);
  const port = first.addr.port;
  let second;
  await using a = await startServer(member(port, 1));
  try {
    await a.until(() => a.status === "operational", "a operational");
    await first.close(); // as on SIGTERM: MsgClose to every component
    await a.until(() => a.status === "standby", "a standby");
    await a.until(
      () => a.lines.some((l) => /WARN monitor component closed/.test(l)),
      "a told",
    );
    second = await startMonitorServer({ ...BLESS_ONE, port });
    await a.until(() => a.status === "operational", "a operational again");
  } finally {
    await second?.close();
  }
});
