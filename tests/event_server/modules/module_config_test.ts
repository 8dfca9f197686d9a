// Module entries in the configuration: where their specifiers point, and
// the order and indexes of the file's and the command line's modules.

import assert from "node:assert/strict";
import { resolveConfig } from "../../../event_server/config.ts";
import {
  cwdUrl,
  pathUrl,
  resolveModuleSpecifier,
} from "../../../event_server/modules/internal_mod.ts";

Deno.test("resolveModuleSpecifier() resolves paths against the base and keeps URLs and specifiers", async (t) => {
  const base = "file:///etc/hat/server.json";
  const cases: [string, string][] = [
    ["./a.ts", "file:///etc/hat/a.ts"],
    ["../lib/a.ts", "file:///etc/lib/a.ts"],
    [".\\win\\a.ts", "file:///etc/hat/win/a.ts"],
    ["/opt/m/a.ts", "file:///opt/m/a.ts"],
    ["/opt/my modules/#1 100%.ts", "file:///opt/my%20modules/%231%20100%25.ts"],
    ["C:\\hat\\a.ts", "file:///C:/hat/a.ts"],
    ["file:///x/a.ts", "file:///x/a.ts"],
    ["https://example.com/a.ts", "https://example.com/a.ts"],
    ["jsr:@hat/eventer/modules/deadband", "jsr:@hat/eventer/modules/deadband"],
    ["npm:some-module@1", "npm:some-module@1"],
    ["data:text/javascript,export{}", "data:text/javascript,export{}"],
    ["alarms", "alarms"],
  ];
  for (const [specifier, url] of cases) {
    await t.step(specifier, () => {
      assert.equal(resolveModuleSpecifier(specifier, base), url);
    });
  }
});

Deno.test("resolveConfig() resolves the file's modules against its base and the command line's against the working directory, after them", () => {
  const config = resolveConfig(
    { modules: [{ module: "./a.ts", limit: 1 }, { module: "/abs/b.ts" }] },
    { modules: [{ module: "./c.ts" }] },
    { base: pathUrl("/srv/hat/server.json") },
  );
  assert.deepEqual(config.modules, [
    { url: "file:///srv/hat/a.ts", conf: { module: "./a.ts", limit: 1 } },
    { url: "file:///abs/b.ts", conf: { module: "/abs/b.ts" } },
    { url: new URL("c.ts", cwdUrl()).href, conf: { module: "./c.ts" } },
  ]);
  assert.equal(config.moduleTimeout, 5);
  assert.equal(resolveConfig({ moduleTimeout: 0.5 }).moduleTimeout, 0.5);
  assert.throws(
    () => resolveConfig({}, { modules: [{ module: "" }] }),
    /Invalid --module\[0\]\.module: expected what to import/,
  );
  assert.throws(
    () =>
      resolveConfig({ modules: [{ module: "a" }] }, { modules: [{}] as never }),
    /Invalid --module\[1\]\.module/,
  );
});
