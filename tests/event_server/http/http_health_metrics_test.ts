import assert from "node:assert/strict";
import { connect } from "../../../client.ts";
import { MemoryStorage } from "../../../event_server/storage/memory.ts";
import {
  closeQuietly,
  initFrame,
  rawConnect,
  writeAll,
} from "../../hardening/_peers.ts";
import { ProtocolError } from "../../../chatter/mod.ts";
import { SlowConsumerError } from "../../../server.ts";
import { within } from "../../_within.ts";
import { jsonEvent, startWeb, type Web } from "./_web.ts";

async function health(web: Web): Promise<[number, unknown]> {
  const res = await fetch(web.at("/healthz"));
  return [res.status, await res.json()];
}

async function metrics(web: Web): Promise<string> {
  const res = await fetch(web.at("/metrics"));
  assert.equal(res.status, 200);
  assert.equal(
    res.headers.get("content-type"),
    "text/plain; version=0.0.4; charset=utf-8",
  );
  return await res.text();
}

/** The value of one series, by its name and label text (`{...}` or ""). */
function sample(text: string, series: string): number {
  for (const line of text.split("\n")) {
    if (line.startsWith(series + " ")) {
      return Number(line.slice(series.length + 1));
    }
  }
  throw new Error(`No series ${series} in:\n${text}`);
}

Deno.test("/healthz is 200 when operational or standby with the storage open", async () => {
  await using web = await startWeb();
  assert.deepEqual(await health(web), [200, {
    status: "operational",
    storage: "open",
  }]);
  await web.engine.setStatus("standby");
  assert.deepEqual(await health(web), [200, {
    status: "standby",
    storage: "open",
  }]);
});

Deno.test("/healthz is 503 while starting or stopping", async () => {
  await using web = await startWeb({ status: "starting" });
  assert.deepEqual(await health(web), [503, {
    status: "starting",
    storage: "open",
  }]);
  await web.engine.setStatus("stopping");
  assert.deepEqual(await health(web), [503, {
    status: "stopping",
    storage: "open",
  }]);
});

Deno.test("/healthz is 503 once the storage failed", async () => {
  const storage = new MemoryStorage();
  await using web = await startWeb({ storage });
  await storage.close();
  await web.engine.closed;
  const [code, body] = await health(web);
  assert.equal(code, 503);
  assert.equal((body as { storage: string }).storage, "closed");
});

Deno.test("/metrics counts registrations, notifications, commits and queries", async () => {
  await using web = await startWeb();
  let notified = 0;
  const all = Promise.withResolvers<void>();
  await using _sub = await connect(web.engine.addrs[0], "sub", {
    subscriptions: [["m", "*"]],
    onEvents: (_c, events) => {
      notified += events.length;
      if (notified === 10) all.resolve();
    },
  });
  await using client = await connect(web.engine.addrs[0], "producer");
  for (let i = 0; i < 5; i++) {
    await client.register([
      jsonEvent(["m", "a"], i),
      jsonEvent(["m", "b"], i),
    ], { withResponse: true });
  }
  await client.query({ kind: "latest" });
  await client.query({ kind: "timeseries" });
  await client.query({ kind: "timeseries" });
  await within(all.promise, 10_000, "the subscriber to get 10 events");
  const text = await metrics(web);
  // STARTED, CONNECTED of sub and of producer, and 10 events
  assert.equal(sample(text, "hat_eventer_events_registered_total"), 13);
  assert.equal(sample(text, "hat_eventer_events_stored_total"), 13);
  assert.equal(sample(text, "hat_eventer_events_notified_total"), 10);
  assert.equal(sample(text, 'hat_eventer_queries_total{kind="latest"}'), 1);
  assert.equal(sample(text, 'hat_eventer_queries_total{kind="timeseries"}'), 2);
  assert.equal(sample(text, 'hat_eventer_queries_total{kind="server"}'), 0);
  // 5 requests and the server's own 3 registrations
  assert.equal(sample(text, "hat_eventer_register_latency_seconds_count"), 8);
  assert.equal(
    sample(text, 'hat_eventer_register_latency_seconds_bucket{le="+Inf"}'),
    8,
  );
  assert.equal(sample(text, "hat_eventer_commit_latency_seconds_count"), 8);
  assert.equal(sample(text, "hat_eventer_connections"), 2);
  assert.equal(
    sample(
      text,
      'hat_eventer_connection_bytes_waiting{connection="1",client="sub"}',
    ),
    0,
  );
  assert.equal(sample(text, 'hat_eventer_status{status="operational"}'), 1);
  assert.equal(sample(text, 'hat_eventer_status{status="standby"}'), 0);
  assert.equal(sample(text, "hat_eventer_storage_events"), 13);
  assert.equal(sample(text, "hat_eventer_storage_types"), 5);
  assert.ok(sample(text, "hat_eventer_storage_bytes") > 0);
  assert.ok(sample(text, "hat_eventer_storage_chunks") >= 1);
  assert.equal(sample(text, "hat_eventer_storage_open"), 1);
  assert.equal(sample(text, 'hat_eventer_info{server_id="1"}'), 1);
  assert.ok(sample(text, "hat_eventer_process_resident_memory_bytes") > 1e6);
  assert.ok(sample(text, "hat_eventer_process_cpu_seconds_total") > 0);
  assert.equal(sample(text, "hat_eventer_web_sessions"), 0);
});

Deno.test("/metrics is valid Prometheus text: HELP and TYPE before each family's samples", async () => {
  await using web = await startWeb();
  web.engine.register([jsonEvent(["x"], 1)]);
  const lines = (await metrics(web)).trimEnd().split("\n");
  let family = "";
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const help = /^# HELP (hat_eventer_[a-z_]+) \S.*$/.exec(line);
    if (help !== null) {
      family = help[1];
      assert.equal(seen.has(family), false, `${family} twice`);
      seen.add(family);
      assert.match(
        lines[++i],
        new RegExp(`^# TYPE ${family} (counter|gauge|histogram)$`),
      );
      continue;
    }
    assert.match(
      line,
      /^(hat_eventer_[a-z_]+)(\{[a-z_]+="(?:[^"\\]|\\.)*"(,[a-z_]+="(?:[^"\\]|\\.)*")*\})? (-?[0-9.e+-]+|\+Inf|NaN)$/,
    );
    assert.ok(line.startsWith(family), `${line} outside its family ${family}`);
  }
  assert.ok(seen.size >= 20, `${seen.size} families`);
});

Deno.test("/metrics counts limit hits, slow consumers and protocol errors", async () => {
  await using web = await startWeb({
    engineOptions: { maxRegisterEvents: 2, sendQueueBytes: 64 * 1024 },
  });
  await using client = await connect(web.engine.addrs[0], "big");
  assert.equal(
    await client.register(
      [jsonEvent(["a"], 1), jsonEvent(["a"], 2), jsonEvent(["a"], 3)],
      { withResponse: true },
    ),
    null,
  );
  // A subscriber that never reads, dropped once 64 KiB wait for it.
  const slow = await rawConnect(web.engine.addrs[0]);
  await writeAll(slow, initFrame("slow", [["s", "*"]]));
  const garbage = await rawConnect(web.engine.addrs[0]);
  await writeAll(garbage, new Uint8Array(64).fill(0xff));
  try {
    await web.reported(
      (e) => e instanceof ProtocolError,
      "the garbage to be refused",
    );
    const dropped = web.reported(
      (e) => e instanceof SlowConsumerError,
      "the slow subscriber to be dropped",
    );
    let done = false;
    dropped.then(() => done = true, () => done = true);
    // Events until its queue (and the socket's buffers) are full.
    const payload = "x".repeat(16 * 1024);
    while (!done) {
      web.engine.register([jsonEvent(["s", "x"], payload)]);
      await new Promise((r) => setTimeout(r, 0));
    }
    await dropped;
  } finally {
    closeQuietly(slow);
    closeQuietly(garbage);
  }
  const text = await metrics(web);
  assert.equal(
    sample(text, 'hat_eventer_limit_hits_total{limit="maxRegisterEvents"}'),
    1,
  );
  assert.equal(
    sample(text, 'hat_eventer_slow_consumer_drops_total{transport="eventer"}'),
    1,
  );
  assert.equal(sample(text, "hat_eventer_protocol_errors_total"), 1);
});

Deno.test("/metrics counts the events retention removed", async () => {
  const storage = new MemoryStorage({
    retention: [{ eventTypes: [["r", "*"]], maxEntries: 3 }],
    cleanupPeriod: 3_600_000,
  });
  await using web = await startWeb({ storage });
  for (let i = 0; i < 10; i++) web.engine.register([jsonEvent(["r", "x"], i)]);
  while (storage.cleanup());
  const text = await metrics(web);
  assert.equal(sample(text, "hat_eventer_retention_deleted_events_total"), 7);
});

Deno.test("/metrics of a server without modules or peers shows none of their metrics", async () => {
  await using web = await startWeb();
  const text = await metrics(web);
  for (
    const name of [
      "module_failures",
      "sync_state",
      "sync_lag",
      "sync_connections",
    ]
  ) {
    assert.equal(text.includes(`hat_eventer_${name}`), false, name);
  }
});
