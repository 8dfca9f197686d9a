import assert from "node:assert/strict";
import { compareEventIds, compareEvents } from "../../event/order.ts";
import type { Event } from "../../event/types.ts";
import { Prng } from "./_prng.ts";

function ev(
  server: number,
  session: number,
  instance: number,
  s: number | bigint,
  us = 0,
): Event {
  return {
    id: { server, session, instance },
    type: [],
    timestamp: { s, us },
    sourceTimestamp: null,
    payload: null,
  };
}

Deno.test("events of one server are ordered by session, then instance, not by time", () => {
  assert.equal(compareEvents(ev(1, 1, 2, 100), ev(1, 2, 1, 0)), -1);
  assert.equal(compareEvents(ev(1, 2, 1, 0), ev(1, 1, 2, 100)), 1);
  assert.equal(compareEvents(ev(1, 3, 1, 5), ev(1, 3, 2, 5)), -1);
  assert.equal(compareEvents(ev(1, 3, 2, 5), ev(1, 3, 2, 9)), 0);
});

Deno.test("events of different servers are ordered by timestamp, ties by id", () => {
  assert.equal(compareEvents(ev(2, 1, 1, 10, 1), ev(1, 9, 9, 10, 2)), -1);
  assert.equal(compareEvents(ev(1, 9, 9, 10, 2), ev(2, 1, 1, 10, 1)), 1);
  assert.equal(compareEvents(ev(1, 1, 1, 2n ** 60n), ev(2, 1, 1, 5)), 1);
  assert.equal(compareEvents(ev(2, 1, 1, 10), ev(1, 9, 9, 10n)), 1);
  assert.equal(compareEvents(ev(1, 9, 9, 10), ev(2, 1, 1, 10)), -1);
});

Deno.test("compareEvents() is antisymmetric and 0 only for equal ids", () => {
  const rng = new Prng(31);
  for (let i = 0; i < 5000; i++) {
    const a = ev(rng.int(3), rng.int(3), rng.int(3), rng.int(3), rng.int(2));
    const b = ev(rng.int(3), rng.int(3), rng.int(3), rng.int(3), rng.int(2));
    const c = compareEvents(a, b);
    assert.equal(compareEvents(b, a), -c || 0);
    assert.equal(c === 0, compareEventIds(a.id, b.id) === 0);
  }
});

Deno.test("sorting one server's events gives id order", () => {
  const rng = new Prng(32);
  const events: Event[] = [];
  for (let i = 0; i < 200; i++) {
    events.push(ev(1, rng.int(50), rng.int(50), rng.int(1000)));
  }
  events.sort(compareEvents);
  for (let i = 1; i < events.length; i++) {
    const p = events[i - 1].id;
    const q = events[i].id;
    assert.ok(
      p.session < q.session ||
        p.session === q.session && p.instance <= q.instance,
    );
  }
});
