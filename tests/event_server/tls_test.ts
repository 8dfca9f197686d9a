import assert from "node:assert/strict";
import { resolveConfig } from "../../event_server/config.ts";
import { createLogger } from "../../event_server/log.ts";
import { startEventServer } from "../../event_server/main.ts";
import { cli } from "./_cli.ts";
import { hasOpenssl, makePki } from "../_tls.ts";

Deno.test({
  name:
    "serve with TLS: the CLI registers over TLS trusting the CA, and fails without it or without --tls (which it hints at)",
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
          http: "off",
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
      const plain = await cli(["register", "tls/x", "-a", address]);
      assert.equal(plain.code, 2);
      assert.match(
        plain.stderr,
        /did not answer as an eventer server .*connect with --tls/,
      );
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
          http: "off",
        }),
        { log: createLogger("error") },
      ),
    /Cannot read TLS certificate or key/,
  );
});
