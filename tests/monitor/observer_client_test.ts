import assert from "node:assert/strict";
import {
  ConnectionError,
  connectObserver,
  type JsonValue,
  type ObserverState,
} from "../../monitor/mod.ts";
import { within } from "../_within.ts";
import { startMonitorServer } from "./_monitor_server.ts";

// Outputs of hat-json 0.6's json.encode (Python's json.dumps) for the same
// values, from the reference interpreter.
const PYTHON_TEXTS: [string, JsonValue, string][] = [
  [
    "an Event Server's data",
    {
      server_id: 1,
      eventer_server: { host: "127.0.0.1", port: 23012 },
      server_token: null,
    },
    '{"server_id": 1, "eventer_server": {"host": "127.0.0.1", "port": 23012}, "server_token": null}',
  ],
  [
    "floats, big integers, escapes and empty containers",
    {
      a: [1.5e-7, 0.0001, 1e-5, 123.25, -0.5, 2 ** 60],
      t: '\u010d\u2603 "q" \\ \n\x7f\u{1F600}',
      e: {},
      l: [],
      b: [true, false, null],
    },
    '{"a": [1.5e-07, 0.0001, 1e-05, 123.25, -0.5, 1152921504606846976], "t": "\\u010d\\u2603 \\"q\\" \\\\ \\n\\u007f\\ud83d\\ude00", "e": {}, "l": [], "b": [true, false, null]}',
  ],
  ["no data", null, "null"],
];

Deno.test("a component's data is sent as Python's json.dumps writes it", async (t) => {
  for (const [what, data, text] of PYTHON_TEXTS) {
    await t.step(what, async () => {
      await using monitor = await startMonitorServer();
      await using client = await connectObserver(monitor.addr, {
        name: "a",
        group: "g",
        data,
      });
      await within(
        monitor.until((core) => core.components[0]?.name === "a"),
        10_000,
        "listed",
      );
      assert.equal(monitor.core.components[0].data, text);
      assert.equal(client.isOpen, true);
    });
  }
});

Deno.test("setBlessingRes() reaches the monitor, and each distinct state is told once", async () => {
  await using monitor = await startMonitorServer();
  const states: ObserverState[] = [];
  const echoed = Promise.withResolvers<void>();
  await using client = await connectObserver(monitor.addr, {
    name: "a",
    group: "g",
    onState: (s) => {
      states.push(s);
      if (s.info?.blessingRes.token === 7) echoed.resolve();
    },
  });
  await client.setBlessingRes({ token: null, ready: false }); // unchanged
  await client.setBlessingRes({ token: 7, ready: true });
  await within(echoed.promise, 10_000, "the response in the state");
  assert.deepEqual(monitor.core.components[0].res, { token: 7, ready: true });
  assert.deepEqual(client.blessingRes, { token: 7, ready: true });
  // The monitor sends most states twice; the client tells each once.
  const distinct = new Set(states.map((s) => JSON.stringify(s)));
  assert.equal(distinct.size, states.length);
  assert.deepEqual(client.state, states.at(-1));
});

Deno.test("setBlessingRes() rejects a bad response and a closed client", async () => {
  await using monitor = await startMonitorServer();
  const client = await connectObserver(monitor.addr, { name: "a", group: "g" });
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    client.setBlessingRes({ token: "1", ready: true } as any),
    TypeError,
  );
  await client.close();
  await assert.rejects(
    client.setBlessingRes({ token: 1, ready: true }),
    ConnectionError,
  );
  assert.equal(client.closeReason, undefined);
});

Deno.test("an observer client closes on MsgClose and says so", async () => {
  const monitor = await startMonitorServer();
  let requested = 0;
  const client = await connectObserver(monitor.addr, {
    name: "a",
    group: "g",
    onCloseRequest: () => {
      requested++;
    },
  });
  await within(
    monitor.until((core) => core.components.length === 1),
    10_000,
    "listed",
  );
  await monitor.close();
  await within(client.closed, 10_000, "closed");
  assert.equal(requested, 1);
  assert.equal(client.closeRequested, true);
  assert.equal(client.isOpen, false);
});
