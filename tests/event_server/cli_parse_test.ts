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

Deno.test("parseTimestamp() reads seconds and ISO dates exactly", () => {
  // Beyond 2^53 seconds Number() would round 2^53 + 1 down to 2^53.
  assert.deepEqual(parseTimestamp("9007199254740993", "x"), {
    s: 9007199254740993n,
    us: 0,
  });
  assert.deepEqual(parseTimestamp("-9223372036854775808", "x"), {
    s: -(2n ** 63n),
    us: 0,
  });
  usage(() => parseTimestamp("9223372036854775808", "x"), /out of range/);
  assert.deepEqual(parseTimestamp("1.9999996", "x"), { s: 2, us: 0 });
  assert.deepEqual(parseTimestamp("-0.0000001", "x"), { s: 0, us: 0 });
  assert.deepEqual(parseTimestamp("-0.000001", "x"), { s: -1, us: 999999 });
  assert.deepEqual(parseTimestamp(".5", "x"), { s: 0, us: 500000 });
  assert.deepEqual(parseTimestamp("1e3", "x"), { s: 1000, us: 0 });
  usage(() => parseTimestamp("1e20", "x"), /write all the digits/);
  // new Date() keeps milliseconds only.
  assert.deepEqual(parseTimestamp("2026-01-01T00:00:00.123456Z", "x"), {
    s: 1767225600,
    us: 123456,
  });
  assert.deepEqual(parseTimestamp("2026-01-01T01:30:00+01:30", "x"), {
    s: 1767225600,
    us: 0,
  });
  assert.deepEqual(parseTimestamp("2024-02-29", "x"), {
    s: 1709164800,
    us: 0,
  });
  assert.deepEqual(parseTimestamp("0001-01-01", "x"), {
    s: -62135596800,
    us: 0,
  });
  // new Date() rolls 2026-02-30 over to March 2.
  usage(() => parseTimestamp("2026-02-30", "--from"), /calendar/);
  usage(() => parseTimestamp("2025-02-29T00:00:00Z", "--from"), /calendar/);
  usage(() => parseTimestamp("2026-01-01T23:60:00Z", "--from"), /calendar/);
  usage(() => parseTimestamp("2026-01-01T00", "--from"), /ISO 8601/);
  usage(() => parseTimestamp("", "--from"), /ISO 8601/);
  usage(() => parseTimestamp("1.2.3", "--from"), /ISO 8601/);
});

Deno.test("parseJson() refuses numbers beyond a 64-bit float", () => {
  // JSON.parse gives Infinity, which JSON.stringify would send as null.
  usage(() => parseJson('{"a": [1, 1e400]}', "--payload"), /too large/);
  usage(() => parseJson("-1e400", "--payload"), /too large/);
  assert.deepEqual(parseJson("[1e308]", "x"), [1e308]);
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  assert.ok(Array.isArray(parseJson(deep, "x")));
});

Deno.test("eventTable() takes more rows than fit in a call's arguments", () => {
  // Math.max(...lengths) overflowed the stack from about 120,000 rows.
  const events = Array.from({ length: 150_000 }, (_, i) => ({
    id: { server: 1, session: i + 1, instance: 1 },
    type: ["a", String(i)],
    timestamp: { s: i, us: 0 },
    sourceTimestamp: null,
    payload: null,
  }));
  const rows = eventTable(events);
  assert.equal(rows.length, 150_001);
  assert.equal(rows[1].length, rows[150_000].length);
});

Deno.test("parseArgs() refuses a single-valued option given twice", () => {
  const flags = [
    { name: "payload", kind: "string", short: "p", help: "" },
    { name: "type", kind: "string", multiple: true, help: "" },
  ] as const;
  usage(
    () => parseArgs(["-p", "1", "--payload=2"], flags),
    /--payload given twice/,
  );
  assert.deepEqual(
    parseArgs(["--type", "a", "--type", "b"], flags).flags.type,
    ["a", "b"],
  );
});

Deno.test("parseArgs() does not take another option as a value", () => {
  const flags = [
    { name: "format", kind: "string", short: "f", help: "" },
    { name: "address", kind: "string", short: "a", help: "" },
  ] as const;
  usage(() => parseArgs(["-f", "-a", "x"], flags), /--format needs a value/);
  usage(() => parseArgs(["-f", "--address=x"], flags), /--format needs/);
  // negative numbers and other dashes are values
  assert.equal(parseArgs(["-f", "-1"], flags).flags.format, "-1");
  assert.equal(parseArgs(["--format=-a"], flags).flags.format, "-a");
});
