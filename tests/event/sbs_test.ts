import assert from "node:assert/strict";
import type { SbsValue } from "../../codec/mod.ts";
import { EventPayloadError, EventSbsError } from "../../event/errors.ts";
import {
  eventFromSbs,
  eventsFromSbs,
  eventsToSbs,
  eventToSbs,
  payloadFromSbs,
  payloadToSbs,
  queryParamsFromSbs,
  queryParamsToSbs,
  queryResultFromSbs,
  queryResultToSbs,
  registerEventsFromSbs,
  registerEventsToSbs,
  statusFromSbs,
  statusToSbs,
} from "../../event/sbs.ts";
import type { Event } from "../../event/types.ts";
import { readVectors } from "../_vectors.ts";
import { CONVERSIONS, fromJsonForm, tsParams } from "./_sbs_conversions.ts";
import { Prng } from "./_prng.ts";

interface Vector {
  module_type: string;
  value: unknown;
  hex: string;
}

/**
 * Deep equality of SBS values where a JSON payload (`["json", text]`) is
 * compared by its parsed value.
 */
function assertSbsEqual(actual: SbsValue, expected: SbsValue, path = "") {
  if (
    Array.isArray(actual) && Array.isArray(expected) &&
    actual.length === 2 && expected.length === 2 && actual[0] === "json" &&
    expected[0] === "json" && typeof actual[1] === "string" &&
    typeof expected[1] === "string"
  ) {
    assert.deepEqual(JSON.parse(actual[1]), JSON.parse(expected[1]), path);
    return;
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    assert.equal(actual.length, expected.length, path);
    for (let i = 0; i < actual.length; i++) {
      assertSbsEqual(actual[i], expected[i], `${path}.${i}`);
    }
    return;
  }
  if (
    typeof actual === "object" && actual !== null &&
    !(actual instanceof Uint8Array) && typeof expected === "object" &&
    expected !== null && !(expected instanceof Uint8Array)
  ) {
    const a = actual as Record<string, SbsValue>;
    const e = expected as Record<string, SbsValue>;
    assert.deepEqual(Object.keys(a).sort(), Object.keys(e).sort(), path);
    for (const k of Object.keys(e)) assertSbsEqual(a[k], e[k], `${path}.${k}`);
    return;
  }
  assert.deepEqual(actual, expected, path);
}

const vectors = (await readVectors<Vector[]>("sbs_vectors.json")).filter((
  v,
) => v.module_type.startsWith("HatEventer."));

Deno.test("every HatEventer vector converts to the model and back unchanged", async (t) => {
  let converted = 0;
  for (const [i, vec] of vectors.entries()) {
    const name = vec.module_type.slice("HatEventer.".length);
    if (name === "MsgEventsAck") continue; // None: nothing to convert
    const conv = CONVERSIONS[name];
    assert.ok(conv, `no conversion for ${vec.module_type}`);
    await t.step(`${vec.module_type} #${i}`, () => {
      const sbs = fromJsonForm(vec.value);
      const back = conv[1](conv[0](sbs) as never);
      if (name === "EventPayloadJson") {
        assertSbsEqual(["json", back], ["json", sbs]); // compare parsed
      } else {
        assertSbsEqual(back, sbs);
      }
      converted++;
    });
  }
  assert.ok(converted >= 70, `only ${converted} vectors converted`);
});

Deno.test("every HatEventer type of the schema has a conversion or is a None", async () => {
  const { EVENTER_SBS } = await import("../../event/eventer_schema.ts");
  const names = [...EVENTER_SBS.matchAll(/^(\w+) =/gm)].map((m) => m[1]);
  for (const n of names) {
    assert.ok(n in CONVERSIONS || n === "MsgEventsAck", n);
  }
});

Deno.test("model values convert to SBS and back unchanged", () => {
  const events: Event[] = [
    {
      id: { server: 1, session: 2, instance: 3 },
      type: ["a", "ž", "🙂"],
      timestamp: { s: 2n ** 63n - 1n, us: 999_999 },
      sourceTimestamp: { s: -(2n ** 63n), us: 0 },
      payload: { kind: "binary", type: "raw", data: new Uint8Array([0, 255]) },
    },
    {
      id: { server: 0, session: 0, instance: 0 },
      type: [],
      timestamp: { s: -1, us: 1 },
      sourceTimestamp: null,
      payload: { kind: "json", data: { a: [1, 2.5, null, true, "x"], b: {} } },
    },
    {
      id: { server: 2 ** 53 - 1, session: 1, instance: 1 },
      type: ["x"],
      timestamp: { s: 0, us: 0 },
      sourceTimestamp: null,
      payload: null,
    },
  ];
  for (const e of events) assert.deepEqual(eventFromSbs(eventToSbs(e)), e);
  assert.deepEqual(eventsFromSbs(eventsToSbs(events)), events);
  const result = { events, moreFollows: true };
  assert.deepEqual(queryResultFromSbs(queryResultToSbs(result)), result);
  const reg = events.map(({ type, sourceTimestamp, payload }) => ({
    type,
    sourceTimestamp,
    payload,
  }));
  assert.deepEqual(registerEventsFromSbs(registerEventsToSbs(reg)), reg);
  for (const s of ["standby", "starting", "operational", "stopping"] as const) {
    assert.equal(statusFromSbs(statusToSbs(s)), s);
  }
});

Deno.test("query params convert with the Python defaults filled in", () => {
  assert.deepEqual(queryParamsFromSbs(queryParamsToSbs({ kind: "latest" })), {
    kind: "latest",
    eventTypes: null,
  });
  const ts = queryParamsFromSbs(
    queryParamsToSbs({
      kind: "timeseries",
      eventTypes: [["a", "*"]],
      tTo: { s: 5, us: 0 },
      lastEventId: { server: 1, session: 2, instance: 3 },
    }),
  );
  assert.deepEqual(ts, {
    kind: "timeseries",
    eventTypes: [["a", "*"]],
    tFrom: null,
    tTo: { s: 5, us: 0 },
    sourceTFrom: null,
    sourceTTo: null,
    order: "descending",
    orderBy: "timestamp",
    maxResults: null,
    lastEventId: { server: 1, session: 2, instance: 3 },
  });
  assert.deepEqual(queryParamsFromSbs(queryParamsToSbs(ts)), ts);
  const server = queryParamsFromSbs(
    queryParamsToSbs({ kind: "server", serverId: 3, maxResults: 0 }),
  );
  assert.deepEqual(server, {
    kind: "server",
    serverId: 3,
    persisted: false,
    maxResults: 0,
    lastEventId: null,
  });
  assert.throws(
    () => queryParamsToSbs({ kind: "nope" } as never),
    /kind must be "latest", "timeseries" or "server", got "nope"/,
  );
});

Deno.test("a JSON payload that does not parse is an EventPayloadError with its path", () => {
  const base = eventToSbs({
    id: { server: 1, session: 1, instance: 1 },
    type: ["a"],
    timestamp: { s: 1, us: 0 },
    sourceTimestamp: null,
    payload: null,
  }) as Record<string, SbsValue>;
  const bad = { ...base, payload: ["value", ["json", "{nope"]] };
  assert.throws(() => eventsFromSbs([base, bad]), (err) => {
    assert.ok(err instanceof EventPayloadError);
    assert.ok(err instanceof EventSbsError && err instanceof TypeError);
    assert.equal(err.name, "EventPayloadError");
    assert.equal(err.path, "1.payload.value.json");
    assert.match(
      err.message,
      /Invalid HatEventer\.MsgEventsNotify at 1\.payload\.value\.json: invalid JSON text/,
    );
    assert.ok(err.cause instanceof SyntaxError);
    return true;
  });
});

Deno.test("a JSON payload that cannot be written is an EventPayloadError", () => {
  for (
    const data of [
      undefined,
      1n,
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
    ]
  ) {
    assert.throws(
      () => payloadToSbs({ kind: "json", data: data as never }),
      EventPayloadError,
    );
  }
});

Deno.test("received values of the wrong shape give EventSbsError naming the place", async (t) => {
  const ok = (over: Record<string, SbsValue>): SbsValue => ({
    id: { server: 1, session: 1, instance: 1 },
    type: ["a"],
    timestamp: { s: 1, us: 0 },
    sourceTimestamp: ["none", null],
    payload: ["none", null],
    ...over,
  });
  const cases: [string, () => unknown, RegExp][] = [
    [
      "not a record",
      () => eventFromSbs([1, 2]),
      /^Invalid HatEventer\.Event: expected a record, got an array$/,
    ],
    [
      "missing id",
      () => eventFromSbs(ok({ id: null })),
      /at id: expected a record, got null/,
    ],
    [
      "string session",
      () => eventFromSbs(ok({ id: { server: 1, session: "1", instance: 1 } })),
      /at id\.session: expected an integer, got a string/,
    ],
    [
      "unsafe instance",
      () =>
        eventFromSbs(
          ok({ id: { server: 1, session: 1, instance: 2n ** 60n } }),
        ),
      /at id\.instance: integer 1152921504606846976 is outside the safe integer range/,
    ],
    [
      "type segment",
      () => eventFromSbs(ok({ type: ["a", new Uint8Array(1)] })),
      /at type\.1: expected a string, got bytes/,
    ],
    [
      "us too big",
      () => eventFromSbs(ok({ timestamp: { s: 1, us: 1_000_000 } })),
      /at timestamp\.us: expected an integer in 0\.\.999999/,
    ],
    [
      "s beyond int64",
      () => eventFromSbs(ok({ timestamp: { s: 2n ** 63n, us: 0 } })),
      /at timestamp\.s: integer 9223372036854775808 is outside signed 64 bits/,
    ],
    [
      "float s",
      () => eventFromSbs(ok({ timestamp: { s: 1.5, us: 0 } })),
      /at timestamp\.s: expected an integer, got number 1\.5/,
    ],
    [
      "optional name",
      () => eventFromSbs(ok({ sourceTimestamp: ["some", null] })),
      /at sourceTimestamp: expected optional "none" or "value", got "some"/,
    ],
    [
      "optional none value",
      () => eventFromSbs(ok({ payload: ["none", 1] })),
      /at payload: optional none must hold null/,
    ],
    [
      "payload kind",
      () => eventFromSbs(ok({ payload: ["value", ["xml", "<a/>"]] })),
      /at payload\.value: expected payload "binary" or "json", got "xml"/,
    ],
    [
      "binary data",
      () =>
        eventFromSbs(
          ok({ payload: ["value", ["binary", { type: "t", data: "x" }]] }),
        ),
      /at payload\.value\.binary\.data: expected bytes/,
    ],
    [
      "json not string",
      () => payloadFromSbs(["json", 5]),
      /at json: expected a string, got number 5/,
    ],
    [
      "choice shape",
      () => statusFromSbs("standby"),
      /expected a choice \[name, value\], got a string/,
    ],
    [
      "status",
      () => statusFromSbs(["running", null]),
      /expected one of standby, starting, operational, stopping, got "running"/,
    ],
    [
      "status value",
      () => statusFromSbs(["standby", 1]),
      /choice standby must hold null/,
    ],
    [
      "query kind",
      () => queryParamsFromSbs(["all", {}]),
      /expected "latest", "timeseries" or "server", got "all"/,
    ],
    [
      "query order",
      () =>
        queryParamsFromSbs(["timeseries", tsParams({ order: ["up", null] })]),
      /at timeseries\.order: expected one of descending, ascending/,
    ],
    [
      "query event types",
      () =>
        queryParamsFromSbs(["latest", { eventTypes: ["value", [["a"], "b"]] }]),
      /at latest\.eventTypes\.value\.1: expected an array/,
    ],
    [
      "server persisted",
      () =>
        queryParamsFromSbs(["server", {
          serverId: 1,
          persisted: 1,
          maxResults: ["none", null],
          lastEventId: ["none", null],
        }]),
      /at server\.persisted: expected a boolean, got number 1/,
    ],
    [
      "result events",
      () =>
        queryResultFromSbs({
          events: [ok({}), ok({ type: 1 })],
          moreFollows: false,
        }),
      /at events\.1\.type: expected an array, got number 1/,
    ],
    [
      "result moreFollows",
      () => queryResultFromSbs({ events: [], moreFollows: null }),
      /at moreFollows: expected a boolean, got null/,
    ],
    [
      "register events",
      () =>
        registerEventsFromSbs([{
          type: [],
          sourceTimestamp: ["value", { s: 0 }],
          payload: ["none", null],
        }]),
      /MsgRegisterReq at 0\.sourceTimestamp\.value\.us: expected an integer/,
    ],
  ];
  for (const [name, fn, re] of cases) {
    await t.step(name, () => {
      assert.throws(fn, (err) => {
        assert.ok(err instanceof EventSbsError, `${err}`);
        assert.match((err as Error).message, re);
        return true;
      });
    });
  }
});

/** Replaces a random part of an SBS value with junk. */
function mutate(rng: Prng, v: SbsValue): SbsValue {
  const junk: SbsValue[] = [
    null,
    true,
    0,
    -1,
    1.5,
    2n ** 70n,
    "",
    "x",
    new Uint8Array(2),
    [],
    ["value", null],
    ["none", null],
    {},
    [1, 2, 3],
  ];
  if (rng.next() < 0.25) return rng.pick(junk);
  if (Array.isArray(v) && v.length > 0) {
    const out = v.slice();
    const i = rng.int(out.length);
    out[i] = mutate(rng, out[i]);
    return out;
  }
  if (typeof v === "object" && v !== null && !(v instanceof Uint8Array)) {
    const o = { ...(v as Record<string, SbsValue>) };
    const keys = Object.keys(o);
    if (keys.length === 0) return rng.pick(junk);
    const k = rng.pick(keys);
    if (rng.next() < 0.1) delete o[k];
    else o[k] = mutate(rng, o[k]);
    return o;
  }
  return rng.pick(junk);
}

Deno.test("mutated vectors either convert or throw EventSbsError, never anything else", () => {
  const rng = new Prng(41);
  let converted = 0;
  let rejected = 0;
  for (let round = 0; round < 200; round++) {
    for (const vec of vectors) {
      const name = vec.module_type.slice("HatEventer.".length);
      if (
        !(name in CONVERSIONS) || name.startsWith("MsgInit") ||
        name === "MsgRegisterRes"
      ) continue;
      const [from] = CONVERSIONS[name];
      const bad = mutate(rng, fromJsonForm(vec.value));
      try {
        from(bad);
        converted++;
      } catch (err) {
        if (!(err instanceof EventSbsError)) {
          throw new Error(`${name} ${String(err)}`, { cause: err });
        }
        rejected++;
      }
    }
  }
  // both outcomes occur, so the mutations do reach the conversions
  assert.ok(rejected > 100, `only ${rejected} rejected`);
  assert.ok(converted > 100, `only ${converted} converted`);
});
