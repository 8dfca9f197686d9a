/**
 * Runs the standalone Event Server from a {@linkcode ServerConfig}: opens
 * the storage (creating the data directory, and locking it: one server per
 * directory), reads the TLS files, starts the engine and logs what happens.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./config.ts";
 * import { startEventServer } from "./main.ts";
 * import { createLogger } from "./log.ts";
 * import assert from "node:assert/strict";
 *
 * const config = resolveConfig({ address: "127.0.0.1:0", storage: "memory" });
 * await using running = await startEventServer(config, {
 *   log: createLogger("error"),
 * });
 * assert.ok(running.engine.addrs[0].port > 0);
 * ```
 *
 * @module
 */

import type { ServerConfig } from "./config.ts";
import { type Engine, startEngine } from "./engine.ts";
import { StartError, StorageError } from "./errors.ts";
import { createLogger, type Logger } from "./log.ts";
import { type DataDirLock, lockDataDir } from "./_data_dir_lock.ts";
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
 * files cannot be read or the address cannot be listened on.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./config.ts";
 * import { startEventServer } from "./main.ts";
 * import { createLogger } from "./log.ts";
 * import assert from "node:assert/strict";
 *
 * const running = await startEventServer(
 *   resolveConfig({ address: "127.0.0.1:0", storage: "memory", serverId: 5 }),
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
  const tls = await readTls(config);
  const lock = await lockData(config);
  let storage: Storage;
  try {
    storage = openStorage(config, log);
  } catch (error) {
    lock?.release();
    throw error;
  }
  let engine: Engine;
  try {
    engine = await startEngine(config.address, {
      storage,
      serverId: config.serverId,
      serverToken: config.serverToken,
      status: config.status,
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
    });
  } catch (cause) {
    await storage.close();
    lock?.release();
    const { hostname, port } = config.address;
    throw new StartError(
      `Cannot listen on ${hostname}:${port}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const where = engine.addrs.map((a) => `${a.hostname}:${a.port}`).join(", ");
  log.info(
    `Event Server ${config.serverId} listening on ${where} ` +
      `(${tls ? "TLS" : "TCP"}), storage ${
        config.storage === "memory"
          ? "memory"
          : `${config.dataDir}/events.db (synchronous ${config.synchronous})`
      }, status ${config.status}, codec ${engine.codec}`,
  );
  let closing: Promise<void> | null = null;
  const close = () =>
    closing ??= (async () => {
      log.info("shutting down");
      try {
        await engine.close({ timeout: config.shutdownTimeout * 1000 });
      } finally {
        lock?.release();
      }
      log.info("stopped");
    })();
  // An engine that stopped by itself (its storage failed) still lets go of
  // the directory once its storage is closed.
  engine.closed.then(() => engine.close()).finally(() => lock?.release());
  return {
    engine,
    close,
    closed: engine.closed,
    storageClosed: storage.closed,
    [Symbol.asyncDispose]: close,
  };
}

function describe(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}
