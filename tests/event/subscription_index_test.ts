import assert from "node:assert/strict";
import { Subscription } from "../../event/subscription.ts";
import { SubscriptionIndex } from "../../event/subscription_index.ts";
import { Prng, randomEventType, randomQueryType } from "./_prng.ts";

const QUERY_ALPHABET = ["a", "b", "c"];
const EVENT_ALPHABET = ["a", "b", "c", "z"];

function randomSubscription(rng: Prng): Subscription {
  const n = rng.int(6);
  const qs = [];
  for (let i = 0; i < n; i++) qs.push(randomQueryType(rng, QUERY_ALPHABET, 3));
  return new Subscription(qs);
}

Deno.test("match() agrees with a linear scan through random adds and deletes", () => {
  const rng = new Prng(21);
  const index = new SubscriptionIndex<number>();
  const model = new Map<number, Subscription>();
  for (let step = 0; step < 3000; step++) {
    const key = rng.int(60);
    const r = rng.next();
    if (r < 0.45) {
      const sub = randomSubscription(rng);
      index.add(key, sub);
      model.set(key, sub);
    } else if (r < 0.65) {
      assert.equal(index.delete(key), model.delete(key));
    } else {
      const e = randomEventType(rng, EVENT_ALPHABET, 5);
      const got = index.match(e).sort((x, y) => x - y);
      const expected = [...model].filter(([, s]) => s.matches(e)).map((
        [k],
      ) => k).sort((x, y) => x - y);
      assert.deepEqual(got, expected, JSON.stringify(e));
    }
    assert.equal(index.size, model.size);
  }
});

Deno.test("match() gives each key once even when several query types match", () => {
  const index = new SubscriptionIndex<string>();
  index.add("k", new Subscription([["a", "?"], ["?", "b"], ["a", "*"], ["*"]]));
  assert.deepEqual(
    new Subscription([["a", "?"], ["?", "b"], ["a", "*"], ["*"]]).queryTypes(),
    [["*"]],
  );
  index.add("m", new Subscription([["a", "?"], ["?", "b"], ["a", "b", "*"]]));
  assert.deepEqual(index.match(["a", "b"]).sort(), ["k", "m"]);
});

Deno.test("an emptied index matches nothing and can be filled again", () => {
  const index = new SubscriptionIndex<number>();
  const subs = [
    new Subscription([["a", "b", "c"], ["a", "?", "*"]]),
    new Subscription([["a", "b"], ["?"]]),
    new Subscription([["*"]]),
  ];
  subs.forEach((s, i) => index.add(i, s));
  for (let i = 0; i < subs.length; i++) assert.equal(index.delete(i), true);
  assert.equal(index.size, 0);
  for (const e of [[], ["a"], ["a", "b"], ["a", "b", "c"], ["x", "y"]]) {
    assert.deepEqual(index.match(e), []);
  }
  index.add(7, subs[0]);
  assert.deepEqual(index.match(["a", "b", "c"]), [7]);
  assert.deepEqual(index.match(["a", "b"]), [7]);
  assert.deepEqual(index.match(["a"]), []);
});

Deno.test("keys are compared as Set keys (objects by identity)", () => {
  const index = new SubscriptionIndex<object>();
  const c1 = {};
  const c2 = {};
  index.add(c1, new Subscription([["a"]]));
  index.add(c2, new Subscription([["a"]]));
  assert.equal(index.match(["a"]).length, 2);
  index.delete(c1);
  assert.deepEqual(index.match(["a"]), [c2]);
});
