// Run with --v8-flags=--expose-gc by decode_retention_test.ts, with a case
// name: prints whether the bytes of the MsgEventsNotify of that case, the
// last one decoded, were freed once nothing of the application referred to
// them.

import { decodeEvents, encodeEvents } from "../../eventer/_messages.ts";
import type { Event, EventPayload } from "../../event/mod.ts";

function notify(payloads: (EventPayload | null)[]): Uint8Array {
  return encodeEvents(payloads.map((payload, i): Event => ({
    id: { server: 1, session: 1, instance: i + 1 },
    type: ["a"],
    timestamp: { s: 1, us: 0 },
    sourceTimestamp: null,
    payload,
  })));
}

const big = new Uint8Array(1 << 20);
const cases: Record<string, () => Uint8Array> = {
  "binary payloads": () =>
    notify([{ kind: "binary", type: "x", data: big }, null]),
  "no payloads": () => notify([null, null]),
  "json payloads": () =>
    notify(Array.from({ length: 5 }, () => ({ kind: "json", data: 1 }))),
  "an invalid message": () => {
    const bytes = notify([
      { kind: "json", data: 1 },
      { kind: "binary", type: "x", data: big },
    ]);
    return bytes.subarray(0, bytes.length - 10); // truncated
  },
};

function decodeOnce(make: () => Uint8Array): WeakRef<ArrayBuffer> {
  // A buffer of its own (small encodings share one).
  const bytes = make().slice();
  try {
    decodeEvents(bytes);
  } catch {
    // The invalid case: its error is not what is looked at.
  }
  return new WeakRef(bytes.buffer as ArrayBuffer);
}

const ref = decodeOnce(cases[Deno.args[0]]);
await new Promise((resolve) => setTimeout(resolve, 0));
(globalThis as unknown as { gc(): void }).gc();
console.log(JSON.stringify(ref.deref() === undefined));
