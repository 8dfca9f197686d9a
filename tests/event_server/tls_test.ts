import assert from "node:assert/strict";
import { resolveConfig } from "../../event_server/config.ts";
import { createLogger } from "../../event_server/log.ts";
import { startEventServer } from "../../event_server/main.ts";
import { cli } from "./_cli.ts";

const hasOpenssl = await new Deno.Command("openssl", { args: ["version"] })
  .output().then((o) => o.success, () => false);

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir }).output();
  if (!out.success) {
    throw new Error(`openssl failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Writes ca.pem, server.pem and server.key (for 127.0.0.1) into `dir`. */
async function makePki(dir: string): Promise<void> {
  await openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=test ca",
  );
  await openssl(
    dir,
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=localhost",
  );
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
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
}

Deno.test({
  name:
    "serve with TLS: the CLI registers over TLS trusting the CA, and fails without it",
  ignore: !hasOpenssl,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "eventer_tls_" });
    try {
      await makePki(dir);
      await using running = await startEventServer(
        resolveConfig({
          address: "127.0.0.1:0",
          storage: "memory",
          tls: { cert: `${dir}/server.pem`, key: `${dir}/server.key` },
        }),
        { log: createLogger("error") },
      );
      const { port } = running.engine.addrs[0];
      const address = `127.0.0.1:${port}`;
      const ok = await cli([
        "register",
        "tls/x",
        "--payload",
        "1",
        "--ca-cert",
        `${dir}/ca.pem`,
        "-a",
        address,
      ]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.deepEqual(JSON.parse(ok.stdout).type, ["tls", "x"]);
      const untrusted = await cli([
        "register",
        "tls/x",
        "--tls",
        "-a",
        address,
      ]);
      assert.equal(untrusted.code, 2);
      assert.match(untrusted.stderr, /Cannot connect/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("serve with TLS files that cannot be read does not start", async () => {
  await assert.rejects(
    () =>
      startEventServer(
        resolveConfig({
          address: "127.0.0.1:0",
          storage: "memory",
          tls: { cert: "/nonexistent/cert.pem", key: "/nonexistent/key.pem" },
        }),
        { log: createLogger("error") },
      ),
    /Cannot read TLS certificate or key/,
  );
});
