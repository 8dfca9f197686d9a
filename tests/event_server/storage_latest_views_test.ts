import assert from "node:assert/strict";
import { MemoryStorage } from "../../event_server/storage/memory.ts";

Deno.test("a latest event does not keep alive the large buffer its payload was a view of", async () => {
  await using storage = new MemoryStorage();
  // As chatter hands out received bytes: a view of a 64 KiB buffer.
  const received = new Uint8Array(64 * 1024);
  received.set([1, 2, 3], 1000);
  const data = received.subarray(1000, 1003);
  await storage.register([{
    id: { server: 1, session: 1, instance: 1 },
    type: ["a"],
    timestamp: { s: 100, us: 0 },
    sourceTimestamp: null,
    payload: { kind: "binary", type: "t", data },
  }]);
  const [latest] = storage.query({ kind: "latest", eventTypes: [["a"]] })
    .events;
  const payload = latest.payload!;
  assert.equal(payload.kind, "binary");
  if (payload.kind !== "binary") return;
  assert.deepEqual([...payload.data], [1, 2, 3]);
  assert.ok(
    payload.data.buffer.byteLength < 1024,
    `kept a buffer of ${payload.data.buffer.byteLength} bytes`,
  );
});
