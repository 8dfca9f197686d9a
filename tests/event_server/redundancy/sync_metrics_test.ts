// The sync with a peer shows in the metrics: its state, its lag and the
// connections it made.

import assert from "node:assert/strict";
import { connect } from "../../../client.ts";
import { resolveConfig } from "../../../event_server/config.ts";
import { startEngine } from "../../../event_server/engine.ts";
import { createLogger } from "../../../event_server/log.ts";
import { startRedundancy } from "../../../event_server/redundancy/mod.ts";
import { MemoryStorage } from "../../../event_server/storage/mod.ts";
import { within } from "../../_within.ts";

Deno.test("a peer's sync shows in /metrics: state, lag and connections", async () => {
  const addr = { hostname: "127.0.0.1", port: 0 };
  await using a = await startEngine(addr, {
    storage: new MemoryStorage(),
    serverId: 1,
  });
  await using b = await startEngine(addr, {
    storage: new MemoryStorage(),
    serverId: 2,
  });
  assert.equal(b.metrics.render().includes("hat_eventer_sync_"), false);
  const config = resolveConfig({
    serverId: 2,
    peers: [{ address: `127.0.0.1:${a.addrs[0].port}`, serverId: 1 }],
    http: "off",
  });
  await using sync = startRedundancy(b, config, createLogger("error"))!;
  await sync.synced(1);
  const text = () => b.metrics.render();
  assert.match(
    text(),
    /^hat_eventer_sync_state\{peer="1",state="SYNCED"\} 1$/m,
  );
  assert.match(
    text(),
    /^hat_eventer_sync_state\{peer="1",state="SYNCING"\} 0$/m,
  );
  assert.match(text(), /^hat_eventer_sync_connections_total\{peer="1"\} 1$/m);
  // A's STARTED event came with the catch-up.
  assert.match(text(), /^hat_eventer_events_synced_total [1-9]\d*$/m);
  // The lag is known once an event came live, after the catch-up; B's
  // subscribers hear of it once it is stored there.
  const arrived = Promise.withResolvers<void>();
  await using _watcher = await connect(b.addrs[0], "watcher", {
    subscriptions: [["live"]],
    onEvents: () => arrived.resolve(),
  });
  a.register([{ type: ["live"], sourceTimestamp: null, payload: null }]);
  await within(arrived.promise, 10_000, "the live event to be synced");
  const lag = Number(
    /^hat_eventer_sync_lag_seconds\{peer="1"\} (\S+)$/m.exec(text())![1],
  );
  assert.ok(lag >= 0 && lag < 10, `lag ${lag}`);
  await sync.close();
  assert.equal(text().includes("hat_eventer_sync_"), false);
});
