// The client's register requests once the process has written varied
// strings, as a long-running client does:
//
//   deno bench -A bench/register_encode_bench.ts
//
// V8 compiles the TypeScript writer's character loop (codec/writer.ts,
// `string`) for the kinds of strings it has seen; after a few requests
// with non-ASCII, empty and long strings and null payloads it runs the
// benchmark's plain requests several times slower. The Wasm path
// (eventer/_register_wasm.ts) puts a request's strings into the core's
// memory with one TextEncoder call and has no such loop. Beside the
// "client register encode" group of bench/eventer_bench.ts, which runs
// in a process that has written only its own plain strings (each bench
// file runs in an isolate of its own).

import assert from "node:assert/strict";
import type { RegisterEvent } from "../event/mod.ts";
import { encodeRegisterReq } from "../eventer/_messages.ts";
import {
  encodeRegisterReqWasm,
  writeRegisterReqWasm,
} from "../eventer/_register_wasm.ts";
import { registerEvents } from "./_eventer_setup.ts";

const varied: RegisterEvent[] = [
  { type: ["é", "€", "😀", ""], sourceTimestamp: null, payload: null },
  {
    type: ["a".repeat(200)],
    sourceTimestamp: { s: -1, us: 999_999 },
    payload: { kind: "json", data: { "ü": ["😀", 1e300, null] } },
  },
];
for (let i = 0; i < 3; i++) {
  assert.deepEqual(writeRegisterReqWasm(varied), encodeRegisterReq(varied));
}

const events = registerEvents(100);
assert.deepEqual(writeRegisterReqWasm(events), encodeRegisterReq(events));
const group = "client register encode after varied strings, 100 json events";
Deno.bench("ts", { group, baseline: true }, () => {
  encodeRegisterReq(events);
});
Deno.bench("wasm", { group }, () => {
  encodeRegisterReqWasm(events);
});
