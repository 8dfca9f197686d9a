// Memory per stored event of the memory storage: registers N million
// events (4 types, a 35-byte JSON payload kept as received text, batches
// of 100 as the engine builds them) and prints the RSS growth after a full
// garbage collection.
//
//   deno run -A --v8-flags=--expose-gc bench/storage_memory.ts [millions=2]

import { decodeRegisterReq, encodeRegisterReq } from "../eventer/_messages.ts";
import type { Event, RegisterEvent } from "../event/mod.ts";
import { MemoryStorage } from "../event_server/storage/memory.ts";

const millions = Number(Deno.args[0] ?? 2);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error("run with --v8-flags=--expose-gc");
  Deno.exit(2);
}

function rssMiB(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const request = encodeRegisterReq(
  Array.from({ length: 100 }, (_, i): RegisterEvent => ({
    type: ["load", String(i % 4)],
    sourceTimestamp: { s: 1000 + i, us: 1 },
    payload: { kind: "json", data: { value: i * 0.5 + 1000, quality: "good" } },
  })),
);
const storage = new MemoryStorage();
gc();
const before = rssMiB();
const batches = millions * 10_000;
for (let session = 1; session <= batches; session++) {
  const timestamp = { s: 1_764_000_000 + (session >> 10), us: session % 1e6 };
  const events: Event[] = decodeRegisterReq(request, true, true).map((
    e,
    i,
  ) => ({ ...e, id: { server: 1, session, instance: i + 1 }, timestamp }));
  await storage.register(events);
}
storage.query({ kind: "latest" });
gc();
const grown = rssMiB() - before;
console.log(
  `${millions} million events: RSS +${grown.toFixed(1)} MiB ` +
    `(${
      (grown * 1024 * 1024 / (millions * 1e6)).toFixed(1)
    } bytes per event), ` +
    `${storage.chunkCount} chunks`,
);
