import assert from "node:assert/strict";
import {
  compareEventIds,
  type Event,
  matchesQueryType,
} from "../../event/mod.ts";
import { ids, KINDS } from "./_storages.ts";
import { oracle } from "./_oracle.ts";
import {
  randomQuery,
  randomQueryType,
  randomSessions,
  rng,
} from "./_random.ts";

for (const kind of KINDS) {
  Deno.test(`${kind.name} storage agrees with a brute-force reference on random queries`, async () => {
    const rand = rng(7);
    const sessions = randomSessions(rand, 400);
    await using opened = await kind.open({ maxResults: 50 });
    const stored = [];
    for (const [i, session] of sessions.entries()) {
      await opened.storage.register(session);
      stored.push(...session);
      if (i % 100 !== 99) continue;
      for (let q = 0; q < 150; q++) {
        const params = randomQuery(rand, stored);
        const result = opened.storage.query(params);
        const expected = oracle(stored, params, 50);
        const got = params.kind === "latest"
          ? ids(result.events).sort()
          : ids(result.events);
        const want = params.kind === "latest"
          ? ids(expected.events).sort()
          : ids(expected.events);
        assert.deepEqual(got, want, JSON.stringify(params));
        assert.equal(result.moreFollows, expected.moreFollows);
      }
    }
  });
}

for (const kind of KINDS) {
  Deno.test(`${kind.name} storage's arrivals() agree with a brute-force reference when servers' events interleave`, async () => {
    const rand = rng(11);
    // Three servers' sessions interleaved at random, as sync stores them.
    const queues = [1, 2, 3].map((server) => randomSessions(rand, 150, server));
    await using opened = await kind.open({ maxResults: 50 });
    const stored: Event[] = [];
    const durable: Promise<void>[] = [];
    while (queues.some((q) => q.length > 0)) {
      const q = queues.filter((q) => q.length > 0);
      const session = q[Math.floor(rand() * q.length)].shift()!;
      // Not awaited: arrivals() sees what waits for its commit.
      durable.push(opened.storage.register(session));
      stored.push(...session);
      if (rand() > 0.1) continue;
      for (let n = 0; n < 20; n++) {
        const server = 1 + Math.floor(rand() * 4);
        const own = stored.filter((e) => e.id.server === server);
        const after = own.length === 0 || rand() < 0.2
          ? null
          : own[Math.floor(rand() * own.length)].id;
        const eventTypes = rand() < 0.4 ? null : [randomQueryType(rand)];
        const maxResults = rand() < 0.3 ? null : Math.floor(rand() * 12);
        const expected = own
          .filter((e) =>
            (after === null || compareEventIds(e.id, after) > 0) &&
            (eventTypes === null ||
              eventTypes.some((t) => matchesQueryType(e.type, t)))
          )
          .reverse();
        const limit = Math.min(maxResults ?? 50, 50);
        const result = opened.storage.arrivals(server, {
          after,
          eventTypes,
          maxResults,
        });
        const what = JSON.stringify({ server, after, eventTypes, maxResults });
        assert.deepEqual(
          ids(result.events),
          ids(expected.slice(0, limit)),
          what,
        );
        assert.equal(result.moreFollows, expected.length > limit, what);
      }
    }
    await Promise.all(durable);
  });
}
