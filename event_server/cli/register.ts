/**
 * `register`: registers one event and prints it as registered.
 *
 * @example
 * ```ts
 * import { REGISTER_HELP } from "./register.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(REGISTER_HELP, /--payload-file/);
 * ```
 *
 * @module
 */

import type {
  EventPayload,
  RegisterEvent,
  Timestamp,
} from "../../event/mod.ts";
import { type Flag, helpText, parseArgs, str } from "./_args.ts";
import { CLIENT_FLAGS, format, open, printEvents, reason } from "./_client.ts";
import { CliError, EXIT } from "./_errors.ts";
import { type Io, out, readSource } from "./_io.ts";
import { parseEventType, parseJson, parseTimestamp } from "./_parse.ts";

const FLAGS: readonly Flag[] = [
  {
    name: "payload",
    kind: "string",
    short: "p",
    value: "JSON",
    help: "JSON payload (with --binary: the text's UTF-8 bytes)",
  },
  {
    name: "payload-file",
    kind: "string",
    value: "FILE",
    help: "payload from a file, - for stdin (JSON, or bytes with --binary)",
  },
  {
    name: "payload-hex",
    kind: "string",
    value: "HEX",
    help: "binary payload bytes in hex (needs --binary)",
  },
  {
    name: "payload-base64",
    kind: "string",
    value: "BASE64",
    help: "binary payload bytes in base64 (needs --binary)",
  },
  {
    name: "binary",
    kind: "string",
    short: "b",
    value: "TYPE",
    help: "make the payload binary, of this application type",
  },
  {
    name: "source-timestamp",
    kind: "string",
    short: "s",
    value: "now|SECONDS|ISO",
    help: "source timestamp of the event",
  },
  {
    name: "no-wait",
    kind: "boolean",
    help: "send without waiting for the server's answer (prints nothing)",
  },
  ...CLIENT_FLAGS,
];

/** Help of `register`. */
export const REGISTER_HELP: string = helpText(
  "hat-eventer register TYPE [options]",
  "Registers one event of TYPE (segments joined by /, e.g. gateway/dev1/data,\n" +
    'or a JSON array such as \'["a/b", "c"]\') and prints it as registered.\n' +
    "Without a payload option the event has no payload.",
  FLAGS,
);

function decodeHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new CliError(
      "Invalid --payload-hex: expected hex digits",
      EXIT.usage,
    );
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

function decodeBase64(text: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
  } catch (cause) {
    throw new CliError("Invalid --payload-base64: not base64", EXIT.usage, {
      cause,
    });
  }
}

async function payloadOf(
  parsed: ReturnType<typeof parseArgs>,
  io: Io,
): Promise<EventPayload | null> {
  const sources = ["payload", "payload-file", "payload-hex", "payload-base64"]
    .filter((n) => str(parsed, n) !== undefined);
  if (sources.length > 1) {
    throw new CliError(
      `Give one payload source, not ${
        sources.map((s) => `--${s}`).join(" and ")
      }`,
      EXIT.usage,
    );
  }
  const binary = str(parsed, "binary");
  const source = sources[0];
  if (binary === undefined) {
    if (source === "payload-hex" || source === "payload-base64") {
      throw new CliError(`--${source} needs --binary TYPE`, EXIT.usage);
    }
    if (source === undefined) return null;
    if (source === "payload") {
      return {
        kind: "json",
        data: parseJson(str(parsed, "payload")!, "--payload"),
      };
    }
    const path = str(parsed, "payload-file")!;
    const bytes = await readSource(io, path);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch (cause) {
      throw new CliError(
        `Invalid JSON in ${path === "-" ? "stdin" : path}: not UTF-8`,
        EXIT.usage,
        {
          cause,
        },
      );
    }
    return {
      kind: "json",
      data: parseJson(text, path === "-" ? "stdin" : path),
    };
  }
  let data: Uint8Array;
  switch (source) {
    case undefined:
      data = new Uint8Array(0);
      break;
    case "payload":
      data = new TextEncoder().encode(str(parsed, "payload")!);
      break;
    case "payload-hex":
      data = decodeHex(str(parsed, "payload-hex")!);
      break;
    case "payload-base64":
      data = decodeBase64(str(parsed, "payload-base64")!);
      break;
    default:
      data = await readSource(io, str(parsed, "payload-file")!);
  }
  return { kind: "binary", type: binary, data };
}

/**
 * Runs `register`.
 *
 * @param args Arguments after `register`.
 * @param io Streams.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { register } from "./register.ts";
 * import assert from "node:assert/strict";
 *
 * const written: string[] = [];
 * const sink = { write: (p: Uint8Array) => (written.push(new TextDecoder().decode(p)), Promise.resolve(p.length)) };
 * const code = await register(["--help"], {
 *   stdout: sink,
 *   stderr: sink,
 *   stdin: new Blob([]).stream(),
 *   stderrIsTerminal: false,
 *   signal: new AbortController().signal,
 * });
 * assert.equal(code, 0);
 * assert.match(written.join(""), /Usage: hat-eventer register/);
 * ```
 */
export async function register(args: string[], io: Io): Promise<number> {
  const parsed = parseArgs(args, FLAGS, { command: "register" });
  if (parsed.help) {
    await out(io, REGISTER_HELP);
    return EXIT.ok;
  }
  if (parsed.positionals.length !== 1) {
    throw new CliError(
      "register needs exactly one event TYPE (see hat-eventer register --help)",
      EXIT.usage,
    );
  }
  const type = parseEventType(parsed.positionals[0]);
  const fmt = format(parsed);
  const src = str(parsed, "source-timestamp");
  const sourceTimestamp: Timestamp | null = src === undefined
    ? null
    : parseTimestamp(src, "--source-timestamp");
  const payload = await payloadOf(parsed, io);
  const event: RegisterEvent = { type, sourceTimestamp, payload };
  await using client = await open(parsed, io);
  try {
    if (parsed.flags["no-wait"] === true) {
      await client.register([event]);
      return EXIT.ok;
    }
    const events = await client.register([event], { withResponse: true });
    if (events === null) {
      throw new CliError(
        "The server did not register the event (is its status operational?)",
        EXIT.failed,
      );
    }
    await printEvents(io, fmt, events);
    return EXIT.ok;
  } catch (cause) {
    if (cause instanceof CliError) throw cause;
    throw new CliError(`Connection lost: ${reason(cause)}`, EXIT.connection, {
      cause,
    });
  }
}
