// `serve` flags and the config file reach the server: each test starts the
// CLI's serve as a process on 127.0.0.1 and talks to it as a client would.

import assert from "node:assert/strict";
import { connect } from "../../client.ts";
import { hasOpenssl, makePki } from "../_tls.ts";
import { within } from "../_within.ts";
import { cli, serveProcess } from "./_cli.ts";
import { holdWriteLockFor } from "./_storages.ts";

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "eventer_serve_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

function registered(stdout: string) {
  return JSON.parse(stdout);
}

Deno.test("serve: --server-id and --server-token reach the server", async () => {
  await using server = await serveProcess([
    "--memory",
    "--server-id",
    "7",
    "--server-token",
    "secret",
  ]);
  const a = ["-a", server.address];
  const refused = await cli(["register", "x", "--token", "guess", ...a]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /refused the client: invalid client token/);
  const ok = await cli(["register", "x", "--token", "secret", ...a]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(registered(ok.stdout).id.server, 7);
});

Deno.test("serve: --status standby refuses registrations (exit 3) and answers queries", async () => {
  await using server = await serveProcess(["--memory", "--status", "standby"]);
  const a = ["-a", server.address];
  const failed = await cli(["register", "x", ...a]);
  assert.equal(failed.code, 3, failed.stderr);
  assert.match(failed.stderr, /did not register/);
  const query = await cli(["query", "latest", ...a]);
  assert.equal(query.code, 0, query.stderr);
});

Deno.test("serve: --sync reaches the SQLite storage", async (t) => {
  const cases: [string[], string][] = [
    [[], "full"],
    [["--sync", "normal"], "normal"],
  ];
  for (const [args, mode] of cases) {
    await t.step(`${args.join(" ") || "by default"}: ${mode}`, async () => {
      await inTempDir(async (dir) => {
        await using server = await serveProcess(["--data-dir", dir, ...args]);
        assert.match(
          server.log(),
          new RegExp(`storage ${dir}/events\\.db \\(synchronous ${mode}\\)`),
        );
      });
    });
  }
});

Deno.test({
  name: "serve: --tls-cert and --tls-key make it a TLS server",
  ignore: !hasOpenssl,
  async fn() {
    await inTempDir(async (dir) => {
      const pki = await makePki(dir);
      await using server = await serveProcess([
        "--memory",
        "--tls-cert",
        pki.certFile,
        "--tls-key",
        pki.keyFile,
      ]);
      assert.match(server.log(), /\(TLS\)/);
      const a = ["-a", server.address];
      const ok = await cli(["register", "x", "--ca-cert", pki.caFile, ...a]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.deepEqual(registered(ok.stdout).type, ["x"]);
      const plain = await cli(["register", "x", ...a]);
      assert.equal(plain.code, 2, plain.stderr);
    });
  },
});

Deno.test("serve: a config file's settings are applied, and flags override them", async (t) => {
  await inTempDir(async (dir) => {
    const file = `${dir}/config.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        serverId: 5,
        serverToken: "file-token",
        storage: "memory",
        dataDir: `${dir}/data`,
        maxResults: 2,
      }),
    );
    await t.step("the file alone", async () => {
      await using server = await serveProcess(["--config", file]);
      const a = ["-a", server.address];
      const refused = await cli(["register", "x", ...a, "--token", "other"]);
      assert.equal(refused.code, 2, refused.stderr);
      const ok = await cli(["register", "x", ...a, "--token", "file-token"]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(registered(ok.stdout).id.server, 5);
      // STARTED, two CONNECTED and x are stored: maxResults cuts at 2
      const page = await cli([
        "query",
        "timeseries",
        ...a,
        "--token",
        "file-token",
      ]);
      assert.equal(page.stdout.trim().split("\n").length, 2);
      assert.match(page.stderr, /More events follow/);
      assert.match(server.log(), /storage memory/);
      assert.equal(await exists(`${dir}/data`), false);
    });
    await t.step("flags over the file", async () => {
      await using server = await serveProcess([
        "--config",
        file,
        "--server-id",
        "9",
        "--server-token",
        "flag-token",
        "--no-memory",
        "--max-results",
        "100",
      ]);
      const a = ["-a", server.address];
      const refused = await cli([
        "register",
        "x",
        ...a,
        "--token",
        "file-token",
      ]);
      assert.equal(refused.code, 2, refused.stderr);
      const ok = await cli(["register", "x", ...a, "--token", "flag-token"]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(registered(ok.stdout).id.server, 9);
      const page = await cli([
        "query",
        "timeseries",
        ...a,
        "--token",
        "flag-token",
      ]);
      assert.ok(page.stdout.trim().split("\n").length > 2);
      assert.equal(page.stderr, "");
      // --no-memory: SQLite in the file's dataDir
      assert.match(server.log(), /storage .*\/data\/events\.db/);
      assert.equal(await exists(`${dir}/data/events.db`), true);
    });
  });
});

Deno.test("serve: --busy-timeout sets how long a commit waits out another writer", async (t) => {
  // Another process holds the database's write lock for 1.5 s while an
  // event waits for its commit: the default wait (5 s) rides it out, a
  // wait of 100 ms gives up and the server stops with exit 4.
  for (
    const [name, flags, outcome] of [
      ["default", [], "committed"],
      ["--busy-timeout 100", ["--busy-timeout", "100"], "stopped"],
    ] as const
  ) {
    await t.step(name, async () => {
      await inTempDir(async (dir) => {
        await using server = await serveProcess([
          "--data-dir",
          dir,
          "--flush-period",
          "200",
          ...flags,
        ]);
        // Nothing may wait for its commit when the lock is taken (the
        // STARTED event would, for flushPeriod, and fail the start): a
        // timeseries query commits what waits, and its client stays.
        const [hostname, port] = server.address.split(":");
        await using settled = await connect(
          { hostname, port: Number(port) },
          "settled",
        );
        await settled.query({ kind: "timeseries", maxResults: 1 });
        const lock = await holdWriteLockFor(`${dir}/events.db`, 1500);
        const a = ["-a", server.address];
        const reg = await cli(["register", "b/t", "--no-wait", ...a]);
        assert.equal(reg.code, 0, reg.stderr);
        await lock.released;
        if (outcome === "stopped") {
          const status = await within(server.status, 30_000, "serve exits");
          assert.equal(status.code, 4, server.log());
          assert.match(server.log(), /Cannot commit events/);
          return;
        }
        const q = await cli(["query", "timeseries", "-t", "b/*", ...a]);
        assert.equal(q.code, 0, q.stderr);
        assert.deepEqual(registered(q.stdout).type, ["b", "t"]);
        assert.doesNotMatch(server.log(), /Cannot commit events/);
      });
    });
  }
});
