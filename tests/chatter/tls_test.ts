import assert from "node:assert/strict";
import { connect, ConnectionError } from "../../chatter/mod.ts";
import { RawPeer, startServer } from "./_peer.ts";

const hasOpenssl = await new Deno.Command("openssl", { args: ["version"] })
  .output().then((o) => o.success, () => false);

interface TestPki {
  ca: string;
  cert: string;
  key: string;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir }).output();
  if (!out.success) {
    throw new Error(
      `openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

/** A throwaway CA and a server certificate for localhost / 127.0.0.1. */
async function makePki(): Promise<TestPki> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/ext.cnf`,
      "subjectAltName=DNS:localhost,IP:127.0.0.1\n" +
        "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    );
    await openssl(
      dir,
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=chatter test CA",
    );
    await openssl(
      dir,
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=localhost",
    );
    await openssl(
      dir,
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
    );
    return {
      ca: await Deno.readTextFile(`${dir}/ca.pem`),
      cert: await Deno.readTextFile(`${dir}/server.pem`),
      key: await Deno.readTextFile(`${dir}/server.key`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const pki = hasOpenssl ? await makePki() : undefined;

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
