/**
 * `hat-eventer`: the command-line tool of `@hat/eventer`. `serve` runs a
 * standalone Hat Event Server (SQLite or in-memory storage) that Python and
 * TypeScript eventer clients talk to; `register`, `query` and `subscribe`
 * are eventer clients for the shell.
 *
 * ```sh
 * deno install -g -A -n hat-eventer jsr:@hat/eventer/cli
 * hat-eventer serve            # 127.0.0.1:23012, ./data
 * hat-eventer register a/b --payload '{"x": 1}'
 * hat-eventer query timeseries --type 'a/*' -n 10
 * hat-eventer subscribe --type 'a/*'
 * hat-eventer help query latest
 * ```
 *
 * Output is JSON lines (one event per line) unless `--format table`.
 * Exit codes: 0 success, 1 usage (bad arguments, config, event type, JSON
 * or payload file, an engine module that cannot be loaded or created), 2 connection (unreachable server, lost connection,
 * refused client, a peer that is not an eventer server), 3 the server
 * failed the registration, 4 `serve` could not start (storage, data
 * directory in use by another server, TLS files, address in use) or its
 * storage failed, 5 unexpected error. A command
 * whose stdout is closed by its reader (as `| head -1` does) stops quietly
 * with 0.
 *
 * @example Commands return their exit code
 * ```ts
 * import { main } from "@hat/eventer/cli";
 * import assert from "node:assert/strict";
 *
 * const chunks: Uint8Array[] = [];
 * const sink = { write: (p: Uint8Array) => (chunks.push(p), Promise.resolve(p.length)) };
 * const code = await main(["query", "bogus"], {
 *   stdout: sink,
 *   stderr: sink,
 *   stdin: new Blob([]).stream(),
 *   stderrIsTerminal: false,
 *   signal: new AbortController().signal,
 * });
 * assert.equal(code, 1);
 * assert.match(new TextDecoder().decode(chunks[0]), /Unknown query kind bogus/);
 * ```
 *
 * @module
 */

import { nearest } from "./_args.ts";
import { CliError, EXIT, OutputClosedError } from "./_errors.ts";
import { err, type Io, out, processIo } from "./_io.ts";
import { query } from "./query.ts";
import { register } from "./register.ts";
import { serve } from "./serve.ts";
import { subscribe } from "./subscribe.ts";

export type { Io, Sink } from "./_io.ts";
export { EXIT } from "./_errors.ts";

/** Help of the tool. */
export const MAIN_HELP: string = `Usage: hat-eventer COMMAND [options]

The Hat Event Server and its command-line client.

Commands:
  serve        run the Event Server (default 127.0.0.1:23012, SQLite in ./data)
  register     register an event
  query        query events: latest, timeseries or server
  subscribe    print events as they are notified, until Ctrl-C
  help         show the help of a command: help COMMAND [KIND]

Run "hat-eventer COMMAND --help" (or "hat-eventer help COMMAND") for the
options of a command.

Exit codes:
  0  success
  1  usage: bad arguments, config, event type, JSON or payload file, or
     an engine module that cannot be loaded or created
  2  connection: server unreachable, connection lost, client refused,
     or the peer is not an eventer server
  3  the server did not register the event
  4  serve could not start (storage, data directory in use by another server,
     TLS files, address in use) or its storage failed
  5  unexpected error (a bug)
A command whose output is closed by its reader (| head -1) stops with 0.
`;

const COMMANDS: Record<string, (args: string[], io: Io) => Promise<number>> = {
  serve,
  register,
  query,
  subscribe,
};

/**
 * Runs the tool.
 *
 * @param args Command-line arguments (without the program).
 * @param io Streams and stop signal.
 * @returns The exit code.
 */
export async function main(args: string[], io: Io): Promise<number> {
  let [command, ...rest] = args;
  if (command === "help") {
    // `help query latest` is `query latest --help`
    if (rest.length === 0 || rest[0] === "help") {
      await out(io, MAIN_HELP);
      return EXIT.ok;
    }
    [command, ...rest] = [...rest, "--help"];
  }
  if (command === undefined || command === "--help" || command === "-h") {
    await out(io, MAIN_HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    const near = nearest(command, [...Object.keys(COMMANDS), "help"]);
    const hint = near === undefined ? "" : `; did you mean ${near}?`;
    await err(io, `Unknown command ${command}${hint} (see hat-eventer --help)`);
    return EXIT.usage;
  }
  try {
    return await run(rest, io);
  } catch (error) {
    // The reader stopped reading (`| head -1`): not an error of ours.
    if (error instanceof OutputClosedError) return EXIT.ok;
    if (error instanceof CliError) {
      await err(io, error.message);
      return error.exitCode;
    }
    await err(
      io,
      `Unexpected error: ${error instanceof Error ? error.stack : error}`,
    );
    return EXIT.internal;
  }
}

if (import.meta.main) {
  using io = processIo();
  const code = await main(Deno.args, io);
  Deno.exit(code);
}
