// The example modules shipped with the package, in a running server: the
// threshold alarm (alarm and clearing, hysteresis, both limits, restart)
// and the deadband filter.

import assert from "node:assert/strict";
import { connect } from "../../../client.ts";
import type { Event } from "../../../event/mod.ts";
import { startEngine } from "../../../event_server/engine.ts";
import { info as deadband } from "../../../event_server/modules/examples/deadband.ts";
import { info as thresholdAlarm } from "../../../event_server/modules/examples/threshold_alarm.ts";
import { startModuleServer } from "../../../event_server/modules/mod.ts";
import { SqliteStorage } from "../../../event_server/storage/mod.ts";
import { ANY, dataOf, loaded, reg } from "./_modules.ts";

const TEMP = ["gateway", "g1", "data", "temperature"];
const alarmConf = {
  eventTypes: [["gateway", "?", "data", "*"]],
  field: "value",
  high: 80,
  low: 5,
  hysteresis: 2,
};

/** Registers each value as its own request; gives the alarms they caused. */
async function feed(
  register: (events: ReturnType<typeof reg>[]) => Promise<Event[] | null>,
  query: (session: number) => Event[],
  values: unknown[],
  type = TEMP,
): Promise<unknown[]> {
  const alarms: unknown[] = [];
  for (const value of values) {
    const [e] = (await register([reg(type, { value })]))!;
    const derived = query(e.id.session).filter((d) => d.type[0] === "alarm");
    alarms.push(
      derived.map((d) => (dataOf(d) as { state: string }).state).join(),
    );
  }
  return alarms;
}

Deno.test("threshold alarm: registers the alarm when a value crosses a limit and its clearing past the hysteresis", async () => {
  await using server = await startModuleServer([{
    info: thresholdAlarm,
    conf: alarmConf,
  }]);
  const session = (s: number) =>
    server.query({ kind: "server", serverId: 1 }).events.filter((e) =>
      e.id.session === s
    );
  const states = await feed(
    (events) => server.register(events),
    session,
    [20, 80, 80.5, 79, 78.5, 78, 4, 6, 7, 90, 2, "n/a", 50],
  );
  assert.deepEqual(states, [
    "", // normal, nothing to say
    "", // at the limit is not above it
    "high",
    "", // within the hysteresis
    "",
    "normal", // 80 - 2
    "low",
    "",
    "normal", // 5 + 2
    "high",
    "low", // straight from high to low
    "", // no number: ignored
    "normal",
  ]);
  assert.deepEqual(server.failures, []);
});

Deno.test("threshold alarm: the alarm event is in the value's session, with the value, the limit and the cause", async () => {
  await using server = await startModuleServer([{
    info: thresholdAlarm,
    conf: alarmConf,
  }]);
  await using client = await connect(server.address, "gw");
  const response = await client.register([
    { ...reg(TEMP, { value: 81 }), sourceTimestamp: { s: 1000, us: 5 } },
  ], { withResponse: true });
  const [e] = response!;
  const { events } = await client.query({
    kind: "latest",
    eventTypes: [["alarm", "*"]],
  });
  assert.deepEqual(
    events.map((a) => [a.type, a.id.session, a.sourceTimestamp]),
    [
      [["alarm", ...TEMP], e.id.session, { s: 1000, us: 5 }],
    ],
  );
  assert.deepEqual(dataOf(events[0]), {
    state: "high",
    value: 81,
    limit: 80,
    cause: [1, e.id.session, 1],
  });
});

Deno.test("threshold alarm: after a restart, an alarm raised before it is cleared", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_alarm_" });
  try {
    const run = async (values: number[]) => {
      await using engine = await startEngine(ANY, {
        storage: new SqliteStorage(`${dir}/events.db`),
        onError: () => {},
        modules: loaded({ info: thresholdAlarm, conf: alarmConf }),
      });
      return await feed(
        (events) => engine.register(events),
        (s) =>
          engine.query({ kind: "server", serverId: 1 }).events.filter((e) =>
            e.id.session === s
          ),
        values,
      );
    };
    assert.deepEqual(await run([85]), ["high"]);
    assert.deepEqual(await run([50]), ["normal"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("threshold alarm: a create with wrong settings says which", async () => {
  await assert.rejects(
    startModuleServer([{
      info: thresholdAlarm,
      conf: { eventTypes: [["a"]] },
    }]),
    /failed in create: set "high" or "low"/,
  );
  await assert.rejects(
    startModuleServer([{ info: thresholdAlarm, conf: { high: 1 } }]),
    /"eventTypes" must be a non-empty array of event types/,
  );
  await assert.rejects(
    startModuleServer([{
      info: thresholdAlarm,
      conf: { eventTypes: [["a"]], high: 1, low: 2 },
    }]),
    /"low" \(2\) must be below "high" \(1\)/,
  );
});

Deno.test("threshold alarm: never watches its own alarms, even subscribed to everything", async () => {
  await using server = await startModuleServer([{
    info: thresholdAlarm,
    conf: { eventTypes: [["*"]], high: 1 },
  }]);
  const [e] = (await server.register([reg(["x"], 5)]))!;
  const session = server.query({ kind: "server", serverId: 1 }).events
    .filter((d) => d.id.session === e.id.session);
  assert.deepEqual(session.map((d) => d.type.join("/")), ["x", "alarm/x"]);
});

Deno.test("deadband: passes on a value when it moved at least the deadband from the last one passed on", async () => {
  await using server = await startModuleServer([{
    info: deadband,
    conf: {
      eventTypes: [["gateway", "?", "data", "*"]],
      field: "value",
      deadband: 0.5,
    },
  }]);
  await using sub = await connect(server.address, "sub", {
    subscriptions: [["filtered", "*"]],
  });
  const other = ["gateway", "g1", "data", "pressure"];
  const values: [string[], unknown][] = [
    [TEMP, 20],
    [TEMP, 20.3],
    [other, 1],
    [TEMP, 20.5], // 0.5 from 20
    [TEMP, 20.2],
    [TEMP, null], // no number: a change
    [TEMP, null], // the same again
    [TEMP, 20.1],
    [other, 1.4],
  ];
  for (const [type, value] of values) {
    await server.register([reg(type, { value })]);
  }
  const { events } = await sub.query({
    kind: "timeseries",
    eventTypes: [["filtered", "*"]],
    order: "ascending",
  });
  assert.deepEqual(
    events.map((e) => [e.type.at(-1), (dataOf(e) as { value: unknown }).value]),
    [
      ["temperature", 20],
      ["pressure", 1],
      ["temperature", 20.5],
      ["temperature", null],
      ["temperature", 20.1],
    ],
  );
});

Deno.test("deadband: after a restart, an unchanged value is not passed on again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eventer_deadband_" });
  const conf = { eventTypes: [["m", "*"]], deadband: 1 };
  try {
    const run = async (values: number[]) => {
      await using engine = await startEngine(ANY, {
        storage: new SqliteStorage(`${dir}/events.db`),
        onError: () => {},
        modules: loaded({ info: deadband, conf }),
      });
      let passed = 0;
      for (const value of values) {
        const [e] = (await engine.register([reg(["m", "a"], value)]))!;
        passed += engine.query({ kind: "server", serverId: 1 }).events
          .filter((d) => d.id.session === e.id.session).length - 1;
      }
      return passed;
    };
    assert.equal(await run([10]), 1);
    assert.equal(await run([10.5, 11]), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
