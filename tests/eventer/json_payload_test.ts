// JSON payloads on the hot paths: a client parses the JSON texts of a
// received batch with one JSON.parse (eventer/_json_batch.ts), and a server
// with `jsonText` keeps received texts as JsonTextPayloads that are stored
// and sent on as the same bytes.

import assert from "node:assert/strict";
import { Repository, SbsDecodeError, type SbsValue } from "../../codec/mod.ts";
import { connect } from "../../client.ts";
import {
  type Event,
  EVENTER_SBS,
  EventPayloadError,
  eventsFromSbs,
  JsonTextPayload,
  type RegisterEvent,
} from "../../event/mod.ts";
import {
  decodeEvents,
  decodeRegisterReq,
  encodeEvents,
} from "../../eventer/_messages.ts";
import { startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { listen } from "../../server.ts";
import { Prng } from "../_prng.ts";
import { deferred, LOOPBACK } from "./_helpers.ts";

const repo = new Repository(EVENTER_SBS);

// JSON texts as other implementations write them (Python's separators,
// exponents, escapes, non-ASCII), not only as JSON.stringify does.
const TEXTS = [
  "null",
  "1",
  "-2.5e-3",
  "1e400",
  '"ž🙂"',
  '"\\ud800\\n"',
  '{"value": 12.5, "quality": "good"}',
  '[1, [2, {"a": []}], "x"]',
  " \t{}\n",
  '{"a":1,"a":2}',
];

function sbsEvent(i: number, payload: SbsValue): SbsValue {
  return {
    id: { server: 1, session: 7, instance: i + 1 },
    type: ["a", String(i % 3)],
    timestamp: { s: 100, us: i },
    sourceTimestamp: ["none", null],
    payload,
  };
}

function randomPayload(rng: Prng): SbsValue {
  const r = rng.next();
  if (r < 0.15) return ["none", null];
  if (r < 0.3) {
    return ["value", ["binary", { type: "t", data: new Uint8Array([r * 9]) }]];
  }
  return ["value", ["json", rng.pick(TEXTS)]];
}

function notify(payloads: SbsValue[]): Uint8Array {
  return repo.encode(
    "HatEventer.MsgEventsNotify",
    payloads.map((p, i) => sbsEvent(i, p)),
  );
}

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  assert.fail("expected an error");
}

Deno.test("decodeEvents() gives the reference's events for batches of every size and mix", () => {
  const rng = new Prng(11);
  for (let n = 0; n < 400; n++) {
    const payloads = Array.from(
      { length: rng.int(60) },
      () => randomPayload(rng),
    );
    const bytes = notify(payloads);
    const expected = eventsFromSbs(
      repo.decode("HatEventer.MsgEventsNotify", bytes),
    );
    assert.deepEqual(decodeEvents(bytes), expected);
  }
});

Deno.test("decodeEvents() refuses an invalid JSON text wherever it is in a batch", () => {
  const bad = ["{oops}", "1,2", "[3", "", "01", "1 2", "nan", "-NaN"];
  for (const text of bad) {
    for (const at of [0, 5, 19]) {
      const payloads: SbsValue[] = Array.from(
        { length: 20 },
        (
          _,
          i,
        ) => ["value", ["json", i === at ? text : TEXTS[i % TEXTS.length]]],
      );
      const e = caught(() => decodeEvents(notify(payloads)));
      assert.ok(e instanceof EventPayloadError, `${text} at ${at}: ${e}`);
      assert.match(e.message, /payload\.value\.json/);
    }
  }
});

Deno.test("decodeEvents() refuses texts valid only when joined (1,2 + [3 + 4])", () => {
  // Joined as [..,1,2,[3,4],..] this parses, with as many values as texts.
  const payloads: SbsValue[] = [...TEXTS, "1,2", "[3", "4]"].map((t) => [
    "value",
    ["json", t],
  ]);
  const e = caught(() => decodeEvents(notify(payloads)));
  assert.ok(e instanceof EventPayloadError, String(e));
});

Deno.test("decodeEvents() refuses invalid UTF-8 in a JSON text as the reader does", () => {
  const payloads: SbsValue[] = Array.from(
    { length: 8 },
    () => ["value", ["json", '"é"']],
  );
  const bytes = notify(payloads);
  // The last é's second byte (0xa9) becomes a lone lead byte 0xc3 0xc3.
  const at = bytes.lastIndexOf(0xa9);
  bytes[at] = 0xc3;
  const e = caught(() => decodeEvents(bytes));
  assert.ok(e instanceof SbsDecodeError, String(e));
  assert.match(e.message, /UTF-8/);
});

Deno.test("decodeRegisterReq() with jsonText keeps JSON texts as JsonTextPayloads", () => {
  const sbs = TEXTS.map((text, i) => ({
    type: ["t", String(i)],
    sourceTimestamp: ["none", null],
    payload: ["value", ["json", text]],
  }));
  const bytes = repo.encode("HatEventer.MsgRegisterReq", sbs);
  const events = decodeRegisterReq(bytes, false, true);
  events.forEach((e, i) => {
    assert.ok(e.payload instanceof JsonTextPayload);
    assert.equal(e.payload.text, TEXTS[i]);
    assert.deepEqual(e.payload.data, JSON.parse(TEXTS[i]));
  });
  // Written again (not spliced: new type arrays), the texts are the same.
  const echoed: Event[] = events.map((e, i) => ({
    ...e,
    type: [...e.type],
    id: { server: 1, session: 7, instance: i + 1 },
    timestamp: { s: 100, us: i },
  }));
  const out = repo.decode("HatEventer.MsgEventsNotify", encodeEvents(echoed));
  (out as Record<string, SbsValue>[]).forEach((e, i) => {
    assert.deepEqual(e.payload, ["value", ["json", TEXTS[i]]]);
  });
  const bad = repo.encode("HatEventer.MsgRegisterReq", [{
    type: ["t"],
    sourceTimestamp: ["none", null],
    payload: ["value", ["json", "{"]],
  }]);
  assert.throws(() => decodeRegisterReq(bad, false, true), EventPayloadError);
});

Deno.test("a server with jsonText hands JsonTextPayloads to onRegister; without, parsed values", async () => {
  for (const jsonText of [true, false]) {
    const got = deferred<readonly RegisterEvent[]>();
    await using server = await listen(LOOPBACK, {
      status: "operational",
      jsonText,
      onRegister: (_info, events) => {
        got.resolve(events);
        return [];
      },
    });
    await using client = await connect(server.addrs[0], "c");
    await client.register([{
      type: ["a"],
      sourceTimestamp: null,
      payload: new JsonTextPayload('{"v": 1e400}'),
    }]);
    const [e] = await got.promise;
    assert.equal(e.payload instanceof JsonTextPayload, jsonText);
    assert.deepEqual(e.payload?.kind === "json" && e.payload.data, {
      v: Infinity,
    });
  }
});

Deno.test("the Event Server stores and forwards the received JSON text", async () => {
  await using engine = await startEngine(LOOPBACK, {
    storage: new MemoryStorage(),
  });
  const seen = deferred<Event[]>();
  await using _sub = await connect(engine.addrs[0], "sub", {
    subscriptions: [["x", "*"]],
    onEvents: (_c, events) => seen.resolve(events),
  });
  await using client = await connect(engine.addrs[0], "c");
  // 1e400 parses to Infinity, which JSON.stringify would have stored as
  // null; the text itself is kept.
  const text = '{"v": 1e400, "w": [1.50]}';
  await client.register([{
    type: ["x", "y"],
    sourceTimestamp: null,
    payload: new JsonTextPayload(text),
  }], { withResponse: true });
  const expected = { v: Infinity, w: [1.5] };
  assert.deepEqual((await seen.promise)[0].payload, {
    kind: "json",
    data: expected,
  });
  await engine.storage.flush();
  const result = await client.query({
    kind: "latest",
    eventTypes: [["x", "y"]],
  });
  assert.deepEqual(result.events[0].payload, { kind: "json", data: expected });
  const series = await client.query({
    kind: "timeseries",
    eventTypes: [["x", "y"]],
  });
  assert.deepEqual(series.events[0].payload, { kind: "json", data: expected });
});

Deno.test("an invalid register JSON text gets the same error with jsonText as without", () => {
  const bad = repo.encode("HatEventer.MsgRegisterReq", [{
    type: ["t"],
    sourceTimestamp: ["none", null],
    payload: ["value", ["json", "{oops}"]],
  }]);
  const plain = caught(() => decodeRegisterReq(bad, false, false));
  const text = caught(() => decodeRegisterReq(bad, false, true));
  assert.ok(plain instanceof EventPayloadError, String(plain));
  assert.ok(text instanceof EventPayloadError, String(text));
  assert.equal(
    (text as EventPayloadError).path,
    (plain as EventPayloadError).path,
  );
  assert.equal(text.message, plain.message);
  assert.ok(text.cause instanceof Error, "the JSON.parse error is the cause");
});

Deno.test("payloads with Python's NaN and Infinity pass through the Event Server", async () => {
  await using engine = await startEngine(LOOPBACK, {
    storage: new MemoryStorage(),
  });
  const seen = deferred<Event[]>();
  await using _sub = await connect(engine.addrs[0], "sub", {
    subscriptions: [["py", "*"]],
    onEvents: (_c, events) => seen.resolve(events),
  });
  await using client = await connect(engine.addrs[0], "c");
  // As Python's json.dumps writes {"v": nan, "w": [inf, -inf]}.
  const texts = ['{"v": NaN, "w": [Infinity, -Infinity]}', "NaN", "[1, 2]"];
  const registered = await client.register(
    texts.map((text) => ({
      type: ["py", "x"],
      sourceTimestamp: null,
      payload: new JsonTextPayload(text),
    })),
    { withResponse: true },
  );
  const expected = [{ v: NaN, w: [Infinity, -Infinity] }, NaN, [1, 2]];
  const data = (events: readonly Event[] | null) =>
    events?.map((e) => e.payload?.kind === "json" ? e.payload.data : null);
  assert.deepEqual(data(registered), expected);
  assert.deepEqual(data(await seen.promise), expected);
  const series = await client.query({
    kind: "timeseries",
    eventTypes: [["py", "x"]],
  });
  assert.deepEqual(data(series.events), [...expected].reverse());
  // A plain server (no jsonText) parses them too.
  const got = deferred<readonly RegisterEvent[]>();
  await using server = await listen(LOOPBACK, {
    status: "operational",
    onRegister: (_info, events) => {
      got.resolve(events);
      return [];
    },
  });
  await using c2 = await connect(server.addrs[0], "c2");
  await c2.register([{
    type: ["a"],
    sourceTimestamp: null,
    payload: new JsonTextPayload("[NaN]"),
  }]);
  assert.deepEqual((await got.promise)[0].payload, {
    kind: "json",
    data: [NaN],
  });
});
