import assert from "node:assert/strict";
import {
  connectMonitor,
  type MonitorState,
  RunnerError,
} from "../../monitor/mod.ts";
import { within } from "../_within.ts";
import { startMonitorServer } from "./_monitor_server.ts";
import { watchedComponent } from "./_components.ts";

const BLESS_ONE = { groupAlgorithms: { event: "BLESS_ONE" as const } };

Deno.test("a ready component of a BLESS_ONE group is active and runs its runner", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  const a = await watchedComponent(monitor.addr, { name: "a" });
  try {
    await a.until((s) => s.active, "a active");
    assert.deepEqual(a.log, ["start"]);
    const info = a.component.state.info!;
    assert.equal(info.name, "a");
    assert.equal(info.group, "event");
    assert.equal(info.blessingReq.token, info.blessingRes.token);
    assert.equal(a.component.state.connected, true);
  } finally {
    await a.component.close();
  }
  assert.deepEqual(a.log, ["start", "stop"]);
});

Deno.test("a second component waits and takes over when the active one closes", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  const a = await watchedComponent(monitor.addr, { name: "a" });
  const b = await watchedComponent(monitor.addr, { name: "b" });
  try {
    await a.until((s) => s.active, "a active");
    await b.until((s) => s.components.length === 2, "b sees both");
    assert.equal(b.component.active, false);
    assert.deepEqual(b.log, []);
    await a.component.close();
    await b.until((s) => s.active, "b active");
    assert.deepEqual(b.log, ["start"]);
    assert.deepEqual(b.component.state.components.map((c) => c.name), ["b"]);
  } finally {
    await a.component.close();
    await b.component.close();
  }
});

Deno.test("setReady(false) closes the runner before the blessing is given back", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  let tokenWhileStopping: number | null | undefined;
  const a = await watchedComponent(monitor.addr, {
    name: "a",
    runner: (component) => () => {
      const cid = component.state.cid;
      tokenWhileStopping = monitor.core.components.find((c) => c.cid === cid)
        ?.res.token;
    },
  });
  const b = await watchedComponent(monitor.addr, { name: "b" });
  try {
    await a.until((s) => s.active, "a active");
    await a.component.setReady(false);
    await b.until((s) => s.active, "b active");
    assert.equal(typeof tokenWhileStopping, "number");
    assert.equal(a.component.active, false);
    assert.equal(a.component.ready, false);
    await a.component.setReady(true);
    await a.until((s) => s.info?.blessingRes.ready === true, "a ready again");
    assert.equal(a.component.active, false);
  } finally {
    await a.component.close();
    await b.component.close();
  }
});

Deno.test("a component with BLESS_ALL is active beside others of its group", async () => {
  await using monitor = await startMonitorServer();
  const a = await watchedComponent(monitor.addr, { name: "a" });
  const b = await watchedComponent(monitor.addr, { name: "b" });
  try {
    await a.until((s) => s.active, "a active");
    await b.until((s) => s.active, "b active");
  } finally {
    await a.component.close();
    await b.component.close();
  }
});

Deno.test("a component that is not ready is never blessed", async () => {
  await using monitor = await startMonitorServer();
  const a = await watchedComponent(monitor.addr, { name: "a", ready: false });
  try {
    await a.until(
      (s) => s.info?.name === "a" && s.info.blessingRes.ready === false,
      "a listed",
    );
    assert.equal(a.component.state.info?.blessingReq.token, null);
    assert.deepEqual(a.log, []);
  } finally {
    await a.component.close();
  }
});

Deno.test("a runner that ends on its own while active closes the component", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  const ended = Promise.withResolvers<void>();
  const component = await connectMonitor(monitor.addr, {
    name: "a",
    group: "event",
    ready: true,
    runner: () => ({ close() {}, closed: ended.promise }),
  });
  for await (const s of component.states()) if (s.active) break;
  ended.resolve();
  await within(component.closed, 10_000, "component closed");
  assert.equal(component.isOpen, false);
  assert.equal(component.closeReason, undefined);
});

Deno.test("a runner that throws closes the component with a RunnerError", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  const errors: unknown[] = [];
  const component = await connectMonitor(monitor.addr, {
    name: "a",
    group: "event",
    ready: true,
    onError: (e) => errors.push(e),
    runner: () => {
      throw new Error("no engine");
    },
  });
  await within(component.closed, 10_000, "component closed");
  assert.ok(component.closeReason instanceof RunnerError);
  assert.equal((component.closeReason as RunnerError).phase, "start");
  assert.match(component.closeReason.message, /no engine/);
  assert.deepEqual(errors, [component.closeReason]);
});

Deno.test("a runner that fails to close is reported and the component goes on", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  const errors: unknown[] = [];
  let runs = 0;
  const component = await connectMonitor(monitor.addr, {
    name: "a",
    group: "event",
    ready: true,
    onError: (e) => errors.push(e),
    runner: () => {
      runs++;
      return {
        close() {
          throw new Error("stuck");
        },
      };
    },
  });
  try {
    for await (const s of component.states()) if (s.active) break;
    await component.setReady(false);
    await component.setReady(true);
    for await (const s of component.states()) if (s.active) break;
    assert.equal(runs, 2);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof RunnerError);
    assert.equal((errors[0] as RunnerError).phase, "close");
  } finally {
    await component.close();
  }
});

Deno.test("the runner's signal is aborted when the component stops being active", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  let signal: AbortSignal | undefined;
  const component = await connectMonitor(monitor.addr, {
    name: "a",
    group: "event",
    ready: true,
    runner: (_c, s) => {
      signal = s;
    },
  });
  for await (const s of component.states()) if (s.active) break;
  assert.equal(signal?.aborted, false);
  await component.close();
  assert.equal(signal?.aborted, true);
});

Deno.test("states() gives the current state, then changes, and ends on close", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  const component = await connectMonitor(monitor.addr, {
    name: "a",
    group: "event",
  });
  const seen: MonitorState[] = [];
  const iterating = (async () => {
    for await (const s of component.states()) seen.push(s);
  })();
  await within(
    (async () => {
      for await (const s of component.states()) {
        if (s.info?.name === "a") return;
      }
    })(),
    10_000,
    "listed",
  );
  await component.close();
  await within(iterating, 10_000, "iteration ended");
  assert.equal(seen[0].connected, true);
  assert.equal(seen.at(-1)!.connected, false);
  assert.equal(seen.at(-1)!.cid, null);
});

Deno.test("onState sees every change and a throwing onState goes to onError", async () => {
  await using monitor = await startMonitorServer(BLESS_ONE);
  const errors: unknown[] = [];
  let calls = 0;
  const component = await connectMonitor(monitor.addr, {
    name: "a",
    group: "event",
    ready: true,
    onError: (e) => errors.push(e),
    onState: () => {
      calls++;
      throw new Error("callback bug");
    },
  });
  try {
    for await (const s of component.states()) if (s.active) break;
    assert.ok(calls >= 2);
    assert.equal(errors.length, calls);
  } finally {
    await component.close();
  }
});

Deno.test("connectMonitor() rejects invalid options with a TypeError", async (t) => {
  const addr = { hostname: "127.0.0.1", port: 1 };
  const cases: [string, Record<string, unknown>][] = [
    ["no name", { group: "g" }],
    ["a number group", { name: "a", group: 1 }],
    ["data that is not JSON", { name: "a", group: "g", data: { x: NaN } }],
    ["a runner that is not a function", { name: "a", group: "g", runner: 1 }],
    ["ready that is not a boolean", { name: "a", group: "g", ready: "yes" }],
  ];
  for (const [what, options] of cases) {
    await t.step(what, async () => {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        connectMonitor(addr, options as any),
        TypeError,
      );
    });
  }
  await t.step("a negative reconnect delay", async () => {
    await assert.rejects(
      connectMonitor(addr, {
        name: "a",
        group: "g",
        reconnect: { delay: -1 },
      }),
      RangeError,
    );
  });
});
