import assert from "node:assert/strict";
import { Fifo } from "../../chatter/_fifo.ts";

Deno.test("Fifo returns items in order across compactions", () => {
  const q = new Fifo<number>();
  let next = 0;
  let expected = 0;
  // Interleave pushes and shifts so the head passes the compaction point
  // many times while the queue never empties.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 300; i++) q.push(next++);
    for (let i = 0; i < 200; i++) assert.equal(q.shift(), expected++);
  }
  assert.equal(q.length, next - expected);
  assert.deepEqual(
    q.takeAll(),
    Array.from({ length: next - expected }, (_, i) => expected + i),
  );
  assert.equal(q.length, 0);
  assert.equal(q.shift(), undefined);
});

Deno.test("Fifo.shift() on an empty queue returns undefined and the queue stays usable", () => {
  const q = new Fifo<string>();
  assert.equal(q.shift(), undefined);
  q.push("a");
  assert.equal(q.length, 1);
  assert.equal(q.shift(), "a");
  assert.equal(q.shift(), undefined);
});
