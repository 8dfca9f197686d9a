// Edge values of chunk bytes: every event read back from a finished chunk
// is the event added, exactly, whichever form the chunk was stored in.

import assert from "node:assert/strict";
import type { Event, Timestamp } from "../../event/mod.ts";
import {
  ChunkBuilder,
  ChunkView,
} from "../../event_server/storage/chunk/_chunk.ts";
import { TypeRegistry } from "../../event_server/storage/chunk/_type_registry.ts";

function event(instance: number, timestamp: Timestamp, src: Timestamp | null) {
  return {
    id: { server: 1, session: 1, instance },
    type: ["a"],
    timestamp,
    sourceTimestamp: src,
    payload: null,
  } satisfies Event;
}

function roundTrip(events: Event[]): Event[] {
  const registry = new TypeRegistry();
  const builder = new ChunkBuilder();
  for (const e of events) builder.add(e, registry.intern(e.type));
  const view = new ChunkView(builder.finish().data);
  return Array.from({ length: view.count }, (_, i) => view.event(i, registry));
}

Deno.test("a chunk keeps seconds just above 2^53 exactly when its first event's seconds are safe", () => {
  const events = [
    event(1, { s: 2 ** 53 - 1, us: 0 }, null),
    event(2, { s: 2n ** 53n + 1n, us: 0 }, null),
    event(3, { s: 2 ** 53 - 2, us: 0 }, { s: 2n ** 53n + 3n, us: 5 }),
  ];
  assert.deepEqual(roundTrip(events), events);
});

Deno.test("a chunk keeps seconds just below -2^53 exactly when its first event's seconds are safe", () => {
  const events = [
    event(1, { s: -(2 ** 53) + 1, us: 0 }, null),
    event(2, { s: -(2n ** 53n) - 1n, us: 0 }, null),
    event(3, { s: -(2 ** 53) + 2, us: 0 }, { s: -(2n ** 53n) - 3n, us: 5 }),
  ];
  assert.deepEqual(roundTrip(events), events);
});
