// Who owns the bytes of binary payloads: events a client receives are the
// application's to keep (copies); register events a server callback gets are
// views of the receive buffer (documented on onRegister).

import assert from "node:assert/strict";
import { connect } from "../../client.ts";
import { listen } from "../../server.ts";
import type { RegisterEvent } from "../../event/mod.ts";
import { LOOPBACK, registerCallback } from "./_helpers.ts";

Deno.test("a client's received binary payloads own their bytes", async () => {
  const seen: RegisterEvent[] = [];
  const build = registerCallback();
  await using server = await listen(LOOPBACK, {
    onRegister: async (info, events) => {
      seen.push(...events);
      const registered = build(info, events);
      await server.notifyEvents(registered);
      return registered;
    },
  });
  await using client = await connect(server.addrs[0], "c", {
    subscriptions: [["bin"]],
  });
  const data = new Uint8Array([1, 2, 3, 250]);
  const registered = await client.register([{
    type: ["bin"],
    sourceTimestamp: null,
    payload: { kind: "binary", type: "raw", data },
  }], { withResponse: true });

  for await (const events of client.events()) {
    const payload = events[0].payload;
    assert.ok(payload?.kind === "binary");
    assert.deepEqual(payload.data, data);
    assert.equal(payload.data.byteOffset, 0);
    assert.equal(payload.data.buffer.byteLength, data.length);
    break;
  }
  const answered = registered?.[0].payload;
  assert.ok(answered?.kind === "binary");
  assert.equal(answered.data.buffer.byteLength, data.length);

  // The server side gets a view into the (larger) receive buffer.
  const got = seen[0].payload;
  assert.ok(got?.kind === "binary");
  assert.deepEqual(got.data, data);
  assert.ok(got.data.buffer.byteLength > data.length);
});
