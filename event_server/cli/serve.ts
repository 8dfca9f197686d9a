/**
 * `serve`: runs the Event Server until SIGINT/SIGTERM, then shuts down
 * gracefully (status `stopping`, storage committed, clients closed).
 *
 * @example
 * ```ts
 * import { SERVE_HELP } from "./serve.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(SERVE_HELP, /--memory/);
 * ```
 *
 * @module
 */

import {
  type ConfigFile,
  DEFAULT_CONFIG,
  loadConfig,
  resolveConfig,
  type ServerConfig,
} from "../config.ts";
import { ConfigError, StartError } from "../errors.ts";
import { ModuleError } from "../modules/internal_mod.ts";
import { createLogger } from "../log.ts";
import { startEventServer } from "../main.ts";
import {
  bool,
  type Flag,
  helpText,
  list,
  parseArgs,
  type Parsed,
  str,
} from "./_args.ts";
import { CliError, EXIT } from "./_errors.ts";
import { type Io, out } from "./_io.ts";

const d = DEFAULT_CONFIG;

const FLAGS: readonly Flag[] = [
  {
    name: "config",
    kind: "string",
    short: "c",
    value: "FILE",
    help: "JSON config file (flags override its entries)",
  },
  {
    name: "address",
    kind: "string",
    short: "a",
    value: "HOST:PORT",
    help: `listen address (default ${d.address.hostname}:${d.address.port})`,
  },
  {
    name: "server-id",
    kind: "string",
    value: "ID",
    help: `server id (default ${d.serverId})`,
  },
  {
    name: "server-token",
    kind: "string",
    value: "TOKEN",
    help:
      "token clients must give (default none: clients giving one are refused)",
  },
  {
    name: "status",
    kind: "string",
    value: "STATUS",
    help: `standby|starting|operational|stopping (default ${d.status})`,
  },
  {
    name: "memory",
    kind: "boolean",
    help: "keep events in memory, not SQLite (--no-memory: SQLite)",
  },
  {
    name: "data-dir",
    kind: "string",
    short: "d",
    value: "DIR",
    help: `directory of the SQLite database events.db (default ${d.dataDir})`,
  },
  {
    name: "flush-period",
    kind: "string",
    value: "MS",
    help: `longest wait before events are committed (default ${d.flushPeriod})`,
  },
  {
    name: "sync",
    kind: "string",
    value: "full|normal",
    help:
      `SQLite synchronous: full survives power loss (default ${d.synchronous})`,
  },
  {
    name: "busy-timeout",
    kind: "string",
    value: "MS",
    help: "wait for another process's lock on the database before " +
      `failing (default ${d.busyTimeout})`,
  },
  {
    name: "max-results",
    kind: "string",
    value: "N",
    help: `most events one query returns (default ${d.maxResults})`,
  },
  {
    name: "tls-cert",
    kind: "string",
    value: "FILE",
    help: "TLS certificate (PEM)",
  },
  {
    name: "tls-key",
    kind: "string",
    value: "FILE",
    help: "TLS private key (PEM)",
  },
  {
    name: "max-message-size",
    kind: "string",
    value: "BYTES",
    help: `largest message a client may send (default ${d.maxMessageSize})`,
  },
  {
    name: "max-connections",
    kind: "string",
    value: "N",
    help: `most connections at once (default ${d.maxConnections})`,
  },
  {
    name: "init-timeout",
    kind: "string",
    value: "SECONDS",
    help: `time a client has to send its init (default ${d.initTimeout})`,
  },
  {
    name: "max-register-events",
    kind: "string",
    value: "N",
    help:
      `most events in one register request (default ${d.maxRegisterEvents})`,
  },
  {
    name: "send-queue-bytes",
    kind: "string",
    value: "BYTES",
    help:
      `bytes waiting for a client before it is dropped as slow (default ${d.sendQueueBytes})`,
  },
  {
    name: "codec",
    kind: "string",
    value: "wasm|ts",
    help: "the WebAssembly core or the TypeScript reference (default wasm)",
  },
  {
    name: "module",
    kind: "string",
    short: "m",
    multiple: true,
    value: "PATH",
    help: "engine module to run, after the config file's (a path relative " +
      "to here, an absolute path or a URL; docs/modules.md)",
  },
  {
    name: "module-timeout",
    kind: "string",
    value: "SECONDS",
    help: "longest a module's call may take before its session fails " +
      `(default ${d.moduleTimeout})`,
  },
  {
    name: "shutdown-timeout",
    kind: "string",
    value: "SECONDS",
    help: `longest graceful shutdown (default ${d.shutdownTimeout})`,
  },
  {
    name: "http",
    kind: "string",
    value: "HOST:PORT|off",
    help: `web view, /metrics and /healthz (default ${d.http!.hostname}:${
      d.http!.port
    }; port 0: any free port)`,
  },
  {
    name: "http-token",
    kind: "string",
    value: "TOKEN",
    help: "token HTTP requests must carry (default none on loopback, " +
      "else the server token)",
  },
  {
    name: "http-open",
    kind: "boolean",
    help: "serve HTTP on a non-loopback address without a token",
  },
  {
    name: "log-level",
    kind: "string",
    short: "l",
    value: "LEVEL",
    help: `error|warn|info|debug (default ${d.logLevel})`,
  },
  {
    name: "name",
    kind: "string",
    value: "NAME",
    help: "this server's name in its monitor group and to its peers " +
      "(default event_<server id>)",
  },
  {
    name: "monitor",
    kind: "string",
    value: "HOST:PORT",
    help: "join the Hat monitor server there: it decides the status",
  },
  {
    name: "group",
    kind: "string",
    value: "NAME",
    help: "monitor group of this server and its peers (default event)",
  },
  {
    name: "peer",
    kind: "string",
    multiple: true,
    value: "ID@HOST:PORT",
    help: "sync the events of server ID from the Event Server there",
  },
];

/** Help of `serve`. */
export const SERVE_HELP: string = helpText(
  "hat-eventer serve [options]",
  "Runs the Event Server until interrupted (Ctrl-C or SIGTERM), then shuts\n" +
    'down gracefully. See README "Event Server and CLI" for the config file.',
  FLAGS,
);

function number(parsed: Parsed, name: string): number | undefined {
  const v = str(parsed, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) {
    throw new CliError(
      `Invalid --${name}: expected a number, got "${v}"`,
      EXIT.usage,
    );
  }
  return n;
}

function monitorOf(parsed: Parsed): ConfigFile["monitorComponent"] {
  const address = str(parsed, "monitor");
  const group = str(parsed, "group");
  if (address === undefined && group === undefined) return undefined;
  return {
    ...(address === undefined ? {} : { address }),
    ...(group === undefined ? {} : { group }),
  };
}

function peersOf(parsed: Parsed): ConfigFile["peers"] {
  const values = list(parsed, "peer");
  if (values.length === 0) return undefined;
  return values.map((v) => {
    const m = /^(-?\d+)@(.+)$/.exec(v);
    if (m === null) {
      throw new CliError(
        `Invalid --peer: expected ID@HOST:PORT, e.g. 2@127.0.0.1:23012, got "${v}"`,
        EXIT.usage,
      );
    }
    return { serverId: Number(m[1]), address: m[2] };
  });
}

async function configOf(parsed: Parsed): Promise<ServerConfig> {
  const cert = str(parsed, "tls-cert");
  const key = str(parsed, "tls-key");
  if ((cert === undefined) !== (key === undefined)) {
    throw new CliError("--tls-cert and --tls-key go together", EXIT.usage);
  }
  // --no-memory overrides a file's "storage": "memory" as --memory does
  // "sqlite"; only an absent flag leaves the file's choice.
  const memory = bool(parsed, "memory");
  const overrides: ConfigFile = {
    address: str(parsed, "address"),
    serverId: number(parsed, "server-id"),
    serverToken: str(parsed, "server-token"),
    status: str(parsed, "status") as ConfigFile["status"],
    storage: memory === undefined ? undefined : memory ? "memory" : "sqlite",
    dataDir: str(parsed, "data-dir"),
    flushPeriod: number(parsed, "flush-period"),
    synchronous: str(parsed, "sync") as ConfigFile["synchronous"],
    busyTimeout: number(parsed, "busy-timeout"),
    maxResults: number(parsed, "max-results"),
    tls: cert === undefined ? undefined : { cert, key: key! },
    maxMessageSize: number(parsed, "max-message-size"),
    maxConnections: number(parsed, "max-connections"),
    initTimeout: number(parsed, "init-timeout"),
    maxRegisterEvents: number(parsed, "max-register-events"),
    sendQueueBytes: number(parsed, "send-queue-bytes"),
    shutdownTimeout: number(parsed, "shutdown-timeout"),
    logLevel: str(parsed, "log-level") as ConfigFile["logLevel"],
    codec: str(parsed, "codec") as ConfigFile["codec"],
    name: str(parsed, "name"),
    monitorComponent: monitorOf(parsed),
    peers: peersOf(parsed),
    http: str(parsed, "http"),
    httpToken: str(parsed, "http-token"),
    httpOpen: bool(parsed, "http-open"),
    modules: list(parsed, "module").map((module) => ({ module })),
    moduleTimeout: number(parsed, "module-timeout"),
  };
  const file = str(parsed, "config");
  try {
    return file === undefined
      ? resolveConfig({}, overrides)
      : await loadConfig(file, overrides);
  } catch (cause) {
    if (cause instanceof ConfigError) {
      throw new CliError(cause.message, EXIT.usage, { cause });
    }
    throw cause;
  }
}

/**
 * Runs `serve`.
 *
 * @param args Arguments after `serve`.
 * @param io Streams; aborting `io.signal` shuts the server down.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { serve } from "./serve.ts";
 * import assert from "node:assert/strict";
 *
 * const written: string[] = [];
 * const sink = { write: (p: Uint8Array) => (written.push(new TextDecoder().decode(p)), Promise.resolve(p.length)) };
 * const code = await serve(["--help"], {
 *   stdout: sink,
 *   stderr: sink,
 *   stdin: new Blob([]).stream(),
 *   stderrIsTerminal: false,
 *   signal: new AbortController().signal,
 * });
 * assert.equal(code, 0);
 * assert.match(written.join(""), /Usage: hat-eventer serve/);
 * ```
 */
export async function serve(args: string[], io: Io): Promise<number> {
  const parsed = parseArgs(args, FLAGS, { command: "serve" });
  if (parsed.help) {
    await out(io, SERVE_HELP);
    return EXIT.ok;
  }
  if (parsed.positionals.length > 0) {
    throw new CliError(
      `Unexpected argument ${parsed.positionals[0]}`,
      EXIT.usage,
    );
  }
  const config = await configOf(parsed);
  const log = createLogger(config.logLevel);
  let running;
  try {
    running = await startEventServer(config, { log });
  } catch (cause) {
    if (cause instanceof StartError) {
      throw new CliError(cause.message, EXIT.start, { cause });
    }
    // A module that cannot be loaded or created is a configuration error.
    if (cause instanceof ModuleError) {
      throw new CliError(cause.message, EXIT.usage, { cause });
    }
    throw cause;
  }
  const interrupted = new Promise<"signal">((resolve) => {
    if (io.signal.aborted) resolve("signal");
    io.signal.addEventListener("abort", () => resolve("signal"), {
      once: true,
    });
  });
  const why = await Promise.race([
    interrupted,
    running.closed.then(() => "failed" as const),
  ]);
  await running.close();
  // A server that became active but could not create its modules.
  const reason = running.engine.stopReason;
  if (why === "failed" && reason instanceof ModuleError) {
    throw new CliError(`The server stopped: ${reason.message}`, EXIT.usage, {
      cause: reason,
    });
  }
  // Also a shutdown whose last commit failed: its events are lost, which a
  // script must hear of.
  const failure = await running.storageClosed;
  if (why === "failed" || failure !== null) {
    throw new CliError(
      `The server stopped: its storage failed${
        failure === null ? "" : ` (${failure.message})`
      }`,
      EXIT.start,
      { cause: failure },
    );
  }
  return EXIT.ok;
}
