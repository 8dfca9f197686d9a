// A data directory written by an earlier release opens unchanged: the
// SQLite file of tests/testdata/data_dir_0e31681/ (written at commit
// 0e31681, see _format_fixture.ts) is opened by the current code, which
// answers every kind of query with the events that were written, exactly,
// and goes on registering after them.

import assert from "node:assert/strict";
import { connect } from "../../client.ts";
import {
  type Event,
  type EventPayload,
  JsonTextPayload,
  type QueryParams,
} from "../../event/mod.ts";
import { resolveConfig } from "../../event_server/config.ts";
import { createLogger } from "../../event_server/log.ts";
import { startEventServer } from "../../event_server/main.ts";
import {
  MemoryStorage,
  SqliteStorage,
} from "../../event_server/storage/mod.ts";
import {
  FIXTURE_CHUNK_SIZE,
  fixtureEvents,
  JSON_TEXTS,
} from "./_format_fixture.ts";

const FIXTURE = new URL("../testdata/data_dir_0e31681/", import.meta.url);

/** A copy of the fixture's data directory (opening a database writes). */
async function dataDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "eventer_compat_" });
  await Deno.copyFile(new URL("events.db", FIXTURE), `${path}/events.db`);
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/** The events as a query without `jsonText` gives them. */
function plain(e: Event): Event {
  const p = e.payload;
  const payload: EventPayload | null = p instanceof JsonTextPayload
    ? { kind: "json", data: p.data }
    : p;
  return { ...e, payload };
}

const WRITTEN: Event[] = fixtureEvents((t) => new JsonTextPayload(t)).flat();

function byTimestampThenId(a: Event, b: Event): number {
  const [x, y] = [a.timestamp, b.timestamp];
  if (x.s !== y.s) return x.s < y.s ? -1 : 1;
  if (x.us !== y.us) return x.us - y.us;
  for (const k of ["server", "session", "instance"] as const) {
    if (a.id[k] !== b.id[k]) return a.id[k] - b.id[k];
  }
  return 0;
}

Deno.test("an SQLite data directory of release 0e31681 opens and answers with the events written", async () => {
  await using dir = await dataDir();
  await using storage = new SqliteStorage(`${dir.path}/events.db`);
  assert.ok(storage.chunkCount > 1, `${storage.chunkCount} chunks`);
  assert.deepEqual(storage.lastEventId(1), {
    server: 1,
    session: 12,
    instance: 9,
  });
  assert.deepEqual(storage.lastEventId(2), {
    server: 2,
    session: 12,
    instance: 9,
  });
  assert.equal(storage.lastSession(1), 12);

  for (const server of [1, 2]) {
    const { events, moreFollows } = storage.query({
      kind: "server",
      serverId: server,
      maxResults: 1000,
    });
    assert.equal(moreFollows, false);
    assert.deepEqual(
      events,
      WRITTEN.filter((e) => e.id.server === server).map(plain),
    );
  }
  const timeseries = storage.query({
    kind: "timeseries",
    order: "ascending",
    maxResults: 1000,
  });
  assert.deepEqual(
    timeseries.events,
    WRITTEN.toSorted(byTimestampThenId).map(plain),
  );
  // JSON payloads kept as text come back as the very text written.
  const texts = storage.query(
    { kind: "server", serverId: 1, maxResults: 1000 },
    {
      jsonText: true,
    },
  ).events.flatMap((e) =>
    e.payload instanceof JsonTextPayload ? [e.payload.text] : []
  );
  const serverOneTexts = [...JSON_TEXTS]
    .filter(([i]) => WRITTEN[i].id.server === 1)
    .map(([, text]) => text);
  assert.ok(serverOneTexts.length > 0);
  for (const text of serverOneTexts) assert.ok(texts.includes(text), text);
});

Deno.test("an SQLite data directory of release 0e31681 answers every query as the current code answers the same events", async (t) => {
  await using dir = await dataDir();
  await using old = new SqliteStorage(`${dir.path}/events.db`);
  await using fresh = new MemoryStorage({ chunkSize: FIXTURE_CHUNK_SIZE });
  for (const batch of fixtureEvents((text) => new JsonTextPayload(text))) {
    await fresh.register(batch);
  }
  const queries: QueryParams[] = [
    { kind: "latest" },
    { kind: "latest", eventTypes: [["gw", "dev1", "*"], ["gw", "?", "data"]] },
    { kind: "timeseries" },
    { kind: "timeseries", maxResults: 7, eventTypes: [["gw", "dev3", "*"]] },
    { kind: "timeseries", orderBy: "sourceTimestamp", order: "ascending" },
    {
      kind: "timeseries",
      tFrom: { s: 1_700_000_100, us: 0 },
      tTo: { s: 1_700_000_400, us: 0 },
    },
    {
      kind: "timeseries",
      maxResults: 5,
      lastEventId: { server: 2, session: 6, instance: 4 },
    },
    {
      kind: "server",
      serverId: 2,
      lastEventId: { server: 2, session: 10, instance: 1 },
    },
  ];
  for (const params of queries) {
    await t.step(JSON.stringify(params), () => {
      assert.deepEqual(old.query(params), fresh.query(params));
    });
  }
});

Deno.test("the Event Server started on a data directory of release 0e31681 serves its events and continues their ids", async () => {
  await using dir = await dataDir();
  const config = resolveConfig({
    address: "127.0.0.1:0",
    storage: "sqlite",
    dataDir: dir.path,
  });
  await using server = await startEventServer(config, {
    log: createLogger("error"),
  });
  await using client = await connect(server.engine.addrs[0], "compat");
  const written = WRITTEN.filter((e) => e.id.server === 1).map(plain);
  const { events } = await client.query({ kind: "server", serverId: 1 });
  assert.deepEqual(events.slice(0, written.length), written);
  // After them, the engine's own events of this start (new sessions).
  const last = events[events.length - 1].id;
  assert.ok(last.session > 12, JSON.stringify(last));
  const [added] = (await client.register([{
    type: ["gw", "new"],
    sourceTimestamp: null,
    payload: { kind: "json", data: "after" },
  }], { withResponse: true }))!;
  assert.deepEqual(added.id, {
    server: 1,
    session: last.session + 1,
    instance: 1,
  });
});
