// What engine modules add to the Event Server's register path, in this
// process, per received MsgRegisterReq of 100 JSON events spread over 100
// types (new values in every request): the server's path without modules,
// and with the shipped threshold alarm subscribed to none of the types, to
// 1 of the 100 (one event per request goes through it: its payload is read
// and compared; the limit is never crossed), or to all.
//
// "wasm": as the Event Server does it with its default codec: the request
// scanned into the core, ids and timestamp assigned, stored as chunk
// records in a MemoryStorage, the MsgEventsNotify and MsgRegisterRes
// written; with modules, the session goes through the module runner as a
// BatchSession first. "ts": the events as objects (the TypeScript path),
// the module step on ObjectSessions; storage and encoding left out there.
//
//   deno bench -A bench/modules_bench.ts

import { type EventBatch, EventCore } from "../codec/wasm/internal_mod.ts";
import {
  type Event,
  JsonTextPayload,
  type RegisterEvent,
} from "../event/mod.ts";
import { encodeRegisterReq } from "../eventer/internal_mod.ts";
import { BatchSession } from "../event_server/_batch_session.ts";
import { info as alarm } from "../event_server/modules/examples/threshold_alarm.ts";
import {
  type LoadedModule,
  ModuleRunner,
  ObjectSession,
} from "../event_server/modules/internal_mod.ts";
import { MemoryStorage } from "../event_server/storage/mod.ts";

const TYPES = Array.from(
  { length: 100 },
  (_, k) => Object.freeze(["load", "1", `t${k}`]),
);
const TIMESTAMP = { s: 1_800_000_000, us: 0 };
const SOURCE = { type: "eventer", id: 1 } as const;
const ENGINE = {
  serverId: 1,
  register: () => Promise.resolve(null),
  query: () => Promise.resolve({ events: [], moreFollows: false }),
  clientNames: () => [],
};

/** A request's events as the TypeScript path decodes them. */
function request(from: number): RegisterEvent[] {
  return Array.from({ length: 100 }, (_, k) => ({
    type: TYPES[(from + k) % 100],
    sourceTimestamp: { s: from + k, us: 0 },
    payload: new JsonTextPayload(
      `{"value": ${(from + k) * 0.5}, "quality": "good"}`,
    ),
  }));
}

const requests = Array.from({ length: 100 }, (_, i) => request(i * 100));
const messages = requests.map((r) => encodeRegisterReq(r));

function alarmOn(eventTypes: string[][]): LoadedModule[] {
  return [{
    index: 0,
    name: "threshold_alarm",
    conf: { module: "threshold_alarm", eventTypes, field: "value", high: 1e15 },
    info: alarm,
  }];
}

const CASES = [
  ["module on none of the types", [["other"]]],
  ["module on 1 of 100 types", [["load", "?", "t0"]]],
  ["module on all types", [["load", "*"]]],
] as const;

let sink: unknown = null;
let tsSession = 0;

// The Wasm path.
{
  const group = "wasm: 100 requests of 100 events over 100 types";
  const core = new EventCore();
  let session = 0;
  const storages: MemoryStorage[] = [];
  const path = () => {
    const storage = new MemoryStorage();
    storages.push(storage);
    // Stored, notification and response written: what the engine's
    // #storeAndNotify and its answer do for one session.
    return (batch: EventBatch) => {
      const n = batch.length;
      storage.registerBatch(batch, 0, n, true);
      const out = batch.writeEvents(0, 0, n, 1);
      out[0] = 0x80;
      sink = out;
    };
  };
  const plain = path();
  Deno.bench({
    name: "no module",
    group,
    baseline: true,
    fn() {
      for (const m of messages) {
        const batch = core.batch();
        batch.scanRegister(m);
        batch.assign(0, batch.length, 1, ++session, 1, TIMESTAMP);
        plain(batch);
        batch.clear();
        core.release();
      }
    },
  });
  for (const [name, types] of CASES) {
    const store = path();
    const runner = new ModuleRunner<BatchSession, EventBatch, number>(
      alarmOn(types.map((t) => [...t])),
      {
        open: (_source, batch) => {
          const id = ++session;
          batch.assign(0, batch.length, 1, id, 1, TIMESTAMP);
          return new BatchSession({
            batch,
            server: 1,
            session: id,
            timestamp: TIMESTAMP,
            check: () => {},
            objects: null,
            respond: true,
          });
        },
        commit: (s) => {
          store(s.batch);
          return 1;
        },
        abort: () => {},
      },
      { timeout: 5, maxAdded: 100_000, onError: () => {} },
    );
    await runner.start(ENGINE);
    Deno.bench({
      name,
      group,
      fn() {
        for (const m of messages) {
          const batch = core.batch();
          batch.scanRegister(m);
          runner.submit(SOURCE, batch);
          batch.clear();
          core.release();
        }
      },
    });
  }
}

// The TypeScript path: the module step only.
{
  const group = "ts: the module step of 100 requests of 100 events";
  Deno.bench({
    name: "no module (events built as the engine builds them)",
    group,
    baseline: true,
    fn() {
      for (const r of requests) {
        const s = ++tsSession;
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
  for (const [name, types] of CASES) {
    const runner = new ModuleRunner<ObjectSession>(
      alarmOn(types.map((t) => [...t])),
      {
        open: (_source, events) =>
          new ObjectSession(
            { server: 1, session: ++tsSession, timestamp: TIMESTAMP },
            events,
          ),
        commit: (s, first) => s.events.slice(0, first),
        abort: () => {},
      },
      { timeout: 5, maxAdded: 100_000, onError: () => {} },
    );
    await runner.start(ENGINE);
    Deno.bench({
      name,
      group,
      fn() {
        for (const r of requests) sink = runner.submit(SOURCE, r) as Event[];
      },
    });
  }
}

globalThis.addEventListener("unload", () => void sink);
