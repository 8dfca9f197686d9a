import assert from "node:assert/strict";
import { parseArgs } from "../../event_server/cli/_args.ts";
import { CliError } from "../../event_server/cli/_errors.ts";
import { eventTable, eventToJson } from "../../event_server/cli/_format.ts";
import {
  parseEventId,
  parseEventType,
  parseJson,
  parseQueryType,
  parseTimestamp,
} from "../../event_server/cli/_parse.ts";

function usage(fn: () => unknown, message: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.equal(e.exitCode, 1);
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("parseArgs() reads long, short, repeated, negated and inline flags", () => {
  const flags = [
    { name: "type", kind: "string", short: "t", multiple: true, help: "" },
    { name: "all", kind: "boolean", help: "" },
    { name: "n", kind: "string", help: "" },
  ] as const;
  const p = parseArgs(
    ["x", "-t", "a/*", "--type=b", "--no-all", "--n", "5", "--", "--all"],
    flags,
  );
  assert.deepEqual(p.flags.type, ["a/*", "b"]);
  assert.equal(p.flags.all, false);
  assert.equal(p.flags.n, "5");
  assert.deepEqual(p.positionals, ["x", "--all"]);
  assert.equal(parseArgs(["-h"], flags).help, true);
  usage(() => parseArgs(["--bogus"], flags), /Unknown option --bogus/);
  usage(() => parseArgs(["--n"], flags), /needs a value/);
  usage(() => parseArgs(["--all=1"], flags), /takes no value/);
});

Deno.test("parseEventType() splits on / and refuses wildcards", () => {
  assert.deepEqual(parseEventType("gateway/dev1/data"), [
    "gateway",
    "dev1",
    "data",
  ]);
  assert.deepEqual(parseEventType(""), []);
  assert.deepEqual(parseEventType('["a/b", "c"]'), ["a/b", "c"]);
  usage(() => parseEventType("a/*"), /query wildcard/);
  usage(() => parseEventType("?/b"), /query wildcard/);
  usage(() => parseEventType("[1]"), /JSON array of strings/);
  usage(() => parseEventType("[oops"), /not a JSON array/);
});

Deno.test("parseQueryType() allows * only last", () => {
  assert.deepEqual(parseQueryType("a/?/*"), ["a", "?", "*"]);
  usage(() => parseQueryType("*/a"), /may only be the last/);
});

Deno.test("parseTimestamp() takes now, seconds and ISO dates", () => {
  assert.deepEqual(parseTimestamp("1732540000.123456", "x"), {
    s: 1732540000,
    us: 123456,
  });
  assert.deepEqual(parseTimestamp("-1.5", "x"), { s: -2, us: 500000 });
  assert.deepEqual(parseTimestamp("2024-11-25T13:06:40.5Z", "x"), {
    s: 1732540000,
    us: 500000,
  });
  const t = parseTimestamp("now", "x");
  assert.ok(Math.abs(Number(t.s) - Date.now() / 1000) < 5);
  usage(
    () => parseTimestamp("yesterday", "--from"),
    /Invalid --from yesterday/,
  );
  usage(() => parseTimestamp("1e400", "--from"), /out of range/);
});

Deno.test("parseEventId() and parseJson() say what is wrong", () => {
  assert.deepEqual(parseEventId("1/2/3", "x"), {
    server: 1,
    session: 2,
    instance: 3,
  });
  usage(
    () => parseEventId("1/2", "--last-event-id"),
    /server\/session\/instance/,
  );
  assert.deepEqual(parseJson('{"a": [1]}', "x"), { a: [1] });
  usage(() => parseJson("{a: 1}", "--payload"), /Invalid JSON in --payload/);
});

Deno.test("events print as JSON lines and as a table", () => {
  const e = {
    id: { server: 1, session: 2, instance: 3 },
    type: ["a", "b"],
    timestamp: { s: 1732540000, us: 5 },
    sourceTimestamp: { s: 2n ** 60n, us: 0 },
    payload: { kind: "binary", type: "raw", data: new Uint8Array([1, 2, 255]) },
  } as const;
  assert.deepEqual(JSON.parse(JSON.stringify(eventToJson(e))), {
    id: { server: 1, session: 2, instance: 3 },
    type: ["a", "b"],
    timestamp: { s: 1732540000, us: 5 },
    sourceTimestamp: { s: String(2n ** 60n), us: 0 },
    payload: { kind: "binary", type: "raw", data: "AQL/" },
  });
  const rows = eventTable([e]);
  assert.match(rows[0], /^ID\s+TYPE\s+TIMESTAMP/);
  assert.match(rows[1], /^1\/2\/3\s+a\/b\s+2024-11-25T13:06:40\.000005Z/);
  assert.match(rows[1], /<raw: 3 bytes>$/);
});
