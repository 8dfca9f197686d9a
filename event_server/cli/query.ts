/**
 * `query latest|timeseries|server`: runs a query with any of the
 * protocol's parameters and prints the events; `--all` follows
 * `moreFollows` page after page.
 *
 * @example
 * ```ts
 * import { QUERY_HELP, QUERY_KIND_HELP } from "./query.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(QUERY_HELP, /timeseries/);
 * assert.match(QUERY_KIND_HELP.server, /--last-event-id/);
 * assert.doesNotMatch(QUERY_KIND_HELP.latest, /--last-event-id/);
 * ```
 *
 * @module
 */

import type { Event, QueryParams, QueryResult } from "../../event/mod.ts";
import {
  bool,
  type Flag,
  helpText,
  int,
  list,
  nearest,
  parseArgs,
  str,
} from "./_args.ts";
import { CLIENT_FLAGS, format, open, printEvents, reason } from "./_client.ts";
import { CliError, EXIT } from "./_errors.ts";
import { eventTable, writeAll } from "./_format.ts";
import { err, type Io, out } from "./_io.ts";
import { parseEventId, parseQueryType, parseTimestamp } from "./_parse.ts";

const PAGING: readonly Flag[] = [
  {
    name: "max-results",
    kind: "string",
    short: "n",
    value: "N",
    help: "at most N events per query (the server caps it too)",
  },
  {
    name: "last-event-id",
    kind: "string",
    value: "S/SESSION/I",
    help: "continue after this event",
  },
  {
    name: "all",
    kind: "boolean",
    help: "follow moreFollows: fetch every page",
  },
  {
    name: "progress",
    kind: "boolean",
    help:
      "progress on stderr while paging (default: when stderr is a terminal)",
  },
];

const TYPE: Flag = {
  name: "type",
  kind: "string",
  short: "t",
  multiple: true,
  value: "QUERY_TYPE",
  help: "only events matching this query type (a/?/*); default all",
};

const FLAGS: Readonly<Record<string, readonly Flag[]>> = {
  latest: [TYPE, ...CLIENT_FLAGS],
  timeseries: [
    TYPE,
    { name: "from", kind: "string", value: "TIME", help: "timestamp >= TIME" },
    { name: "to", kind: "string", value: "TIME", help: "timestamp <= TIME" },
    {
      name: "source-from",
      kind: "string",
      value: "TIME",
      help: "source timestamp >= TIME",
    },
    {
      name: "source-to",
      kind: "string",
      value: "TIME",
      help: "source timestamp <= TIME",
    },
    {
      name: "order",
      kind: "string",
      value: "descending|ascending",
      help: "sort direction (default descending)",
    },
    {
      name: "order-by",
      kind: "string",
      value: "timestamp|sourceTimestamp",
      help: "sort key (default timestamp)",
    },
    ...PAGING,
    ...CLIENT_FLAGS,
  ],
  server: [
    {
      name: "server-id",
      kind: "string",
      value: "ID",
      help: "whose events (default 1)",
    },
    {
      name: "persisted",
      kind: "boolean",
      help: "only events already persisted",
    },
    ...PAGING,
    ...CLIENT_FLAGS,
  ],
};

const KINDS = ["latest", "timeseries", "server"] as const;

const PAGING_NOTE =
  "When more events follow than were returned, a note on stderr says how to\n" +
  "continue; --all fetches every page.";

/** Help of `query` without a kind: the kinds, and where their options are. */
export const QUERY_HELP: string = `Usage: hat-eventer query KIND [options]

Queries the server and prints the events found (JSON lines by default).

Kinds:
  latest       newest event of each type
  timeseries   events in time ranges, sorted, paged
  server       events of one server after an id, ascending (server sync)

Run "hat-eventer query KIND --help" for the options of a kind.
`;

/** Help of each kind of `query`: its own options only. */
export const QUERY_KIND_HELP: Readonly<Record<string, string>> = {
  latest: helpText(
    "hat-eventer query latest [options]",
    "Prints the newest event of each type (of every type, or of those matching\n" +
      "--type).",
    FLAGS.latest,
  ),
  timeseries: helpText(
    "hat-eventer query timeseries [options]",
    "Prints the events in time ranges, sorted, a page at a time. TIME is now,\n" +
      "seconds since 1970 (fractions allowed) or an ISO 8601 date.\n" +
      PAGING_NOTE,
    FLAGS.timeseries,
  ),
  server: helpText(
    "hat-eventer query server [options]",
    "Prints the events of one server after an id, ascending (what server\n" +
      "synchronization reads).\n" + PAGING_NOTE,
    FLAGS.server,
  ),
};

/** The error for a query kind that is not one, naming the nearest kind. */
function unknownKind(kind: string): CliError {
  const near = nearest(kind, KINDS);
  return new CliError(
    `Unknown query kind ${kind}${
      near === undefined ? "" : `; did you mean ${near}?`
    } (expected latest, timeseries or server)`,
    EXIT.usage,
  );
}

function oneOf<T extends string>(
  name: string,
  v: string | undefined,
  allowed: T[],
): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) {
    throw new CliError(
      `Invalid --${name} ${v}: expected ${allowed.join(" or ")}`,
      EXIT.usage,
    );
  }
  return v as T;
}

function paramsOf(
  kind: string,
  parsed: ReturnType<typeof parseArgs>,
): QueryParams {
  const types = list(parsed, "type").map(parseQueryType);
  const eventTypes = types.length === 0 ? null : types;
  const ts = (name: string) => {
    const v = str(parsed, name);
    return v === undefined ? null : parseTimestamp(v, `--${name}`);
  };
  const last = str(parsed, "last-event-id");
  const lastEventId = last === undefined
    ? null
    : parseEventId(last, "--last-event-id");
  const maxResults = int(parsed, "max-results", 0) ?? null;
  if (kind === "latest") return { kind, eventTypes };
  if (kind === "timeseries") {
    return {
      kind,
      eventTypes,
      tFrom: ts("from"),
      tTo: ts("to"),
      sourceTFrom: ts("source-from"),
      sourceTTo: ts("source-to"),
      order:
        oneOf("order", str(parsed, "order"), ["descending", "ascending"]) ??
          "descending",
      orderBy: oneOf("order-by", str(parsed, "order-by"), [
        "timestamp",
        "sourceTimestamp",
      ]) ?? "timestamp",
      maxResults,
      lastEventId,
    };
  }
  const serverId = int(parsed, "server-id") ?? 1;
  // The server refuses it by closing the connection, as the reference does.
  if (lastEventId !== null && lastEventId.server !== serverId) {
    throw new CliError(
      `Invalid --last-event-id ${last}: its server ${lastEventId.server} ` +
        `is not --server-id ${serverId}`,
      EXIT.usage,
    );
  }
  return {
    kind: "server",
    serverId,
    persisted: bool(parsed, "persisted") ?? false,
    maxResults,
    lastEventId,
  };
}

function idText(e: Event): string {
  return `${e.id.server}/${e.id.session}/${e.id.instance}`;
}

/**
 * Runs `query`.
 *
 * @param args Arguments after `query`.
 * @param io Streams.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { query } from "./query.ts";
 * import assert from "node:assert/strict";
 *
 * const written: string[] = [];
 * const sink = { write: (p: Uint8Array) => (written.push(new TextDecoder().decode(p)), Promise.resolve(p.length)) };
 * const code = await query(["--help"], {
 *   stdout: sink,
 *   stderr: sink,
 *   stdin: new Blob([]).stream(),
 *   stderrIsTerminal: false,
 *   signal: new AbortController().signal,
 * });
 * assert.equal(code, 0);
 * assert.match(written.join(""), /Usage: hat-eventer query/);
 * ```
 */
export async function query(args: string[], io: Io): Promise<number> {
  const kind = args[0];
  if (kind === undefined || kind === "--help" || kind === "-h") {
    await out(io, QUERY_HELP);
    return kind === undefined ? EXIT.usage : EXIT.ok;
  }
  const flags = FLAGS[kind];
  if (flags === undefined) throw unknownKind(kind);
  const siblings = Object.fromEntries(
    KINDS.filter((k) => k !== kind).map((k) => [`query ${k}`, FLAGS[k]]),
  );
  const parsed = parseArgs(args.slice(1), flags, {
    command: `query ${kind}`,
    siblings,
  });
  if (parsed.help) {
    await out(io, QUERY_KIND_HELP[kind]);
    return EXIT.ok;
  }
  if (parsed.positionals.length > 0) {
    throw new CliError(
      `Unexpected argument ${parsed.positionals[0]}`,
      EXIT.usage,
    );
  }
  let params = paramsOf(kind, parsed);
  const fmt = format(parsed);
  const all = bool(parsed, "all") === true && params.kind !== "latest";
  const progress = all && (bool(parsed, "progress") ?? io.stderrIsTerminal);
  await using client = await open(parsed, io);
  const table: Event[] = [];
  let total = 0;
  let pages = 0;
  for (;;) {
    let result: QueryResult;
    try {
      result = await client.query(params);
    } catch (cause) {
      throw new CliError(`Connection lost: ${reason(cause)}`, EXIT.connection, {
        cause,
      });
    }
    pages++;
    total += result.events.length;
    if (fmt === "table") {
      // not push(...events): a page of ~120,000 events overflows the stack
      for (const e of result.events) table.push(e);
    } else await printEvents(io, fmt, result.events);
    const last = result.events[result.events.length - 1];
    if (!result.moreFollows || last === undefined) break;
    if (!all) {
      await err(
        io,
        `More events follow: continue with --last-event-id ${
          idText(last)
        } (or use --all)`,
      );
      break;
    }
    if (progress) {
      await writeAll(io.stderr, `\r${total} events, ${pages} pages...`);
    }
    params = { ...params, lastEventId: last.id } as QueryParams;
  }
  if (progress && pages > 1) {
    await writeAll(io.stderr, `\r${total} events in ${pages} pages.\n`);
  }
  if (fmt === "table") {
    await out(
      io,
      table.length === 0 ? "(no events)" : eventTable(table).join("\n"),
    );
  }
  return EXIT.ok;
}
