/**
 * Configuration of the standalone Event Server: the JSON config file,
 * its defaults, and validation. Command-line flags of `serve` override the
 * file's entries one by one.
 *
 * ```json
 * {
 *   "address": "127.0.0.1:23012",
 *   "serverId": 1,
 *   "serverToken": null,
 *   "status": "operational",
 *   "storage": "sqlite",
 *   "dataDir": "./data",
 *   "flushPeriod": 20,
 *   "synchronous": "full",
 *   "busyTimeout": 5000,
 *   "maxResults": 4096,
 *   "retention": [{ "eventTypes": [["a", "*"]], "maxEntries": 100000, "maxAge": 86400 }],
 *   "cleanupPeriod": 1000,
 *   "tls": { "cert": "cert.pem", "key": "key.pem" },
 *   "maxMessageSize": 67108864,
 *   "maxConnections": 4096,
 *   "initTimeout": 10,
 *   "maxRegisterEvents": 100000,
 *   "sendQueueBytes": 4194304,
 *   "pingDelay": 20,
 *   "pingTimeout": 20,
 *   "shutdownTimeout": 5,
 *   "logLevel": "info",
 *   "name": "event_1",
 *   "monitorComponent": { "address": "127.0.0.1:23010", "group": "event" },
 *   "peers": [],
 *   "peerReconnectDelay": 5,
 *   "http": "127.0.0.1:23080",
 *   "httpToken": null,
 *   "httpOpen": false,
 *   "codec": "wasm",
 *   "modules": [{ "module": "./modules/alarms.ts", "limit": 80 }],
 *   "moduleTimeout": 5
 * }
 * ```
 *
 * `monitorComponent` and `peers` exclude each other: with a monitor, the
 * peers are the other Event Servers of its group (docs/redundancy.md).
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * const config = resolveConfig({ serverId: 7 }, { storage: "memory" });
 * assert.equal(config.serverId, 7);
 * assert.equal(config.storage, "memory");
 * assert.deepEqual(config.address, { hostname: "127.0.0.1", port: 23012 });
 * ```
 *
 * @module
 */

import type { Status } from "../event/mod.ts";
import {
  integer,
  oneOf,
  positiveSeconds,
  seconds,
  text,
} from "./_config_values.ts";
import {
  monitorComponent,
  peers,
  reconnectDelay,
  serverName,
} from "./_config_peers.ts";
import { ConfigError } from "./errors.ts";
import { isLoopback } from "./http/access.ts";
import {
  cwdUrl,
  type ModuleConf,
  type ModuleSpec,
  pathUrl,
  resolveModuleSpecifier,
} from "./modules/internal_mod.ts";
import { checkRule, type RetentionRule } from "./storage/mod.ts";

/** Log levels, from the quietest. */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** A Hat monitor server to join, as written in the config file. */
export interface MonitorComponentFile {
  /** The monitor's component address, `host:port`. */
  readonly address?: string;
  /**
   * The monitor group of this server and its peers.
   * @default {"event"}
   */
  readonly group?: string;
  /**
   * The eventer address published to the group (where peers and clients
   * reach this server), `host:port`.
   * @default {the listen address, with the port actually bound}
   */
  readonly eventerAddress?: string;
}

/** A static peer, as written in the config file. */
export interface PeerFile {
  /** The peer's eventer address, `host:port`. */
  readonly address: string;
  /** The peer's server id (the id of its events). */
  readonly serverId: number;
}

/** A TCP address of the config. */
export interface AddressConfig {
  /** Host name or IP. */
  readonly hostname: string;
  /** Port (0: any free port, when listening). */
  readonly port: number;
}

/** A monitor server to join, checked. */
export interface MonitorComponentConfig {
  /** The monitor's component address. */
  readonly address: AddressConfig;
  /** The monitor group. */
  readonly group: string;
  /** The address published to the group; `null`: the listen address. */
  readonly eventerAddress: AddressConfig | null;
}

/** A static peer, checked. */
export interface PeerConfig {
  /** The peer's eventer address. */
  readonly address: AddressConfig;
  /** The peer's server id. */
  readonly serverId: number;
}

/** The configuration as written in the JSON file (every entry optional). */
export interface ConfigFile {
  /**
   * `host:port` to listen on.
   * @default {"127.0.0.1:23012"}
   */
  readonly address?: string;
  /**
   * This server's id (events get ids of this server).
   * @default {1}
   */
  readonly serverId?: number;
  /**
   * Token clients must give (a client giving another one is refused).
   * @default {null}
   */
  readonly serverToken?: string | null;
  /**
   * Status announced to clients.
   * @default {"operational"}
   */
  readonly status?: Status;
  /**
   * Where events are kept.
   * @default {"sqlite"}
   */
  readonly storage?: "sqlite" | "memory";
  /**
   * Directory of the SQLite database (`events.db`).
   * @default {"./data"}
   */
  readonly dataDir?: string;
  /**
   * Longest time in ms before registered events are committed.
   * @default {20}
   */
  readonly flushPeriod?: number;
  /**
   * SQLite `synchronous`: "full" or "normal".
   * @default {"full"}
   */
  readonly synchronous?: "full" | "normal";
  /**
   * Milliseconds a commit or retention cleanup waits for a write lock that
   * another process holds on the database before the storage fails (and
   * the server stops with exit 4). The wait holds up the whole server.
   * @default {5000}
   */
  readonly busyTimeout?: number;
  /**
   * Most events one query returns.
   * @default {4096}
   */
  readonly maxResults?: number;
  /**
   * Retention limits.
   * @default {[]}
   */
  readonly retention?: readonly RetentionRule[];
  /**
   * Milliseconds between retention cleanups.
   * @default {1000}
   */
  readonly cleanupPeriod?: number;
  /**
   * TLS certificate and key files (PEM).
   * @default {null}
   */
  readonly tls?: { readonly cert: string; readonly key: string } | null;
  /**
   * Largest message in bytes a client may send.
   * @default {67108864}
   */
  readonly maxMessageSize?: number;
  /**
   * Most connections at once; more are closed as soon as accepted.
   * @default {4096}
   */
  readonly maxConnections?: number;
  /**
   * Seconds a new connection may take to send its init request.
   * @default {10}
   */
  readonly initTimeout?: number;
  /**
   * Most events in one register request.
   * @default {100000}
   */
  readonly maxRegisterEvents?: number;
  /**
   * Bytes waiting for one client above which it is dropped as slow.
   * @default {4194304}
   */
  readonly sendQueueBytes?: number;
  /**
   * Seconds of silence before a ping (0: no pings; at most 2147483).
   * @default {20}
   */
  readonly pingDelay?: number;
  /**
   * Seconds to wait for any answer to a ping (at most 2147483).
   * @default {20}
   */
  readonly pingTimeout?: number;
  /**
   * Seconds a graceful shutdown may take (at most 2147483).
   * @default {5}
   */
  readonly shutdownTimeout?: number;
  /**
   * Log level.
   * @default {"info"}
   */
  readonly logLevel?: LogLevel;
  /**
   * This server's name: its monitor component name, and `event/<name>` is
   * the client name of its connections to peers.
   * @default {"event_<serverId>"}
   */
  readonly name?: string;
  /**
   * A Hat monitor server to join as a component of `group`: the monitor
   * then decides whether this server is active (`operational`) or
   * `standby`, and the other Event Servers of the group are its peers. A
   * configured `status` is ignored (with a warning). Merged field by field
   * with an override.
   * @default {null}
   */
  readonly monitorComponent?: MonitorComponentFile | null;
  /**
   * Static peers, without a monitor: this server syncs every peer's
   * events (of the peer's server id), each server active for its own id.
   * @default {[]}
   */
  readonly peers?: readonly PeerFile[];
  /**
   * Seconds between a failed connection to a peer and the next attempt.
   * @default {5}
   */
  readonly peerReconnectDelay?: number;
  /**
   * `host:port` of the web view, `/metrics` and `/healthz` (port 0: any
   * free port), or `"off"` (or null) for none.
   * @default {"127.0.0.1:23080"}
   */
  readonly http?: string | null;
  /**
   * Token HTTP requests must carry (on any address); without it, a
   * non-loopback `http` address takes the `serverToken`.
   * @default {null}
   */
  readonly httpToken?: string | null;
  /**
   * Serve HTTP on a non-loopback address without a token (to anyone who
   * can reach it).
   * @default {false}
   */
  readonly httpOpen?: boolean;
  /**
   * Which codec reads requests and writes notifications, answers and
   * storage records: the WebAssembly core or the TypeScript reference
   * (see the README and docs/wasm.md). Absent: "wasm", unless the
   * environment variable HAT_EVENTER_CODEC is "ts".
   * @default {"wasm"}
   */
  readonly codec?: "wasm" | "ts";
  /**
   * Engine modules, in the order they process sessions: each entry names
   * what to import in `module` (a path relative to this file, an absolute
   * path, a `file:`/`https:` URL, a `jsr:` or `npm:` specifier); its other
   * entries are the module's own settings (docs/modules.md). Modules given
   * as overrides (`serve --module`) come after the file's, and their
   * relative paths are relative to the working directory.
   * @default {[]}
   */
  readonly modules?: readonly ModuleConf[];
  /**
   * Seconds a module's call may take to settle before the session fails.
   * @default {5}
   */
  readonly moduleTimeout?: number;
}

/** Options of {@linkcode resolveConfig}. */
export interface ResolveOptions {
  /**
   * What relative module paths of the file are relative to: the URL of
   * the configuration file (or of a folder, ending in `/`).
   * @default {the working directory}
   */
  readonly base?: string | URL;
}

/** A complete, checked configuration. */
export interface ServerConfig {
  /** Where to listen. */
  readonly address: { readonly hostname: string; readonly port: number };
  /** This server's id. */
  readonly serverId: number;
  /** Token clients must give, or null. */
  readonly serverToken: string | null;
  /** Status announced to clients. */
  readonly status: Status;
  /** Where events are kept. */
  readonly storage: "sqlite" | "memory";
  /** Directory of the SQLite database. */
  readonly dataDir: string;
  /** Longest time in ms before registered events are committed. */
  readonly flushPeriod: number;
  /** SQLite `synchronous`. */
  readonly synchronous: "full" | "normal";
  /** Milliseconds to wait for another process's write lock. */
  readonly busyTimeout: number;
  /** Most events one query returns. */
  readonly maxResults: number;
  /** Retention limits. */
  readonly retention: readonly RetentionRule[];
  /** Milliseconds between retention cleanups. */
  readonly cleanupPeriod: number;
  /** TLS certificate and key files, or null for plain TCP. */
  readonly tls: { readonly cert: string; readonly key: string } | null;
  /** Largest message in bytes a client may send. */
  readonly maxMessageSize: number;
  /** Most connections at once; more are closed as soon as accepted. */
  readonly maxConnections: number;
  /** Seconds a new connection may take to send its init request. */
  readonly initTimeout: number;
  /** Most events in one register request. */
  readonly maxRegisterEvents: number;
  /** Bytes waiting for one client above which it is dropped as slow. */
  readonly sendQueueBytes: number;
  /** Seconds of silence before a ping (0: none). */
  readonly pingDelay: number;
  /** Seconds to wait for an answer to a ping. */
  readonly pingTimeout: number;
  /** Seconds a graceful shutdown may take. */
  readonly shutdownTimeout: number;
  /** Log level. */
  readonly logLevel: LogLevel;
  /** This server's name. */
  readonly name: string;
  /** The monitor server to join, or null. */
  readonly monitorComponent: MonitorComponentConfig | null;
  /** Static peers. */
  readonly peers: readonly PeerConfig[];
  /** Seconds between a failed connection to a peer and the next attempt. */
  readonly peerReconnectDelay: number;
  /**
   * What in the configuration is accepted but has no effect (the server
   * logs each line at start).
   */
  readonly warnings: readonly string[];
  /** Where the HTTP part listens, or null for no HTTP. */
  readonly http: { readonly hostname: string; readonly port: number } | null;
  /** Token HTTP requests must carry, or null. */
  readonly httpToken: string | null;
  /** Whether a non-loopback HTTP address may go without a token. */
  readonly httpOpen: boolean;
  /** The codec, or null for the library's default. */
  readonly codec: "wasm" | "ts" | null;
  /** Engine modules with the specifiers to import, in order. */
  readonly modules: readonly ModuleSpec[];
  /** Seconds a module's call may take to settle. */
  readonly moduleTimeout: number;
}

/** The defaults: what `deno task start` runs with.  *
 * @example
 * ```ts
 * import { DEFAULT_CONFIG } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_CONFIG.address.port, 23012);
 * assert.equal(DEFAULT_CONFIG.storage, "sqlite");
 * ```
 */
export const DEFAULT_CONFIG: ServerConfig = Object.freeze({
  address: Object.freeze({ hostname: "127.0.0.1", port: 23012 }),
  serverId: 1,
  serverToken: null,
  status: "operational",
  storage: "sqlite",
  dataDir: "./data",
  flushPeriod: 20,
  synchronous: "full",
  busyTimeout: 5000,
  maxResults: 4096,
  retention: Object.freeze([]) as readonly RetentionRule[],
  cleanupPeriod: 1000,
  tls: null,
  maxMessageSize: 64 * 1024 * 1024,
  maxConnections: 4096,
  initTimeout: 10,
  maxRegisterEvents: 100_000,
  sendQueueBytes: 4 * 1024 * 1024,
  pingDelay: 20,
  pingTimeout: 20,
  shutdownTimeout: 5,
  logLevel: "info",
  name: "event_1",
  monitorComponent: null,
  peers: Object.freeze([]) as readonly PeerConfig[],
  peerReconnectDelay: 5,
  warnings: Object.freeze([]) as readonly string[],
  http: Object.freeze({ hostname: "127.0.0.1", port: 23080 }),
  httpToken: null,
  httpOpen: false,
  codec: null,
  modules: Object.freeze([]) as readonly ModuleSpec[],
  moduleTimeout: 5,
});

const KEYS = new Set(
  Object.keys(DEFAULT_CONFIG).filter((k) => k !== "warnings"),
);
const STATUSES = ["standby", "starting", "operational", "stopping"];
const LEVELS = ["error", "warn", "info", "debug"];

/** `host:port`, `:port` or `port`; `[v6]:port` for IPv6.  *
 * @example
 * ```ts
 * import { parseAddressText } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseAddressText("address", ":23012"), { hostname: "127.0.0.1", port: 23012 });
 * assert.deepEqual(parseAddressText("address", "[::1]:80"), { hostname: "::1", port: 80 });
 * assert.throws(() => parseAddressText("address", "host"), /Invalid address/);
 * ```
 */
export function parseAddressText(
  key: string,
  v: unknown,
): { hostname: string; port: number } {
  const m = typeof v === "string"
    ? /^(?:\[([^\]]+)\]|([^:]*))?:?(\d+)$/.exec(v.trim())
    : null;
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !Number.isInteger(port) || port > 65535) {
    throw new ConfigError(
      key,
      `expected host:port, e.g. 127.0.0.1:23012, got ${JSON.stringify(v)}`,
    );
  }
  const hostname = m[1] ??
    (m[2] === undefined || m[2] === "" ? "127.0.0.1" : m[2]);
  return { hostname, port };
}

/**
 * Checks a config file's content and the command-line overrides and fills
 * in the defaults; overrides win.
 *
 * @param file The parsed JSON file (or `{}`).
 * @param overrides Entries given on the command line.
 * @param options Where the file's relative module paths start.
 * @returns The complete configuration.
 * @throws {ConfigError} Naming the first wrong or unknown entry.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * const config = resolveConfig({ serverId: 2 }, { address: ":4000" });
 * assert.equal(config.serverId, 2);
 * assert.equal(config.address.port, 4000);
 * assert.throws(() => resolveConfig({ serverID: 2 }), /unknown entry/);
 * ```
 */
export function resolveConfig(
  file: unknown,
  overrides: ConfigFile = {},
  options: ResolveOptions = {},
): ServerConfig {
  if (typeof file !== "object" || file === null || Array.isArray(file)) {
    throw new ConfigError("config", "expected a JSON object");
  }
  for (const key of Object.keys(file)) {
    if (!KEYS.has(key)) {
      throw new ConfigError(
        key,
        `unknown entry (known: ${[...KEYS].join(", ")})`,
      );
    }
  }
  const c: Record<string, unknown> = { ...file };
  for (const [k, v] of Object.entries(overrides)) {
    if (v !== undefined && k !== "modules") c[k] = v;
  }
  // A flag such as --group changes one field of the file's monitor.
  const fileMonitor = (file as Record<string, unknown>).monitorComponent;
  if (
    overrides.monitorComponent && typeof fileMonitor === "object" &&
    fileMonitor !== null && !Array.isArray(fileMonitor)
  ) {
    c.monitorComponent = { ...fileMonitor, ...overrides.monitorComponent };
  }
  const get = (key: keyof ServerConfig) =>
    c[key] === undefined ? DEFAULT_CONFIG[key] : c[key];
  const address = c.address === undefined
    ? DEFAULT_CONFIG.address
    : parseAddressText("address", c.address);
  const token = get("serverToken");
  if (token !== null && typeof token !== "string") {
    throw new ConfigError("serverToken", "expected a string or null");
  }
  const tls = get("tls") as { cert?: unknown; key?: unknown } | null;
  if (tls !== null && (typeof tls !== "object" || Array.isArray(tls))) {
    throw new ConfigError(
      "tls",
      'expected {"cert": FILE, "key": FILE} or null',
    );
  }
  const httpValue = get("http");
  const http = httpValue === null || httpValue === "off"
    ? null
    : c.http === undefined
    ? DEFAULT_CONFIG.http
    : parseAddressText("http", httpValue);
  const httpToken = get("httpToken");
  if (
    httpToken !== null && (typeof httpToken !== "string" || httpToken === "")
  ) {
    throw new ConfigError("httpToken", "expected a non-empty string or null");
  }
  const httpOpen = get("httpOpen");
  if (typeof httpOpen !== "boolean") {
    throw new ConfigError("httpOpen", "expected true or false");
  }
  if (httpOpen && httpToken !== null) {
    throw new ConfigError(
      "httpOpen",
      "httpOpen serves without a token, but httpToken gives one: drop one",
    );
  }
  const retention = get("retention");
  if (!Array.isArray(retention)) {
    throw new ConfigError("retention", "expected an array of rules");
  }
  let rules: RetentionRule[];
  try {
    rules = retention.map(checkRule);
  } catch (cause) {
    throw new ConfigError("retention", (cause as Error).message, { cause });
  }
  const serverId = integer(
    "serverId",
    get("serverId"),
    -(2 ** 53 - 1),
    2 ** 53 - 1,
  );
  const monitor = monitorComponent(c.monitorComponent, parseAddressText);
  const peerList = peers(get("peers"), serverId, parseAddressText);
  if (monitor !== null && peerList.length > 0) {
    throw new ConfigError(
      "peers",
      "not with monitorComponent: with a monitor, the peers are the other " +
        "Event Servers of its group",
    );
  }
  const warnings: string[] = [];
  if (monitor !== null && c.status !== undefined) {
    warnings.push(
      `status ${JSON.stringify(c.status)} is ignored: with ` +
        "monitorComponent, the monitor decides the status",
    );
  }
  const config: ServerConfig = {
    address,
    serverId,
    serverToken: token as string | null,
    status: oneOf<Status>("status", get("status"), STATUSES),
    storage: oneOf<"sqlite" | "memory">("storage", get("storage"), [
      "sqlite",
      "memory",
    ]),
    dataDir: text("dataDir", get("dataDir")),
    flushPeriod: integer("flushPeriod", get("flushPeriod"), 0, 60_000),
    synchronous: oneOf<"full" | "normal">("synchronous", get("synchronous"), [
      "full",
      "normal",
    ]),
    busyTimeout: integer("busyTimeout", get("busyTimeout"), 0, 2 ** 31 - 1),
    maxResults: integer("maxResults", get("maxResults"), 1, 2 ** 31 - 1),
    retention: rules,
    cleanupPeriod: integer(
      "cleanupPeriod",
      get("cleanupPeriod"),
      1,
      2 ** 31 - 1,
    ),
    tls: tls === null
      ? null
      : { cert: text("tls.cert", tls.cert), key: text("tls.key", tls.key) },
    maxMessageSize: integer(
      "maxMessageSize",
      get("maxMessageSize"),
      1024,
      2 ** 32,
    ),
    maxConnections: integer(
      "maxConnections",
      get("maxConnections"),
      1,
      2 ** 31 - 1,
    ),
    initTimeout: positiveSeconds("initTimeout", get("initTimeout")),
    maxRegisterEvents: integer(
      "maxRegisterEvents",
      get("maxRegisterEvents"),
      1,
      2 ** 31 - 1,
    ),
    sendQueueBytes: integer(
      "sendQueueBytes",
      get("sendQueueBytes"),
      1024,
      2 ** 40,
    ),
    pingDelay: seconds("pingDelay", get("pingDelay")),
    pingTimeout: seconds("pingTimeout", get("pingTimeout")),
    shutdownTimeout: seconds("shutdownTimeout", get("shutdownTimeout")),
    logLevel: oneOf<LogLevel>("logLevel", get("logLevel"), LEVELS),
    name: serverName(c.name ?? `event_${serverId}`),
    monitorComponent: monitor,
    peers: peerList,
    peerReconnectDelay: reconnectDelay(get("peerReconnectDelay")),
    warnings,
    http,
    httpToken: httpToken as string | null,
    httpOpen,
    codec: get("codec") === null
      ? null
      : oneOf<"wasm" | "ts">("codec", get("codec"), ["wasm", "ts"]),
    modules: [
      ...moduleSpecs(
        "modules",
        (file as ConfigFile).modules,
        options.base ?? cwdUrl(),
        0,
      ),
      ...moduleSpecs(
        "--module",
        overrides.modules,
        cwdUrl(),
        (file as ConfigFile).modules?.length ?? 0,
      ),
    ],
    moduleTimeout: positiveSeconds("moduleTimeout", get("moduleTimeout")),
  };
  httpTokenOf(config);
  return config;
}

/**
 * The token HTTP requests must carry: `httpToken` when given; else none on
 * a loopback address or with `httpOpen`; else the `serverToken`.
 *
 * @param config The configuration.
 * @returns The token, or null when requests need none.
 * @throws {ConfigError} When `http` is not a loopback address and there
 * is no token to require and no `httpOpen`.
 *
 * @example
 * ```ts
 * import { httpTokenOf, resolveConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(httpTokenOf(resolveConfig({})), null);
 * assert.equal(
 *   httpTokenOf(resolveConfig({ http: "0.0.0.0:8080", serverToken: "t" })),
 *   "t",
 * );
 * assert.throws(() => resolveConfig({ http: "0.0.0.0:8080" }), /need a token/);
 * ```
 */
export function httpTokenOf(config: ServerConfig): string | null {
  if (config.httpToken !== null) return config.httpToken;
  if (config.http === null || isLoopback(config.http.hostname)) return null;
  if (config.httpOpen) return null;
  if (config.serverToken !== null) return config.serverToken;
  const { hostname, port } = config.http;
  throw new ConfigError(
    "http",
    `${hostname}:${port} is not a loopback address, so the web view and ` +
      "metrics there need a token: give httpToken (--http-token) or " +
      "serverToken (--server-token), or httpOpen (--http-open) to serve " +
      "them to anyone who can reach the address",
  );
}

function moduleSpecs(
  key: string,
  entries: unknown,
  base: string | URL,
  first: number,
): ModuleSpec[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) {
    throw new ConfigError(
      key,
      'expected an array of entries like {"module": "./alarms.ts"}',
    );
  }
  return entries.map((conf: unknown, i) => {
    const where = `${key}[${first + i}]`;
    if (typeof conf !== "object" || conf === null || Array.isArray(conf)) {
      throw new ConfigError(
        where,
        `expected an object like {"module": "./alarms.ts"}, got ${
          JSON.stringify(conf)
        }`,
      );
    }
    const module = (conf as { module?: unknown }).module;
    if (typeof module !== "string" || module.trim() === "") {
      throw new ConfigError(
        `${where}.module`,
        `expected what to import (a path, a URL or a specifier), got ${
          JSON.stringify(module)
        }`,
      );
    }
    return {
      url: resolveModuleSpecifier(module, base),
      conf: conf as ModuleConf,
    };
  });
}

/**
 * Reads and checks a JSON config file.
 *
 * @param path The file (its relative module paths are relative to it).
 * @param overrides Entries given on the command line.
 * @returns The complete configuration.
 * @throws {ConfigError} When it cannot be read, is not JSON, or is invalid.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(path, JSON.stringify({ storage: "memory" }));
 * const config = await loadConfig(path, { serverId: 3 });
 * assert.equal(config.storage, "memory");
 * assert.equal(config.serverId, 3);
 * await Deno.remove(path);
 * ```
 */
export async function loadConfig(
  path: string,
  overrides: ConfigFile = {},
): Promise<ServerConfig> {
  let content: string;
  try {
    content = await Deno.readTextFile(path);
  } catch (cause) {
    throw new ConfigError(
      "config",
      `cannot read ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  let file: unknown;
  try {
    file = JSON.parse(content);
  } catch (cause) {
    throw new ConfigError(
      "config",
      `${path} is not valid JSON: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  return resolveConfig(file, overrides, { base: pathUrl(path) });
}
