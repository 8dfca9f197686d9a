import assert from "node:assert/strict";
import { matchesQueryType } from "../../event/query_type.ts";
import type { EventType, QueryType } from "../../event/types.ts";
import {
  holdsAny,
  TypeRegistry,
} from "../../event_server/storage/chunk/_type_registry.ts";
import { rng } from "./_random.ts";

const SEGMENTS = ["a", "b", "c", "?x"];

function randomType(rand: () => number, maxDepth: number): EventType {
  const depth = Math.floor(rand() * (maxDepth + 1));
  return Array.from(
    { length: depth },
    () => SEGMENTS[Math.floor(rand() * SEGMENTS.length)],
  );
}

function randomQueryType(rand: () => number): QueryType {
  const q: string[] = [];
  const depth = Math.floor(rand() * 4);
  for (let i = 0; i < depth; i++) {
    const r = rand();
    q.push(r < 0.2 ? "?" : SEGMENTS[Math.floor(rand() * SEGMENTS.length)]);
  }
  if (rand() < 0.3) q.push("*");
  return q;
}

Deno.test("TypeRegistry.ids() finds exactly the types a brute-force match finds", () => {
  const rand = rng(11);
  const registry = new TypeRegistry();
  const types: EventType[] = [];
  for (let i = 0; i < 300; i++) {
    const type = randomType(rand, 4);
    if (registry.find(type) < 0) types.push(type);
    registry.intern(type);
  }
  for (let q = 0; q < 2000; q++) {
    const query = Array.from(
      { length: 1 + Math.floor(rand() * 3) },
      () => randomQueryType(rand),
    );
    const want = types
      .filter((t) => query.some((qt) => matchesQueryType(t, qt)))
      .map((t) => registry.find(t))
      .sort((a, b) => a - b);
    const max = Math.floor(rand() * 40);
    const got = registry.ids(query, max);
    const label = JSON.stringify(query);
    if (want.length > max) {
      assert.equal(got, null, `${label}: ${want.length} > ${max} match`);
    } else {
      assert.deepEqual(got && [...got], want, label);
    }
  }
});

Deno.test("TypeRegistry.ids() is null for every type and empty for no query type", () => {
  const registry = new TypeRegistry();
  registry.intern(["a"]);
  registry.intern([]);
  assert.equal(registry.ids(null, 10), null);
  assert.equal(registry.ids(undefined, 10), null);
  assert.deepEqual([...registry.ids([], 10)!], []);
  assert.deepEqual([...registry.ids([[]], 10)!], [1]);
  assert.deepEqual([...registry.ids([["*"]], 10)!], [0, 1]);
  assert.equal(registry.ids([["*"]], 1), null);
  assert.deepEqual([...registry.ids([["b", "*"]], 10)!], []);
});

Deno.test("holdsAny() tells whether two ascending id lists share an id", () => {
  const rand = rng(5);
  for (let n = 0; n < 500; n++) {
    const pick = (k: number) =>
      Uint32Array.from(
        new Set(Array.from({ length: k }, () => Math.floor(rand() * 60))),
      ).sort();
    const types = pick(Math.floor(rand() * 30));
    const ids = pick(Math.floor(rand() * 6));
    const want = [...ids].some((id) => types.includes(id));
    assert.equal(holdsAny(types, ids), want, `${types} / ${ids}`);
  }
});

Deno.test("TypeRegistry.listTest() tells which type lists hold a matching type, by ids or by the predicate", () => {
  const registry = new TypeRegistry();
  for (let d = 0; d < 100; d++) registry.intern(["dev", String(d)]);
  registry.intern(["rare"]);
  const lists = [
    Uint32Array.of(0, 5, 99),
    Uint32Array.of(100),
    Uint32Array.of(),
    Uint32Array.of(3, 100),
  ];
  assert.equal(registry.listTest(null), null);
  assert.equal(registry.listTest([["*"]]), null);
  // one matching id: found by bisection
  const rare = registry.listTest([["rare"]])!;
  assert.deepEqual(lists.map(rare), [false, true, false, true]);
  // 100 matching ids, more than are looked up one by one: the predicate
  const dev = registry.listTest([["dev", "?"]])!;
  assert.deepEqual(lists.map(dev), [true, false, false, true]);
  assert.deepEqual(registry.listTest([])!(lists[0]), false);
});
