// What docs/operating.md says of the Event Server's configuration holds:
// its JSON example lists exactly the entries that have no flag of `serve`,
// and the flags name every other entry.

import assert from "node:assert/strict";
import { DEFAULT_CONFIG, resolveConfig } from "../../event_server/config.ts";
import { SERVE_HELP } from "../../event_server/cli/serve.ts";
import { codeBlocks, readPage } from "../_markdown.ts";

const page = await readPage("docs/operating.md");

// The page lists only the config entries that have no flag of `serve`;
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

Deno.test("docs/operating.md's config entries and serve's flags name every entry", () => {
  const [block] = codeBlocks(page, "json");
  assert.ok(block, "no json config example in docs/operating.md");
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
