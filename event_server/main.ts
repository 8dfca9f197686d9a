/**
 * Runs the standalone Event Server from a {@linkcode ServerConfig}: opens
 * the storage (creating the data directory, and locking it: one server per
 * directory), reads the TLS files, starts the engine and the HTTP part
 * (web view, metrics) and logs what happens.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./config.ts";
 * import { startEventServer } from "./main.ts";
 * import { createLogger } from "./log.ts";
 * import assert from "node:assert/strict";
 *
 * const config = resolveConfig({
 *   address: "127.0.0.1:0",
 *   storage: "memory",
 *   http: "127.0.0.1:0",
 * });
 * await using running = await startEventServer(config, {
 *   log: createLogger("error"),
 * });
 * assert.ok(running.engine.addrs[0].port > 0);
 * const health = await fetch(new URL("/healthz", running.http!.url));
 * assert.equal(health.status, 200);
 * await health.body?.cancel();
 * ```
 *
 * @module
 */

import { httpTokenOf, type ServerConfig } from "./config.ts";
import { type Engine, startEngine } from "./engine.ts";
import { StartError, StorageError } from "./errors.ts";
import { type HttpServer, listenHttp } from "./http/mod.ts";
import { createLogger, type Logger } from "./log.ts";
import {
  FailureLog,
  type LoadedModule,
  loadModules,
  ModuleCreateError,
  type ModuleError,
} from "./modules/internal_mod.ts";
import { type DataDirLock, lockDataDir } from "./_data_dir_lock.ts";
import { type Redundancy, startRedundancy } from "./redundancy/mod.ts";
import { MemoryStorage, SqliteStorage, type Storage } from "./storage/mod.ts";

/** Options of {@linkcode startEventServer}. */
export interface StartOptions {
  /**
   * Where log lines go.
   * @default {createLogger(config.logLevel)}
   */
  readonly log?: Logger;
}

/** A running Event Server. */
export interface RunningServer extends AsyncDisposable {
  /** The engine (addresses, status, storage). */
  readonly engine: Engine;
  /** The web view, `/metrics` and `/healthz`; null with `http` off. */
  readonly http: HttpServer | null;
  /**
   * The peers' syncs and the monitor membership; `null` with neither
   * `monitorComponent` nor `peers` configured.
   */
  readonly redundancy: Redundancy | null;
  /** Shuts down gracefully within the configured `shutdownTimeout`. */
  close(): Promise<void>;
  /**
   * Resolves once the server stopped: after `close()`, or by itself when
   * its storage failed.
   */
  readonly closed: Promise<void>;
  /**
   * Resolves once the storage is closed: with the error that closed it
   * when it failed (also when its last commit failed during `close()`),
   * `null` after a clean close.
   */
  readonly storageClosed: Promise<StorageError | null>;
}

function openStorage(config: ServerConfig, log: Logger): Storage {
  const common = {
    maxResults: config.maxResults,
    retention: config.retention,
    cleanupPeriod: config.cleanupPeriod,
    onError: (error: unknown) => log.error("storage", error),
  };
  if (config.storage === "memory") return new MemoryStorage(common);
  const path = `${config.dataDir}/events.db`;
  try {
    return new SqliteStorage(path, {
      ...common,
      flushPeriod: config.flushPeriod,
      synchronous: config.synchronous,
      busyTimeout: config.busyTimeout,
    });
  } catch (cause) {
    if (cause instanceof StorageError) {
      throw new StartError(cause.message, { cause });
    }
    throw cause;
  }
}

/** Creates and locks the data directory: one server per directory. */
async function lockData(config: ServerConfig): Promise<DataDirLock | null> {
  if (config.storage === "memory") return null;
  try {
    await Deno.mkdir(config.dataDir, { recursive: true });
  } catch (cause) {
    throw new StartError(`Cannot create data directory ${config.dataDir}`, {
      cause,
    });
  }
  return await lockDataDir(config.dataDir);
}

async function readTls(
  config: ServerConfig,
): Promise<{ cert: string; key: string } | undefined> {
  if (config.tls === null) return undefined;
  try {
    return {
      cert: await Deno.readTextFile(config.tls.cert),
      key: await Deno.readTextFile(config.tls.key),
    };
  } catch (cause) {
    throw new StartError(
      `Cannot read TLS certificate or key: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/**
 * Starts the Event Server.
 *
 * @param config The configuration.
 * @param options Logger.
 * @returns The running server.
 * @throws {StartError} When the data directory is in use by another
 * server (its `server.lock` is held), the storage cannot be opened, the TLS
 * files cannot be read or an address (eventer, HTTP) cannot be listened on.
 * @throws {ModuleError} When an engine module cannot be imported
 * ({@linkcode ModuleLoadError}) or created ({@linkcode ModuleCreateError}).
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./config.ts";
 * import { startEventServer } from "./main.ts";
 * import { createLogger } from "./log.ts";
 * import assert from "node:assert/strict";
 *
 * const running = await startEventServer(
 *   resolveConfig({
 *     address: "127.0.0.1:0",
 *     storage: "memory",
 *     serverId: 5,
 *     http: "off",
 *   }),
 *   { log: createLogger("error") },
 * );
 * assert.equal(running.engine.serverId, 5);
 * await running.close();
 * ```
 */
export async function startEventServer(
  config: ServerConfig,
  options: StartOptions = {},
): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  for (const warning of config.warnings) log.warn(warning);
  // Imported first: a module that cannot be loaded stops the start before
  // anything is opened.
  const modules: LoadedModule[] = await loadModules(config.modules);
  const tls = await readTls(config);
  // With a monitor, the monitor decides: standby until blessed.
  const status = config.monitorComponent === null ? config.status : "standby";
  const lock = await lockData(config);
  // HTTP listens before the storage opens and the eventer port listens: an
  // HTTP address in use stops the start before either.
  let http: HttpServer | null;
  try {
    http = await listenWeb(config, tls, log);
  } catch (error) {
    lock?.release();
    throw error;
  }
  let storage: Storage;
  try {
    storage = openStorage(config, log);
  } catch (error) {
    lock?.release();
    await http?.close();
    throw error;
  }
  const failures = new FailureLog((line, error: ModuleError) => {
    log.error(line);
    // The module's own stack, for its author.
    if (error.cause instanceof Error && error.cause.stack !== undefined) {
      log.debug(error.cause.stack);
    }
  });
  let engine: Engine;
  // Set once the engine runs: what modules' resetMonitorReady() reaches.
  let redundancy: Redundancy | null = null;
  try {
    engine = await startEngine(config.address, {
      storage,
      serverId: config.serverId,
      serverToken: config.serverToken,
      status,
      tls,
      maxMessageSize: config.maxMessageSize,
      maxConnections: config.maxConnections,
      initTimeout: config.initTimeout,
      maxRegisterEvents: config.maxRegisterEvents,
      codec: config.codec ?? undefined,
      maxQueryResults: config.maxResults,
      sendQueueBytes: config.sendQueueBytes,
      pingDelay: config.pingDelay,
      pingTimeout: config.pingTimeout,
      onError: (error, context) => log.warn(`${context}: ${describe(error)}`),
      modules,
      moduleTimeout: config.moduleTimeout,
      onModuleError: (error) => failures.report(error),
      resetMonitorReady: () => redundancy?.resetReady() ?? Promise.resolve(),
    });
  } catch (cause) {
    await storage.close();
    lock?.release();
    await http?.close();
    if (cause instanceof ModuleCreateError) throw cause;
    const { hostname, port } = config.address;
    throw new StartError(
      `Cannot listen on ${hostname}:${port}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const where = engine.addrs.map((a) => `${a.hostname}:${a.port}`).join(", ");
  log.info(
    `Event Server ${config.serverId} listening on ${where} ` +
      `(${tls ? "TLS" : "TCP"}), storage ${storageName(config)}, ` +
      `codec ${engine.codec}, ` +
      `status ${status}`,
  );
  if (http !== null) {
    http.serve(engine);
    log.info(
      `web view, /metrics and /healthz at ${http.url} (${
        http.guarded ? "token required" : "no token"
      })`,
    );
  }
  for (const m of modules) log.info(`module ${m.index}: ${m.name}`);
  redundancy = startRedundancy(engine, config, log);
  let closing: Promise<void> | null = null;
  const close = () =>
    closing ??= (async () => {
      log.info("shutting down");
      try {
        // Standby first (the monitor blesses another), then the engine.
        await redundancy?.close();
        await engine.close({ timeout: config.shutdownTimeout * 1000 });
        await http?.close();
      } finally {
        lock?.release();
      }
      for (const line of failures.pending()) log.error(line);
      log.info("stopped");
    })();
  // An engine that stopped by itself (its storage failed) stops its syncs
  // and still lets go of the directory once its storage is closed.
  engine.closed.then(() => redundancy?.close());
  engine.closed.then(() => engine.close()).finally(() => lock?.release());
  return {
    engine,
    http,
    redundancy,
    close,
    closed: engine.closed,
    storageClosed: storage.closed,
    [Symbol.asyncDispose]: close,
  };
}

function storageName(config: ServerConfig): string {
  return config.storage === "memory"
    ? "memory"
    : `${config.dataDir}/events.db (synchronous ${config.synchronous})`;
}

async function listenWeb(
  config: ServerConfig,
  tls: { cert: string; key: string } | undefined,
  log: Logger,
): Promise<HttpServer | null> {
  if (config.http === null) return null;
  const { hostname, port } = config.http;
  try {
    return await listenHttp(config.http, {
      token: httpTokenOf(config),
      tls,
      log,
      storageName: storageName(config),
    });
  } catch (cause) {
    throw new StartError(
      `Cannot listen for HTTP on ${hostname}:${port}: ${
        (cause as Error).message
      }`,
      { cause },
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}
