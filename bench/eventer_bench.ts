// The eventer hot path: a register request in, its events notified out.
//
//   deno bench -A bench/eventer_bench.ts
//
// "server hot path": one MsgRegisterReq of 100 events decoded, the events
// built as `{ id, timestamp, ...registerEvent }` and encoded as one
// MsgEventsNotify: spliced (the register event's bytes reused), encoded
// again, and the generic reference path (Repository + SBS conversions);
// for JSON also spliced with the payloads kept as text (`jsonText`, as the
// Event Server does). "client decode": one MsgEventsNotify of 100 events
// decoded by the client's direct path (JSON payloads of the message parsed
// with one JSON.parse) and by the reference path (one JSON.parse each).
// "end to end": a real server on loopback that registers and notifies, one
// client registering without response, one subscriber receiving every
// event; each iteration sends 10,000 events and waits until the subscriber
// has them all (events/s = 10,000 / time per iteration); the server runs in
// the same thread as the clients, or in a Worker (as in a deployment, where
// the server has a process of its own).

import { Repository } from "../codec/mod.ts";
import {
  type Event,
  EVENTER_SBS,
  eventsFromSbs,
  eventsToSbs,
  registerEventsFromSbs,
} from "../event/mod.ts";
import {
  decodeEvents,
  decodeRegisterReq,
  encodeEvents,
  encodeRegisterReq,
} from "../eventer/_messages.ts";
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
  Deno.bench("direct", { group, baseline: true }, () => {
    decodeEvents(notify);
  });
  Deno.bench("Repository + SBS conversions", { group }, () => {
    eventsFromSbs(repo.decode("HatEventer.MsgEventsNotify", notify));
  });
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
