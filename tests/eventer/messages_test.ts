// The direct message codec of eventer/ against the golden vectors and
// against the reference path (Repository(EVENTER_SBS) + the event model's
// SBS conversions), byte for byte; and the splice path of echoed events.

import assert from "node:assert/strict";
import { Reader, Repository, type SbsValue, Writer } from "../../codec/mod.ts";
import {
  type Event,
  EVENTER_SBS,
  eventFromSbs,
  eventIdToSbs,
  eventsFromSbs,
  eventsToSbs,
  eventToSbs,
  queryResultFromSbs,
  queryResultToSbs,
  type RegisterEvent,
  registerEventFromSbs,
  registerEventsFromSbs,
  registerEventsToSbs,
  registerEventToSbs,
  type Status,
  statusFromSbs,
  statusToSbs,
  timestampToSbs,
} from "../../event/mod.ts";
import {
  writeEvent,
  writeEvents,
  writeRegisterEvent,
} from "../../eventer/_event_write.ts";
import { readEvent, readRegisterEvent } from "../../eventer/_event_read.ts";
import {
  decodeEvents,
  decodeInitReq,
  decodeInitRes,
  decodeQueryRes,
  decodeRegisterReq,
  decodeRegisterRes,
  decodeStatus,
  encodeEvents,
  encodeInitReq,
  encodeInitRes,
  encodeQueryRes,
  encodeRegisterReq,
  encodeRegisterRes,
  encodeStatus,
  type InitRequest,
  type InitResponse,
} from "../../eventer/_messages.ts";
import { fromJsonForm } from "../codec/_json_form.ts";
import { Prng } from "../event/_prng.ts";
import { fromHex, readVectors, toHex } from "../_vectors.ts";

const repo = new Repository(EVENTER_SBS);

function whole<T>(read: (r: Reader) => T): (b: Uint8Array) => T {
  return (bytes) => {
    const r = new Reader(bytes);
    const v = read(r);
    assert.equal(r.pos, r.end, "trailing bytes");
    return v;
  };
}

function written<T>(write: (w: Writer, v: T) => void): (v: T) => Uint8Array {
  return (v) => {
    const w = new Writer(16);
    write(w, v);
    return w.finish();
  };
}

const opt = (v: SbsValue) => v === null ? ["none", null] : ["value", v];
const unopt = (v: SbsValue) => (v as [string, SbsValue])[1];

// type: [our decode, our encode, reference fromSbs, reference toSbs]
// deno-lint-ignore no-explicit-any
type Any = any;
type Case = [
  (b: Uint8Array) => Any,
  (v: Any) => Uint8Array,
  (v: SbsValue) => Any,
  (v: Any) => SbsValue,
];

const CASES: Record<string, Case> = {
  Event: [whole(readEvent), written(writeEvent), eventFromSbs, eventToSbs],
  RegisterEvent: [
    whole(readRegisterEvent),
    written(writeRegisterEvent),
    registerEventFromSbs,
    registerEventToSbs,
  ],
  MsgEventsNotify: [decodeEvents, encodeEvents, eventsFromSbs, eventsToSbs],
  MsgRegisterReq: [
    (b) => decodeRegisterReq(b, false),
    encodeRegisterReq,
    registerEventsFromSbs,
    registerEventsToSbs,
  ],
  MsgRegisterRes: [
    decodeRegisterRes,
    encodeRegisterRes,
    (v) =>
      (v as SbsValue[])[0] === "events"
        ? eventsFromSbs((v as SbsValue[])[1])
        : null,
    (v: Event[] | null) =>
      v === null ? ["failure", null] : ["events", eventsToSbs(v)],
  ],
  MsgQueryRes: [
    decodeQueryRes,
    encodeQueryRes,
    queryResultFromSbs,
    queryResultToSbs,
  ],
  MsgStatusNotify: [decodeStatus, encodeStatus, statusFromSbs, statusToSbs],
  MsgInitRes: [
    decodeInitRes,
    encodeInitRes,
    (v): InitResponse => {
      const [name, x] = v as [string, SbsValue];
      return name === "success"
        ? { kind: "success", status: statusFromSbs(x) }
        : { kind: "error", message: x as string };
    },
    (v: InitResponse) =>
      v.kind === "success"
        ? ["success", statusToSbs(v.status)]
        : ["error", v.message],
  ],
  MsgInitReq: [
    decodeInitReq,
    encodeInitReq,
    (v): InitRequest => {
      const r = v as Record<string, SbsValue>;
      return {
        clientName: r.clientName as string,
        clientToken: unopt(r.clientToken) as string | null,
        subscriptions: r.subscriptions as string[][],
        serverId: unopt(r.serverId) as number | null,
        persisted: r.persisted as boolean,
      };
    },
    (v: InitRequest) => ({
      clientName: v.clientName,
      clientToken: opt(v.clientToken),
      subscriptions: v.subscriptions as string[][],
      serverId: opt(v.serverId),
      persisted: v.persisted,
    }),
  ],
};

interface Vector {
  module_type: string;
  value: unknown;
  hex: string;
}

Deno.test("the direct codec decodes every eventer vector as the reference does and encodes it back", async (t) => {
  const vectors = await readVectors<Vector[]>("sbs_vectors.json");
  let count = 0;
  for (const v of vectors) {
    const name = v.module_type.replace(/^HatEventer\./, "");
    const c = CASES[name];
    if (!v.module_type.startsWith("HatEventer.") || c === undefined) continue;
    count++;
    await t.step(`${v.module_type} ${v.hex.slice(0, 40)}`, () => {
      const [decode, encode, fromSbs, toSbs] = c;
      const sbs = fromJsonForm(repo.resolve(v.module_type), v.value);
      const expected = fromSbs(sbs);
      const bytes = fromHex(v.hex);
      const decoded = decode(bytes);
      assert.deepEqual(decoded, expected);
      const ours = encode(decoded);
      assert.deepEqual(ours, repo.encode(v.module_type, toSbs(decoded)));
      // JSON payloads are rewritten by JSON.stringify; all else is as Python.
      if (!/"json"/.test(JSON.stringify(v.value))) {
        assert.equal(toHex(ours), v.hex);
      }
    });
  }
  assert.ok(count >= 25, `only ${count} vectors`);
});

function randomTimestamp(rng: Prng) {
  const s = rng.pick<number | bigint>([
    0,
    -1,
    1_700_000_000,
    2 ** 53 - 1,
    -(2n ** 62n),
  ]);
  return {
    s: rng.next() < 0.1 ? 2n ** 63n - 1n : rng.next() < 0.1 ? -(2n ** 63n) : s,
    us: rng.int(1_000_000),
  };
}

function randomRegisterEvent(rng: Prng): RegisterEvent {
  const type = Array.from(
    { length: rng.int(5) },
    () => rng.pick(["a", "bb", "", "ž", "🙂", "x".repeat(70)]),
  );
  const r = rng.next();
  const payload = r < 0.3 ? null : r < 0.6
    ? {
      kind: "binary" as const,
      type: rng.pick(["", "raw", "ćč"]),
      data: Uint8Array.from({ length: rng.int(80) }, () => rng.int(256)),
    }
    : {
      kind: "json" as const,
      data: rng.pick([null, 1, -2.5, "s", [1, "ž", null], {
        a: { b: [true] },
      }]),
    };
  return {
    type,
    sourceTimestamp: rng.next() < 0.5 ? null : randomTimestamp(rng),
    payload,
  };
}

Deno.test("the direct codec equals the reference on random events", () => {
  const rng = new Prng(6);
  for (let n = 0; n < 300; n++) {
    const registerEvents = Array.from(
      { length: rng.int(5) },
      () => randomRegisterEvent(rng),
    );
    const events: Event[] = registerEvents.map((e, i) => ({
      ...e,
      id: {
        server: rng.int(3),
        session: rng.pick([1, 2 ** 40, 2 ** 53 - 1]),
        instance: i,
      },
      timestamp: randomTimestamp(rng),
    }));
    const req = encodeRegisterReq(registerEvents);
    assert.deepEqual(
      req,
      repo.encode(
        "HatEventer.MsgRegisterReq",
        registerEventsToSbs(registerEvents),
      ),
    );
    assert.deepEqual(decodeRegisterReq(req, false), registerEvents);
    const notify = encodeEvents(events);
    assert.deepEqual(
      notify,
      repo.encode("HatEventer.MsgEventsNotify", eventsToSbs(events)),
    );
    assert.deepEqual(decodeEvents(notify), events);
  }
});

Deno.test("an event built from a received register event is spliced byte-exact", () => {
  const rng = new Prng(7);
  for (let n = 0; n < 200; n++) {
    // Register events as another implementation wrote them: JSON text
    // with Python's separators, which the splice keeps as it is.
    const sbs = Array.from({ length: 1 + rng.int(4) }, () => {
      const e = registerEventToSbs(randomRegisterEvent(rng)) as Record<
        string,
        SbsValue
      >;
      const p = e.payload as [string, [string, SbsValue]];
      if (p[0] === "value" && p[1][0] === "json") {
        const text = JSON.stringify(JSON.parse(p[1][1] as string), null, 1);
        return { ...e, payload: ["value", ["json", text]] };
      }
      return e;
    });
    const bytes = repo.encode("HatEventer.MsgRegisterReq", sbs);
    const received = decodeRegisterReq(bytes, true);
    const ids = received.map((_, i) => ({
      server: 1,
      session: n,
      instance: i + 1,
    }));
    const timestamp = randomTimestamp(rng);
    const events: Event[] = received.map((e, i) => ({
      id: ids[i],
      timestamp,
      ...e,
    }));
    const expected = repo.encode(
      "HatEventer.MsgEventsNotify",
      sbs.map((e, i) => ({
        id: eventIdToSbs(ids[i]),
        type: e.type,
        timestamp: timestampToSbs(timestamp),
        sourceTimestamp: e.sourceTimestamp,
        payload: e.payload,
      })),
    );
    const w = new Writer(16);
    writeEvents(w, events);
    assert.deepEqual(w.finish(), expected);
  }
});

Deno.test("an unsafe integer number of seconds is written as its bigint", () => {
  const t = { s: -(2 ** 62), us: 1 };
  const w = new Writer(16);
  writeEvent(w, { ...event0, timestamp: t });
  assert.deepEqual(
    w.finish(),
    repo.encode(
      "HatEventer.Event",
      eventToSbs({ ...event0, timestamp: { s: -(2n ** 62n), us: 1 } }),
    ),
  );
});

const event0: Event = {
  id: { server: 1, session: 1, instance: 1 },
  type: [],
  timestamp: { s: 0, us: 0 },
  sourceTimestamp: null,
  payload: null,
};

Deno.test("the splice is not used once the event's parts are replaced", () => {
  const original: RegisterEvent = {
    type: ["a"],
    sourceTimestamp: { s: 1, us: 2 },
    payload: { kind: "json", data: { v: 1 } },
  };
  const [received] = decodeRegisterReq(encodeRegisterReq([original]), true);
  const base = {
    id: { server: 1, session: 1, instance: 1 },
    timestamp: { s: 3, us: 4 },
  };
  const variants: Event[] = [
    { ...base, ...received, payload: { kind: "json", data: { v: 2 } } },
    { ...base, ...received, sourceTimestamp: null },
    { ...base, ...received, type: ["b"] },
    { ...base, ...received, payload: null },
  ];
  for (const e of variants) {
    assert.deepEqual(
      encodeEvents([e]),
      repo.encode("HatEventer.MsgEventsNotify", eventsToSbs([e])),
    );
  }
});

Deno.test("events echoed out of order or in part are encoded correctly", () => {
  const registerEvents = [0, 1, 2].map((i): RegisterEvent => ({
    type: ["t", `${i}`],
    sourceTimestamp: null,
    payload: { kind: "json", data: { i } },
  }));
  const received = decodeRegisterReq(encodeRegisterReq(registerEvents), true);
  const events: Event[] = received.map((e, i) => ({
    id: { server: 1, session: 1, instance: i + 1 },
    timestamp: { s: 0, us: 0 },
    ...e,
  }));
  for (
    const list of [
      events,
      [...events].reverse(),
      events.slice(1),
      [events[0], events[2]],
    ]
  ) {
    assert.deepEqual(
      encodeEvents(list),
      repo.encode("HatEventer.MsgEventsNotify", eventsToSbs(list)),
    );
  }
});

function usOutOfRange(): Uint8Array {
  const w = new Writer(16);
  w.uint(1); // one event
  w.uint(0); // empty type
  w.uint(1); // source timestamp: value
  w.integer(0);
  w.integer(1_000_000);
  w.uint(0); // no payload
  return w.finish();
}

Deno.test("decoders reject malformed messages with named errors", async (t) => {
  const cases: [string, () => unknown, RegExp][] = [
    [
      "truncated events",
      () => decodeEvents(new Uint8Array([0x81, 0x81])),
      /SbsDecodeError|length/,
    ],
    [
      "trailing bytes",
      () => decodeStatus(new Uint8Array([0x80, 0x80])),
      /trailing|after/,
    ],
    ["bad choice", () => decodeStatus(new Uint8Array([0x84])), /choice/],
    [
      "bad optional",
      () => decodeRegisterReq(new Uint8Array([0x81, 0x80, 0x82, 0x80]), false),
      /Optional/,
    ],
    [
      "us out of range",
      () => decodeRegisterReq(usOutOfRange(), false),
      /0\.\.999999/,
    ],
    [
      "bad JSON text",
      () => decodeRegisterReq(fromHex("818080818181" + "7b"), false),
      /JSON/,
    ],
    [
      "huge count",
      () => decodeEvents(fromHex("0f7f7f7f7fff")),
      /length|exceeds/,
    ],
  ];
  for (const [name, fn, re] of cases) {
    await t.step(name, () => {
      assert.throws(fn, (e: Error) => {
        assert.ok(e instanceof Error);
        assert.match(`${e.name} ${e.message}`, re);
        return true;
      });
    });
  }
});

Deno.test("encodeStatus() and friends reject values outside the schema", () => {
  assert.throws(() => encodeStatus("running" as Status), TypeError);
  assert.throws(
    () => encodeQueryRes({ events: [], moreFollows: 1 as unknown as boolean }),
    TypeError,
  );
  assert.throws(
    () => encodeEvents([{ id: null } as unknown as Event]),
    TypeError,
  );
  assert.throws(
    () =>
      encodeRegisterReq([{
        type: ["\ud800"],
        sourceTimestamp: null,
        payload: null,
      }]),
    TypeError,
  );
});

Deno.test("register events sharing one type array encode as the reference", () => {
  const shared = ["gateway", "dev1", "ž"];
  const other = ["gateway", "dev1", "ž"];
  const events: RegisterEvent[] = [shared, shared, other, shared, [], []].map(
    (type, i) => ({
      type,
      sourceTimestamp: i % 2 === 0 ? null : { s: i, us: 0 },
      payload: { kind: "json", data: i },
    }),
  );
  // Long enough for the writer to grow while copying a type's bytes.
  const many = Array.from(
    { length: 5000 },
    (_, i) => events[i % events.length],
  );
  for (const batch of [events, many]) {
    assert.deepEqual(
      encodeRegisterReq(batch),
      repo.encode("HatEventer.MsgRegisterReq", registerEventsToSbs(batch)),
    );
  }
});

Deno.test("events of one message with equal types share one frozen type array", () => {
  const types = [["a", "b"], ["a", "b"], ["a", "c"], ["a", "b"], []];
  const events: Event[] = types.map((type, i) => ({
    id: { server: 1, session: 1, instance: i + 1 },
    type,
    timestamp: { s: 1, us: 0 },
    sourceTimestamp: null,
    payload: null,
  }));
  const decoded = decodeEvents(encodeEvents(events));
  assert.deepEqual(decoded, events);
  assert.equal(decoded[0].type, decoded[1].type);
  assert.notEqual(decoded[1].type, decoded[2].type);
  // Only a run is shared: the fourth follows a different type.
  assert.notEqual(decoded[3].type, decoded[1].type);
  assert.ok(decoded.every((e) => Object.isFrozen(e.type)));
  assert.throws(() => (decoded[0].type as string[]).push("x"), TypeError);
  const registered = decodeRegisterReq(encodeRegisterReq(events), true, true);
  assert.equal(registered[0].type, registered[1].type);
  assert.deepEqual(registered.map((e) => e.type), types);
});
