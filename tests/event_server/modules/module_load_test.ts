// Loading modules into `serve`: from the config file (relative to the
// file), with --module (relative to the working directory, absolute,
// file: and https: URLs), in order; and the clear errors (exit 1) of a
// module that cannot be imported, exports no info, or cannot be created
// (at start, or when a monitor makes the server active). A module that
// does not settle within --module-timeout fails its session only.

import assert from "node:assert/strict";
import { hasOpenssl, makePki } from "../../_tls.ts";
import { startMonitorServer } from "../../monitor/_monitor_server.ts";
import { cli, serveProcess } from "../_cli.ts";

/** A module that answers `in` with `tagged/<tag>`, its tag from its settings. */
const TAG_MODULE = `
export const info = {
  create(conf) {
    return {
      subscription: [["in"]],
      process: () => [{
        type: ["tagged", String(conf.tag)],
        sourceTimestamp: null,
        payload: null,
      }],
    };
  },
};
`;

function tagModule(tag: string): string {
  return TAG_MODULE.replace("String(conf.tag)", `conf.tag ?? "${tag}"`);
}

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "eventer_modules_" }),
  );
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Registers `in` on the server and gives the types of the session. */
async function tagsOf(address: string): Promise<string[]> {
  const r = await cli(["register", "in", "-a", address]);
  assert.equal(r.code, 0, r.stderr);
  const session = JSON.parse(r.stdout).id.session;
  const q = await cli([
    "query",
    "server",
    "--server-id",
    "1",
    "-a",
    address,
  ]);
  assert.equal(q.code, 0, q.stderr);
  return q.stdout.trim().split("\n").map((l) => JSON.parse(l))
    .filter((e) => e.id.session === session && e.type[0] === "tagged")
    .map((e) => e.type.join("/"));
}

Deno.test("serve: a config file's modules are found relative to the file, with their settings, in order", async () => {
  await inTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/conf/modules`, { recursive: true });
    await Deno.writeTextFile(`${dir}/conf/modules/tag.js`, TAG_MODULE);
    await Deno.writeTextFile(
      `${dir}/conf/server.json`,
      JSON.stringify({
        storage: "memory",
        modules: [
          { module: "./modules/tag.js", tag: "first" },
          { module: "./modules/tag.js", tag: "second" },
        ],
      }),
    );
    // The server runs elsewhere: the paths are the file's.
    await using server = await serveProcess([
      "--config",
      `${dir}/conf/server.json`,
    ]);
    assert.deepEqual(await tagsOf(server.address), [
      "tagged/first",
      "tagged/second",
    ]);
    assert.match(server.log(), /module 0: \.\/modules\/tag\.js/);
  });
});

Deno.test("serve: --module takes paths relative to the working directory, absolute paths and file: URLs, after the config's", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.ts`, tagModule("a"));
    await Deno.writeTextFile(`${dir}/b.ts`, tagModule("b"));
    await Deno.writeTextFile(`${dir}/c d.ts`, tagModule("c"));
    await Deno.writeTextFile(`${dir}/f.ts`, tagModule("f"));
    await Deno.writeTextFile(
      `${dir}/server.json`,
      JSON.stringify({ storage: "memory", modules: [{ module: "./f.ts" }] }),
    );
    await using server = await serveProcess([
      "--config",
      "server.json",
      "--module",
      "./a.ts",
      "--module",
      `${dir}/b.ts`,
      "-m",
      new URL(`file://${dir}/c d.ts`).href,
    ], { cwd: dir });
    assert.deepEqual(await tagsOf(server.address), [
      "tagged/f",
      "tagged/a",
      "tagged/b",
      "tagged/c",
    ]);
  });
});

Deno.test({
  name:
    "serve: --module imports an https: URL (a local TLS server, trusted by DENO_CERT)",
  ignore: !hasOpenssl,
  fn: async () => {
    await inTempDir(async (dir) => {
      const pki = await makePki(dir);
      const requests: string[] = [];
      await using web = Deno.serve({
        hostname: "127.0.0.1",
        port: 0,
        cert: pki.cert,
        key: pki.key,
        onListen: () => {},
      }, (request) => {
        requests.push(new URL(request.url).pathname);
        return new Response(tagModule("https"), {
          headers: { "content-type": "application/typescript" },
        });
      });
      const url = `https://localhost:${web.addr.port}/modules/tag.ts`;
      await using server = await serveProcess(["--memory", "--module", url], {
        env: { DENO_CERT: pki.caFile, DENO_DIR: `${dir}/deno_dir` },
      });
      assert.deepEqual(await tagsOf(server.address), ["tagged/https"]);
      assert.deepEqual(requests, ["/modules/tag.ts"]);
    });
  },
});

Deno.test("serve: a module that cannot be loaded or created exits 1 and says why", async (t) => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/no_info.ts`, "export const x = 1;\n");
    await Deno.writeTextFile(`${dir}/broken.ts`, "export const info = {;\n");
    await Deno.writeTextFile(
      `${dir}/top_level_throw.ts`,
      'throw new Error("no database");\n',
    );
    await Deno.writeTextFile(
      `${dir}/bad_create.ts`,
      "export const info = { create(conf) { " +
        'throw new Error(`missing "limit" in ${JSON.stringify(conf)}`); } };\n',
    );
    const cases: [string, string, RegExp][] = [
      [
        "a missing file",
        `${dir}/missing.ts`,
        /Module .*missing\.ts \(0\) failed in import: cannot import .*missing\.ts.*[Mm]odule not found/,
      ],
      [
        "no info export",
        `${dir}/no_info.ts`,
        /no_info\.ts \(0\) failed in import: it exports no "info" object with a "create" function \(it exports x\)/,
      ],
      ["a syntax error", `${dir}/broken.ts`, /failed in import: cannot import/],
      [
        "a throw in its top-level code",
        `${dir}/top_level_throw.ts`,
        /failed in import: .*no database/,
      ],
      [
        "a create that throws",
        `${dir}/bad_create.ts`,
        /bad_create\.ts \(0\) failed in create: missing "limit" in \{"module":".*bad_create\.ts"\}/,
      ],
    ];
    for (const [what, path, message] of cases) {
      await t.step(what, async () => {
        const r = await cli([
          "serve",
          "--memory",
          "--address",
          "127.0.0.1:0",
          "--module",
          path,
        ]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, message);
      });
    }
  });
});

Deno.test("serve: a config file's modules entry of the wrong shape exits 1 naming it", async (t) => {
  const cases: [unknown, RegExp][] = [
    ["./a.ts", /Invalid modules: expected an array/],
    [
      [{ path: "./a.ts" }],
      /Invalid modules\[0\]\.module: expected what to import/,
    ],
    [["./a.ts"], /Invalid modules\[0\]: expected an object/],
  ];
  for (const [modules, message] of cases) {
    await t.step(JSON.stringify(modules), async () => {
      await inTempDir(async (dir) => {
        await Deno.writeTextFile(
          `${dir}/server.json`,
          JSON.stringify({ storage: "memory", modules }),
        );
        const r = await cli(["serve", "--config", `${dir}/server.json`]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, message);
      });
    });
  }
  const timeout = await cli(["serve", "--memory", "--module-timeout", "0"]);
  assert.equal(timeout.code, 1);
  assert.match(timeout.stderr, /Invalid moduleTimeout/);
});

Deno.test("serve --module-timeout 0.1: a module that never settles fails its session, and the server goes on", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/hang.ts`,
      'export const info = { create: () => ({ subscription: [["slow"]], ' +
        "process: () => new Promise(() => {}) }) };\n",
    );
    await using server = await serveProcess([
      "--memory",
      "--module-timeout",
      "0.1",
      "--module",
      `${dir}/hang.ts`,
    ]);
    const failed = await cli(["register", "slow", "-a", server.address]);
    assert.equal(failed.code, 3, failed.stderr);
    assert.match(failed.stderr, /did not register the event/);
    // Other types still register, and the failed session left nothing.
    const other = await cli(["register", "other", "-a", server.address]);
    assert.equal(other.code, 0, other.stderr);
    assert.deepEqual(JSON.parse(other.stdout).type, ["other"]);
    const q = await cli([
      "query",
      "latest",
      "-t",
      "slow",
      "-t",
      "other",
      "-a",
      server.address,
    ]);
    assert.equal(q.code, 0, q.stderr);
    assert.deepEqual(
      q.stdout.trim().split("\n").map((l) => JSON.parse(l).type),
      [["other"]],
    );
    assert.match(
      server.log(),
      /ERROR Module .*hang\.ts \(0\) failed in process: did not settle within 0\.1 s/,
    );
  });
});

Deno.test("serve with a monitor: a module whose create throws when the server becomes active stops it with exit 1 and the module's message", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/bad_create.ts`,
      'export const info = { create() { throw new Error("no database"); } };\n',
    );
    await using monitor = await startMonitorServer();
    await using server = await serveProcess([
      "--memory",
      "--name",
      "a",
      "--monitor",
      `127.0.0.1:${monitor.addr.port}`,
      "--module",
      `${dir}/bad_create.ts`,
    ]);
    // It starts as a standby: the monitor's blessing makes it active.
    assert.match(server.log(), /status standby/);
    const status = await server.status;
    assert.equal(status.code, 1, server.log());
    assert.match(
      server.log(),
      /The server stopped: Module .*bad_create\.ts \(0\) failed in create: no database/,
    );
  });
});
