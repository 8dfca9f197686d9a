// The module examples of README.md and docs/modules.md do what the text
// says: each `// alarms.ts` block, loaded by `serve --module`, raises its
// alarm; the test of docs/modules.md passes against that module.

import assert from "node:assert/strict";
import { cli, serveProcess } from "../_cli.ts";

const ROOT = new URL("../../../", import.meta.url);

/** The ```ts ignore blocks of a Markdown file that start with `first`. */
async function blocks(file: string, first: string): Promise<string[]> {
  const text = await Deno.readTextFile(new URL(file, ROOT));
  return [...text.matchAll(/```ts ignore\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .filter((code) => code.startsWith(first));
}

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "eventer_docs_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const file of ["README.md", "docs/modules.md"]) {
  Deno.test(`${file}: the alarms.ts example, loaded by serve --module, raises its alarm`, async () => {
    const [module] = await blocks(file, "// alarms.ts");
    assert.ok(module !== undefined, "an // alarms.ts block");
    await inTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/alarms.ts`, module);
      await using server = await serveProcess([
        "--memory",
        "--module",
        `${dir}/alarms.ts`,
      ]);
      const a = ["-a", server.address];
      for (const value of ["85", "12"]) {
        const r = await cli([
          "register",
          "gateway/g1/data/temp",
          "--payload",
          value,
          ...a,
        ]);
        assert.equal(r.code, 0, r.stderr);
      }
      const q = await cli(["query", "timeseries", "--type", "alarm/*", ...a]);
      assert.equal(q.code, 0, q.stderr);
      const alarms = q.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(alarms.map((e) => e.type), [[
        "alarm",
        "gateway",
        "g1",
        "data",
        "temp",
      ]]);
    });
  });
}

Deno.test("docs/modules.md: its module test passes against its alarms.ts", async () => {
  const [module] = await blocks("docs/modules.md", "// alarms.ts");
  const [test] = await blocks(
    "docs/modules.md",
    'import { connect } from "jsr:',
  );
  assert.ok(test !== undefined, "the test block");
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/alarms.ts`, module);
    await Deno.writeTextFile(
      `${dir}/alarms_test.ts`,
      test
        .replace(
          '"jsr:@hat/eventer/modules"',
          JSON.stringify(new URL("event_server/modules/mod.ts", ROOT).href),
        )
        .replace(
          '"jsr:@hat/eventer"',
          JSON.stringify(new URL("mod.ts", ROOT).href),
        ),
    );
    // The example module is plain JavaScript in a .ts file: run unchecked,
    // as `serve` imports it.
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "-A",
        "--no-check",
        "--no-config",
        `${dir}/alarms_test.ts`,
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) +
      new TextDecoder().decode(out.stderr);
    assert.ok(out.success, text);
    assert.match(text, /1 passed/);
  });
});
