import assert from "node:assert/strict";
import { ids, KINDS } from "./_storages.ts";
import { oracle } from "./_oracle.ts";
import { randomQuery, randomSessions, rng } from "./_random.ts";

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
