// SBS codec vs msgpackr vs JSON on HatEventer.MsgEventsNotify with 1, 100 and
// 1000 events. Run: deno task bench bench/codec_bench.ts
// msgpackr's native string addon (msgpackr-extract) loads by default; run
// with MSGPACKR_NATIVE_ACCELERATION_DISABLED=true to measure it off.

import { Packr, Unpackr } from "npm:msgpackr@1.11";
import * as msgpackr from "npm:msgpackr@1.11";
import { makeEvents, repo, TYPE } from "./_notify_events.ts";

const packr = new Packr();
const unpackr = new Unpackr();
const packrMaps = new Packr({ useRecords: false });
const unpackrMaps = new Unpackr({ useRecords: false });
const utf8 = new TextEncoder();

const native = msgpackr.isNativeAccelerationEnabled ? "addon on" : "addon off";
const sizes: string[] = [];
let sink: unknown;

for (const n of [1, 100, 1000]) {
  const value = makeEvents(n);
  const sbs = repo.encode(TYPE, value);
  const mp = packr.pack(value);
  const mpMaps = packrMaps.pack(value);
  const json = JSON.stringify(value);
  sizes.push(
    `${n} events: sbs ${sbs.length} B, msgpackr ${mp.length} B, ` +
      `msgpackr maps ${mpMaps.length} B, JSON ${utf8.encode(json).length} B`,
  );

  Deno.bench(
    `sbs encode ${n}`,
    { group: `encode ${n}`, baseline: true },
    () => {
      sink = repo.encode(TYPE, value);
    },
  );
  Deno.bench(`msgpackr encode ${n}`, { group: `encode ${n}` }, () => {
    sink = packr.pack(value);
  });
  Deno.bench(`msgpackr maps encode ${n}`, { group: `encode ${n}` }, () => {
    sink = packrMaps.pack(value);
  });
  Deno.bench(`JSON.stringify ${n}`, { group: `encode ${n}` }, () => {
    sink = JSON.stringify(value);
  });

  Deno.bench(
    `sbs decode ${n}`,
    { group: `decode ${n}`, baseline: true },
    () => {
      sink = repo.decode(TYPE, sbs);
    },
  );
  Deno.bench(
    `msgpackr decode ${n} (${native})`,
    { group: `decode ${n}` },
    () => {
      sink = unpackr.unpack(mp);
    },
  );
  Deno.bench(
    `msgpackr maps decode ${n} (${native})`,
    { group: `decode ${n}` },
    () => {
      sink = unpackrMaps.unpack(mpMaps);
    },
  );
  Deno.bench(`JSON.parse ${n}`, { group: `decode ${n}` }, () => {
    sink = JSON.parse(json);
  });
}

console.log(`msgpackr native addon: ${native}\n${sizes.join("\n")}`);
globalThis.addEventListener("unload", () => void sink);
