// One server per data directory: a second server on a directory in use
// exits 4 before it listens, naming the directory and the holder's pid; a
// stopped or killed holder leaves the directory free.

import assert from "node:assert/strict";
import { connect } from "../../client.ts";
import { resolveConfig } from "../../event_server/config.ts";
import { StartError } from "../../event_server/errors.ts";
import { createLogger } from "../../event_server/log.ts";
import { startEventServer } from "../../event_server/main.ts";
import { CLI_MAIN, serveProcess } from "./_cli.ts";

const log = createLogger("error");

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "eventer_lock_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function addr(address: string) {
  const [hostname, port] = address.split(":");
  return { hostname, port: Number(port) };
}

/** Runs `serve` to its end; it must not get as far as listening. */
async function serveToEnd(dir: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      CLI_MAIN.href,
      "serve",
      "--address",
      "127.0.0.1:0",
      "--data-dir",
      dir,
      "--http",
      "off",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, output: decode(out.stdout) + decode(out.stderr) };
}

Deno.test("startEventServer() refuses a data directory another server holds until it stops", async () => {
  await inTempDir(async (dir) => {
    const config = resolveConfig({
      address: "127.0.0.1:0",
      dataDir: dir,
      http: "off",
    });
    const first = await startEventServer(config, { log });
    assert.equal(
      await Deno.readTextFile(`${dir}/server.lock`),
      `${Deno.pid}\n`,
    );
    await assert.rejects(startEventServer(config, { log }), (e: unknown) => {
      assert.ok(e instanceof StartError);
      assert.equal(
        e.message,
        `Data directory ${dir} is in use by another Event Server, ` +
          `pid ${Deno.pid} (it holds ${dir}/server.lock); stop it or use ` +
          `another data directory`,
      );
      return true;
    });
    // the refused start left the holder as it was
    await using client = await connect(first.engine.addrs[0], "c");
    const registered = await client.register([{
      type: ["a"],
      sourceTimestamp: null,
      payload: null,
    }], { withResponse: true });
    assert.equal(registered?.length, 1);
    await first.close();
    await using second = await startEventServer(config, { log });
    assert.ok(second.engine.addrs[0].port > 0);
  });
});

Deno.test("startEventServer() with memory storage locks no directory", async () => {
  await inTempDir(async (dir) => {
    const config = resolveConfig({
      address: "127.0.0.1:0",
      storage: "memory",
      dataDir: dir,
      http: "off",
    });
    await using _a = await startEventServer(config, { log });
    await using _b = await startEventServer(config, { log });
    await assert.rejects(Deno.stat(`${dir}/server.lock`), Deno.errors.NotFound);
  });
});

Deno.test("serve: a second server on a data directory in use exits 4 before it listens", async () => {
  await inTempDir(async (dir) => {
    await using holder = await serveProcess(["--data-dir", dir]);
    const second = await serveToEnd(dir);
    assert.equal(second.code, 4, second.output);
    assert.match(
      second.output,
      new RegExp(
        `Data directory ${dir} is in use by another Event Server, ` +
          `pid ${holder.child.pid} `,
      ),
    );
    assert.doesNotMatch(second.output, /listening/);
    // the holder still serves
    await using client = await connect(addr(holder.address), "c");
    const result = await client.query({ kind: "latest", eventTypes: null });
    assert.ok(result.events.length > 0);
  });
});

Deno.test("serve: a SIGKILLed server leaves its data directory free", async () => {
  await inTempDir(async (dir) => {
    const first = await serveProcess(["--data-dir", dir]);
    first.child.kill("SIGKILL");
    const killed = await first.status;
    assert.equal(killed.signal, "SIGKILL");
    assert.equal(
      (await Deno.readTextFile(`${dir}/server.lock`)).trim(),
      String(first.child.pid),
    );
    await using second = await serveProcess(["--data-dir", dir]);
    assert.match(second.log(), /listening on/);
    assert.equal(
      (await Deno.readTextFile(`${dir}/server.lock`)).trim(),
      String(second.child.pid),
    );
  });
});
