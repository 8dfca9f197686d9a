// The CLI's help and its answers to mistyped commands and options.

import assert from "node:assert/strict";
import { nearest, parseArgs } from "../../event_server/cli/_args.ts";
import { CliError } from "../../event_server/cli/_errors.ts";
import { cli } from "./_cli.ts";

Deno.test("cli: help COMMAND prints what COMMAND --help prints", async (t) => {
  for (
    const [help, direct] of [
      [["help"], ["--help"]],
      [["help", "help"], ["--help"]],
      [["help", "serve"], ["serve", "--help"]],
      [["help", "register"], ["register", "--help"]],
      [["help", "subscribe"], ["subscribe", "--help"]],
      [["help", "query"], ["query", "--help"]],
      [["help", "query", "latest"], ["query", "latest", "--help"]],
      [["help", "query", "server"], ["query", "server", "-h"]],
    ]
  ) {
    await t.step(help.join(" "), async () => {
      const a = await cli(help);
      const b = await cli(direct);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.match(a.stdout, /^Usage: hat-eventer/);
      assert.equal(a.stdout, b.stdout);
    });
  }
});

Deno.test("cli: help of an unknown command exits 1 and names the nearest", async () => {
  const run = await cli(["help", "regster"]);
  assert.equal(run.code, 1);
  assert.equal(run.stdout, "");
  assert.match(
    run.stderr,
    /^Unknown command regster; did you mean register\? \(see hat-eventer --help\)/,
  );
});

Deno.test("cli: query KIND --help shows the options of that kind only", async () => {
  const only: Record<string, string[]> = {
    latest: [],
    timeseries: ["--from", "--order-by", "--last-event-id", "--all"],
    server: ["--server-id", "--persisted", "--last-event-id", "--all"],
  };
  const all = new Set(Object.values(only).flat());
  for (const [kind, options] of Object.entries(only)) {
    const run = await cli(["query", kind, "--help"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Usage: hat-eventer query ${kind} `));
    // every kind has the client options
    assert.match(run.stdout, /--address HOST:PORT/);
    for (const option of all) {
      const shown = new RegExp(`\\s${option}[ \\n]`).test(run.stdout);
      assert.equal(shown, options.includes(option), `${kind}: ${option}`);
    }
  }
  const overview = await cli(["query", "--help"]);
  assert.match(overview.stdout, /latest .*\n.*timeseries .*\n.*server /);
  assert.match(overview.stdout, /hat-eventer query KIND --help/);
});

Deno.test("cli: an unknown option names the nearest one and points at --help", async (t) => {
  for (
    const [args, message] of [
      [
        ["register", "a", "--paylod", "1"],
        "Unknown option --paylod; did you mean --payload? " +
        "(see hat-eventer register --help)",
      ],
      [
        ["serve", "--no-memroy"],
        "Unknown option --no-memroy; did you mean --no-memory? " +
        "(see hat-eventer serve --help)",
      ],
      [
        ["subscribe", "--persist"],
        "Unknown option --persist; did you mean --persisted? " +
        "(see hat-eventer subscribe --help)",
      ],
      [
        ["query", "timeseries", "--form", "now"],
        "Unknown option --form; did you mean --from? " +
        "(see hat-eventer query timeseries --help)",
      ],
      [
        ["query", "latest", "--from", "now"],
        "Unknown option --from for query latest; it is an option of " +
        "query timeseries (see hat-eventer query latest --help)",
      ],
      [
        ["register", "a", "--bogus"],
        "Unknown option --bogus (see hat-eventer register --help)",
      ],
      [
        ["register", "a", "-Z"],
        "Unknown option -Z (see hat-eventer register --help)",
      ],
      [
        ["qeury", "latest"],
        "Unknown command qeury; did you mean query? (see hat-eventer --help)",
      ],
      [
        ["query", "lates"],
        "Unknown query kind lates; did you mean latest? " +
        "(expected latest, timeseries or server)",
      ],
    ] as const
  ) {
    await t.step(args.join(" "), async () => {
      const run = await cli([...args]);
      assert.equal(run.code, 1);
      assert.equal(run.stderr, message + "\n");
    });
  }
});

Deno.test("parseArgs() reads a short option with its value attached", () => {
  const flags = [
    { name: "max-results", kind: "string", short: "n", help: "" },
    { name: "all", kind: "boolean", short: "A", help: "" },
  ] as const;
  const p = parseArgs(["-n5", "-A"], flags);
  assert.equal(p.flags["max-results"], "5");
  assert.equal(p.flags.all, true);
});

Deno.test("parseArgs() points at --help without a command name", () => {
  assert.throws(
    () => parseArgs(["--x"], []),
    (e: unknown) =>
      e instanceof CliError && e.message === "Unknown option --x (see --help)",
  );
});

Deno.test("nearest() finds a near or begun word, nothing far", async (t) => {
  const names = ["payload", "payload-file", "source-timestamp", "binary"];
  for (
    const [word, expected] of [
      ["paylod", "payload"], // a letter missing
      ["paylaod", "payload"], // two letters swapped
      ["PAYLOAD", "payload"], // case
      ["payload-fil", "payload-file"],
      ["source", "source-timestamp"], // the only one it begins
      ["pay", undefined], // begins two
      ["bogus", undefined],
      ["x", undefined],
    ] as const
  ) {
    await t.step(`${word} -> ${expected}`, () => {
      assert.equal(nearest(word, names), expected);
    });
  }
});
