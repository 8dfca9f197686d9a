// The eventer hot path: a register request in, its events notified out.
//
//   deno bench -A bench/eventer_bench.ts
//
// "server hot path": what the Event Server does with one received
// MsgRegisterReq of 100 events: checked, given ids and one timestamp,
// stored as chunk records (a MemoryStorage: records, summaries and the
// latest table; a chunk sealed every 4096 events, as in the server), and
// its MsgEventsNotify (one subscriber that gets every event) and its
// MsgRegisterRes written. "ts" is the TypeScript path (the events decoded
// as objects, JSON kept as text, spliced into the notification and the
// response, records built from the objects); "wasm" the Wasm core's (the
// request copied into it once, one call checks it and interns its types;
// ids, records, notification and response written by it from the bytes).
// "server echo": what a `listen` server does for a callback that builds
// the events as `{ id, timestamp, ...registerEvent }` and notifies them:
// decoded and spliced (with JSON kept as text or parsed), encoded again,
// and the generic reference path (Repository + SBS conversions). "client
// decode": one MsgEventsNotify of 100 events decoded by the client: the
// TypeScript path (JSON payloads of the message parsed with one
// JSON.parse), the Wasm core (one call checks it; the events built from
// its entries), and the generic reference path. "client register encode":
// the request the client writes, by the TypeScript writer and by the Wasm
// core. "end to end": a real server on loopback that registers and
// notifies, one client registering without response, one subscriber
// receiving every event; each iteration sends 10,000 events and waits
// until the subscriber has them all (events/s = 10,000 / time per
// iteration); the server runs in the same thread as the clients, or in a
// Worker (as in a deployment, where the server has a process of its own).

import assert from "node:assert/strict";
import { Repository } from "../codec/mod.ts";
import { EventCore } from "../codec/wasm/internal_mod.ts";
import {
  type Event,
  EVENTER_SBS,
  eventsFromSbs,
  eventsToSbs,
  registerEventsFromSbs,
} from "../event/mod.ts";
import { decodeEventsWasm } from "../eventer/_event_batch.ts";
import {
  decodeEvents,
  decodeRegisterReq,
  encodeEvents,
  encodeRegisterReq,
  encodeRegisterRes,
} from "../eventer/_messages.ts";
import {
  encodeRegisterReqWasm,
  writeRegisterReqWasm,
} from "../eventer/_register_wasm.ts";
import { MemoryStorage } from "../event_server/storage/memory.ts";
import {
  binaryRegisterEvents,
  registerEvents,
  setup,
  setupWorker,
} from "./_eventer_setup.ts";

const repo = new Repository(EVENTER_SBS);
const timestamp = { s: 1_800_000_000, us: 0 };
const KINDS = [
  ["json", registerEvents],
  ["binary", binaryRegisterEvents],
] as const;

for (const [kind, make] of KINDS) {
  const request = encodeRegisterReq(make(100));
  const group = `server hot path, 100 ${kind} events`;
  const ts = new MemoryStorage();
  let tsSession = 0;
  Deno.bench("ts", { group, baseline: true }, () => {
    const session = ++tsSession;
    const events: Event[] = decodeRegisterReq(request, true, true).map((
      e,
      i,
    ) => ({ id: { server: 1, session, instance: i + 1 }, timestamp, ...e }));
    ts.register(events);
    encodeEvents(events);
    encodeRegisterRes(events);
  });
  const wasm = new MemoryStorage();
  const core = new EventCore();
  const batch = core.batch();
  let wasmSession = 0;
  Deno.bench("wasm", { group }, () => {
    const session = ++wasmSession;
    const n = batch.scanRegister(request) as number;
    batch.assign(0, n, 1, session, 1, timestamp);
    wasm.registerBatch(batch, 0, n, true);
    const out = batch.writeEvents(0, 0, n, 1);
    out.subarray(1); // the notification
    out[0] = 0x80; // the response
    batch.clear();
    core.release();
  });
}

for (const [kind, make] of KINDS) {
  const request = encodeRegisterReq(make(100));
  const group = `server echo, 100 ${kind} events`;
  const echo = (keepRaw: boolean, jsonText = false) => () => {
    const events: Event[] = decodeRegisterReq(request, keepRaw, jsonText).map((
      e,
      i,
    ) => ({
      id: { server: 1, session: 1, instance: i + 1 },
      timestamp,
      ...e,
    }));
    encodeEvents(events);
  };
  Deno.bench("spliced", { group, baseline: true }, echo(true));
  if (kind === "json") {
    Deno.bench("spliced, JSON kept as text", { group }, echo(true, true));
  }
  Deno.bench("encoded again", { group }, echo(false));
  Deno.bench("Repository + SBS conversions", { group }, () => {
    const received = registerEventsFromSbs(
      repo.decode("HatEventer.MsgRegisterReq", request),
    );
    const events: Event[] = received.map((e, i) => ({
      id: { server: 1, session: 1, instance: i + 1 },
      timestamp,
      ...e,
    }));
    repo.encode("HatEventer.MsgEventsNotify", eventsToSbs(events));
  });
}

for (const [kind, make] of KINDS) {
  const notify = encodeEvents(
    make(100).map((e, i) => ({
      id: { server: 1, session: 1, instance: i + 1 },
      timestamp,
      ...e,
    })),
  );
  const group = `client decode, 100 ${kind} events`;
  Deno.bench("ts", { group, baseline: true }, () => {
    decodeEvents(notify);
  });
  Deno.bench("wasm", { group }, () => {
    decodeEventsWasm(notify);
  });
  Deno.bench("Repository + SBS conversions", { group }, () => {
    eventsFromSbs(repo.decode("HatEventer.MsgEventsNotify", notify));
  });
}

// "ts" the TypeScript writer; "wasm" the client's path with codec "wasm"
// (eventer/_register_wasm.ts): the strings joined into one text put into
// the core's memory by one TextEncoder call, the request written by one
// call of the core, for requests without binary payloads; requests with
// them go to the TypeScript writer, and "wasm, binary payloads taken"
// shows why.
for (const [kind, make] of KINDS) {
  const events = make(100);
  assert.deepEqual(
    writeRegisterReqWasm(events, true),
    encodeRegisterReq(events),
  );
  const group = `client register encode, 100 ${kind} events`;
  Deno.bench("ts", { group, baseline: true }, () => {
    encodeRegisterReq(events);
  });
  Deno.bench("wasm", { group }, () => {
    encodeRegisterReqWasm(events);
  });
  if (kind === "binary") {
    Deno.bench("wasm, binary payloads taken", { group }, () => {
      writeRegisterReqWasm(events, true);
    });
  }
}

const PER_ITERATION = 10_000;
const closers: (() => Promise<void>)[] = [];
globalThis.addEventListener("unload", () => {
  for (const close of closers) close();
});

const END_TO_END = [
  ["spliced echo", () => setup("spread")],
  ["echo encoded again", () => setup("copy")],
  ["spliced echo, server in a Worker", setupWorker],
] as const;

for (const [kind, make] of KINDS) {
  for (const batch of [100, 1]) {
    const group = `end to end, batches of ${batch} ${kind} events`;
    for (const [name, start] of END_TO_END) {
      const s = await start();
      closers.push(() => s.close());
      const events = make(batch);
      Deno.bench(
        name,
        { group, baseline: name === "spliced echo", n: 20, warmup: 5 },
        async () => {
          const done = s.received(PER_ITERATION);
          for (let i = 0; i < PER_ITERATION / batch; i++) {
            const sent = s.client.register(events);
            if (i % 64 === 63) await sent; // keep the send queue bounded
          }
          await done;
        },
      );
    }
  }
}
