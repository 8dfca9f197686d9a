import assert from "node:assert/strict";
import {
  DEFAULT_CONFIG,
  loadConfig,
  resolveConfig,
} from "../../event_server/config.ts";
import { ConfigError } from "../../event_server/errors.ts";

Deno.test("resolveConfig() fills in the defaults of deno task start", () => {
  assert.deepEqual(resolveConfig({}), DEFAULT_CONFIG);
  assert.deepEqual(DEFAULT_CONFIG.address, {
    hostname: "127.0.0.1",
    port: 23012,
  });
  assert.equal(DEFAULT_CONFIG.serverId, 1);
  assert.equal(DEFAULT_CONFIG.storage, "sqlite");
  assert.equal(DEFAULT_CONFIG.status, "operational");
  assert.equal(DEFAULT_CONFIG.busyTimeout, 5000);
  assert.equal(resolveConfig({ busyTimeout: 0 }).busyTimeout, 0);
});

Deno.test("resolveConfig() lets overrides win over the file", () => {
  const c = resolveConfig(
    { address: "0.0.0.0:1000", serverId: 3, storage: "memory" },
    { address: ":2000", serverToken: "t" },
  );
  assert.deepEqual(c.address, { hostname: "127.0.0.1", port: 2000 });
  assert.equal(c.serverId, 3);
  assert.equal(c.serverToken, "t");
  assert.equal(c.storage, "memory");
  assert.deepEqual(
    resolveConfig({ address: "[::1]:5" }).address,
    { hostname: "::1", port: 5 },
  );
});

Deno.test("resolveConfig() names the entry that is wrong", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ["unknown key", { serverid: 1 }, /Invalid serverid: unknown entry/],
    ["not an object", [], /Invalid config/],
    ["address", { address: "nowhere" }, /Invalid address: expected host:port/],
    ["port range", { address: "a:70000" }, /Invalid address/],
    ["serverId", { serverId: 1.5 }, /Invalid serverId/],
    ["status", { status: "up" }, /Invalid status: expected one of/],
    ["storage", { storage: "lmdb" }, /Invalid storage/],
    ["synchronous", { synchronous: "off" }, /Invalid synchronous/],
    ["busyTimeout", { busyTimeout: -5 }, /Invalid busyTimeout/],
    ["token", { serverToken: 5 }, /Invalid serverToken/],
    ["tls", { tls: { cert: "a" } }, /Invalid tls.key/],
    ["retention", { retention: [{ eventTypes: [["*", "x"]] }] }, /retention/],
    ["logLevel", { logLevel: "loud" }, /Invalid logLevel/],
    ["pingDelay", { pingDelay: -1 }, /Invalid pingDelay/],
    // beyond 2^31 - 1 ms a timer fires at once: pings every millisecond
    ["pingDelay too long", { pingDelay: 1e9 }, /in 0\.\.2147483,/],
    ["shutdownTimeout", { shutdownTimeout: 1e300 }, /Invalid shutdownTimeout/],
    ["pingTimeout", { pingTimeout: Infinity }, /Invalid pingTimeout/],
    ["http", { http: "nowhere" }, /Invalid http: expected host:port/],
    ["httpToken", { httpToken: 5 }, /Invalid httpToken/],
    ["empty httpToken", { httpToken: "" }, /Invalid httpToken/],
    ["httpOpen", { httpOpen: "yes" }, /Invalid httpOpen/],
    ["codec", { codec: "bogus" }, /Invalid codec: expected one of wasm, ts/],
    ["codec's case", { codec: "WASM" }, /Invalid codec/],
  ];
  for (const [name, file, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => resolveConfig(file), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, message);
        return true;
      });
    });
  }
});

Deno.test("loadConfig() reads a JSON file and reports a broken one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/ok.json`,
      JSON.stringify({
        serverId: 9,
        retention: [{ eventTypes: [["a"]], maxEntries: 5 }],
      }),
    );
    const c = await loadConfig(`${dir}/ok.json`, { storage: "memory" });
    assert.equal(c.serverId, 9);
    assert.equal(c.storage, "memory");
    assert.deepEqual(c.retention, [{
      eventTypes: [["a"]],
      maxEntries: 5,
      maxAge: null,
    }]);
    await Deno.writeTextFile(`${dir}/bad.json`, "{ serverId: 1 }");
    await assert.rejects(
      () => loadConfig(`${dir}/bad.json`),
      /is not valid JSON/,
    );
    await assert.rejects(
      () => loadConfig(`${dir}/missing.json`),
      /cannot read/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolveConfig() reads the redundancy entries", () => {
  const c = resolveConfig({
    serverId: 2,
    peers: [{ address: "10.0.0.1:23012", serverId: 1 }],
    peerReconnectDelay: 2,
  });
  assert.equal(c.name, "event_2");
  assert.equal(c.monitorComponent, null);
  assert.deepEqual(c.peers, [{
    address: { hostname: "10.0.0.1", port: 23012 },
    serverId: 1,
  }]);
  assert.equal(c.peerReconnectDelay, 2);
  const m = resolveConfig(
    { name: "a", monitorComponent: { address: ":23010", group: "x" } },
    { monitorComponent: { group: "y" } },
  );
  assert.equal(m.name, "a");
  assert.deepEqual(m.monitorComponent, {
    address: { hostname: "127.0.0.1", port: 23010 },
    group: "y",
    eventerAddress: null,
  });
  assert.deepEqual(m.warnings, []);
  assert.equal(
    resolveConfig({ monitorComponent: { address: ":1" } }).monitorComponent
      ?.group,
    "event",
  );
});

Deno.test("resolveConfig() warns that a monitor decides the status", () => {
  const c = resolveConfig({
    status: "standby",
    monitorComponent: { address: ":23010" },
  });
  assert.deepEqual(c.warnings, [
    'status "standby" is ignored: with monitorComponent, the monitor decides the status',
  ]);
  assert.deepEqual(resolveConfig({ status: "standby" }).warnings, []);
});

Deno.test("resolveConfig() names the redundancy entry that is wrong", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ["name", { name: 5 }, /Invalid name: expected a non-empty string/],
    ["monitor type", { monitorComponent: "x" }, /Invalid monitorComponent/],
    [
      "monitor key",
      { monitorComponent: { address: ":1", port: 2 } },
      /Invalid monitorComponent\.port: unknown entry/,
    ],
    [
      "monitor address",
      { monitorComponent: { group: "g" } },
      /Invalid monitorComponent\.address: missing/,
    ],
    [
      "group",
      { monitorComponent: { address: ":1", group: "" } },
      /Invalid monitorComponent\.group/,
    ],
    [
      "eventerAddress",
      { monitorComponent: { address: ":1", eventerAddress: "h:0" } },
      /Invalid monitorComponent\.eventerAddress: expected the port/,
    ],
    ["peers", { peers: {} }, /Invalid peers: expected an array/],
    [
      "peer id",
      { peers: [{ address: ":1", serverId: "2" }] },
      /Invalid peers\[0\]\.serverId/,
    ],
    [
      "peer key",
      { peers: [{ address: ":1", serverId: 2, token: "t" }] },
      /Invalid peers\[0\]\.token: unknown entry/,
    ],
    [
      "own id",
      { serverId: 4, peers: [{ address: ":1", serverId: 4 }] },
      /has server id 4, the id of this server/,
    ],
    [
      "monitor and peers",
      {
        monitorComponent: { address: ":1" },
        peers: [{ address: ":2", serverId: 2 }],
      },
      /Invalid peers: not with monitorComponent/,
    ],
    [
      "peerReconnectDelay",
      { peerReconnectDelay: 0 },
      /Invalid peerReconnectDelay: expected seconds above 0/,
    ],
  ];
  for (const [name, file, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => resolveConfig(file), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, message);
        return true;
      });
    });
  }
});

Deno.test("config.ts's module doc shows a valid file with every entry", async () => {
  // The README points there for the whole file (and lists only the entries
  // that have no flag: tests/eventer/readme_test.ts).
  const source = await Deno.readTextFile(
    new URL("../../event_server/config.ts", import.meta.url),
  );
  const doc = source.slice(0, source.indexOf("*/"));
  const block = doc.match(/```json\n([\s\S]*?) \* ```/)?.[1];
  assert.ok(block, "no config example in config.ts's module doc");
  const file = JSON.parse(block.replace(/^ \* ?/gm, ""));
  resolveConfig(file);
  assert.deepEqual(
    Object.keys(file).sort(),
    Object.keys(DEFAULT_CONFIG).filter((k) => k !== "warnings").sort(),
  );
});
