// A real client against a real server on loopback: query with each kind
// of params.

import { connect } from "../../client.ts";
import type { QueryParams, QueryResult } from "../../event/mod.ts";
import { listen } from "../../server.ts";
import { event, LOOPBACK } from "./_helpers.ts";
import assert from "node:assert/strict";

const FULL_TIMESERIES: QueryParams = {
  kind: "timeseries",
  eventTypes: [["x"]],
  tFrom: { s: 1, us: 2 },
  tTo: { s: 3, us: 4 },
  sourceTFrom: { s: 5, us: 6 },
  sourceTTo: { s: 7, us: 8 },
  order: "ascending",
  orderBy: "sourceTimestamp",
  maxResults: 10,
  lastEventId: { server: 1, session: 2, instance: 3 },
};

Deno.test("query() passes each kind of params and gives the result", async (t) => {
  const seen: QueryParams[] = [];
  const result: QueryResult = {
    events: [event(["a"]), event(["b"], 2, 3, 4)],
    moreFollows: true,
  };
  await using server = await listen(LOOPBACK, {
    onQuery: async (_info, params) => {
      await Promise.resolve();
      seen.push(params);
      return result;
    },
  });
  await using client = await connect(server.addrs[0], "c");
  const cases: [QueryParams, QueryParams][] = [
    [{ kind: "latest" }, { kind: "latest", eventTypes: null }],
    [{ kind: "latest", eventTypes: [["a", "*"]] }, {
      kind: "latest",
      eventTypes: [["a", "*"]],
    }],
    [{ kind: "timeseries" }, {
      kind: "timeseries",
      eventTypes: null,
      tFrom: null,
      tTo: null,
      sourceTFrom: null,
      sourceTTo: null,
      order: "descending",
      orderBy: "timestamp",
      maxResults: null,
      lastEventId: null,
    }],
    // Every parameter given: it arrives unchanged.
    [FULL_TIMESERIES, FULL_TIMESERIES],
    [{ kind: "server", serverId: 3 }, {
      kind: "server",
      serverId: 3,
      persisted: false,
      maxResults: null,
      lastEventId: null,
    }],
    [{
      kind: "server",
      serverId: 3,
      persisted: true,
      maxResults: 1,
      lastEventId: { server: 3, session: 1, instance: 1 },
    }, {
      kind: "server",
      serverId: 3,
      persisted: true,
      maxResults: 1,
      lastEventId: { server: 3, session: 1, instance: 1 },
    }],
  ];
  for (const [params, expected] of cases) {
    await t.step(JSON.stringify(params), async () => {
      assert.deepEqual(await client.query(params), result);
      assert.deepEqual(seen.at(-1), expected);
    });
  }
});

Deno.test("query() gets an empty result when the server has no callback", async () => {
  await using server = await listen(LOOPBACK);
  await using client = await connect(server.addrs[0], "c");
  assert.deepEqual(await client.query({ kind: "server", serverId: 1 }), {
    events: [],
    moreFollows: false,
  });
});
