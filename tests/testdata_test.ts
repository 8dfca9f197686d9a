// The golden files are the ones the Python reference wrote: a file edited
// to make a test pass (or reformatted) fails here before it misleads.

import assert from "node:assert/strict";
import { toHex } from "./_vectors.ts";

const DIR = new URL("./testdata/", import.meta.url);

async function sha256(url: URL): Promise<string> {
  const bytes = await Deno.readFile(url);
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

async function listed(): Promise<Map<string, string>> {
  const text = await Deno.readTextFile(new URL("SHA256SUMS", DIR));
  const sums = new Map<string, string>();
  for (const line of text.split("\n").filter((l) => l !== "")) {
    const [sum, path] = line.split(/\s+/);
    sums.set(path, sum);
  }
  return sums;
}

Deno.test("every golden file has the checksum it was recorded with", async () => {
  const sums = await listed();
  assert.ok(sums.size > 0);
  for (const [path, sum] of sums) {
    assert.equal(await sha256(new URL(path, DIR)), sum, path);
  }
});

/** Every file under testdata/ but the READMEs and SHA256SUMS itself. */
async function* goldenFiles(dir = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(new URL(dir, DIR))) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) yield* goldenFiles(`${path}/`);
    else if (entry.name !== "README.md" && path !== "SHA256SUMS") yield path;
  }
}

Deno.test("every golden file is listed in SHA256SUMS, and only those", async () => {
  const found: string[] = [];
  for await (const path of goldenFiles()) found.push(path);
  assert.deepEqual(found.sort(), [...(await listed()).keys()].sort());
});
