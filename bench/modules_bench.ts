// The module step of the engine's register path, in this process: one
// session of 100 events spread over 100 types (JSON payloads kept as text,
// as the eventer server hands them over) turned into events with ids, as
// the engine does without modules, and through the module runner with the
// shipped threshold alarm subscribed to 1 of the 100 types, or to all of
// them (its limit never crossed: it reads each value it is given). Storage
// and notification are left out: they cost the same in all three (see
// bench/README.md for the whole server under `deno task load`).
//
//   deno bench -A bench/modules_bench.ts

import {
  type Event,
  JsonTextPayload,
  type RegisterEvent,
} from "../event/mod.ts";
import { info as alarm } from "../event_server/modules/examples/threshold_alarm.ts";
import {
  type LoadedModule,
  ModuleRunner,
  ObjectSession,
} from "../event_server/modules/internal_mod.ts";

const TYPES = Array.from(
  { length: 100 },
  (_, k) => Object.freeze(["load", "1", `t${k}`]),
);
const TIMESTAMP = { s: 1_800_000_000, us: 0 };

/** A request as the eventer server decodes it: new objects every time. */
function request(from: number): RegisterEvent[] {
  return Array.from({ length: 100 }, (_, k) => ({
    type: TYPES[(from + k) % 100],
    sourceTimestamp: { s: from + k, us: 0 },
    payload: new JsonTextPayload(
      `{"value": ${(from + k) * 0.5}, "quality": "good"}`,
    ),
  }));
}

function alarmOn(eventTypes: string[][]): LoadedModule[] {
  return [{
    index: 0,
    name: "threshold_alarm",
    conf: { module: "threshold_alarm", eventTypes, field: "value", high: 1e15 },
    info: alarm,
  }];
}

const ENGINE = {
  serverId: 1,
  register: () => Promise.resolve(null),
  query: () => Promise.resolve({ events: [], moreFollows: false }),
  clientNames: () => [],
};

let session = 0;
let sink: Event[] | null = null;

async function runner(modules: LoadedModule[]) {
  const r = new ModuleRunner<ObjectSession>(modules, {
    open: (_source, events) =>
      new ObjectSession(
        { server: 1, session: ++session, timestamp: TIMESTAMP },
        events,
      ),
    commit: (s, first) => s.events.slice(0, first),
    abort: () => {},
  }, { timeout: 5, maxAdded: 100_000, onError: () => {} });
  await r.start(ENGINE);
  return r;
}

const SOURCE = { type: "eventer", id: 1 } as const;
const GROUP = "session of 100 events over 100 types";
const requests = Array.from({ length: 100 }, (_, i) => request(i * 100));

Deno.bench({
  name: "no module (events built as the engine builds them)",
  group: GROUP,
  baseline: true,
  fn() {
    for (const r of requests) {
      const s = ++session;
      sink = r.map((e, i) => ({
        id: { server: 1, session: s, instance: i + 1 },
        type: e.type,
        timestamp: TIMESTAMP,
        sourceTimestamp: e.sourceTimestamp,
        payload: e.payload,
      }));
    }
  },
});

for (
  const [name, types] of [
    ["module on 1 of 100 types", [["load", "?", "t0"]]],
    ["module on all types", [["load", "*"]]],
  ] as const
) {
  const r = await runner(alarmOn(types.map((t) => [...t])));
  Deno.bench({
    name,
    group: GROUP,
    fn() {
      for (const req of requests) {
        sink = r.submit(SOURCE, req) as Event[] | null;
      }
    },
  });
}

globalThis.addEventListener("unload", () => void sink);
