import assert from "node:assert/strict";
import type {
  WebQueryResult,
  WebStatus,
  WebTypeList,
} from "../../../event_server/http/mod.ts";
import { connect } from "../../../client.ts";
import { within } from "../../_within.ts";
import { jsonEvent, startWeb } from "./_web.ts";

async function getJson<T>(url: URL, init?: RequestInit): Promise<[number, T]> {
  const res = await fetch(url, init);
  return [res.status, await res.json() as T];
}

function post(body: unknown): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

Deno.test("GET / serves the page with its script and style, and a strict CSP", async () => {
  await using web = await startWeb();
  const page = await fetch(web.url);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type")!, /^text\/html/);
  assert.match(
    page.headers.get("content-security-policy")!,
    /script-src 'self'/,
  );
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");
  const html = await page.text();
  assert.match(html, /<script[^>]+src="\/page\.js"/);
  assert.match(html, /<link[^>]+href="\/page\.css"/);
  const js = await fetch(web.at("/page.js"));
  assert.match(js.headers.get("content-type")!, /^text\/javascript/);
  assert.ok((await js.text()).length > 10_000);
  const etag = page.headers.get("etag")!;
  const again = await fetch(web.url, { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  await again.body?.cancel();
});

Deno.test("GET /api/status gives the status, counters, storage and connections", async () => {
  await using web = await startWeb();
  await using _client = await connect(web.engine.addrs[0], "gui", {
    subscriptions: [["a", "*"]],
  });
  web.engine.register([jsonEvent(["a", "b"], 1), jsonEvent(["a", "c"], 2)]);
  const [code, status] = await getJson<WebStatus>(web.at("/api/status"));
  assert.equal(code, 200);
  assert.equal(status.serverId, 1);
  assert.equal(status.status, "operational");
  assert.deepEqual(status.addresses, [
    `127.0.0.1:${web.engine.addrs[0].port}`,
  ]);
  // STARTED, CONNECTED of gui, and the two
  assert.equal(status.counters.registered, 4);
  assert.equal(status.stored?.events, 4);
  assert.equal(status.connectionCount, 1);
  assert.deepEqual(status.connections.map((c) => [c.name, c.subscriptions]), [
    ["gui", [["a", "*"]]],
  ]);
  assert.equal(typeof status.connections[0].bytesWaiting, "number");
  assert.ok(status.rss > 0);
});

Deno.test("GET /api/types lists one level of the type tree, sorted naturally, paged and filtered", async () => {
  await using web = await startWeb();
  const events = [];
  for (let i = 1; i <= 25; i++) {
    events.push(jsonEvent(["plant", `dev${i}`, "temp"], i));
  }
  events.push(jsonEvent(["plant"], "root"));
  web.engine.register(events);
  const types = (prefix: string[], query = "") =>
    getJson<WebTypeList>(
      web.at(
        `/api/types?prefix=${
          encodeURIComponent(JSON.stringify(prefix))
        }${query}`,
      ),
    );
  const [, top] = await types([]);
  assert.deepEqual(top.children.map((c) => c.segment), ["event", "plant"]);
  assert.deepEqual(top.children[1], {
    segment: "plant",
    isType: true,
    children: 25,
  });
  const [, page] = await types(["plant"], "&offset=8&limit=3");
  assert.equal(page.total, 25);
  assert.deepEqual(page.children.map((c) => c.segment), [
    "dev9",
    "dev10",
    "dev11",
  ]);
  const [, matched] = await types(["plant"], "&match=DEV2");
  assert.deepEqual(
    matched.children.map((c) => c.segment),
    ["dev2", "dev20", "dev21", "dev22", "dev23", "dev24", "dev25"],
  );
  web.engine.register([jsonEvent(["plant", "dev0", "temp"], 0)]);
  const [, grown] = await types(["plant"], "&limit=2");
  assert.equal(grown.total, 26);
  assert.deepEqual(grown.children.map((c) => c.segment), ["dev0", "dev1"]);
  const [bad, error] = await getJson<{ error: string }>(
    web.at("/api/types?prefix=oops"),
  );
  assert.equal(bad, 400);
  assert.match(error.error, /Invalid prefix/);
});

Deno.test("POST /api/query answers the three kinds, and pages timeseries", async () => {
  await using web = await startWeb();
  for (let i = 0; i < 5; i++) {
    web.engine.register([jsonEvent(["q", "x"], i)]);
  }
  const [, latest] = await getJson<WebQueryResult>(
    web.at("/api/query"),
    post({ kind: "latest", eventTypes: [["q", "*"]] }),
  );
  assert.deepEqual(latest.events.map((e) => e.payload), [
    { kind: "json", text: "4" },
  ]);
  const [, first] = await getJson<WebQueryResult>(
    web.at("/api/query"),
    post({ kind: "timeseries", eventTypes: [["q", "x"]], maxResults: 2 }),
  );
  assert.equal(first.moreFollows, true);
  assert.deepEqual(first.events.map((e) => e.payload), [
    { kind: "json", text: "4" },
    { kind: "json", text: "3" },
  ]);
  const [, second] = await getJson<WebQueryResult>(
    web.at("/api/query"),
    post({
      kind: "timeseries",
      eventTypes: [["q", "x"]],
      maxResults: 2,
      lastEventId: first.events[1].id,
    }),
  );
  assert.deepEqual(second.events.map((e) => e.payload), [
    { kind: "json", text: "2" },
    { kind: "json", text: "1" },
  ]);
  const [, server] = await getJson<WebQueryResult>(
    web.at("/api/query"),
    post({ kind: "server", serverId: 1, lastEventId: second.events[1].id }),
  );
  assert.deepEqual(server.events.map((e) => e.payload), [
    { kind: "json", text: "2" },
    { kind: "json", text: "3" },
    { kind: "json", text: "4" },
  ]);
  assert.equal(server.moreFollows, false);
});

Deno.test("POST /api/query shows binary payloads by their first bytes and cuts long JSON text", async () => {
  await using web = await startWeb();
  web.engine.register([
    {
      type: ["bin"],
      sourceTimestamp: { s: 10, us: 5 },
      payload: {
        kind: "binary",
        type: "raw",
        data: new Uint8Array(100).fill(0xab),
      },
    },
    jsonEvent(["long"], "x".repeat(70_000)),
  ]);
  const [, bin] = await getJson<WebQueryResult>(
    web.at("/api/query"),
    post({ kind: "latest", eventTypes: [["bin"]] }),
  );
  assert.deepEqual(bin.events[0].sourceTimestamp, [10, 5]);
  assert.deepEqual(bin.events[0].payload, {
    kind: "binary",
    type: "raw",
    hex: "ab".repeat(64),
    size: 100,
  });
  const [, long] = await getJson<WebQueryResult>(
    web.at("/api/query"),
    post({ kind: "latest", eventTypes: [["long"]] }),
  );
  const p = long.events[0].payload;
  assert.ok(p?.kind === "json");
  assert.equal(p.text.length, 65536);
  assert.equal(p.length, 70_002);
});

Deno.test("POST /api/query names what is wrong with a bad query", async (t) => {
  await using web = await startWeb();
  const cases: [string, RequestInit, RegExp][] = [
    ["not JSON", { ...post(0), body: "{" }, /Invalid JSON/],
    ["no kind", post({}), /Invalid kind/],
    [
      "an unknown field",
      post({ kind: "latest", max: 1 }),
      /Unknown field "max"/,
    ],
    [
      "a bad type",
      post({ kind: "latest", eventTypes: [["*", "a"]] }),
      /Invalid eventTypes\[0\]/,
    ],
    [
      "a bad timestamp",
      post({ kind: "timeseries", tFrom: [1, 2e6] }),
      /Invalid tFrom/,
    ],
    [
      "a bad maxResults",
      post({ kind: "timeseries", maxResults: 0 }),
      /Invalid maxResults/,
    ],
    [
      "another server's lastEventId",
      post({ kind: "server", serverId: 1, lastEventId: [2, 1, 1] }),
      /belongs to server 2/,
    ],
    [
      "no JSON content type",
      { method: "POST", body: "{}" },
      /Expected a JSON body/,
    ],
  ];
  for (const [name, init, message] of cases) {
    await t.step(name, async () => {
      const [code, body] = await getJson<{ error: string }>(
        web.at("/api/query"),
        init,
      );
      assert.equal(code, 400);
      assert.match(body.error, message);
    });
  }
});

/**
 * Sends a POST of /api/query over a plain TCP socket: `head` (extra
 * header lines), then the chunks `body` writes, and never the body's end;
 * resolves with the answer's status line and body as soon as it comes.
 */
async function rawPost(
  url: string,
  head: string,
  body: (write: (bytes: Uint8Array) => Promise<unknown>) => Promise<void>,
): Promise<[number, string]> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const writing = (async () => {
    await conn.write(new TextEncoder().encode(
      `POST /api/query HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
        `Content-Type: application/json\r\n${head}\r\n`,
    ));
    await body((bytes) => conn.write(bytes));
  })().catch(() => {}); // the server may close before all is written
  try {
    let text = "";
    const buf = new Uint8Array(4096);
    for (;;) {
      const end = text.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(text);
      if (end >= 0 && length && text.length >= end + 4 + Number(length[1])) {
        return [
          Number(/^HTTP\/1\.1 (\d+)/.exec(text)![1]),
          text.slice(end + 4, end + 4 + Number(length[1])),
        ];
      }
      const n = await conn.read(buf);
      if (n === null) throw new Error(`The server closed: ${text}`);
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
  } finally {
    conn.close();
    await writing;
  }
}

Deno.test("POST /api/query refuses a body over 1 MiB with 413 before reading it", async () => {
  await using web = await startWeb();
  // Declared: answered at once, nothing of the body is sent.
  const [code, body] = await within(
    rawPost(web.url, "Content-Length: 100000000\r\n", async () => {}),
    20_000,
    "the answer to a declared 100 MB body",
  );
  assert.equal(code, 413);
  assert.match(
    JSON.parse(body).error,
    /^Query too large: 100000000 bytes, at most 1048576 are taken$/,
  );
});

Deno.test("POST /api/query stops reading a streamed body at 1 MiB and answers 413", async () => {
  await using web = await startWeb();
  // Chunked, without a length, and never ended: only stopping at the
  // limit gives an answer.
  const chunk = new TextEncoder().encode(
    `10000\r\n${" ".repeat(0x10000)}\r\n`,
  );
  const [code, body] = await within(
    rawPost(web.url, "Transfer-Encoding: chunked\r\n", async (write) => {
      for (let sent = 0; sent <= 2 << 20; sent += 0x10000) await write(chunk);
    }),
    20_000,
    "the answer to a streamed body of 2 MiB",
  );
  assert.equal(code, 413);
  assert.match(
    JSON.parse(body).error,
    /^Query too large: more than 1048576 bytes/,
  );
});

Deno.test("the HTTP part answers 404 for an unknown path and 405 for a wrong method", async () => {
  await using web = await startWeb();
  const [missing] = await getJson(web.at("/nothing"));
  assert.equal(missing, 404);
  const res = await fetch(web.at("/api/query"));
  assert.equal(res.status, 405);
  assert.equal(res.headers.get("allow"), "POST");
  await res.body?.cancel();
  const live = await fetch(web.at("/api/live"));
  assert.equal(live.status, 426);
  await live.body?.cancel();
});
