// The flags and connection code the client commands (register, query,
// subscribe) share, with errors turned into clear messages and exit codes.

import { ProtocolError } from "../../chatter/mod.ts";
import { type Client, connect, EventerInitError } from "../../client.ts";
import type { Event, QueryType } from "../../event/mod.ts";
import { bool, type Flag, list, type Parsed, str } from "./_args.ts";
import { CliError, EXIT } from "./_errors.ts";
import { eventTable, eventToJson, type Format } from "./_format.ts";
import { formatOf, type Io, out } from "./_io.ts";
import { parseAddress } from "./_parse.ts";

/** Flags of every client command. */
export const CLIENT_FLAGS: readonly Flag[] = [
  {
    name: "address",
    kind: "string",
    short: "a",
    value: "HOST:PORT",
    help: "server address (default 127.0.0.1:23012)",
  },
  {
    name: "name",
    kind: "string",
    value: "NAME",
    help: "client name (default hat-eventer-cli)",
  },
  {
    name: "token",
    kind: "string",
    value: "TOKEN",
    help: "client token the server expects",
  },
  { name: "tls", kind: "boolean", help: "connect with TLS" },
  {
    name: "ca-cert",
    kind: "string",
    multiple: true,
    value: "FILE",
    help: "trust this CA certificate (PEM) for TLS",
  },
  {
    name: "format",
    kind: "string",
    short: "f",
    value: "json|table",
    help: "output: JSON lines (default) or a table",
  },
];

/** Options of {@linkcode open}. */
export interface OpenOptions {
  subscriptions?: readonly QueryType[];
  serverId?: number | null;
  persisted?: boolean;
  onEvents?: (client: Client, events: Event[]) => void | Promise<void>;
}

/**
 * Connects as the flags say.
 *
 * @throws {CliError} (connection) When the server is unreachable or
 * refuses the client.
 */
export async function open(
  parsed: Parsed,
  io: Io,
  options: OpenOptions = {},
): Promise<Client> {
  const address = parseAddress(
    str(parsed, "address") ?? "127.0.0.1:23012",
    "--address",
  );
  const where = `${address.hostname}:${address.port}`;
  const caFiles = list(parsed, "ca-cert");
  let caCerts: string[] = [];
  try {
    caCerts = await Promise.all(caFiles.map((f) => Deno.readTextFile(f)));
  } catch (cause) {
    throw new CliError(
      `Cannot read CA certificate: ${(cause as Error).message}`,
      EXIT.usage,
      { cause },
    );
  }
  const tls = bool(parsed, "tls") === true || caFiles.length > 0;
  try {
    return await connect(address, str(parsed, "name") ?? "hat-eventer-cli", {
      clientToken: str(parsed, "token") ?? null,
      subscriptions: options.subscriptions ?? [],
      serverId: options.serverId ?? null,
      persisted: options.persisted ?? false,
      onEvents: options.onEvents,
      tls: tls ? { caCerts } : undefined,
      signal: AbortSignal.any([io.signal, AbortSignal.timeout(10_000)]),
      onError: () => {},
    });
  } catch (cause) {
    if (cause instanceof EventerInitError) {
      throw new CliError(
        `Server ${where} refused the client: ${cause.message}`,
        EXIT.connection,
        { cause },
      );
    }
    if (cause instanceof ProtocolError) {
      throw new CliError(
        `${where} did not answer as an eventer server (${cause.message})` +
          (!tls && looksLikeTls(cause) ? TLS_HINT : ""),
        EXIT.connection,
        { cause },
      );
    }
    throw new CliError(
      `Cannot connect to ${where}: ${reason(cause)}`,
      EXIT.connection,
      { cause },
    );
  }
}

const TLS_HINT = "; it answered in TLS: connect with --tls (and --ca-cert " +
  "FILE unless its certificate is trusted)";

/**
 * Whether the peer's first bytes were a TLS record: a TLS server answers a
 * plain client with an alert (content type 0x15) or a handshake (0x16),
 * which chatter read as the size of a frame's length field.
 */
function looksLikeTls(error: ProtocolError): boolean {
  return /^frame length field of (21|22) bytes/.test(error.message);
}

/** A short reason for a connection failure (from its deepest cause). */
export function reason(error: unknown): string {
  let deepest: unknown = error;
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof Deno.errors.ConnectionRefused) {
      return "connection refused (is the server running?)";
    }
    if (e instanceof DOMException && e.name === "TimeoutError") {
      return "timed out";
    }
    deepest = e;
  }
  return deepest instanceof Error ? deepest.message : String(deepest);
}

/** Prints events in the chosen format (a table gets a header each call). */
export async function printEvents(
  io: Io,
  format: Format,
  events: readonly Event[],
): Promise<void> {
  if (events.length === 0) return;
  const lines = format === "json"
    ? events.map((e) => JSON.stringify(eventToJson(e)))
    : eventTable(events);
  await out(io, lines.join("\n"));
}

/** The `--format` flag. */
export function format(parsed: Parsed): Format {
  return formatOf(str(parsed, "format"));
}
