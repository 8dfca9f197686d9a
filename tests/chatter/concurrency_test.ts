import assert from "node:assert/strict";
import { connect } from "../../chatter/mod.ts";
import { startServer } from "./_peer.ts";

Deno.test("200 concurrent connections exchange messages with one server", async () => {
  const CLIENTS = 200;
  const PER_CLIENT = 20;
  await using server = await startServer(async (conn) => {
    for await (const msg of conn) {
      // Reply with the request reversed, in its conversation.
      await conn.send({ type: "Res", data: msg.data.toReversed() }, {
        conv: msg.conv,
      });
    }
  }, { pingDelay: null });
  const addr = server.server.addrs[0];
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, () => connect(addr, { pingDelay: null })),
  );
  try {
    await Promise.all(clients.map(async (conn, c) => {
      const convs = [];
      for (let i = 0; i < PER_CLIENT; i++) {
        convs.push(
          await conn.send({
            type: "Req",
            data: new Uint8Array([c & 0xff, c >> 8, i]),
          }, { last: false }),
        );
      }
      for (let i = 0; i < PER_CLIENT; i++) {
        const res = await conn.receive();
        assert.deepEqual(res.conv, convs[i]);
        assert.deepEqual(res.data, new Uint8Array([i, c >> 8, c & 0xff]));
      }
    }));
    assert.equal(server.server.connections.size, CLIENTS);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  assert.deepEqual(server.errors, []);
});
