import assert from "node:assert/strict";
import type { Event, Timestamp } from "../../../event/mod.ts";
import type { LiveUpdate, WebEvent } from "../../../event_server/http/mod.ts";
import { STREAM_SAMPLE } from "../../../event_server/http/_live_session.ts";
import { within } from "../../_within.ts";
import { registerUntilDropped, updateRounds } from "./_rounds.ts";
import { jsonEvent, live, rawLive, startWeb } from "./_web.ts";

const FAST = { updatePeriod: 20 };

function texts(events: readonly WebEvent[] | undefined): string[] {
  return (events ?? []).map((e) =>
    `${e.type.join("/")}=${e.payload?.kind === "json" ? e.payload.text : "?"}`
  );
}

Deno.test("live: the latest event of each watched type comes when it changes, coalesced", async () => {
  await using web = await startWeb(FAST);
  web.engine.register([jsonEvent(["a"], 0), jsonEvent(["b"], 0)]);
  await using page = await live(web.url);
  const first = page.next((u) => u.latest !== undefined, "the first latest");
  page.watch({ latest: [["a"], ["b"], ["none"]] });
  assert.deepEqual(texts((await first).latest).sort(), ["a=0", "b=0"]);
  const next = page.next((u) => u.latest !== undefined, "a change of a");
  // Many changes between two updates: one event, the last.
  for (let i = 1; i <= 1000; i++) web.engine.register([jsonEvent(["a"], i)]);
  assert.deepEqual(texts((await next).latest), ["a=1000"]);
  const unwatched = page.next((u) => u.latest !== undefined, "b");
  web.engine.register([jsonEvent(["c"], 1), jsonEvent(["b"], 2)]);
  assert.deepEqual(texts((await unwatched).latest), ["b=2"]);
});

Deno.test("live: the stream gets arriving events matching its query types, the newest first sampled", async () => {
  await using web = await startWeb(FAST);
  web.engine.register([jsonEvent(["s", "old"], 0)]);
  await using page = await live(web.url);
  const initial = page.next((u) => u.stream !== undefined, "the newest events");
  page.watch({ stream: { types: [["s", "*"]] } });
  const init = (await initial).stream!;
  assert.deepEqual(texts(init.events), ["s/old=0"]);
  assert.equal(init.sampled, false);
  const few = page.next((u) => u.stream !== undefined, "new events");
  web.engine.register([jsonEvent(["s", "x"], 1), jsonEvent(["t"], 1)]);
  web.engine.register([jsonEvent(["s", "y"], 2)]);
  const got = (await few).stream!;
  assert.deepEqual(texts(got.events), ["s/x=1", "s/y=2"]);
  assert.equal(got.sampled, false);
  const many = page.next((u) => u.stream !== undefined, "a burst");
  const burst = [];
  for (let i = 0; i < 500; i++) burst.push(jsonEvent(["s", "z"], i));
  web.engine.register(burst);
  const sampled = (await many).stream!;
  assert.equal(sampled.sampled, true);
  assert.equal(sampled.events.length, STREAM_SAMPLE);
  assert.deepEqual(texts(sampled.events).slice(-2), ["s/z=498", "s/z=499"]);
});

/** An event of server 2 (a peer), as sync stores it. */
function peerEvent(
  type: string[],
  instance: number,
  timestamp: Timestamp,
  data: unknown,
): Event {
  return {
    id: { server: 2, session: 1, instance },
    type,
    timestamp,
    sourceTimestamp: null,
    payload: { kind: "json", data: data as never },
  };
}

/** `t` moved by `seconds`. */
function shifted(t: Timestamp, seconds: number): Timestamp {
  return { s: Number(t.s) + seconds, us: t.us };
}

Deno.test("live: a peer's event stored after a newer local one still reaches the stream", async () => {
  await using web = await startWeb(FAST);
  await using page = await live(web.url);
  const sent = page.next(
    (u) => texts(u.stream?.events).includes("late/local=1"),
    "the local event",
  );
  page.watch({ stream: { types: [["late", "*"]] } });
  const [local] = (await web.engine.register([
    jsonEvent(["late", "local"], 1),
  ]))!;
  await sent;
  // Synced from server 2 after the newer local event was sent, with a
  // timestamp a second before it (its clock, or the sync's delay).
  const late = page.next((u) => u.stream !== undefined, "the peer's event");
  web.engine.storeSynced([
    peerEvent(["late", "peer"], 1, shifted(local.timestamp, -1), 2),
  ]);
  const got = (await late).stream!;
  assert.deepEqual(texts(got.events), ["late/peer=2"]);
  assert.equal(got.sampled, false);
  assert.equal(got.events[0].id[0], 2);
});

Deno.test("live: a peer's late event is plotted", async () => {
  await using web = await startWeb(FAST);
  const [local] = (await web.engine.register([jsonEvent(["v"], 1)]))!;
  await using page = await live(web.url);
  const history = page.next((u) => u.plot !== undefined, "the history");
  page.watch({
    plot: {
      type: ["v"],
      field: "",
      by: "timestamp",
      from: [Number(local.timestamp.s) - 60, 0],
      to: null,
    },
  });
  assert.deepEqual((await history).plot!.points.map((p) => p[1]), [1]);
  const newer = page.next((u) => u.plot !== undefined, "a newer point");
  web.engine.register([jsonEvent(["v"], 2)]);
  assert.deepEqual((await newer).plot!.points.map((p) => p[1]), [2]);
  const late = page.next((u) => u.plot !== undefined, "the peer's point");
  const at = shifted(local.timestamp, -1);
  web.engine.storeSynced([
    peerEvent(["v"], 1, at, 3),
    // Before the plot's range: left out.
    peerEvent(["v"], 2, shifted(local.timestamp, -120), 4),
  ]);
  assert.deepEqual((await late).plot!.points, [[
    Number(at.s) + at.us / 1e6,
    3,
  ]]);
});

Deno.test("live: a paused stream gets nothing until resumed", async () => {
  await using web = await startWeb(FAST);
  await using page = await live(web.url);
  page.watch({ stream: { types: [["p"]], paused: true } });
  await page.next((u) => u.status !== undefined, "a status");
  web.engine.register([jsonEvent(["p"], 1)]);
  // Two full seconds of updates (status comes once a second) without it.
  await page.next((u) => u.status !== undefined, "a status");
  await page.next((u) => u.status !== undefined, "a status");
  assert.equal(page.received.some((u) => u.stream !== undefined), false);
  const resumed = page.next((u) => u.stream !== undefined, "the stream");
  page.watch({ stream: { types: [["p"]], paused: false } });
  assert.deepEqual(texts((await resumed).stream!.events), ["p=1"]);
});

Deno.test("live: the plot gets its range's values, then the new ones", async () => {
  await using web = await startWeb(FAST);
  web.engine.register([
    jsonEvent(["v"], { value: 1.5 }),
    jsonEvent(["v"], { value: "not a number" }),
    jsonEvent(["v"], { other: 3 }),
    jsonEvent(["v"], { value: true }),
  ]);
  const from = Math.floor(Date.now() / 1000) - 60;
  await using page = await live(web.url);
  const history = page.next((u) => u.plot !== undefined, "the history");
  page.watch({
    plot: {
      type: ["v"],
      field: "value",
      by: "timestamp",
      from: [from, 0],
      to: null,
    },
  });
  const h = (await history).plot!;
  assert.equal(h.reset, true);
  assert.deepEqual(h.points.map((p) => p[1]), [1.5, 1]);
  assert.ok(h.points[0][0] >= from);
  const more = page.next((u) => u.plot !== undefined, "new points");
  web.engine.register([
    jsonEvent(["v"], { value: -2 }),
    jsonEvent(["w"], { value: 9 }),
  ]);
  const m = (await more).plot!;
  assert.equal(m.reset, false);
  assert.deepEqual(m.points.map((p) => p[1]), [-2]);
  assert.ok(m.points[0][0] >= h.points[1][0]);
});

Deno.test("live: a bad watch is answered with an error and the page stays connected", async () => {
  await using web = await startWeb(FAST);
  await using page = await live(web.url);
  const error = page.next((u) => u.error !== undefined, "an error");
  page.watch({ stream: { types: [["*", "x"]] } });
  assert.match((await error).error!, /Invalid stream\.types\[0\]/);
  const ok = page.next((u) => u.latest !== undefined, "latest");
  web.engine.register([jsonEvent(["k"], 1)]);
  page.watch({ latest: [["k"]] });
  assert.deepEqual(texts((await ok).latest), ["k=1"]);
});

Deno.test("live: updates come at most once per period however fast events arrive", async () => {
  await using web = await startWeb({ updatePeriod: 50 });
  await using page = await live(web.url);
  page.watch({ latest: [["r"]], stream: { types: [["*"]] } });
  await page.next((u) => u.stream !== undefined, "the stream");
  const start = page.received.length;
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) {
    web.engine.register([jsonEvent(["r"], i)]);
    await new Promise((r) => setTimeout(r, 0));
  }
  const got = page.received.length - start;
  const periods = (performance.now() - t0) / 50;
  assert.ok(
    got <= periods + 2,
    `${got} updates in ${periods.toFixed(1)} periods`,
  );
});

Deno.test("live: a page that stops reading is dropped as a slow consumer, holding at most one update", async () => {
  await using web = await startWeb({ updatePeriod: 20, slowTimeout: 300 });
  await using good = await live(web.url);
  good.watch({ latest: [["big"]] });
  // A raw WebSocket client that watches a stream of big events and then
  // never reads again.
  const { hostname, port } = new URL(web.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const key = btoa("0123456789abcdef");
  await conn.write(new TextEncoder().encode(
    `GET /api/live HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  const head = new Uint8Array(1024);
  const n = await conn.read(head);
  assert.match(
    new TextDecoder().decode(head.subarray(0, n!)),
    /^HTTP\/1\.1 101/,
  );
  const watch = new TextEncoder().encode(
    JSON.stringify({ stream: { types: [["big"]] } }),
  );
  const frame = new Uint8Array(8 + watch.length);
  frame.set([0x81, 0xfe, watch.length >> 8, watch.length & 0xff, 0, 0, 0, 0]);
  frame.set(watch, 8); // mask 0: the payload as is
  await conn.write(frame);
  try {
    const largest = await registerUntilDropped(
      web,
      200,
      "y".repeat(500),
      30_000,
      "the page that does not read to be dropped",
    );
    // One update of STREAM_SAMPLE events of ~560 bytes, never a queue.
    assert.ok(largest < 100_000, `${largest} bytes waited for one page`);
    assert.equal(web.http.liveSessions, 1);
    assert.ok(web.log.some((l) => /disconnecting slow web page/.test(l)));
    const update = good.next(
      (u: LiveUpdate) => texts(u.latest).includes('big="last"'),
      "the good page to get the last value",
    );
    web.engine.register([jsonEvent(["big"], "last")]);
    await update;
  } finally {
    conn.close();
  }
});

Deno.test("live: a page that fell behind gets the latest values once it reads again", async () => {
  await using web = await startWeb({ updatePeriod: 20, slowTimeout: 60_000 });
  using page = await rawLive(web.url);
  await page.watch({ latest: [["big"]], stream: { types: [["big"]] } });
  // Events until updates wait for the page, which does not read.
  const round = updateRounds(web.engine);
  const payload = "w".repeat(2000);
  await within(
    (async () => {
      while (!web.http.liveSessionInfos().some((s) => s.buffered > 0)) {
        const batch = [];
        for (let i = 0; i < 100; i++) batch.push(jsonEvent(["big"], payload));
        web.engine.register(batch);
        await round("an update round");
      }
    })(),
    60_000,
    "updates to wait for the page",
  );
  web.engine.register([jsonEvent(["big"], "last")]);
  // Updates go by while the page is behind or just caught up, and nothing
  // more is registered...
  for (let i = 1; i <= 3; i++) await round(`update round ${i} of 3`);
  // ...then it reads what waited, and gets the last value (an update it
  // was behind for is not lost).
  await within(
    page.readUntil((text) =>
      (JSON.parse(text) as LiveUpdate).latest?.some((e) =>
        e.payload?.kind === "json" && e.payload.text === '"last"'
      ) ?? false
    ),
    30_000,
    "the last value",
  );
});

Deno.test("live: pages beyond maxSessions are refused", async () => {
  await using web = await startWeb({ ...FAST, maxSessions: 1 });
  await using _one = await live(web.url);
  await assert.rejects(() => live(web.url), /WebSocket/);
});
