import assert from "node:assert/strict";
import type { Event, QueryParams } from "../../event/types.ts";
import { ev, ids, KINDS, ts } from "./_storages.ts";
import { oracle } from "./_oracle.ts";

// Ties on purpose: sessions 1/1, 1/2 and 2/1 share a timestamp; 1/1/3 and
// 1/3/3 share a source timestamp; 1/4 is older than what came before (a
// clock set back); extreme source timestamps at both ends of int64.
const SESSIONS: Event[][] = [
  [
    ev([1, 1, 1], ["a", "b", "1"], 100, 50.5, { kind: "json", data: 1 }),
    ev([1, 1, 2], ["a", "b", "2"], 100, null, {
      kind: "binary",
      type: "raw",
      data: new Uint8Array([0, 1, 255]),
    }),
    ev([1, 1, 3], ["a", "c"], 100, 51),
  ],
  [ev([1, 2, 1], ["a", "b", "1"], 100, 49)],
  [ev([2, 1, 1], ["a", "b", "1"], 100, 50.5)],
  [
    ev([1, 3, 1], ["x"], 101.5),
    ev([1, 3, 2], ["a", "b", "2"], 101.5, 52),
    ev([1, 3, 3], ["a", "c"], 101.5, 51),
  ],
  [ev([1, 4, 1], ["a", "b", "1"], 99, 53)],
  [ev([1, 5, 1], [], 102, { s: 2n ** 62n, us: 1 })],
  [ev([1, 6, 1], ["a"], 103, { s: -(2n ** 63n), us: 0 })],
];
const ALL = SESSIONS.flat();

type Case = [string, QueryParams, string[], boolean];

const TS_DESC = [
  "1/6/1",
  "1/5/1",
  "1/3/3",
  "1/3/2",
  "1/3/1",
  "2/1/1",
  "1/2/1",
  "1/1/3",
  "1/1/2",
  "1/1/1",
  "1/4/1",
];

const CASES: Case[] = [
  [
    "timeseries defaults: descending by timestamp, ties by id descending",
    {
      kind: "timeseries",
    },
    TS_DESC,
    false,
  ],
  [
    "timeseries ascending with a limit",
    {
      kind: "timeseries",
      order: "ascending",
      maxResults: 3,
    },
    ["1/4/1", "1/1/1", "1/1/2"],
    true,
  ],
  [
    "timeseries ascending, next page after lastEventId",
    {
      kind: "timeseries",
      order: "ascending",
      maxResults: 3,
      lastEventId: { server: 1, session: 1, instance: 2 },
    },
    ["1/1/3", "1/2/1", "2/1/1"],
    true,
  ],
  [
    "timeseries descending, last page",
    {
      kind: "timeseries",
      maxResults: 2,
      lastEventId: { server: 1, session: 1, instance: 2 },
    },
    ["1/1/1", "1/4/1"],
    false,
  ],
  ["timeseries by source timestamp leaves out events without one", {
    kind: "timeseries",
    order: "ascending",
    orderBy: "sourceTimestamp",
  }, [
    "1/6/1",
    "1/2/1",
    "1/1/1",
    "2/1/1",
    "1/1/3",
    "1/3/3",
    "1/3/2",
    "1/4/1",
    "1/5/1",
  ], false],
  [
    "timeseries by source timestamp, descending, bounded",
    {
      kind: "timeseries",
      orderBy: "sourceTimestamp",
      sourceTFrom: ts(50.5),
      sourceTTo: ts(52),
    },
    ["1/3/2", "1/3/3", "1/1/3", "2/1/1", "1/1/1"],
    false,
  ],
  [
    "timeseries with a source bound leaves out events without one",
    {
      kind: "timeseries",
      sourceTFrom: ts(50.5),
    },
    ["1/5/1", "1/3/3", "1/3/2", "2/1/1", "1/1/3", "1/1/1", "1/4/1"],
    false,
  ],
  [
    "timeseries with type filter",
    {
      kind: "timeseries",
      eventTypes: [["a", "b", "?"]],
    },
    ["1/3/2", "2/1/1", "1/2/1", "1/1/2", "1/1/1", "1/4/1"],
    false,
  ],
  [
    "timeseries with two query types",
    {
      kind: "timeseries",
      order: "ascending",
      eventTypes: [["x"], ["a", "c"]],
    },
    ["1/1/3", "1/3/1", "1/3/3"],
    false,
  ],
  [
    "timeseries with inclusive timestamp bounds",
    {
      kind: "timeseries",
      tFrom: ts(100),
      tTo: ts(101.5),
      eventTypes: [["a", "*"]],
    },
    ["1/3/3", "1/3/2", "2/1/1", "1/2/1", "1/1/3", "1/1/2", "1/1/1"],
    false,
  ],
  [
    "timeseries: the empty query type matches only the empty type",
    {
      kind: "timeseries",
      eventTypes: [[]],
    },
    ["1/5/1"],
    false,
  ],
  [
    "timeseries: no event types, no events",
    {
      kind: "timeseries",
      eventTypes: [],
    },
    [],
    false,
  ],
  [
    "timeseries: maxResults 0 says only whether something matches",
    {
      kind: "timeseries",
      maxResults: 0,
    },
    [],
    true,
  ],
  [
    "timeseries: negative maxResults finds nothing",
    {
      kind: "timeseries",
      maxResults: -1,
    },
    [],
    false,
  ],
  [
    "timeseries: unknown lastEventId gives nothing",
    {
      kind: "timeseries",
      lastEventId: { server: 1, session: 9, instance: 1 },
    },
    [],
    false,
  ],
  [
    "timeseries: lastEventId outside the sort key bounds gives nothing",
    {
      kind: "timeseries",
      tFrom: ts(101),
      lastEventId: { server: 1, session: 1, instance: 1 },
    },
    [],
    false,
  ],
  [
    "timeseries: lastEventId of an event without source timestamp, by source",
    {
      kind: "timeseries",
      orderBy: "sourceTimestamp",
      lastEventId: { server: 1, session: 1, instance: 2 },
    },
    [],
    false,
  ],
  [
    "timeseries: lastEventId need not match the type filter",
    {
      kind: "timeseries",
      eventTypes: [["a", "c"]],
      lastEventId: { server: 1, session: 3, instance: 1 },
    },
    ["1/1/3"],
    false,
  ],
  [
    "latest of every type, in order of first registration",
    {
      kind: "latest",
    },
    ["2/1/1", "1/3/2", "1/3/3", "1/3/1", "1/5/1", "1/6/1"],
    false,
  ],
  [
    "latest of exact types, in the order asked",
    {
      kind: "latest",
      eventTypes: [["x"], ["a", "c"], ["nope"], ["x"]],
    },
    ["1/3/1", "1/3/3"],
    false,
  ],
  [
    "latest with wildcards",
    {
      kind: "latest",
      eventTypes: [["a", "?"], ["*"]],
    },
    ["2/1/1", "1/3/2", "1/3/3", "1/3/1", "1/5/1", "1/6/1"],
    false,
  ],
  [
    "latest with a wildcard query type",
    {
      kind: "latest",
      eventTypes: [["a", "?"]],
    },
    ["1/3/3"],
    false,
  ],
  [
    "latest with no event types",
    {
      kind: "latest",
      eventTypes: [],
    },
    [],
    false,
  ],
  ["server: every event of a server, ascending by id", {
    kind: "server",
    serverId: 1,
  }, [
    "1/1/1",
    "1/1/2",
    "1/1/3",
    "1/2/1",
    "1/3/1",
    "1/3/2",
    "1/3/3",
    "1/4/1",
    "1/5/1",
    "1/6/1",
  ], false],
  [
    "server: paged after lastEventId",
    {
      kind: "server",
      serverId: 1,
      lastEventId: { server: 1, session: 2, instance: 1 },
      maxResults: 2,
    },
    ["1/3/1", "1/3/2"],
    true,
  ],
  [
    "server: after an id that is not stored",
    {
      kind: "server",
      serverId: 1,
      lastEventId: { server: 1, session: 3, instance: 9 },
    },
    ["1/4/1", "1/5/1", "1/6/1"],
    false,
  ],
  ["server: another server", { kind: "server", serverId: 2 }, ["2/1/1"], false],
  ["server: an unknown server", { kind: "server", serverId: 3 }, [], false],
];

for (const kind of KINDS) {
  Deno.test(`${kind.name} storage answers each kind of query as the reference`, async (t) => {
    await using opened = await kind.open();
    for (const session of SESSIONS) await opened.storage.register(session);
    for (const [name, params, expected, moreFollows] of CASES) {
      await t.step(name, () => {
        const result = opened.storage.query(params);
        assert.deepEqual(ids(result.events), expected);
        assert.equal(result.moreFollows, moreFollows);
        const reference = oracle(ALL, params);
        if (params.kind !== "latest") {
          assert.deepEqual(ids(reference.events), expected);
          assert.equal(reference.moreFollows, moreFollows);
        }
      });
    }
  });

  Deno.test(`${kind.name} storage returns events as registered`, async () => {
    await using opened = await kind.open();
    for (const session of SESSIONS) await opened.storage.register(session);
    const result = opened.storage.query({ kind: "server", serverId: 1 });
    assert.deepEqual(result.events, ALL.filter((e) => e.id.server === 1));
  });

  Deno.test(`${kind.name} storage caps maxResults`, async () => {
    await using opened = await kind.open({ maxResults: 3 });
    for (const session of SESSIONS) await opened.storage.register(session);
    const result = opened.storage.query({ kind: "timeseries", maxResults: 5 });
    assert.deepEqual(ids(result.events), TS_DESC.slice(0, 3));
    assert.equal(result.moreFollows, true);
    const server = opened.storage.query({ kind: "server", serverId: 1 });
    assert.equal(server.events.length, 3);
    assert.equal(server.moreFollows, true);
  });

  Deno.test(`${kind.name} storage refuses a server query with another server's lastEventId`, async () => {
    await using opened = await kind.open();
    await opened.storage.register(SESSIONS[0]);
    assert.throws(
      () =>
        opened.storage.query({
          kind: "server",
          serverId: 1,
          lastEventId: { server: 2, session: 1, instance: 1 },
        }),
      RangeError,
    );
  });

  Deno.test(`${kind.name} storage refuses ids that do not increase`, async () => {
    await using opened = await kind.open();
    await opened.storage.register(SESSIONS[0]);
    assert.throws(
      () => opened.storage.register([ev([1, 1, 3], ["a"], 200)]),
      RangeError,
    );
    assert.throws(
      () =>
        opened.storage.register([
          ev([1, 7, 2], ["a"], 200),
          ev([1, 7, 1], ["a"], 200),
        ]),
      RangeError,
    );
    assert.deepEqual(opened.storage.lastEventId(1), {
      server: 1,
      session: 1,
      instance: 3,
    });
    assert.deepEqual(opened.storage.lastEventId(5), {
      server: 5,
      session: 0,
      instance: 0,
    });
  });
}
