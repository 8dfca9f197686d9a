/**
 * `subscribe`: prints events as the server notifies them, until
 * interrupted (SIGINT/SIGTERM: exit 0), its stdout is closed by the reader
 * (`| head -1`: exit 0) or the connection is lost (exit 2).
 *
 * @example
 * ```ts
 * import { SUBSCRIBE_HELP } from "./subscribe.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(SUBSCRIBE_HELP, /--persisted/);
 * ```
 *
 * @module
 */

import type { Event } from "../../event/mod.ts";
import { bool, type Flag, helpText, int, list, parseArgs } from "./_args.ts";
import { CLIENT_FLAGS, format, open } from "./_client.ts";
import { CliError, EXIT, OutputClosedError } from "./_errors.ts";
import { eventTable, eventToJson } from "./_format.ts";
import { err, type Io, out } from "./_io.ts";
import { parseQueryType } from "./_parse.ts";

const FLAGS: readonly Flag[] = [
  {
    name: "type",
    kind: "string",
    short: "t",
    multiple: true,
    value: "QUERY_TYPE",
    help: "subscribe to this query type (a/?/*); default * (everything)",
  },
  {
    name: "server-id",
    kind: "string",
    value: "ID",
    help: "only events registered by this server",
  },
  {
    name: "persisted",
    kind: "boolean",
    help: "be notified once events are persisted, not when registered",
  },
  ...CLIENT_FLAGS,
];

/** Help of `subscribe`. */
export const SUBSCRIBE_HELP: string = helpText(
  "hat-eventer subscribe [options]",
  "Prints events as the server notifies them (JSON lines by default) until\n" +
    "interrupted with Ctrl-C (exit 0), its output is closed by the reader\n" +
    "(exit 0) or the connection is lost (exit 2).",
  FLAGS,
);

/**
 * Runs `subscribe`.
 *
 * @param args Arguments after `subscribe`.
 * @param io Streams; aborting `io.signal` ends it.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { subscribe } from "./subscribe.ts";
 * import assert from "node:assert/strict";
 *
 * const written: string[] = [];
 * const sink = { write: (p: Uint8Array) => (written.push(new TextDecoder().decode(p)), Promise.resolve(p.length)) };
 * const code = await subscribe(["--help"], {
 *   stdout: sink,
 *   stderr: sink,
 *   stdin: new Blob([]).stream(),
 *   stderrIsTerminal: false,
 *   signal: new AbortController().signal,
 * });
 * assert.equal(code, 0);
 * assert.match(written.join(""), /Usage: hat-eventer subscribe/);
 * ```
 */
export async function subscribe(args: string[], io: Io): Promise<number> {
  const parsed = parseArgs(args, FLAGS, { command: "subscribe" });
  if (parsed.help) {
    await out(io, SUBSCRIBE_HELP);
    return EXIT.ok;
  }
  if (parsed.positionals.length > 0) {
    throw new CliError(
      `Unexpected argument ${
        parsed.positionals[0]
      } (query types go after --type)`,
      EXIT.usage,
    );
  }
  const types = list(parsed, "type").map(parseQueryType);
  const fmt = format(parsed);
  let header = true;
  const outputClosed = Promise.withResolvers<"output closed">();
  let writing = true;
  const write = async (events: Event[]) => {
    if (fmt === "json") {
      await out(
        io,
        events.map((e) => JSON.stringify(eventToJson(e))).join("\n"),
      );
      return;
    }
    const rows = eventTable(events);
    await out(io, (header ? rows : rows.slice(1)).join("\n"));
    header = false;
  };
  const print = async (events: Event[]) => {
    if (!writing) return;
    try {
      await write(events);
    } catch (error) {
      if (!(error instanceof OutputClosedError)) throw error;
      writing = false;
      outputClosed.resolve("output closed");
    }
  };
  const client = await open(parsed, io, {
    subscriptions: types.length === 0 ? [["*"]] : types,
    serverId: int(parsed, "server-id") ?? null,
    persisted: bool(parsed, "persisted") ?? false,
    onEvents: (_client, events) => print(events),
  });
  try {
    const stopped = new Promise<"stopped">((resolve) => {
      if (io.signal.aborted) resolve("stopped");
      io.signal.addEventListener("abort", () => resolve("stopped"), {
        once: true,
      });
    });
    const ended = await Promise.race([
      stopped,
      outputClosed.promise,
      client.closed.then(() => "lost" as const),
    ]);
    if (ended === "lost") {
      await err(io, "Connection to the server was lost");
      return EXIT.connection;
    }
    return EXIT.ok;
  } finally {
    await client.close();
  }
}
