// 1,000 concurrent clients connect, subscribe and register; every event
// reaches every matching subscriber exactly once. Needs about 2,100 file
// descriptors (both ends of each connection live in this process): .ci/run
// raises `ulimit -n`.

import assert from "node:assert/strict";
import { type Client, connect } from "../../client.ts";
import { listen } from "../../server.ts";
import { deferred, LOOPBACK } from "../eventer/_helpers.ts";
import { registrar } from "./_peers.ts";

const CLIENTS = 1000;
const GROUPS = 10;

Deno.test(`${CLIENTS} clients: every event reaches every matching subscriber exactly once`, async () => {
  const errors: unknown[] = [];
  const ref: { notify(events: unknown[]): void } = { notify: () => {} };
  await using server = await listen(LOOPBACK, {
    onError: (e) => errors.push(e),
    onRegister: registrar((events) => ref.notify(events)),
  });
  ref.notify = (events) => server.notifyEvents(events as never);

  // received[i]: the sessions (one per register request) client i got.
  const received = Array.from(
    { length: CLIENTS },
    () => new Map<number, number>(),
  );
  const perGroup = CLIENTS / GROUPS;
  let complete = 0;
  const allDone = deferred();
  const clients: Client[] = await Promise.all(
    Array.from(
      { length: CLIENTS },
      (_, i) =>
        connect(server.addrs[0], `c${i}`, {
          subscriptions: [["ev", String(i % GROUPS), "*"]],
          onEvents: (_c, events) => {
            const got = received[i];
            for (const e of events) {
              got.set(e.id.session, (got.get(e.id.session) ?? 0) + 1);
            }
            if (got.size === perGroup) {
              complete += 1;
              if (complete === CLIENTS) allDone.resolve();
            }
          },
        }),
    ),
  );
  try {
    assert.equal(server.connInfos().length, CLIENTS);
    // Everyone registers at once; each event also has a non-matching twin.
    const results = await Promise.all(clients.map((c, i) =>
      c.register([
        {
          type: ["ev", String(i % GROUPS), `from${i}`],
          sourceTimestamp: null,
          payload: { kind: "json", data: i },
        },
        {
          type: ["other", String(i)],
          sourceTimestamp: null,
          payload: null,
        },
      ], { withResponse: true })
    ));
    const sessionOf = new Map<number, number>(); // session -> registrant
    results.forEach((r, i) => {
      assert.equal(r?.length, 2);
      sessionOf.set(r![0].id.session, i);
    });
    await allDone.promise;
    for (let i = 0; i < CLIENTS; i++) {
      const got = received[i];
      assert.equal(got.size, perGroup, `client ${i}`);
      for (const [session, count] of got) {
        assert.equal(count, 1, `client ${i} got session ${session} ${count}x`);
        assert.equal(sessionOf.get(session)! % GROUPS, i % GROUPS);
      }
    }
    assert.deepEqual(errors, []);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
});
