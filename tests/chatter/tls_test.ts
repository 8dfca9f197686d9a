import assert from "node:assert/strict";
import { connect, ConnectionError } from "../../chatter/mod.ts";
import { RawPeer, startServer } from "./_peer.ts";
import { hasOpenssl, makePki, type TestPki } from "../_tls.ts";

async function testPki(): Promise<TestPki> {
  const dir = await Deno.makeTempDir();
  try {
    return await makePki(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const pki = hasOpenssl ? await testPki() : undefined;

Deno.test({
  name: "messages round-trip over TLS with a certificate of a private CA",
  ignore: pki === undefined,
  async fn() {
    const { ca, cert, key } = pki!;
    await using server = await startServer(async (conn) => {
      for await (const msg of conn) await conn.send(msg, { conv: msg.conv });
    }, { tls: { cert, key }, pingDelay: null });
    const addr = server.server.addrs[0];
    for (const hostname of [undefined, "localhost"]) {
      await using conn = await connect(addr, {
        tls: { caCerts: [ca], hostname },
        pingDelay: null,
      });
      const data = new Uint8Array(100_000).map((_, i) => (i * 31) ^ (i >> 8));
      const conv = await conn.send({ type: "Blob", data }, { last: false });
      const echo = await conn.receive();
      assert.deepEqual(echo.conv, conv);
      assert.deepEqual(echo.data, data);
    }
  },
});

Deno.test({
  name:
    "a TLS client refuses a server it does not trust, and the server carries on",
  ignore: pki === undefined,
  async fn() {
    const { ca, cert, key } = pki!;
    await using server = await startServer(() => {}, {
      tls: { cert, key },
      pingDelay: null,
    });
    const addr = server.server.addrs[0];
    await assert.rejects(connect(addr, { tls: {} }), ConnectionError);
    await assert.rejects(
      connect(addr, { tls: { caCerts: [ca], hostname: "example.com" } }),
      ConnectionError,
    );
    // A plain TCP peer speaking chatter to the TLS port is cut off alone.
    const peer = await RawPeer.connect(addr);
    await peer.write(new Uint8Array([1, 3, 0x81, 0x81, 0x01]));
    await peer.readToEnd();
    peer.close();
    await using good = await connect(addr, {
      tls: { caCerts: [ca] },
      pingDelay: null,
    });
    assert.ok(good.isOpen);
  },
});

Deno.test({
  name: "aborting connect() during a TLS handshake rejects with the reason",
  async fn() {
    // A plain listener that never answers the handshake.
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const ac = new AbortController();
    const connecting = connect(listener.addr, { tls: {}, signal: ac.signal });
    const silent = await listener.accept();
    ac.abort(new Error("gave up"));
    await assert.rejects(connecting, /gave up/);
    silent.close();
  },
});
