// The README's examples run as written (with `@hat/eventer` pointing at this
// checkout), and what it says of the Event Server's configuration holds.

import assert from "node:assert/strict";
import { DEFAULT_CONFIG, resolveConfig } from "../../event_server/config.ts";
import { SERVE_HELP } from "../../event_server/cli/serve.ts";
import { codeBlocks, readPage, runExample } from "../_markdown.ts";

const readme = await readPage("README.md");

Deno.test("the README's TypeScript examples run", async (t) => {
  const blocks = codeBlocks(readme, "ts");
  assert.ok(blocks.length > 0, "no ts example in the README");
  // The first is a complete eventer client and server.
  assert.match(blocks[0], /\blisten\(/);
  assert.match(blocks[0], /\bconnect\(/);
  for (const [i, block] of blocks.entries()) {
    await t.step(`example ${i + 1}`, () => runExample(block));
  }
});

// The README lists only the config entries that have no flag of `serve`;
// the others are the flags' names in camelCase, with a few exceptions.
const FLAG_ENTRIES: Record<string, string> = {
  "sync": "synchronous",
  "memory": "storage",
  "tls-cert": "tls",
  "tls-key": "tls",
  "monitor": "monitorComponent",
  "group": "monitorComponent",
  "peer": "peers",
  "module": "modules",
};
const NOT_ENTRIES = new Set(["config", "help"]);

function serveFlagEntries(): Set<string> {
  const entries = new Set<string>();
  for (const [, flag] of SERVE_HELP.matchAll(/--([a-z][a-z-]*)/g)) {
    if (NOT_ENTRIES.has(flag) || flag.startsWith("no-")) continue;
    entries.add(
      FLAG_ENTRIES[flag] ??
        flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
    );
  }
  return entries;
}

Deno.test("the README's config entries and serve's flags name every entry", () => {
  const [block] = codeBlocks(readme, "json");
  assert.ok(block, "no json config example in the README");
  const file = JSON.parse(block);
  resolveConfig(file);
  const fromFlags = serveFlagEntries();
  // The entries of a config file: the resolved config's keys that a file
  // may hold (resolveConfig refuses the others as unknown).
  const known = new Set(
    Object.keys(DEFAULT_CONFIG).filter((key) => {
      try {
        resolveConfig({ [key]: null });
      } catch (err) {
        if (/unknown entry/.test((err as Error).message)) return false;
      }
      return true;
    }),
  );
  for (const entry of fromFlags) {
    assert.ok(known.has(entry), `serve flag for ${entry}: no such entry`);
  }
  for (const entry of Object.keys(file)) {
    assert.ok(!fromFlags.has(entry), `${entry} has a flag: not needed here`);
  }
  const named = new Set([...fromFlags, ...Object.keys(file)]);
  assert.deepEqual([...known].filter((k) => !named.has(k)), []);
});
