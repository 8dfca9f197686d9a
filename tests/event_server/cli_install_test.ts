// `deno task install` puts `hat-eventer` on the PATH: the CLI of this
// checkout, the module JSR users install as `jsr:@hat/eventer/cli`.

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";

const ROOT = new URL("../../", import.meta.url);
const CLI = new URL("event_server/cli/main.ts", ROOT);

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("the install task installs this checkout's CLI, the module JSR users install", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  );
  // README: deno install -g -A -n hat-eventer jsr:@hat/eventer/cli
  assert.equal(new URL(config.exports["./cli"], ROOT).href, CLI.href);
  const task = config.tasks.install.split(" ");
  assert.deepEqual(task.slice(0, 4), ["deno", "install", "-g", "-A"]);
  assert.equal(task[task.indexOf("-n") + 1], "hat-eventer");
  assert.equal(new URL(task.at(-1), ROOT).href, CLI.href);
});

Deno.test("deno task install puts a working hat-eventer in the install root", async () => {
  const root = await Deno.makeTempDir({ prefix: "eventer_install_" });
  try {
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["task", "install"],
      cwd: fileURLToPath(ROOT),
      env: { DENO_INSTALL_ROOT: root, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const said = text(install.stdout) + text(install.stderr);
    assert.equal(install.code, 0, said);
    assert.doesNotMatch(said, /warning/i);
    const bin = `${root}/bin/hat-eventer`;
    assert.ok((await Deno.readTextFile(bin)).includes(CLI.href));

    // the shim runs `deno`: found on the PATH, as after Deno's installer
    const env = {
      PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
    };
    const run = async (args: string[]) => {
      const out = await new Deno.Command(bin, {
        args,
        env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      return {
        code: out.code,
        stdout: text(out.stdout),
        stderr: text(out.stderr),
      };
    };
    const help = await run(["help", "query", "latest"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: hat-eventer query latest/);

    await using engine = await startEngine({ hostname: "127.0.0.1", port: 0 }, {
      storage: new MemoryStorage(),
      onError: () => {},
    });
    const { hostname, port } = engine.addrs[0];
    const reg = await run([
      "register",
      "installed/a",
      "--payload",
      "42",
      "-a",
      `${hostname}:${port}`,
    ]);
    assert.equal(reg.code, 0, reg.stderr);
    const event = JSON.parse(reg.stdout);
    assert.deepEqual(event.type, ["installed", "a"]);
    assert.deepEqual(event.payload, { kind: "json", data: 42 });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
