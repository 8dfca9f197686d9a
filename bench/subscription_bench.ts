// Subscription matching and fan-out: the trie against a linear scan.
// Run: deno bench -A bench/subscription_bench.ts
// Each iteration handles BATCH event types; matches/s = BATCH / (time/iter).

import { matchesQueryType } from "../event/query_type.ts";
import { Subscription } from "../event/subscription.ts";
import { SubscriptionIndex } from "../event/subscription_index.ts";
import type { EventType, QueryType } from "../event/types.ts";
import { Prng } from "../tests/event/_prng.ts";

const BATCH = 1000;
const rng = new Prng(2024);

// Event types shaped like a gateway's: kind / device / group / point
// (+ an optional extra segment).
function randomEventType(): string[] {
  const e = [
    rng.pick(["gateway", "adapter", "event", "monitor"]),
    `dev${rng.int(1000)}`,
    rng.pick(["data", "status", "command", "config"]),
    `p${rng.int(50)}`,
  ];
  if (rng.next() < 0.3) e.push(`x${rng.int(5)}`);
  return rng.next() < 0.2 ? e.slice(0, 3) : e;
}

// Query types from the same shapes: the first segment named, the device
// `?` with probability `anyDevice`, later segments `?` now and then, and
// now and then a `*` tail after the second segment.
function randomQueryType(anyDevice: number): QueryType {
  const q = randomEventType();
  if (rng.next() < anyDevice) q[1] = "?";
  for (let i = 2; i < q.length; i++) if (rng.next() < 0.25) q[i] = "?";
  if (rng.next() < 0.3) q.splice(2 + rng.int(q.length - 1), q.length, "*");
  return q;
}

const events: EventType[] = [];
for (let i = 0; i < BATCH; i++) events.push(randomEventType());

// One subscription of 1000 query types.
const queryTypes: QueryType[] = [];
for (let i = 0; i < 1000; i++) queryTypes.push(randomQueryType(0));
const big = new Subscription(queryTypes);
const kept = big.queryTypes();

Deno.bench({
  name: "linear scan of matchesQueryType",
  group: "matches (1000 query types)",
  baseline: true,
  fn() {
    let n = 0;
    for (const e of events) {
      for (const q of kept) {
        if (matchesQueryType(e, q)) {
          n++;
          break;
        }
      }
    }
    if (n < 0) throw new Error();
  },
});

Deno.bench({
  name: "Subscription.matches (trie)",
  group: "matches (1000 query types)",
  fn() {
    let n = 0;
    for (const e of events) if (big.matches(e)) n++;
    if (n < 0) throw new Error();
  },
});

// 10,000 subscribers with 1-3 query types each.
const SUBSCRIBERS = 10_000;
const index = new SubscriptionIndex<number>();
const subs: Subscription[] = [];
for (let k = 0; k < SUBSCRIBERS; k++) {
  const qs: QueryType[] = [];
  for (let j = 1 + rng.int(3); j > 0; j--) qs.push(randomQueryType(0.1));
  const s = new Subscription(qs);
  subs.push(s);
  index.add(k, s);
}

let subMatches = 0;
for (const e of events) if (big.matches(e)) subMatches++;
let totalMatches = 0;
for (const e of events) totalMatches += index.match(e).length;
console.log(
  `subscription: ${kept.length} query types after normalization, ` +
    `matches ${subMatches} of ${BATCH} event types; ` +
    `fan-out: ${(totalMatches / BATCH).toFixed(1)} of ${SUBSCRIBERS} ` +
    `subscribers match an event on average`,
);

Deno.bench({
  name: "linear scan of Subscription.matches",
  group: "fan-out (10,000 subscribers)",
  baseline: true,
  fn() {
    let n = 0;
    for (const e of events) {
      for (let k = 0; k < SUBSCRIBERS; k++) if (subs[k].matches(e)) n++;
    }
    if (n < 0) throw new Error();
  },
});

Deno.bench({
  name: "SubscriptionIndex.match",
  group: "fan-out (10,000 subscribers)",
  fn() {
    let n = 0;
    for (const e of events) n += index.match(e).length;
    if (n < 0) throw new Error();
  },
});
