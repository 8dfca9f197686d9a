import assert from "node:assert/strict";
import { httpTokenOf, resolveConfig } from "../../../event_server/config.ts";
import { ConfigError } from "../../../event_server/errors.ts";
import { live, rawGet, startWeb } from "./_web.ts";

const TOKEN = "s3cret-token";

async function status(url: URL, init?: RequestInit): Promise<number> {
  const res = await fetch(url, { redirect: "manual", ...init });
  await res.body?.cancel();
  return res.status;
}

Deno.test("on loopback without a token every request is allowed", async () => {
  await using web = await startWeb();
  assert.equal(web.http.guarded, false);
  for (const path of ["/", "/metrics", "/healthz", "/api/status"]) {
    assert.equal(await status(web.at(path)), 200, path);
  }
});

Deno.test("with a token a request without it is refused, for the page and the API", async () => {
  await using web = await startWeb({ token: TOKEN });
  for (const path of ["/metrics", "/healthz", "/api/status", "/page.js"]) {
    const res = await fetch(web.at(path));
    assert.equal(res.status, 401, path);
    assert.equal(
      res.headers.get("www-authenticate"),
      'Bearer realm="hat-eventer"',
    );
    assert.match((await res.json()).error, /token is needed/);
  }
  const page = await fetch(web.url);
  assert.equal(page.status, 401);
  assert.match(await page.text(), /open the page once as \/\?token=/);
});

Deno.test("Authorization: Bearer with the token is allowed, with another token refused", async () => {
  await using web = await startWeb({ token: TOKEN });
  const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
  assert.equal(await status(web.at("/metrics"), bearer(TOKEN)), 200);
  assert.equal(await status(web.at("/api/status"), bearer(TOKEN)), 200);
  assert.equal(await status(web.at("/metrics"), bearer("wrong")), 401);
  assert.equal(await status(web.at("/metrics"), bearer(TOKEN + "x")), 401);
  assert.equal(await status(web.at("/metrics"), bearer("")), 401);
});

Deno.test("?token= once sets a cookie that lets the page, the API and the WebSocket in", async () => {
  await using web = await startWeb({ token: TOKEN });
  const login = await fetch(web.at(`/?token=${TOKEN}&x=1`), {
    redirect: "manual",
  });
  await login.body?.cancel();
  assert.equal(login.status, 303);
  assert.equal(login.headers.get("location"), "/?x=1");
  const setCookie = login.headers.get("set-cookie")!;
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.equal(setCookie.includes(TOKEN), false, "the cookie is not the token");
  const cookie = setCookie.split(";")[0];
  assert.equal(await status(web.at("/"), { headers: { cookie } }), 200);
  assert.equal(
    await status(web.at("/api/status"), { headers: { cookie } }),
    200,
  );
  await using page = await live(web.url, { cookie });
  page.watch({ latest: [] });
  await page.next((u) => u.status !== undefined, "a status update");
  assert.equal(
    await status(web.at("/api/status"), {
      headers: { cookie: "hat_eventer_session=forged" },
    }),
    401,
  );
  await assert.rejects(() => live(web.url), /WebSocket/);
});

Deno.test("a wrong ?token= is refused and sets no cookie", async () => {
  await using web = await startWeb({ token: TOKEN });
  const res = await fetch(web.at("/?token=nope"), { redirect: "manual" });
  await res.body?.cancel();
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("set-cookie"), null);
});

Deno.test("a request from another site's page is refused, token or not", async () => {
  await using open = await startWeb();
  const evil = { headers: { origin: "http://evil.example" } };
  assert.equal(await status(open.at("/api/status"), evil), 403);
  const own = { headers: { origin: new URL(open.url).origin } };
  assert.equal(await status(open.at("/api/status"), own), 200);
  await using guarded = await startWeb({ token: TOKEN });
  assert.equal(
    await status(guarded.at("/metrics"), {
      headers: {
        origin: "http://evil.example",
        authorization: `Bearer ${TOKEN}`,
      },
    }),
    403,
  );
});

Deno.test("on loopback a request naming another host is refused (DNS rebinding)", async () => {
  await using web = await startWeb();
  assert.equal(await rawGet(web.url, "/api/status", "evil.example:23080"), 403);
  assert.equal(await rawGet(web.url, "/api/status", "localhost:23080"), 200);
  assert.equal(await rawGet(web.url, "/api/status", "127.0.0.1"), 200);
});

Deno.test("on a non-loopback address any host name is served, with the token", async () => {
  await using web = await startWeb({ hostname: "0.0.0.0", token: TOKEN });
  assert.equal(await rawGet(web.url, "/healthz", "eventer.example"), 401);
});

Deno.test("httpTokenOf() requires a token off loopback: httpToken, else the server token, unless httpOpen", async (t) => {
  const cases: [string, Record<string, unknown>, string | null][] = [
    ["loopback, nothing", {}, null],
    ["loopback, server token only", { serverToken: "st" }, null],
    ["loopback, httpToken", { httpToken: "ht" }, "ht"],
    ["any address, httpToken", {
      http: "0.0.0.0:1",
      httpToken: "ht",
      serverToken: "st",
    }, "ht"],
    [
      "any address, server token",
      { http: "0.0.0.0:1", serverToken: "st" },
      "st",
    ],
    ["any address, httpOpen", {
      http: "[::]:1",
      httpOpen: true,
      serverToken: "st",
    }, null],
    ["off", { http: "off" }, null],
  ];
  for (const [name, file, token] of cases) {
    await t.step(
      name,
      () => assert.equal(httpTokenOf(resolveConfig(file)), token),
    );
  }
  await t.step("any address, no token, not open", () => {
    assert.throws(
      () => resolveConfig({ http: "192.0.2.1:8080" }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /192\.0\.2\.1:8080 is not a loopback address/.test(e.message) &&
        /--http-token/.test(e.message),
    );
  });
  await t.step("httpOpen and httpToken together", () => {
    assert.throws(
      () => resolveConfig({ httpOpen: true, httpToken: "x" }),
      /drop one/,
    );
  });
});
