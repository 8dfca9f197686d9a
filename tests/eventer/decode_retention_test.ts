// A client's decoding keeps nothing of a received message alive once the
// application no longer refers to it (the batch JSON parser and the type
// runs are module-level state).

import assert from "node:assert/strict";

const CASES = [
  "binary payloads",
  "no payloads",
  "json payloads",
  "an invalid message",
];

Deno.test("the bytes of the last decoded notification are freed whatever its payloads, and after a failed decode", async () => {
  const script = new URL("./_decode_retention.ts", import.meta.url);
  const freed = await Promise.all(CASES.map(async (name) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--v8-flags=--expose-gc", script.pathname, name],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    return [name, JSON.parse(new TextDecoder().decode(out.stdout))];
  }));
  assert.deepEqual(Object.fromEntries(freed), {
    "binary payloads": true,
    "no payloads": true,
    "json payloads": true,
    "an invalid message": true,
  });
});
