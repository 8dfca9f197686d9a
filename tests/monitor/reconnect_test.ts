import assert from "node:assert/strict";
import {
  ConnectionError,
  connectMonitor,
  DEFAULT_RECONNECT_DELAY,
} from "../../monitor/mod.ts";
import { within } from "../_within.ts";
import { startMonitorServer } from "./_monitor_server.ts";
import { watchedComponent } from "./_components.ts";

const BLESS_ONE = { groupAlgorithms: { event: "BLESS_ONE" as const } };

Deno.test("the reconnect delay is the reference's eventer component delay", () => {
  assert.equal(DEFAULT_RECONNECT_DELAY, 0.5);
});

Deno.test("a component reconnects when its monitor goes away and comes back", async () => {
  const first = await startMonitorServer(BLESS_ONE);
  const port = first.addr.port;
  const a = await watchedComponent(first.addr, { name: "a" });
  let second;
  try {
    await a.until((s) => s.active, "active on the first monitor");
    await first.kill();
    await a.until((s) => !s.connected, "disconnected");
    assert.equal(a.component.active, false);
    assert.deepEqual(a.log, ["start", "stop"]);
    assert.equal(a.component.state.cid, null);
    second = await startMonitorServer({ ...BLESS_ONE, port });
    await a.until((s) => s.active, "active on the second monitor");
    assert.deepEqual(a.log, ["start", "stop", "start"]);
    assert.equal(a.component.state.info?.name, "a");
    assert.equal(a.component.isOpen, true);
  } finally {
    await a.component.close();
    await second?.close();
  }
});

Deno.test("a component keeps trying while its monitor is down and reports the failure", async () => {
  const monitor = await startMonitorServer(BLESS_ONE);
  const port = monitor.addr.port;
  const failed = Promise.withResolvers<unknown>();
  const a = await watchedComponent(monitor.addr, {
    name: "a",
    onError: (e) => failed.resolve(e),
  });
  let back;
  try {
    await a.until((s) => s.active, "active");
    await monitor.kill();
    const error = await within(failed.promise, 10_000, "a failed attempt");
    assert.ok(error instanceof ConnectionError);
    assert.match(
      error.message,
      new RegExp(`Cannot connect to 127.0.0.1:${port}`),
    );
    back = await startMonitorServer({ ...BLESS_ONE, port });
    await a.until((s) => s.active, "active again");
  } finally {
    await a.component.close();
    await back?.close();
  }
});

Deno.test("with reconnect: false a lost monitor closes the component", async () => {
  const monitor = await startMonitorServer(BLESS_ONE);
  const a = await watchedComponent(monitor.addr, {
    name: "a",
    reconnect: false,
  });
  await a.until((s) => s.active, "active");
  await monitor.kill();
  await within(a.component.closed, 10_000, "closed");
  assert.equal(a.component.isOpen, false);
  assert.ok(a.component.closeReason instanceof ConnectionError);
  assert.deepEqual(a.log, ["start", "stop"]);
});

Deno.test("a MsgClose from the monitor closes the component and it does not reconnect", async () => {
  const monitor = await startMonitorServer(BLESS_ONE);
  const port = monitor.addr.port;
  let requests = 0;
  const a = await watchedComponent(monitor.addr, {
    name: "a",
    onCloseRequest: () => {
      requests++;
    },
  });
  await a.until((s) => s.active, "active");
  await monitor.close();
  await within(a.component.closed, 10_000, "closed");
  assert.equal(requests, 1);
  assert.equal(a.component.closeReason, undefined);
  assert.deepEqual(a.log, ["start", "stop"]);
  await using back = await startMonitorServer({ ...BLESS_ONE, port });
  assert.equal(back.connections.size, 0);
});

Deno.test("close() while the monitor is down stops reconnecting at once", async () => {
  const monitor = await startMonitorServer(BLESS_ONE);
  const a = await watchedComponent(monitor.addr, {
    name: "a",
    reconnect: { delay: 60 },
  });
  await a.until((s) => s.active, "active");
  await monitor.kill();
  await a.until((s) => !s.connected, "disconnected");
  // The next attempt is a minute away: close must not wait for it.
  await within(a.component.close(), 5_000, "close");
  assert.equal(a.component.isOpen, false);
  await assert.rejects(a.component.setReady(false), ConnectionError);
});

Deno.test("connectMonitor() rejects with the signal's reason when aborted", async () => {
  await using monitor = await startMonitorServer();
  const abort = new AbortController();
  abort.abort(new Error("shutting down"));
  await assert.rejects(
    connectMonitor(monitor.addr, {
      name: "a",
      group: "g",
      signal: abort.signal,
    }),
    /shutting down/,
  );
  assert.equal(monitor.connections.size, 0);
});

Deno.test("connectMonitor() rejects with a ConnectionError when no monitor listens", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  await assert.rejects(
    connectMonitor({ hostname: "127.0.0.1", port }, { name: "a", group: "g" }),
    ConnectionError,
  );
});
