/**
 * SQLite storage on `node:sqlite` (built into Deno): WAL journal, group
 * commit, events kept in chunks.
 *
 * Registered events wait in memory for at most `flushPeriod` ms (or until
 * `maxPending` of them wait) and are then written in one transaction (group
 * commit); the promise of {@linkcode SqliteStorage.register} resolves after
 * that commit, which is when the engine notifies persisted subscribers.
 * Queries see every registered event: a timeseries query, or a server
 * query that is not restricted to persisted events, commits first.
 *
 * Events are stored in chunks (one row holds up to `chunkSize` events in a
 * compact binary form) with a summary per chunk (time ranges, types,
 * server id ranges) that is kept in memory, so a commit writes a few rows
 * whatever the number of events and a query reads only the chunks that can
 * hold what it asks for. Small chunks left by slow traffic are merged as
 * they accumulate. The newest event per type is kept in its own table, so
 * `latest` queries are answered from memory and survive retention.
 *
 * Limits: one process at a time per database file; with `synchronous:
 * "normal"` a commit survives a crash of the process but not necessarily
 * of the machine.
 *
 * @example
 * ```ts
 * import { SqliteStorage } from "./sqlite.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/events.db`;
 * const storage = new SqliteStorage(path, { flushPeriod: 5 });
 * await storage.register([{
 *   id: { server: 1, session: 1, instance: 1 },
 *   type: ["a"],
 *   timestamp: { s: 100, us: 0 },
 *   sourceTimestamp: null,
 *   payload: { kind: "json", data: "hello" },
 * }]);
 * await storage.close();
 *
 * const reopened = new SqliteStorage(path);
 * assert.deepEqual(reopened.lastEventId(1), { server: 1, session: 1, instance: 1 });
 * const { events } = reopened.query({ kind: "timeseries" });
 * assert.deepEqual(events[0].payload, { kind: "json", data: "hello" });
 * await reopened.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

import type {
  Event,
  QueryParams,
  QueryResult,
  ServerId,
} from "../../../event/mod.ts";
import type { EventBatch } from "../../../codec/wasm/internal_mod.ts";
import { StorageClosedError, StorageError } from "../../errors.ts";
import { ChunkStore } from "../chunk/mod.ts";
import { ChunkStorage } from "../_chunk_storage.ts";
import { Checkpointer } from "./_checkpointer.ts";
import {
  checkInteger,
  type CommonOptions,
  commonOptions,
} from "../_options.ts";
import {
  databaseBytes,
  type Db,
  loadState,
  openDb,
  SqliteBackend,
} from "./_db.ts";
import { SessionReservations } from "./_sessions.ts";
import type { SqliteStorageOptions } from "./_options.ts";
import type { ArrivalOptions, StorageQueryOptions } from "../storage.ts";

export type { SqliteStorageOptions };

/** SQLite's default `wal_autocheckpoint`, in pages. */
const AUTOCHECKPOINT_PAGES = 1000;

interface Pending {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Storage in an SQLite database file. See the module doc.
 *
 * @example
 * ```ts
 * import { SqliteStorage } from "./sqlite.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const storage = new SqliteStorage(`${dir}/events.db`, { flushPeriod: 10_000 });
 * let durable = false;
 * const done = storage.register([{
 *   id: { server: 1, session: 1, instance: 1 },
 *   type: ["a"],
 *   timestamp: { s: 1, us: 0 },
 *   sourceTimestamp: null,
 *   payload: null,
 * }]).then(() => durable = true);
 * assert.equal(durable, false);
 * await storage.flush();
 * await done;
 * assert.equal(durable, true);
 * await storage.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class SqliteStorage extends ChunkStorage {
  #path: string;
  #options: CommonOptions;
  #flushPeriod: number;
  #maxPending: number;
  /** Null once closed. */
  #db: Db | null;
  #sessions: SessionReservations;
  #pending: Pending[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #checkpointer: Checkpointer | null = null;
  #stopped: Promise<void> = Promise.resolve();

  /**
   * Opens (creating when needed) the database file at `path`.
   *
   * @param path The database file; its directory must exist.
   * @param options Commit timing, limits and retention.
   * @throws {StorageError} When the database cannot be opened or read.
   * @throws {TypeError | RangeError} For invalid options.
   */
  constructor(path: string, options: SqliteStorageOptions = {}) {
    const common = commonOptions(options);
    const flushPeriod = checkInteger(
      "flushPeriod",
      options.flushPeriod ?? 20,
      0,
      2 ** 31 - 1,
    );
    const maxPending = checkInteger("maxPending", options.maxPending ?? 1e5, 1);
    const chunkSize = checkInteger("chunkSize", options.chunkSize ?? 4096, 1);
    const synchronous = options.synchronous ?? "full";
    if (synchronous !== "full" && synchronous !== "normal") {
      throw new RangeError(
        `synchronous must be "full" or "normal", got ${String(synchronous)}`,
      );
    }
    const checkpointPeriod = checkInteger(
      "checkpointPeriod",
      options.checkpointPeriod ?? 100,
      0,
      2 ** 31 - 1,
    );
    const busyTimeout = checkInteger(
      "busyTimeout",
      options.busyTimeout ?? 5000,
      0,
      2 ** 31 - 1,
    );
    const db = openDb(path, {
      synchronous,
      autoCheckpoint: checkpointPeriod === 0,
      busyTimeout,
    });
    let store: ChunkStore;
    let sessions: SessionReservations;
    try {
      store = new ChunkStore(
        new SqliteBackend(db, path),
        { ...common, chunkSize },
        loadState(db),
      );
      sessions = new SessionReservations(db.db, synchronous);
    } catch (cause) {
      db.db.close();
      throw new StorageError(`Cannot read SQLite database ${path}`, { cause });
    }
    super(store, common);
    this.#path = path;
    this.#options = common;
    this.#flushPeriod = flushPeriod;
    this.#maxPending = maxPending;
    this.#db = db;
    this.#sessions = sessions;
    if (checkpointPeriod > 0) {
      this.#checkpointer = new Checkpointer(path, {
        period: checkpointPeriod,
        onError: this.#options.onError,
        onFallback: (cause) => this.#checkpointInCommits(cause),
        worker: options.checkpointWorker,
      });
    }
  }

  /**
   * The session a (re)started engine continues after: the highest stored
   * one, or after a crash the highest that may have been handed out.
   *
   * @param serverId The server.
   * @returns That session, 0 if none.
   */
  lastSession(serverId: ServerId): number {
    return Math.max(
      this.store.lastEventId(serverId).session,
      this.#sessions.floor(serverId),
    );
  }

  /**
   * Reserves sessions from `session` on, a block of them, written and
   * synced to disk before it returns. A failed write commits what waits
   * (its sessions were reserved before; when the database is locked this
   * waits out the busy timeout a second time, rather than lose events),
   * then closes the storage.
   *
   * @param serverId The server.
   * @param session The first session to reserve.
   * @returns The highest session reserved.
   */
  reserveSessions(serverId: ServerId, session: number): number {
    if (this.#db === null) throw new StorageClosedError();
    try {
      return this.#sessions.reserve(serverId, session);
    } catch (cause) {
      const error = new StorageError(
        `Cannot reserve sessions in ${this.#path}`,
        { cause },
      );
      // What waits holds sessions reserved before: commit it first (a
      // reservation that cannot be written says nothing of the commit).
      this.#commitOrFail();
      this.#shutdown(error);
      throw error;
    }
  }

  /** Events are durable after the group commit that writes them. */
  readonly durableAtOnce = false;

  /**
   * Stores events; resolves after the commit that wrote them.
   *
   * @param events The events, ids increasing per server.
   * @returns Resolves when they are durable.
   */
  register(events: readonly Event[]): Promise<void> {
    if (this.#db === null) throw new StorageClosedError();
    this.store.register(events);
    return this.#pendingCommit();
  }

  /**
   * Stores events of a batch of the Wasm core; resolves after the commit
   * that wrote them.
   *
   * @param batch The events.
   * @param from First event.
   * @param to End of the range.
   * @param assigned Whether this server's engine assigned their ids.
   * @returns Resolves when they are durable.
   */
  registerBatch(
    batch: EventBatch,
    from: number,
    to: number,
    assigned: boolean,
  ): Promise<void> {
    if (this.#db === null) throw new StorageClosedError();
    this.store.registerBatch(batch, from, to, assigned);
    return this.#pendingCommit();
  }

  // Waits for the group commit (or makes it now when enough waits).
  #pendingCommit(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.#pending.push({ resolve, reject });
    });
    if (this.store.uncommitted >= this.#maxPending) {
      this.#commitOrFail();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#commitOrFail();
      }, this.#flushPeriod);
    }
    return done;
  }

  /**
   * Answers a query. Timeseries queries, and server queries not restricted
   * to persisted events, commit what waits first.
   *
   * @param params The query.
   * @param options How to give the events.
   * @returns The result.
   */
  query(params: QueryParams, options?: StorageQueryOptions): QueryResult {
    if (this.#db === null) throw new StorageClosedError();
    this.#commitFor(params);
    return this.store.query(params, options?.jsonText === true);
  }

  /**
   * The events of a server after an id, newest first; commits what waits
   * first, as a timeseries query does.
   *
   * @param serverId The server.
   * @param options From which id, which types, how many.
   * @returns The events and whether more follow.
   */
  arrivals(serverId: ServerId, options: ArrivalOptions = {}): QueryResult {
    if (this.#db === null) throw new StorageClosedError();
    this.#commit();
    return this.store.arrivals(
      serverId,
      options.after ?? null,
      options.eventTypes ?? null,
      options.maxResults ?? null,
      options.jsonText === true,
    );
  }

  /**
   * Answers a query as MsgQueryRes bytes written by the Wasm core; commits
   * first as {@linkcode SqliteStorage.query} does.
   *
   * @param params The query.
   * @param batch Where the answer is written.
   * @param limit The most events of a timeseries or server answer.
   * @param encode Writes an answer of event objects.
   * @returns The bytes, or null when the core could not get memory.
   */
  queryBytes(
    params: QueryParams,
    batch: EventBatch,
    limit: number,
    encode: (result: QueryResult) => Uint8Array,
  ): Uint8Array | null {
    if (this.#db === null) throw new StorageClosedError();
    this.#commitFor(params);
    return this.store.queryBytes(params, batch, limit, encode);
  }

  // Timeseries queries, and server queries not restricted to persisted
  // events, see what waits: it is committed first.
  #commitFor(params: QueryParams): void {
    const committedOnly = params.kind === "latest" ||
      (params.kind === "server" && params.persisted === true);
    if (!committedOnly) this.#commit();
  }

  /**
   * The database's size in pages (the write-ahead log apart).
   *
   * @returns The bytes.
   */
  protected storedBytes(): number {
    return this.#db === null ? 0 : databaseBytes(this.#db);
  }

  /**
   * Commits everything registered so far.
   *
   * @returns Resolves when it is durable.
   */
  flush(): Promise<void> {
    if (this.#db === null) return Promise.reject(new StorageClosedError());
    try {
      this.#commit();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Commits what is pending and closes the database.
   *
   * @returns Resolves when closed.
   */
  close(): Promise<void> {
    if (this.#db !== null) {
      this.#commitOrFail();
      // Only when the commit succeeded: the highest stored session is then
      // the highest handed out.
      if (this.#db !== null) this.#release();
      this.#shutdown(null);
    }
    return this.#stopped;
  }

  /**
   * One retention step (at most `cleanupBatch` events removed, in one
   * transaction). Runs periodically by itself; exposed for tests.
   *
   * @returns Whether more remain to be removed.
   */
  cleanup(): boolean {
    if (this.#db === null) return false;
    try {
      return this.store.cleanup();
    } catch (cause) {
      const error = new StorageError(
        `Retention cleanup failed on ${this.#path}`,
        { cause },
      );
      // The summaries in memory may no longer match the database.
      this.#shutdown(error);
      throw error;
    }
  }

  /** Commits; a failure is reported, not thrown. */
  #commitOrFail(): void {
    try {
      this.#commit();
    } catch (error) {
      this.#options.onError(error);
    }
  }

  /** Commits; on failure rejects what waited and closes the storage. */
  #commit(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#pending;
    this.#pending = [];
    try {
      this.store.commit();
    } catch (cause) {
      const error = new StorageError(
        `Cannot commit events to ${this.#path}`,
        { cause },
      );
      for (const p of batch) p.reject(error);
      this.#shutdown(error);
      throw error;
    }
    for (const p of batch) p.resolve();
  }

  /**
   * Turns SQLite's own checkpoints back on for this connection, after the
   * checkpoint worker gave up: without them the WAL grows for as long as
   * the storage is open. A checkpoint in a commit that fails does not fail
   * the commit.
   */
  #checkpointInCommits(cause: Error): void {
    if (this.#db === null) return;
    const stopped = `Checkpoint worker of ${this.#path} stopped ` +
      `(${cause.message})`;
    let then = "; WAL checkpoints now run in commits on the storage's " +
      "connection";
    try {
      this.#db.db.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    } catch (error) {
      then = `, and checkpoints in commits could not be turned on ` +
        `(${error}); the WAL grows until the storage is reopened`;
    }
    this.#options.onError(new StorageError(stopped + then, { cause }));
  }

  #release(): void {
    try {
      this.#sessions.release((server) =>
        this.store.lastEventId(server).session
      );
    } catch (error) {
      // The next start then leaves a gap, which is allowed.
      this.#options.onError(error);
    }
  }

  /** Closes the database; `reason` is the failure that made it close. */
  #shutdown(reason: StorageError | null): void {
    const db = this.#db;
    if (db === null) return;
    this.#db = null;
    this.markClosed(reason);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const error = reason ?? new StorageClosedError();
    for (const p of this.#pending) p.reject(error);
    this.#pending = [];
    try {
      db.db.close();
    } catch (error) {
      this.#options.onError(error);
    }
    if (this.#checkpointer !== null) {
      this.#stopped = this.#checkpointer.stop();
      this.#checkpointer = null;
    }
  }
}
