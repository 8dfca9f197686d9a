// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { type Engine, startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { cli, CLI_MAIN, connectionWatcher, TextSink } from "./_cli.ts";
import { within } from "../_within.ts";

async function start(
  options: { serverToken?: string } = {},
): Promise<[Engine, string]> {
  const engine = await startEngine({ hostname: "127.0.0.1", port: 0 }, {
    storage: new MemoryStorage(),
    onError: () => {},
    ...options,
  });
  const { hostname, port } = engine.addrs[0];
  return [engine, `${hostname}:${port}`];
}

function jsonLines(text: string): any[] {
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

Deno.test("cli: every command has --help", async () => {
  for (
    const args of [
      [],
      ["--help"],
      ["serve", "--help"],
      ["register", "-h"],
      ["query", "--help"],
      ["query", "timeseries", "--help"],
      ["subscribe", "--help"],
    ]
  ) {
    const run = await cli(args);
    assert.equal(run.code, args.length === 0 ? 1 : 0, args.join(" "));
    assert.match(run.stdout, /Usage: hat-eventer/);
  }
});

Deno.test("cli: register prints the event as registered; query finds it", async () => {
  const [engine, address] = await start();
  await using _ = engine;
  const reg = await cli([
    "register",
    "gateway/dev1/data",
    "--payload",
    '{"value": 21.5, "quality": "good"}',
    "--source-timestamp",
    "1732540000.123456",
    "-a",
    address,
  ]);
  assert.equal(reg.code, 0, reg.stderr);
  const [event] = jsonLines(reg.stdout);
  assert.deepEqual(event.type, ["gateway", "dev1", "data"]);
  assert.deepEqual(event.sourceTimestamp, { s: 1732540000, us: 123456 });
  assert.deepEqual(event.payload, {
    kind: "json",
    data: { value: 21.5, quality: "good" },
  });
  const latest = await cli([
    "query",
    "latest",
    "--type",
    "gateway/*",
    "-a",
    address,
  ]);
  assert.equal(latest.code, 0);
  assert.deepEqual(jsonLines(latest.stdout), [event]);
  const table = await cli([
    "query",
    "timeseries",
    "-t",
    "gateway/?/data",
    "-f",
    "table",
    "-a",
    address,
  ]);
  assert.match(table.stdout, /^ID\s+TYPE/);
  assert.match(
    table.stdout,
    /gateway\/dev1\/data\s+\S+\s+2024-11-25T13:06:40\.123456Z\s+\{"value":21\.5/,
  );
});

Deno.test("cli: register takes JSON and binary payloads from stdin", async () => {
  const [engine, address] = await start();
  await using _ = engine;
  const json = await cli([
    "register",
    "a",
    "--payload-file",
    "-",
    "-a",
    address,
  ], {
    stdin: '{"from": "stdin", "list": [1, null]}\n',
  });
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(jsonLines(json.stdout)[0].payload, {
    kind: "json",
    data: { from: "stdin", list: [1, null] },
  });
  const binary = await cli([
    "register",
    "b",
    "--binary",
    "raw",
    "--payload-file",
    "-",
    "-a",
    address,
  ], {
    stdin: new Uint8Array([0, 1, 2, 127, 128, 255]),
  });
  assert.equal(binary.code, 0, binary.stderr);
  assert.deepEqual(jsonLines(binary.stdout)[0].payload, {
    kind: "binary",
    type: "raw",
    data: "AAECf4D/",
  });
  const hex = await cli([
    "register",
    "c",
    "-b",
    "t",
    "--payload-hex",
    "00ff",
    "-a",
    address,
  ]);
  assert.equal(jsonLines(hex.stdout)[0].payload.data, "AP8=");
});

Deno.test("cli: bad input exits 1 with a clear message", async () => {
  const [engine, address] = await start();
  await using _ = engine;
  const cases: [string[], RegExp, string?][] = [
    [
      ["register", "a", "--payload", "{oops}", "-a", address],
      /Invalid JSON in --payload/,
    ],
    [
      ["register", "a", "--payload-file", "-", "-a", address],
      /Invalid JSON in stdin/,
      "not json",
    ],
    [["register", "a/*", "-a", address], /"\*" is a query wildcard/],
    [["register", "-a", address], /exactly one event TYPE/],
    [
      ["register", "a", "--payload-file", "/nonexistent/file", "-a", address],
      /Cannot read \/nonexistent\/file/,
    ],
    [["register", "a", "--payload-hex", "00", "-a", address], /needs --binary/],
    [
      ["query", "timeseries", "--from", "yesterday", "-a", address],
      /Invalid --from yesterday/,
    ],
    [
      ["query", "timeseries", "--order", "up", "-a", address],
      /Invalid --order up/,
    ],
    [["query", "server", "-n", "x", "-a", address], /Invalid --max-results/],
    [
      // the server would close the connection on it
      ["query", "server", "--last-event-id", "2/1/1", "-a", address],
      /its server 2 is not --server-id 1/,
    ],
    [
      ["register", "a", "--payload", "[1e400]", "-a", address],
      /too large for a 64-bit float/,
    ],
    [
      ["query", "timeseries", "--to", "2026-02-30", "-a", address],
      /Invalid --to 2026-02-30: not a date of the calendar/,
    ],
    [["query", "nope"], /Unknown query kind nope/],
    [["subscribe", "--type", "*/a", "-a", address], /may only be the last/],
    [["register", "a", "--bogus"], /Unknown option --bogus/],
    [["frobnicate"], /Unknown command frobnicate/],
    [["serve", "--config", "/nonexistent.json"], /cannot read/],
    [["serve", "--server-id", "x"], /Invalid --server-id/],
    [
      ["serve", "--codec", "bogus"],
      /Invalid codec: expected one of wasm, ts, got "bogus"/,
    ],
  ];
  for (const [args, message, stdin] of cases) {
    const run = await cli(args, { stdin });
    assert.equal(run.code, 1, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
});

Deno.test("cli: connection problems exit 2, a failed registration 3", async () => {
  const [engine, address] = await start({ serverToken: "secret" });
  await using _ = engine;
  const refused = await cli([
    "register",
    "a",
    "-a",
    address,
    "--token",
    "guess",
  ]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /refused the client: invalid client token/);
  const ok = await cli(["register", "a", "-a", address, "--token", "secret"]);
  assert.equal(ok.code, 0, ok.stderr);
  await engine.setStatus("standby");
  const failed = await cli(["register", "a", "-a", address]);
  assert.equal(failed.code, 3);
  assert.match(failed.stderr, /did not register/);
  const [closed, gone] = await start();
  await closed.close();
  const unreachable = await cli(["query", "latest", "-a", gone]);
  assert.equal(unreachable.code, 2);
  assert.match(unreachable.stderr, /Cannot connect to .*connection refused/);
});

/** A local peer that answers whatever it receives with `answer`. */
function fakePeer(answer: Uint8Array) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    for await (const conn of listener) {
      try {
        await conn.read(new Uint8Array(4096));
        await conn.write(answer);
      } catch {
        // the client went first
      } finally {
        conn.close();
      }
    }
  })();
  return {
    address: `127.0.0.1:${listener.addr.port}`,
    async [Symbol.asyncDispose]() {
      listener.close();
      await served;
    },
  };
}

Deno.test("cli: a peer that is not an eventer server is named as such (exit 2)", async (t) => {
  const cases: [string, Uint8Array, boolean][] = [
    [
      "an HTTP server",
      new TextEncoder().encode(
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
      ),
      false,
    ],
    // a TLS server's alert to a client that did not start TLS
    ["a TLS server", new Uint8Array([0x15, 3, 3, 0, 2, 2, 50]), true],
  ];
  for (const [what, answer, tls] of cases) {
    await t.step(what, async () => {
      await using peer = fakePeer(answer);
      const run = await cli(["query", "latest", "-a", peer.address]);
      assert.equal(run.code, 2, run.stderr);
      const where = peer.address.replace(/\./g, "\\.");
      assert.match(
        run.stderr,
        new RegExp(
          `^${where} did not answer as an eventer server \\(frame length`,
        ),
      );
      assert.equal(/--tls/.test(run.stderr), tls, run.stderr);
    });
  }
});

Deno.test("cli: query pages with --all and tells how to continue without it", async () => {
  const [engine, address] = await start();
  await using _ = engine;
  for (let i = 0; i < 7; i++) {
    engine.register([{
      type: ["p", String(i)],
      sourceTimestamp: null,
      payload: null,
    }]);
  }
  const one = await cli([
    "query",
    "timeseries",
    "-t",
    "p/*",
    "-n",
    "3",
    "-a",
    address,
  ]);
  assert.equal(jsonLines(one.stdout).length, 3);
  assert.match(
    one.stderr,
    /More events follow: continue with --last-event-id 1\/\d+\/1/,
  );
  const all = await cli([
    "query",
    "timeseries",
    "-t",
    "p/*",
    "-n",
    "3",
    "--all",
    "--progress",
    "--order",
    "ascending",
    "-a",
    address,
  ]);
  assert.deepEqual(jsonLines(all.stdout).map((e) => e.type[1]), [
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
  ]);
  assert.match(all.stderr, /7 events in 3 pages/);
  const server = await cli([
    "query",
    "server",
    "--server-id",
    "1",
    "-n",
    "2",
    "--all",
    "-a",
    address,
  ]);
  const sessions = jsonLines(server.stdout).map((e) => e.id.session);
  assert.deepEqual(sessions, [...sessions].sort((a, b) => a - b));
  assert.ok(sessions.length >= 9);
});

Deno.test("cli: subscribe prints events until interrupted, exit 2 when the server goes", async () => {
  const [engine, address] = await start();
  const watcher = await connectionWatcher(engine);
  const stdout = new TextSink();
  const stop = new AbortController();
  const running = cli([
    "subscribe",
    "--type",
    "s/*",
    "--name",
    "first",
    "-a",
    address,
  ], { stdout, signal: stop.signal });
  await watcher.connected("first");
  engine.register([{
    type: ["s", "1"],
    sourceTimestamp: null,
    payload: { kind: "json", data: 1 },
  }]);
  engine.register([{ type: ["other"], sourceTimestamp: null, payload: null }]);
  engine.register([{ type: ["s", "2"], sourceTimestamp: null, payload: null }]);
  await within(stdout.waitLines(2), 30_000, "two events printed");
  stop.abort();
  const run = await within(running, 30_000, "subscribe to end");
  assert.equal(run.code, 0);
  assert.deepEqual(jsonLines(run.stdout).map((e) => e.type), [["s", "1"], [
    "s",
    "2",
  ]]);

  const lost = cli(["subscribe", "--name", "second", "-a", address]);
  await watcher.connected("second");
  await engine.close();
  const end = await within(lost, 30_000, "subscribe to end");
  assert.equal(end.code, 2);
  assert.match(end.stderr, /lost/);
  await watcher.client.close();
});

Deno.test("cli: as a process, reads stdin and exits with its codes", async () => {
  const [engine, address] = await start();
  await using _ = engine;
  const run = async (args: string[], stdin: string) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI_MAIN.href, ...args],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
    const out = await child.output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  };
  const ok = await run([
    "register",
    "proc/x",
    "--payload-file",
    "-",
    "-a",
    address,
  ], '{"n": 1}');
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(jsonLines(ok.stdout)[0].payload.data, { n: 1 });
  const bad = await run([
    "register",
    "proc/x",
    "--payload-file",
    "-",
    "-a",
    address,
  ], "{n: 1}");
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Invalid JSON in stdin/);
});
