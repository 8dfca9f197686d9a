// The eventer component (component.ts) in a monitor group with two of our
// Event Servers, on the test monitor server of tests/monitor.

import assert from "node:assert/strict";
import {
  type Client,
  type ComponentOptions,
  connectComponent,
  type Event,
  type EventerComponent,
  type MonitorState,
  RunnerError,
} from "../../mod.ts";
import { MSG_CLOSE, startMonitorServer } from "../monitor/_monitor_server.ts";
import { serveProcess } from "../event_server/_cli.ts";
import { startServer } from "../event_server/redundancy/_group.ts";
import { within } from "../_within.ts";

const GROUPS = { groupAlgorithms: { event: "BLESS_ONE" as const } };

function eventServer(monitorPort: number, serverId: number) {
  return startServer({
    serverId,
    name: `event_${serverId}`,
    monitorComponent: { address: `127.0.0.1:${monitorPort}` },
  });
}

/** What the runners did, in order, and a way to wait for an entry. */
function runLog() {
  const entries: string[] = [];
  const clients: Client[] = [];
  let waiters: { n: number; resolve(): void }[] = [];
  const push = (entry: string) => {
    entries.push(entry);
    waiters = waiters.filter((w) => {
      if (entries.length < w.n) return true;
      w.resolve();
      return false;
    });
  };
  return {
    entries,
    clients,
    push,
    runner: ((_c, server, client) => {
      clients.push(client);
      push(`start ${server.serverId}`);
      return () => push(`stop ${server.serverId}`);
    }) as ComponentOptions["runner"],
    /** Resolves once there are `n` entries. */
    reached(n: number): Promise<void> {
      if (entries.length >= n) return Promise.resolve();
      const p = new Promise<void>((resolve) => waiters.push({ n, resolve }));
      return within(p, 30_000, `${n} runner entries (${entries})`);
    },
  };
}

function options(
  extra: Partial<ComponentOptions> & Pick<ComponentOptions, "runner">,
): ComponentOptions {
  return {
    name: "gateway1",
    group: "gateway",
    serverGroup: "event",
    clientName: "gateway1",
    ready: true,
    onError: () => {},
    ...extra,
  };
}

const reg = (type: string) => ({
  type: type.split("/"),
  sourceTimestamp: null,
  payload: null,
});

Deno.test("the component's runner gets a client of the active Event Server of the server group", async () => {
  await using monitor = await startMonitorServer(GROUPS);
  const port = monitor.addr.port;
  await using a = await eventServer(port, 1);
  await a.until(() => a.status === "operational", "a operational");
  await using b = await eventServer(port, 2);
  await b.running.redundancy!.synced(1);
  const log = runLog();
  await using component = await connectComponent(
    monitor.addr,
    options({ runner: log.runner }),
  );
  await log.reached(1);
  assert.deepEqual(log.entries, ["start 1"]);
  assert.equal(component.server?.serverId, 1);
  assert.equal(component.server?.info.name, "event_1");
  assert.equal(component.client, log.clients[0]);
  assert.equal(log.clients[0].status, "operational");
  const events = await log.clients[0].register([reg("gw/x")], {
    withResponse: true,
  });
  assert.equal(events?.[0].id.server, 1);
  await component.close();
  assert.deepEqual(log.entries, ["start 1", "stop 1"]);
});

Deno.test("when the active server is killed the runner is closed and made again for the new active one", async () => {
  await using monitor = await startMonitorServer(GROUPS);
  const port = monitor.addr.port;
  await using a = await serveProcess([
    "--memory",
    "--server-id",
    "1",
    "--monitor",
    `127.0.0.1:${port}`,
  ]);
  await monitor.until((core) =>
    core.components.some((c) => c.name === "event_1" && c.res.token !== null)
  );
  await using b = await eventServer(port, 2);
  await b.running.redundancy!.synced(1);
  const log = runLog();
  await using component = await connectComponent(
    monitor.addr,
    options({ runner: log.runner }),
  );
  await log.reached(1);
  a.child.kill("SIGKILL");
  await log.reached(3);
  assert.deepEqual(log.entries, ["start 1", "stop 1", "start 2"]);
  assert.equal(component.server?.serverId, 2);
  assert.equal(log.clients[0].isOpen, false);
  const events = await log.clients[1].register([reg("gw/after")], {
    withResponse: true,
  });
  assert.equal(events?.[0].id.server, 2);
});

Deno.test("a runner that closes itself closes the component", async () => {
  await using monitor = await startMonitorServer(GROUPS);
  await using a = await eventServer(monitor.addr.port, 1);
  await a.until(() => a.status === "operational", "a operational");
  const ended = Promise.withResolvers<void>();
  const log: string[] = [];
  const component = await connectComponent(
    monitor.addr,
    options({
      runner: () => {
        log.push("start");
        return { close: () => void log.push("close"), closed: ended.promise };
      },
    }),
  );
  await within(
    (async () => {
      for await (const s of component.states()) if (s.active) break;
    })(),
    30_000,
    "active",
  );
  await a.until(
    () => a.seen.some((e) => e.type.join("/") === "event/1/eventer/gateway1"),
    "the component's client connected",
  );
  ended.resolve();
  await within(component.closed, 30_000, "the component closed");
  assert.equal(component.isOpen, false);
  assert.deepEqual(log, ["start", "close"]);
});

Deno.test("a runner that throws closes the component and is reported", async () => {
  await using monitor = await startMonitorServer(GROUPS);
  await using a = await eventServer(monitor.addr.port, 1);
  await a.until(() => a.status === "operational", "a operational");
  const errors: unknown[] = [];
  const component = await connectComponent(
    monitor.addr,
    options({
      runner: () => {
        throw new Error("no gateway today");
      },
      onError: (e) => void errors.push(e),
    }),
  );
  await within(component.closed, 30_000, "the component closed");
  assert.ok(errors[0] instanceof RunnerError);
  assert.match((errors[0] as Error).message, /no gateway today/);
});

Deno.test("the component connects only while it is ready and blessed in its own group", async () => {
  await using monitor = await startMonitorServer(GROUPS);
  await using a = await eventServer(monitor.addr.port, 1);
  await a.until(() => a.status === "operational", "a operational");
  const log = runLog();
  await using component = await connectComponent(
    monitor.addr,
    options({ runner: log.runner, ready: false }),
  );
  await within(
    (async () => {
      for await (const s of component.states()) {
        if (s.components.some((c) => c.name === "gateway1")) break;
      }
    })(),
    30_000,
    "listed",
  );
  assert.deepEqual(log.entries, []);
  assert.equal(component.ready, false);
  await component.setReady(true);
  await log.reached(1);
  await component.setReady(false);
  await log.reached(2);
  assert.deepEqual(log.entries, ["start 1", "stop 1"]);
  // The runner first, then its client.
  await within(log.clients[0].closed, 30_000, "the client closed");
});

Deno.test("the client hears the active server's events only, unless serverId says otherwise", async (t) => {
  await using monitor = await startMonitorServer(GROUPS);
  await using a = await eventServer(monitor.addr.port, 1);
  await a.until(() => a.status === "operational", "a operational");
  const foreign: Event = {
    id: { server: 9, session: 1, instance: 1 },
    type: ["gw", "foreign"],
    timestamp: { s: 1, us: 0 },
    sourceTimestamp: null,
    payload: null,
  };
  for (
    const [name, serverId, expected] of [
      ["default", undefined, ["gw/own"]],
      ["serverId null", null, ["gw/foreign", "gw/own"]],
    ] as const
  ) {
    await t.step(name, async () => {
      const seen: string[] = [];
      const done = Promise.withResolvers<void>();
      const log = runLog();
      await using _component = await connectComponent(
        monitor.addr,
        options({
          runner: log.runner,
          subscriptions: [["gw", "*"]],
          ...(serverId === undefined ? {} : { serverId }),
          onEvents: (component, client, events) => {
            assert.equal(client, component.client);
            for (const e of events) seen.push(e.type.join("/"));
            if (seen.includes("gw/own")) done.resolve();
          },
        }),
      );
      await log.reached(1);
      a.running.engine.storeSynced([{
        ...foreign,
        id: { ...foreign.id, session: serverId === null ? 2 : 1 },
      }]);
      a.running.engine.register([reg("gw/own")]);
      await within(done.promise, 30_000, "gw/own");
      assert.deepEqual(seen, expected);
    });
  }
});

Deno.test("a server whose token is not the client's is not connected to", async () => {
  await using monitor = await startMonitorServer(GROUPS);
  await using a = await eventServer(monitor.addr.port, 1);
  await a.until(() => a.status === "operational", "a operational");
  const log = runLog();
  await using component = await connectComponent(
    monitor.addr,
    options({ runner: log.runner, clientToken: "secret" }),
  );
  await within(
    (async () => {
      for await (const s of component.states()) if (s.active) break;
    })(),
    30_000,
    "active",
  );
  assert.equal(component.server, null);
  assert.deepEqual(log.entries, []);
});

Deno.test("onStatus hears the active server's statuses with the component and its client", async () => {
  await using monitor = await startMonitorServer(GROUPS);
  await using a = await eventServer(monitor.addr.port, 1);
  await a.until(() => a.status === "operational", "a operational");
  const statuses: string[] = [];
  const stopping = Promise.withResolvers<void>();
  const log = runLog();
  let seen: EventerComponent | undefined;
  await using component = await connectComponent(
    monitor.addr,
    options({
      runner: log.runner,
      onStatus: (c, client, status) => {
        seen = c;
        assert.equal(client, c.client);
        statuses.push(status);
        if (status === "standby") stopping.resolve();
      },
    }),
  );
  await log.reached(1);
  await a.running.engine.deactivate();
  await within(stopping.promise, 30_000, "standby");
  assert.deepEqual(statuses, ["stopping", "standby"]);
  assert.equal(seen, component);
});

Deno.test("a runner that fails because its server went away meanwhile is made again for the next one", async () => {
  await using monitor = await startMonitorServer(GROUPS);
  const port = monitor.addr.port;
  const a = await eventServer(port, 1);
  await a.until(() => a.status === "operational", "a operational");
  await using b = await eventServer(port, 2);
  await b.running.redundancy!.synced(1);
  const gate = Promise.withResolvers<void>();
  const firstCalled = Promise.withResolvers<void>();
  const made: number[] = [];
  const second = Promise.withResolvers<void>();
  const errors: unknown[] = [];
  await using component = await connectComponent(
    monitor.addr,
    options({
      onError: (e) => void errors.push(e),
      runner: async (_c, server, client) => {
        made.push(server.serverId);
        if (made.length === 1) {
          firstCalled.resolve();
          await gate.promise;
          // its client is gone by now: this fails
          await client.register([reg("gw/x")], { withResponse: true });
        }
        second.resolve();
        return () => {};
      },
    }),
  );
  await within(firstCalled.promise, 30_000, "the first runner");
  await a.close();
  gate.resolve();
  await within(second.promise, 30_000, "the runner made again");
  assert.deepEqual(made, [1, 2]);
  assert.equal(component.isOpen, true);
  assert.equal(component.server?.serverId, 2);
  assert.deepEqual(errors.filter((e) => e instanceof RunnerError), []);
});

Deno.test("a runner whose work failed with its lost connection is made again, with no error reported", async () => {
  await using monitor = await startMonitorServer(GROUPS);
  const port = monitor.addr.port;
  const a = await eventServer(port, 1);
  await a.until(() => a.status === "operational", "a operational");
  await using b = await eventServer(port, 2);
  await b.running.redundancy!.synced(1);
  const errors: unknown[] = [];
  const log = runLog();
  await using component = await connectComponent(
    monitor.addr,
    options({
      onError: (e) => void errors.push(e),
      runner: (_c, server, client, signal) => {
        log.push(`start ${server.serverId}`);
        // Registers back to back until stopped: the lost connection
        // rejects a registration, which rejects the loop and so its close.
        const loop = (async () => {
          while (!signal.aborted) {
            await client.register([reg("gw/x")], { withResponse: true });
          }
        })();
        return () => loop;
      },
    }),
  );
  await log.reached(1);
  await a.close();
  await log.reached(2);
  assert.deepEqual(log.entries, ["start 1", "start 2"]);
  assert.equal(component.isOpen, true);
  assert.deepEqual(errors.filter((e) => e instanceof RunnerError), []);
});

Deno.test("a runner that fails to close for a reason of its own is reported", async () => {
  await using monitor = await startMonitorServer(GROUPS);
  await using a = await eventServer(monitor.addr.port, 1);
  await a.until(() => a.status === "operational", "a operational");
  const errors: unknown[] = [];
  const log = runLog();
  const component = await connectComponent(
    monitor.addr,
    options({
      onError: (e) => void errors.push(e),
      runner: (c, server, client, signal) => {
        void log.runner(c, server, client, signal);
        return () => {
          throw new Error("valve stuck");
        };
      },
    }),
  );
  await log.reached(1);
  await component.close();
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof RunnerError);
  assert.equal((errors[0] as RunnerError).phase, "close");
  assert.match((errors[0] as Error).message, /valve stuck/);
});

Deno.test("onState is called with the component and each state of the monitor group", async () => {
  await using monitor = await startMonitorServer(GROUPS);
  await using a = await eventServer(monitor.addr.port, 1);
  await a.until(() => a.status === "operational", "a operational");
  const calls: [EventerComponent, MonitorState][] = [];
  const active = Promise.withResolvers<void>();
  const log = runLog();
  await using component = await connectComponent(
    monitor.addr,
    options({
      runner: log.runner,
      onState: (c, state) => {
        calls.push([c, state]);
        if (state.active) active.resolve();
      },
    }),
  );
  await within(active.promise, 30_000, "an active state");
  assert.ok(calls.every(([c]) => c === component));
  assert.equal(calls[0][1].active, false);
  assert.equal(calls.at(-1)![1], component.state);
  const state = calls.find(([, s]) => s.active)![1];
  assert.equal(state.connected, true);
  assert.equal(state.info?.name, "gateway1");
  assert.equal(state.info?.group, "gateway");
  assert.equal(state.info?.blessingRes.token, state.info?.blessingReq.token);
  assert.deepEqual(
    state.components.map((c) => `${c.group}/${c.name}`).sort(),
    ["event/event_1", "gateway/gateway1"],
  );
});

Deno.test("onCloseRequest is called with the component when the monitor sends MsgClose, and the component closes", async () => {
  await using monitor = await startMonitorServer(GROUPS);
  await using a = await eventServer(monitor.addr.port, 1);
  await a.until(() => a.status === "operational", "a operational");
  const requests: EventerComponent[] = [];
  const log = runLog();
  const component = await connectComponent(
    monitor.addr,
    options({
      runner: log.runner,
      onCloseRequest: (c) => void requests.push(c),
    }),
  );
  await log.reached(1);
  const me = monitor.core.components.find((c) => c.name === "gateway1")!;
  await monitor.sendRaw(me.cid, MSG_CLOSE, new Uint8Array());
  await within(component.closed, 30_000, "the component closed");
  assert.equal(requests.length, 1);
  assert.equal(requests[0], component);
  assert.equal(component.isOpen, false);
  assert.deepEqual(log.entries, ["start 1", "stop 1"]);
  await within(log.clients[0].closed, 30_000, "its client closed");
});

Deno.test("while the monitor is away the runner is closed, and it is made again once the monitor is back", async () => {
  const first = await startMonitorServer(GROUPS);
  const port = first.addr.port;
  const log = runLog();
  let a, second, component;
  try {
    a = await eventServer(port, 1);
    const server = a;
    await server.until(() => server.status === "operational", "operational");
    component = await connectComponent(
      first.addr,
      options({ runner: log.runner }),
    );
    await log.reached(1);
    await first.kill();
    await log.reached(2);
    assert.deepEqual(log.entries, ["start 1", "stop 1"]);
    await within(log.clients[0].closed, 30_000, "its client closed");
    assert.equal(component.isOpen, true);
    second = await startMonitorServer({ ...GROUPS, port });
    await log.reached(3);
    assert.deepEqual(log.entries, ["start 1", "stop 1", "start 1"]);
    assert.equal(component.state.connected, true);
    const events = await log.clients[1].register([reg("gw/back")], {
      withResponse: true,
    });
    assert.equal(events?.[0].id.server, 1);
  } finally {
    await component?.close();
    await a?.close();
    await first.close();
    await second?.close();
  }
});
