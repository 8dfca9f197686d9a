// The Wasm decoders beside the TypeScript one, msgpackr and JSON on
// HatEventer.MsgEventsNotify with 100 events (the message of
// bench/codec_bench.ts). Run: deno bench -A bench/wasm_codec_bench.ts
// msgpackr's native addon loads by default; run with
// MSGPACKR_NATIVE_ACCELERATION_DISABLED=true to measure it off.

import { Packr, Unpackr } from "npm:msgpackr@1.11";
import * as msgpackr from "npm:msgpackr@1.11";
import { type LazyArray, type LazyRecord, WasmDecoder } from "../codec/mod.ts";
import { makeEvents, repo, TYPE } from "./_notify_events.ts";

const wasm = new WasmDecoder(repo);
const interpreter = new WasmDecoder(repo, { specialize: false });

const value = makeEvents(100);
const sbs = repo.encode(TYPE, value);
const packr = new Packr();
const unpackr = new Unpackr();
const mp = packr.pack(value);
const json = JSON.stringify(value);
const native = msgpackr.isNativeAccelerationEnabled ? "addon on" : "addon off";
const group = "decode 100 events";
let sink: unknown;

Deno.bench("TS decode", { group, baseline: true }, () => {
  sink = repo.decode(TYPE, sbs);
});
Deno.bench("Wasm validate only", { group }, () => {
  wasm.validate(TYPE, sbs);
});
Deno.bench("Wasm validate only, interpreter", { group }, () => {
  interpreter.validate(TYPE, sbs);
});
Deno.bench("Wasm lazy, read each event's type", { group }, () => {
  const events = wasm.decodeLazy(TYPE, sbs) as LazyArray;
  for (let i = 0; i < events.length; i++) {
    sink = (events.at(i) as LazyRecord).value("type");
  }
});
Deno.bench("Wasm lazy, raw bytes of each event's type", { group }, () => {
  const events = wasm.decodeLazy(TYPE, sbs) as LazyArray;
  for (let i = 0; i < events.length; i++) {
    sink = (events.at(i) as LazyRecord).raw("type");
  }
});
Deno.bench("Wasm eager decode", { group }, () => {
  sink = wasm.decode(TYPE, sbs);
});
Deno.bench(`msgpackr unpack (${native})`, { group }, () => {
  sink = unpackr.unpack(mp);
});
Deno.bench("JSON.parse", { group }, () => {
  sink = JSON.parse(json);
});

console.log(
  `msgpackr native addon: ${native}; sbs ${sbs.length} B, ` +
    `msgpackr ${mp.length} B, JSON ${json.length} B`,
);
globalThis.addEventListener("unload", () => void sink);
