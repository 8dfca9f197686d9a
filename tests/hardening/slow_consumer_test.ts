// A subscriber that never reads is disconnected once the bytes waiting for
// it pass sendQueueBytes; registration by others never waits on it, and the
// server never holds more than the bound plus one message for it.

import assert from "node:assert/strict";
import { connect } from "../../client.ts";
import { listen, SlowConsumerError } from "../../server.ts";
import type { RegisterEvent } from "../../event/mod.ts";
import { within } from "../_within.ts";
import { deferred, LOOPBACK } from "../eventer/_helpers.ts";
import {
  closeQuietly,
  initFrame,
  rawConnect,
  readUntilClosed,
  registrar,
  writeAll,
} from "./_peers.ts";

const BOUND = 256 * 1024;
const PAYLOAD = "x".repeat(4000);
const BATCH = 10;
const REQUESTS = 1000; // ~40 MB of notifications: far past kernel buffers

Deno.test("a subscriber that never reads is disconnected; the others keep going", async () => {
  const errors: unknown[] = [];
  let maxQueued = 0;
  let maxMessage = 0;
  let slowId = -1;
  const slowAccepted = deferred();
  const serverRef: { notify(events: unknown[]): void } = {
    notify: () => {},
  };
  await using server = await listen(LOOPBACK, {
    sendQueueBytes: BOUND,
    onError: (e) => errors.push(e),
    onConnected: (info) => {
      if (info.clientName !== "slow") return;
      slowId = info.id;
      slowAccepted.resolve();
    },
    onRegister: registrar((events) => serverRef.notify(events)),
  });
  serverRef.notify = (events) => {
    const before = server.bufferedAmount(slowId) ?? 0;
    server.notifyEvents(events as never);
    const after = server.bufferedAmount(slowId);
    if (after !== undefined) {
      maxQueued = Math.max(maxQueued, after);
      maxMessage = Math.max(maxMessage, after - before);
    }
  };

  // The slow subscriber: completes init, then never reads a byte.
  const slow = await rawConnect(server.addrs[0]);
  await writeAll(slow, initFrame("slow", [["*"]]));

  let received = 0;
  const allReceived = deferred();
  await using _good = await connect(server.addrs[0], "good", {
    subscriptions: [["*"]],
    onEvents: (_c, events) => {
      received += events.length;
      if (received === REQUESTS * BATCH) allReceived.resolve();
    },
  });
  await using producer = await connect(server.addrs[0], "producer");
  // The raw peer's init may still be in flight: wait until it is accepted.
  await within(slowAccepted.promise, 30_000, "the slow peer's init accepted");

  const batch: RegisterEvent[] = Array.from({ length: BATCH }, (_, i) => ({
    type: ["a", String(i)],
    sourceTimestamp: null,
    payload: { kind: "json", data: PAYLOAD },
  }));
  for (let i = 0; i < REQUESTS; i++) {
    const result = await producer.register(batch, { withResponse: true });
    assert.equal(result?.length, BATCH, `register ${i} failed`);
  }
  await allReceived.promise;
  assert.equal(received, REQUESTS * BATCH);

  // The slow one is gone, named in the report; nobody else is.
  assert.deepEqual(
    server.connInfos().map((i) => i.clientName).sort(),
    ["good", "producer"],
  );
  const slowErrors = errors.filter((e) => e instanceof SlowConsumerError);
  assert.equal(slowErrors.length, 1, String(errors));
  const err = slowErrors[0] as SlowConsumerError;
  assert.equal(err.clientName, "slow");
  assert.equal(err.connectionId, slowId);
  assert.match(err.message, /"slow" \(connection \d+\)/);
  assert.equal(errors.length, 1, String(errors));
  // Memory bound: never more than the bound plus one message for it.
  assert.ok(maxQueued > 0);
  assert.ok(
    maxQueued <= BOUND + maxMessage,
    `queued ${maxQueued} > ${BOUND} + ${maxMessage}`,
  );
  await readUntilClosed(slow); // the server closed it
  closeQuietly(slow);
});

Deno.test("a slow subscriber with notify withAck: the ack wait ends when it is dropped", async () => {
  const errors: unknown[] = [];
  const accepted = deferred();
  await using server = await listen(LOOPBACK, {
    sendQueueBytes: 64 * 1024,
    onError: (e) => errors.push(e),
    onConnected: () => accepted.resolve(),
  });
  const slow = await rawConnect(server.addrs[0]);
  await writeAll(slow, initFrame("slow", [["*"]]));
  await within(accepted.promise, 30_000, "the slow peer's init accepted");
  const events = [{
    id: { server: 1, session: 1, instance: 1 },
    type: ["a"],
    timestamp: { s: 0, us: 0 },
    sourceTimestamp: null,
    payload: { kind: "json" as const, data: PAYLOAD },
  }];
  // Every notification asks for an ack the peer never sends; the waits
  // must all end once the peer is dropped, not hang. Notifications of ~4
  // KB are queued until one finds the queue past its bound of 64 KiB: the
  // server then reports the peer too slow and drops it, at once (nothing
  // is written meanwhile, as this loop never yields).
  const waits = [];
  const dropped = () => errors.some((e) => e instanceof SlowConsumerError);
  for (let i = 0; i < 1000 && !dropped(); i++) {
    waits.push(server.notifyEvents(events, { withAck: true }));
  }
  assert.ok(dropped(), "no SlowConsumerError after 1000 notifications");
  assert.ok(waits.length > 10, `${waits.length} notifications queued`);
  await within(Promise.all(waits), 30_000, "the ack waits ended");
  assert.equal(server.connInfos().length, 0);
  closeQuietly(slow);
});
