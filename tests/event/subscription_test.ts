import assert from "node:assert/strict";
import {
  intersectQueryTypes,
  matchesQueryType,
  queryTypeCovers,
} from "../../event/query_type.ts";
import { Subscription } from "../../event/subscription.ts";
import type { EventType, QueryType } from "../../event/types.ts";
import {
  allEventTypes,
  Prng,
  randomEventType,
  randomQueryType,
} from "./_prng.ts";

// Small alphabets so that matches happen; "z" never appears in queries and
// stands for every segment a query does not name.
const QUERY_ALPHABET = ["a", "b", "c"];
const EVENT_ALPHABET = ["a", "b", "c", "z"];
const MAX_QUERY_DEPTH = 3;
// Queries have at most 3 segments before `*`; membership of longer event
// types depends only on their first 3 segments, so depth 5 decides
// equality of the sets.
const UNIVERSE = allEventTypes(EVENT_ALPHABET, MAX_QUERY_DEPTH + 2);

function randomQueryTypes(rng: Prng, max: number): QueryType[] {
  const n = rng.int(max + 1);
  const out: QueryType[] = [];
  for (let i = 0; i < n; i++) {
    out.push(randomQueryType(rng, QUERY_ALPHABET, MAX_QUERY_DEPTH));
  }
  return out;
}

function anyMatches(queryTypes: readonly QueryType[], e: EventType): boolean {
  return queryTypes.some((q) => matchesQueryType(e, q));
}

Deno.test("matches() agrees with matchesQueryType over random types and queries", () => {
  const rng = new Prng(1);
  for (let i = 0; i < 400; i++) {
    const qs = randomQueryTypes(rng, 8);
    const sub = new Subscription(qs);
    for (let j = 0; j < 100; j++) {
      const e = randomEventType(rng, EVENT_ALPHABET, 6);
      assert.equal(
        sub.matches(e),
        anyMatches(qs, e),
        `${JSON.stringify(qs)} vs ${JSON.stringify(e)}`,
      );
    }
  }
});

Deno.test("queryTypes() keep exactly the event types of the input", () => {
  const rng = new Prng(2);
  for (let i = 0; i < 150; i++) {
    const qs = randomQueryTypes(rng, 8);
    const normalized = new Subscription(qs).queryTypes();
    for (const e of UNIVERSE) {
      assert.equal(anyMatches(normalized, e), anyMatches(qs, e));
    }
  }
});

Deno.test("normalization drops duplicates and covered query types, is idempotent and order independent", () => {
  const rng = new Prng(3);
  for (let i = 0; i < 500; i++) {
    const qs = randomQueryTypes(rng, 10);
    const n1 = new Subscription(qs).queryTypes();
    assert.deepEqual(new Subscription(n1).queryTypes(), n1);
    const shuffled = qs.slice();
    for (let k = shuffled.length - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      [shuffled[k], shuffled[j]] = [shuffled[j], shuffled[k]];
    }
    assert.deepEqual(new Subscription(shuffled).queryTypes(), n1);
    for (let a = 0; a < n1.length; a++) {
      for (let b = 0; b < n1.length; b++) {
        if (a !== b) assert.equal(queryTypeCovers(n1[a], n1[b]), false);
      }
    }
  }
});

Deno.test("queryTypeCovers() agrees with brute force", () => {
  const rng = new Prng(4);
  for (let i = 0; i < 3000; i++) {
    const g = randomQueryType(rng, QUERY_ALPHABET, MAX_QUERY_DEPTH);
    const s = randomQueryType(rng, QUERY_ALPHABET, MAX_QUERY_DEPTH);
    const expected = UNIVERSE.every((e) =>
      !matchesQueryType(e, s) || matchesQueryType(e, g)
    );
    assert.equal(queryTypeCovers(g, s), expected, `${g} ⊇ ${s}`);
  }
});

Deno.test("intersectQueryTypes() agrees with brute force", () => {
  const rng = new Prng(5);
  for (let i = 0; i < 3000; i++) {
    const a = randomQueryType(rng, QUERY_ALPHABET, MAX_QUERY_DEPTH);
    const b = randomQueryType(rng, QUERY_ALPHABET, MAX_QUERY_DEPTH);
    const r = intersectQueryTypes(a, b);
    for (const e of UNIVERSE) {
      const expected = matchesQueryType(e, a) && matchesQueryType(e, b);
      assert.equal(r !== null && matchesQueryType(e, r), expected);
    }
  }
});

Deno.test("union(), intersection() and isDisjoint() agree with brute force", () => {
  const rng = new Prng(6);
  for (let i = 0; i < 150; i++) {
    const subs = [0, 1, 2].map(() =>
      new Subscription(randomQueryTypes(rng, 6))
    );
    const [a, b, c] = subs;
    const union = a.union(b, c);
    const inter = a.intersection(b, c);
    const inter2 = a.intersection(b);
    const unionTypes = union.queryTypes();
    const interTypes = inter.queryTypes();
    let overlap = false;
    for (const e of UNIVERSE) {
      const [x, y, z] = subs.map((s) => s.matches(e));
      assert.equal(union.matches(e), x || y || z);
      assert.equal(anyMatches(unionTypes, e), x || y || z);
      assert.equal(inter.matches(e), x && y && z);
      assert.equal(anyMatches(interTypes, e), x && y && z);
      assert.equal(inter2.matches(e), x && y);
      if (x && y) overlap = true;
    }
    assert.equal(a.isDisjoint(b), !overlap);
    assert.equal(b.isDisjoint(a), !overlap);
  }
});

Deno.test("intersection() of ? and * query types is exact", async (t) => {
  const cases: [QueryType[], QueryType[], QueryType[]][] = [
    [[["a", "*"]], [["?", "b"]], [["a", "b"]]],
    [[["a", "*"]], [["*"]], [["a", "*"]]],
    [[["?", "*"]], [["*"]], [["?", "*"]]],
    [[["?", "?"]], [["a", "*"]], [["a", "?"]]],
    [[["a", "?", "*"]], [["?", "b", "c"]], [["a", "b", "c"]]],
    [[["a"]], [["a", "*"]], [["a"]]],
    [[["a"]], [["a", "?", "*"]], []],
    [[["a", "b"], ["?", "c"]], [["a", "?"]], [["a", "b"], ["a", "c"]]],
    [[[]], [["*"]], [[]]],
    [[], [["*"]], []],
  ];
  for (const [a, b, expected] of cases) {
    await t.step(`${JSON.stringify(a)} ∩ ${JSON.stringify(b)}`, () => {
      const r = new Subscription(a).intersection(new Subscription(b));
      assert.deepEqual(r.queryTypes(), expected);
      const r2 = new Subscription(b).intersection(new Subscription(a));
      assert.deepEqual(r2.queryTypes(), expected);
    });
  }
});

Deno.test("union() with nothing and intersection() with nothing return the same set", () => {
  const a = new Subscription([["a", "?"], ["b", "*"]]);
  assert.deepEqual(a.union().queryTypes(), a.queryTypes());
  assert.deepEqual(a.intersection().queryTypes(), a.queryTypes());
});

Deno.test("the empty query type matches only the empty event type", () => {
  const sub = new Subscription([[]]);
  assert.equal(sub.matches([]), true);
  assert.equal(sub.matches(["a"]), false);
  assert.equal(new Subscription([]).matches([]), false);
  assert.equal(new Subscription([["*"]]).matches([]), true);
});

Deno.test("a query type with * before its end is refused", () => {
  assert.throws(() => new Subscription([["a", "*", "b"]]), (err) => {
    assert.ok(err instanceof TypeError);
    assert.match(
      err.message,
      /\["a","\*","b"\]: "\*" must be the last segment/,
    );
    return true;
  });
  assert.throws(
    () => new Subscription([["a", 3 as unknown as string]]),
    /segment 1 is number/,
  );
  assert.throws(
    () => new Subscription(["ab" as unknown as QueryType]),
    /expected an array of strings, got string/,
  );
});

Deno.test("Subscription does not share the caller's arrays", () => {
  const q = ["a", "b"];
  const sub = new Subscription([q]);
  q[1] = "c";
  assert.equal(sub.matches(["a", "b"]), true);
  const out = sub.queryTypes();
  assert.ok(Object.isFrozen(out[0]));
  out.push(["x"]);
  assert.deepEqual(sub.queryTypes(), [["a", "b"]]);
});

Deno.test("segments ? and * in event types are literal segments", () => {
  const sub = new Subscription([["a", "b"]]);
  assert.equal(sub.matches(["a", "?"]), false);
  assert.equal(sub.matches(["a", "*"]), false);
  assert.equal(new Subscription([["?"]]).matches(["*"]), true);
});
