// `serve` runs the HTTP part beside the eventer port: each test starts the
// CLI's serve as a process and talks HTTP to it.

import assert from "node:assert/strict";
import { DEFAULT_CONFIG, resolveConfig } from "../../event_server/config.ts";
import { hasOpenssl, makePki } from "../_tls.ts";
import { CLI_MAIN, serveProcess } from "./_cli.ts";

async function serveExit(
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      CLI_MAIN.href,
      "serve",
      "--address",
      "127.0.0.1:0",
      ...args,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

async function get(
  url: string,
  init?: RequestInit & { client?: Deno.HttpClient },
): Promise<number> {
  const res = await fetch(url, init);
  await res.body?.cancel();
  return res.status;
}

Deno.test("serve: HTTP is on by default on 127.0.0.1:23080", () => {
  assert.deepEqual(DEFAULT_CONFIG.http, { hostname: "127.0.0.1", port: 23080 });
  assert.deepEqual(resolveConfig({}, { http: "off" }).http, null);
  assert.deepEqual(resolveConfig({ http: null }).http, null);
  assert.deepEqual(resolveConfig({}, { http: ":0" }).http, {
    hostname: "127.0.0.1",
    port: 0,
  });
});

Deno.test("serve: --http with port 0 logs the port it picked and serves the page, /metrics and /healthz", async () => {
  await using server = await serveProcess(["--memory"]);
  const url = server.httpUrl!;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.notEqual(new URL(url).port, "0");
  assert.match(
    server.log(),
    /web view, \/metrics and \/healthz at .* \(no token\)/,
  );
  assert.equal(await get(url), 200);
  assert.equal(await get(new URL("/healthz", url).href), 200);
  const metrics = await (await fetch(new URL("/metrics", url))).text();
  assert.match(metrics, /^hat_eventer_events_registered_total 1$/m);
});

Deno.test("serve: --http off serves no HTTP", async () => {
  await using server = await serveProcess(["--memory", "--http", "off"]);
  assert.equal(server.httpUrl, null);
  assert.equal(server.log().includes("web view"), false);
});

Deno.test("serve: an HTTP address in use exits 4 before the storage opens", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "eventer_http_" });
  try {
    const { code, stderr } = await serveExit([
      "--data-dir",
      `${dir}/data`,
      "--http",
      `127.0.0.1:${taken.addr.port}`,
    ]);
    assert.equal(code, 4, stderr);
    assert.match(stderr, /Cannot listen for HTTP on 127\.0\.0\.1:\d+/);
    await assert.rejects(
      () => Deno.stat(`${dir}/data/events.db`),
      Deno.errors.NotFound,
    );
    // and it let go of the data directory
    await using again = await serveProcess(["--data-dir", `${dir}/data`]);
    assert.match(again.log(), /listening on/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: a non-loopback HTTP address without a token exits 1 and says what to give", async () => {
  const { code, stderr } = await serveExit(["--memory", "--http", "0.0.0.0:0"]);
  assert.equal(code, 1, stderr);
  assert.match(stderr, /not a loopback address.*--http-token.*--http-open/s);
});

Deno.test("serve: on a non-loopback address the server token guards HTTP; --http-token replaces it", async () => {
  {
    await using server = await serveProcess([
      "--memory",
      "--http",
      "0.0.0.0:0",
      "--server-token",
      "st",
    ]);
    assert.match(server.log(), /\(token required\)/);
    const port = new URL(server.httpUrl!).port;
    const metrics = `http://127.0.0.1:${port}/metrics`;
    assert.equal(await get(metrics), 401);
    assert.equal(
      await get(metrics, { headers: { authorization: "Bearer st" } }),
      200,
    );
  }
  await using server = await serveProcess([
    "--memory",
    "--http",
    "0.0.0.0:0",
    "--server-token",
    "st",
    "--http-token",
    "ht",
  ]);
  const port = new URL(server.httpUrl!).port;
  const metrics = `http://127.0.0.1:${port}/metrics`;
  assert.equal(
    await get(metrics, { headers: { authorization: "Bearer st" } }),
    401,
  );
  assert.equal(
    await get(metrics, { headers: { authorization: "Bearer ht" } }),
    200,
  );
});

Deno.test("serve: --http-open serves a non-loopback address without a token", async () => {
  await using server = await serveProcess([
    "--memory",
    "--http",
    "0.0.0.0:0",
    "--http-open",
  ]);
  const port = new URL(server.httpUrl!).port;
  assert.equal(await get(`http://127.0.0.1:${port}/healthz`), 200);
});

Deno.test({
  name:
    "serve: with TLS the HTTP part speaks HTTPS with the server's certificate",
  ignore: !hasOpenssl,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "eventer_https_" });
    try {
      const pki = await makePki(dir);
      await using server = await serveProcess([
        "--memory",
        "--tls-cert",
        pki.certFile,
        "--tls-key",
        pki.keyFile,
      ]);
      const url = server.httpUrl!;
      assert.match(url, /^https:\/\//);
      using client = Deno.createHttpClient({ caCerts: [pki.ca] });
      assert.equal(await get(new URL("/healthz", url).href, { client }), 200);
      await assert.rejects(() => get(url.replace("https:", "http:")));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
