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

Deno.test("binary payloads of one received message share one buffer of just their bytes", async () => {
  const build = registerCallback();
  await using server = await listen(LOOPBACK, {
    onRegister: (info, events) => build(info, events),
  });
  await using client = await connect(server.addrs[0], "c");
  const sizes = [0, 3, 100, 1, 70_000, 5];
  const registered = await client.register(
    sizes.map((n, i) => ({
      type: ["bin", String(i)],
      sourceTimestamp: null,
      payload: i === 2 ? { kind: "json", data: { i } } : {
        kind: "binary",
        type: `t${i}`,
        data: Uint8Array.from({ length: n }, (_, k) => (k + i) & 0xff),
      },
    })),
    { withResponse: true },
  );
  assert.ok(registered !== null);
  const total = sizes.reduce((a, n, i) => a + (i === 2 ? 0 : n), 0);
  let buffer: ArrayBufferLike | undefined;
  registered.forEach((e, i) => {
    const p = e.payload!;
    if (i === 2) {
      assert.deepEqual(p, { kind: "json", data: { i: 2 } });
      return;
    }
    assert.ok(p.kind === "binary");
    assert.equal(p.type, `t${i}`);
    assert.deepEqual(
      p.data,
      Uint8Array.from({ length: sizes[i] }, (_, k) => (k + i) & 0xff),
    );
    buffer ??= p.data.buffer;
    assert.equal(p.data.buffer, buffer, "one buffer per message");
  });
  assert.equal(buffer!.byteLength, total, "holding only the payloads' bytes");
});
