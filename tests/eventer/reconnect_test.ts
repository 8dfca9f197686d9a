// A client made with `reconnect` against real servers on loopback, behind
// a proxy that cuts connections and turns clients away: what becomes of
// its iterator, its state, its calls and its backoff when the connection
// drops.

import assert from "node:assert/strict";
import { ConnectionError } from "../../chatter/mod.ts";
import {
  type Client,
  type ClientOptions,
  connect,
  EventerInitError,
  type ReconnectInfo,
} from "../../client.ts";
import type { Event, QueryResult, RegisterEvent } from "../../event/mod.ts";
import { type ConnectionInfo, listen } from "../../server.ts";
import { within } from "../_within.ts";
import {
  deferred,
  errorLog,
  event,
  LOOPBACK,
  registerCallback,
  registerEvent,
} from "./_helpers.ts";
import { Proxy } from "./_proxy.ts";
import { collect, ids } from "./_reconnect.ts";

const FAST = { delay: 0.01, maxDelay: 0.05 };

/** Resolves with each ReconnectInfo, one at a time. */
function reconnects() {
  const infos: ReconnectInfo[] = [];
  let next = deferred<ReconnectInfo>();
  return {
    infos,
    onReconnect: (_c: Client, info: ReconnectInfo) => {
      infos.push(info);
      next.resolve(info);
    },
    /** The next reconnect (from now on). */
    next(): Promise<ReconnectInfo> {
      next = deferred<ReconnectInfo>();
      return within(next.promise, 20_000, "a reconnect");
    },
  };
}

function bounds(round: number, delay: number, maxDelay: number) {
  const full = Math.min(maxDelay, delay * 2 ** round);
  return [full / 2, full];
}

Deno.test("a reconnecting client connects again after its connection drops, and its iterator goes on", async () => {
  const infos: ConnectionInfo[] = [];
  await using server = await listen(LOOPBACK, {
    onConnected: (info) => void infos.push(info),
  });
  await using proxy = new Proxy(server.addrs[0]);
  const r = reconnects();
  await using client = await connect(proxy.addr, "c", {
    subscriptions: [["a", "*"]],
    reconnect: FAST,
    onReconnect: r.onReconnect,
  });
  const got = collect(client);
  await server.notifyEvents([event(["a", "1"], 1, 1)]);
  await got.until(1);

  const back = r.next();
  proxy.cut();
  const info = await back;
  assert.deepEqual(info.address, proxy.addr);
  // the subscription is restored on the new connection
  assert.equal(infos.length, 2);
  assert.ok(infos[1].subscription.matches(["a", "x"]));
  assert.notEqual(infos[1].id, infos[0].id);
  await server.notifyEvents([event(["a", "2"], 1, 2)]);
  await got.until(2);
  assert.deepEqual(ids(got.events), ["1:1/1", "1:2/1"]);

  await client.close();
  await got.done; // the iterator ends only when the client closes
});

Deno.test("connectionState goes from connected to reconnecting and back; isOpen stays true until closed", async () => {
  await using server = await listen(LOOPBACK, {});
  await using proxy = new Proxy(server.addrs[0]);
  const r = reconnects();
  const dropped = deferred();
  const client = await connect(proxy.addr, "c", {
    reconnect: FAST,
    onReconnect: r.onReconnect,
    onDisconnect: () => dropped.resolve(),
  });
  assert.equal(client.connectionState, "connected");
  proxy.refuse();
  await within(dropped.promise, 20_000, "the drop");
  assert.equal(client.connectionState, "reconnecting");
  assert.equal(client.isOpen, true);
  const back = r.next();
  proxy.forward();
  await back;
  assert.equal(client.connectionState, "connected");
  await client.close();
  assert.equal(client.connectionState, "closed");
  assert.equal(client.isOpen, false);
  await client.closed;
});

Deno.test("the waits between rounds double from delay, each jittered between half and all of it", async () => {
  await using server = await listen(LOOPBACK, {});
  await using proxy = new Proxy(server.addrs[0]);
  const r = reconnects();
  // maxDelay far above the test's length: the connection never counts as
  // stable, so every round (the first too) waits
  const delay = 0.002;
  await using _client = await connect(proxy.addr, "c", {
    reconnect: { delay, maxDelay: 600 },
    onReconnect: r.onReconnect,
  });
  proxy.refuse();
  await proxy.untilRefused(6);
  const back = r.next();
  proxy.forward();
  const info = await back;
  // one address: one attempt per round, each after a wait
  assert.equal(info.attempts, proxy.refused + 1);
  assert.equal(info.delays.length, info.attempts);
  info.delays.forEach((d, k) => {
    const [lo, hi] = bounds(k, delay, 600);
    assert.ok(d >= lo && d < hi, `wait ${k}: ${d} not in [${lo}, ${hi})`);
  });
});

Deno.test("a connection that drops soon goes on with the backoff where it was", async () => {
  await using server = await listen(LOOPBACK, {});
  await using proxy = new Proxy(server.addrs[0]);
  const r = reconnects();
  const delay = 0.002;
  await using _client = await connect(proxy.addr, "c", {
    reconnect: { delay, maxDelay: 600 },
    onReconnect: r.onReconnect,
  });
  proxy.refuse();
  await proxy.untilRefused(3);
  let back = r.next();
  proxy.forward();
  const first = await back;
  back = r.next();
  proxy.cut();
  const second = await back;
  const round = first.delays.length;
  const [lo, hi] = bounds(round, delay, 600);
  assert.ok(second.delays[0] >= lo && second.delays[0] < hi);
});

Deno.test("the waits between rounds never exceed maxDelay", async () => {
  await using server = await listen(LOOPBACK, {});
  await using proxy = new Proxy(server.addrs[0]);
  const r = reconnects();
  const delay = 0.001;
  const maxDelay = 0.004;
  await using _client = await connect(proxy.addr, "c", {
    reconnect: { delay, maxDelay },
    onReconnect: r.onReconnect,
  });
  proxy.refuse();
  await proxy.untilRefused(12);
  const back = r.next();
  proxy.forward();
  const info = await back;
  assert.equal(info.attempts, proxy.refused + 1);
  // the first round waits or not, as the connection counted as stable
  assert.ok(info.attempts - info.delays.length <= 1);
  assert.ok(info.delays.length >= 11);
  info.delays.forEach((d, k) => {
    const [lo, hi] = bounds(k, delay, maxDelay);
    assert.ok(d >= lo && d < hi, `wait ${k}: ${d} not in [${lo}, ${hi})`);
  });
  assert.ok(info.delays.slice(3).every((d) => d >= maxDelay / 2));
});

Deno.test("a register in flight when the connection drops rejects with ConnectionError and is never sent again", async () => {
  const received: RegisterEvent[][] = [];
  const registering = deferred();
  const never = deferred<Event[]>();
  const register = registerCallback();
  await using server = await listen(LOOPBACK, {
    onRegister: (info, events) => {
      received.push(events);
      if (received.length === 1) {
        registering.resolve();
        return never.promise;
      }
      return register(info, events);
    },
  });
  await using proxy = new Proxy(server.addrs[0]);
  const r = reconnects();
  await using client = await connect(proxy.addr, "c", {
    reconnect: FAST,
    onReconnect: r.onReconnect,
  });
  const inFlight = client.register([registerEvent(["first"])], {
    withResponse: true,
  });
  const query = client.query({ kind: "latest" }); // queued behind it
  await registering.promise;
  const back = r.next();
  proxy.cut();
  await assert.rejects(inFlight, ConnectionError);
  await assert.rejects(query, ConnectionError);
  await back;
  const events = await client.register([registerEvent(["second"])], {
    withResponse: true,
  });
  assert.deepEqual(events?.map((e) => e.type), [["second"]]);
  assert.deepEqual(received.map((b) => b[0].type), [["first"], ["second"]]);
  never.resolve([]);
});

Deno.test("a call made while reconnecting waits for the next connection", async () => {
  const register = registerCallback();
  await using server = await listen(LOOPBACK, { onRegister: register });
  await using proxy = new Proxy(server.addrs[0]);
  const dropped = deferred();
  await using client = await connect(proxy.addr, "c", {
    reconnect: FAST,
    requestTimeout: Infinity,
    onDisconnect: () => dropped.resolve(),
  });
  proxy.refuse();
  await dropped.promise;
  const query = client.query({ kind: "latest" });
  const registered = client.register([registerEvent(["a"])], {
    withResponse: true,
  });
  await proxy.untilRefused(2);
  proxy.forward();
  assert.deepEqual(await query, { events: [], moreFollows: false });
  assert.deepEqual((await registered)?.map((e) => e.type), [["a"]]);
});

Deno.test("a call made while reconnecting rejects, unsent, after requestTimeout", async () => {
  let registered = 0;
  await using server = await listen(LOOPBACK, {
    onRegister: () => {
      registered++;
      return [];
    },
  });
  await using proxy = new Proxy(server.addrs[0]);
  const dropped = deferred();
  const r = reconnects();
  await using client = await connect(proxy.addr, "c", {
    reconnect: FAST,
    requestTimeout: 0.02,
    onDisconnect: () => dropped.resolve(),
    onReconnect: r.onReconnect,
  });
  proxy.refuse();
  await dropped.promise;
  await assert.rejects(
    client.register([registerEvent(["a"])], { withResponse: true }),
    (e) => e instanceof ConnectionError && /requestTimeout/.test(e.message),
  );
  const back = r.next();
  proxy.forward();
  await back;
  await client.query({ kind: "latest" });
  assert.equal(registered, 0);
});

Deno.test("a call made while reconnecting rejects with the reason of its aborted signal", async () => {
  await using server = await listen(LOOPBACK, {});
  await using proxy = new Proxy(server.addrs[0]);
  const dropped = deferred();
  await using client = await connect(proxy.addr, "c", {
    reconnect: FAST,
    requestTimeout: Infinity,
    onDisconnect: () => dropped.resolve(),
  });
  proxy.refuse();
  await dropped.promise;
  const ac = new AbortController();
  const query = client.query({ kind: "latest" }, { signal: ac.signal });
  const reason = new Error("no longer wanted");
  ac.abort(reason);
  await assert.rejects(query, (e) => e === reason);
  // an aborted signal fails a call before anything happens
  await assert.rejects(
    client.register([registerEvent(["a"])], { signal: ac.signal }),
    (e) => e === reason,
  );
});

Deno.test("a call with waitForConnection: false rejects at once while reconnecting", async () => {
  await using server = await listen(LOOPBACK, {});
  await using proxy = new Proxy(server.addrs[0]);
  const dropped = deferred();
  await using client = await connect(proxy.addr, "c", {
    reconnect: FAST,
    onDisconnect: () => dropped.resolve(),
  });
  proxy.refuse();
  await dropped.promise;
  await assert.rejects(
    client.query({ kind: "latest" }, { waitForConnection: false }),
    (e) => e instanceof ConnectionError && /not sent/.test(e.message),
  );
});

Deno.test("a signal aborts the wait for an answer, with and without reconnect", async (t) => {
  const never = deferred<QueryResult>();
  await using server = await listen(LOOPBACK, { onQuery: () => never.promise });
  for (const reconnect of [false, true]) {
    await t.step(`reconnect: ${reconnect}`, async () => {
      await using client = await connect(server.addrs[0], "c", { reconnect });
      const ac = new AbortController();
      const query = client.query({ kind: "latest" }, { signal: ac.signal });
      ac.abort(new Error("stop"));
      await assert.rejects(query, /stop/);
      assert.equal(client.connectionState, "connected");
    });
  }
  never.resolve({ events: [], moreFollows: false });
});

Deno.test("closing a reconnecting client rejects its waiting calls and stops its attempts", async () => {
  await using server = await listen(LOOPBACK, {});
  await using proxy = new Proxy(server.addrs[0]);
  const dropped = deferred();
  const client = await connect(proxy.addr, "c", {
    reconnect: FAST,
    requestTimeout: Infinity,
    onDisconnect: () => dropped.resolve(),
  });
  const got = collect(client);
  proxy.refuse();
  await dropped.promise;
  const query = assert.rejects(
    client.query({ kind: "latest" }),
    ConnectionError,
  );
  await proxy.untilRefused(2);
  await client.close();
  await query;
  await got.done;
  const refused = proxy.refused;
  proxy.forward();
  // nothing tries any more: a new call fails at once
  await assert.rejects(client.query({ kind: "latest" }), ConnectionError);
  assert.equal(proxy.refused, refused);
  assert.equal(server.connInfos().length, 0);
});

Deno.test("the addresses are tried in order, each round from the first", async () => {
  await using a = await listen(LOOPBACK, {});
  await using b = await listen(LOOPBACK, {});
  await using pa = new Proxy(a.addrs[0]);
  await using pb = new Proxy(b.addrs[0]);
  const r = reconnects();
  await using client = await connect([pa.addr, pb.addr], "c", {
    reconnect: { delay: 0.01, maxDelay: 600 },
    onReconnect: r.onReconnect,
  });
  assert.equal(a.connInfos().length, 1);
  assert.equal(b.connInfos().length, 0);

  let back = r.next();
  pa.refuse();
  let info = await back;
  assert.deepEqual(info.address, pb.addr);
  assert.equal(info.attempts, 2); // a, then b
  assert.equal(pa.refused, 1);

  back = r.next();
  pa.forward();
  pb.refuse();
  info = await back;
  assert.deepEqual(info.address, pa.addr);
  // a round starts from the first address: a accepts
  assert.equal(info.attempts, 1);
  assert.equal(pb.refused, 0);
  assert.equal(client.connectionState, "connected");
});

Deno.test("connect() with a list connects to the first address that accepts", async (t) => {
  await using server = await listen(LOOPBACK, {});
  const dead = await listen(LOOPBACK, {});
  const deadAddr = dead.addrs[0];
  await dead.close();
  for (const reconnect of [false, true]) {
    await t.step(`reconnect: ${reconnect}`, async () => {
      await using client = await connect([deadAddr, server.addrs[0]], "c", {
        reconnect,
      });
      assert.equal(client.connectionState, "connected");
    });
  }
});

Deno.test("connect() rejects naming every address when none accepts", async (t) => {
  const dead = await Promise.all([listen(LOOPBACK, {}), listen(LOOPBACK, {})]);
  const addrs = dead.map((s) => s.addrs[0]);
  await Promise.all(dead.map((s) => s.close()));
  for (const reconnect of [false, true]) {
    await t.step(`reconnect: ${reconnect}`, async () => {
      await assert.rejects(
        connect(addrs, "c", { reconnect }),
        (e) =>
          e instanceof ConnectionError &&
          e.message.includes(`127.0.0.1:${addrs[0].port}`) &&
          e.message.includes(`127.0.0.1:${addrs[1].port}`) &&
          e.cause instanceof AggregateError,
      );
    });
  }
  await t.step("one address: its own error", async () => {
    await assert.rejects(
      connect(addrs[0], "c", { reconnect: true }),
      (e) =>
        e instanceof ConnectionError &&
        e.message.includes(`${addrs[0].port}`),
    );
  });
});

Deno.test("a server that refuses the client on a reconnect is reported and tried again", async () => {
  let refuse = false;
  const refused = deferred();
  await using server = await listen(LOOPBACK, {
    onConnected: () => {
      if (!refuse) return;
      refused.resolve();
      throw new Error("not now");
    },
    onError: () => {},
  });
  await using proxy = new Proxy(server.addrs[0]);
  const log = errorLog();
  const r = reconnects();
  await using _client = await connect(proxy.addr, "c", {
    reconnect: FAST,
    onReconnect: r.onReconnect,
    onError: log.onError,
  });
  refuse = true;
  const back = r.next();
  proxy.cut();
  await refused.promise;
  refuse = false;
  const info = await back;
  assert.ok(info.attempts >= 2);
  assert.ok(
    log.errors.some((e) =>
      e instanceof EventerInitError && e.message === "not now"
    ),
  );
});

Deno.test("a reconnecting client takes the status of the server it reconnects to", async () => {
  await using a = await listen(LOOPBACK, { status: "operational" });
  await using b = await listen(LOOPBACK, { status: "standby" });
  await using proxy = new Proxy(a.addrs[0]);
  const statuses: string[] = [];
  let announced = deferred();
  const r = reconnects();
  await using client = await connect(proxy.addr, "c", {
    reconnect: FAST,
    onReconnect: r.onReconnect,
    onStatus: (c, s) => {
      assert.equal(c, client);
      statuses.push(s);
      announced.resolve();
    },
  });
  assert.equal(client.status, "operational");
  proxy.retarget(b.addrs[0]);
  const back = r.next();
  proxy.cut();
  await back;
  assert.equal(client.status, "standby");
  assert.deepEqual(statuses, ["standby"]);
  announced = deferred();
  await b.setStatus("operational");
  await within(announced.promise, 20_000, "the status");
  assert.equal(client.status, "operational");
  assert.deepEqual(statuses, ["standby", "operational"]);
});

Deno.test("an onEvents callback gets the batches of every connection", async () => {
  await using server = await listen(LOOPBACK, {});
  await using proxy = new Proxy(server.addrs[0]);
  const got: Event[] = [];
  const arrived = [deferred(), deferred()];
  const r = reconnects();
  await using client = await connect(proxy.addr, "c", {
    subscriptions: [["a"]],
    reconnect: FAST,
    onReconnect: r.onReconnect,
    onEvents: (c, events) => {
      assert.equal(c, client);
      got.push(...events);
      arrived[got.length - 1]?.resolve();
    },
  });
  assert.throws(() => client.events(), TypeError);
  await server.notifyEvents([event(["a"], 1, 1)]);
  await within(arrived[0].promise, 20_000, "the first event");
  const back = r.next();
  proxy.cut();
  await back;
  await server.notifyEvents([event(["a"], 1, 2)]);
  await within(arrived[1].promise, 20_000, "the second event");
  assert.deepEqual(ids(got), ["1:1/1", "1:2/1"]);
});

Deno.test("an onEvents callback that throws closes a reconnecting client for good", async () => {
  await using server = await listen(LOOPBACK, {});
  const log = errorLog();
  const client = await connect(server.addrs[0], "c", {
    subscriptions: [["a"]],
    reconnect: FAST,
    onError: log.onError,
    onEvents: () => {
      throw new Error("bug in the application");
    },
  });
  await server.notifyEvents([event(["a"])]);
  await client.closed;
  assert.equal(client.connectionState, "closed");
  assert.match(String(log.errors[0]), /bug in the application/);
});

Deno.test("without reconnect the client closes with its connection", async () => {
  await using server = await listen(LOOPBACK, {});
  await using proxy = new Proxy(server.addrs[0]);
  const client = await connect(proxy.addr, "c");
  assert.equal(client.connectionState, "connected");
  proxy.cut();
  await client.closed;
  assert.equal(client.connectionState, "closed");
  await assert.rejects(
    client.query({ kind: "latest" }, { waitForConnection: true }),
    ConnectionError,
  );
});

Deno.test("connect() refuses invalid reconnect options", async (t) => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["delay 0", { reconnect: { delay: 0 } }, /reconnect\.delay/],
    ["delay NaN", { reconnect: { delay: NaN } }, /reconnect\.delay/],
    ["maxDelay below delay", {
      reconnect: { delay: 2, maxDelay: 1 },
    }, /maxDelay 1: less than delay 2/],
    ["infinite maxDelay", {
      reconnect: { maxDelay: Infinity },
    }, /reconnect\.maxDelay/],
    ["negative connectTimeout", {
      reconnect: { connectTimeout: -1 },
    }, /connectTimeout/],
    [
      "requestTimeout 0",
      { reconnect: true, requestTimeout: 0 },
      /requestTimeout/,
    ],
    ["reconnect a string", { reconnect: "yes" }, /Invalid reconnect/],
    ["no address", {}, /at least one address/],
  ];
  for (const [name, options, message] of cases) {
    await t.step(name, async () => {
      await assert.rejects(
        connect(
          name === "no address" ? [] : LOOPBACK,
          "c",
          options as ClientOptions,
        ),
        (e) =>
          (e instanceof TypeError || e instanceof RangeError) &&
          message.test(e.message),
      );
    });
  }
});

/** A listener that accepts connections and never answers. */
function silentServer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  let waiters: { n: number; resolve: () => void }[] = [];
  const accepting = (async () => {
    try {
      for (;;) {
        conns.push(await listener.accept());
        waiters = waiters.filter((w) => {
          if (conns.length < w.n) return true;
          w.resolve();
          return false;
        });
      }
    } catch {
      // closed
    }
  })();
  const a = listener.addr as Deno.NetAddr;
  return {
    addr: { hostname: a.hostname, port: a.port },
    accepted: () => conns.length,
    untilAccepted(n: number): Promise<void> {
      if (conns.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      for (const c of conns) c.close();
    },
  };
}

Deno.test("an attempt that gets no init answer within connectTimeout gives way to the next address", async () => {
  await using silent = silentServer();
  await using server = await listen(LOOPBACK, {});
  await using client = await connect([silent.addr, server.addrs[0]], "c", {
    reconnect: { connectTimeout: 0.05 },
  });
  assert.equal(client.connectionState, "connected");
  assert.equal(silent.accepted(), 1);
  assert.equal(server.connInfos().length, 1);
});

Deno.test("connect()'s signal aborts the init exchange, with and without reconnect", async (t) => {
  await using silent = silentServer();
  for (const reconnect of [false, true]) {
    await t.step(`reconnect: ${reconnect}`, async () => {
      const ac = new AbortController();
      const connecting = connect(silent.addr, "c", {
        reconnect,
        signal: ac.signal,
      });
      const reason = new Error("gave up");
      await within(
        silent.untilAccepted(silent.accepted() + 1),
        20_000,
        "the connection",
      );
      ac.abort(reason);
      await assert.rejects(connecting, (e) => e === reason);
      await assert.rejects(
        connect(silent.addr, "c", { reconnect, signal: ac.signal }),
        (e) => e === reason,
      );
    });
  }
});
