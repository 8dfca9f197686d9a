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
  EventId,
  QueryParams,
  QueryResult,
  ServerId,
} from "../../event/types.ts";
import { StorageClosedError, StorageError } from "../errors.ts";
import {
  ChunkBuilder,
  type ChunkMeta,
  ChunkView,
  decodeMeta,
  encodeMeta,
} from "./_chunk.ts";
import {
  chunkServer,
  type ChunkSource,
  chunkTimeseries,
} from "./_chunk_query.ts";
import { Checkpointer } from "./_checkpointer.ts";
import { CleanupLoop } from "./_cleanup_loop.ts";
import { checkIds, isNewer } from "./_compare.ts";
import { checkInteger, type CommonOptions, commonOptions } from "./_options.ts";
import { effectiveLimit, planTimeseries, queryLatest } from "./_query.ts";
import { cleanupChunks } from "./_chunk_retention.ts";
import { type Db, openDb, transaction } from "./_sqlite_db.ts";
import { TypeRegistry } from "./_type_registry.ts";
import type { Storage, StorageOptions } from "./storage.ts";

/** Options of {@linkcode SqliteStorage}. */
export interface SqliteStorageOptions extends StorageOptions {
  /**
   * Longest time in ms a registered event waits before it is committed.
   * @default {20}
   */
  readonly flushPeriod?: number;
  /**
   * Commit at once when this many events wait.
   * @default {100000}
   */
  readonly maxPending?: number;
  /**
   * SQLite `synchronous` setting: `"full"` syncs every commit to disk,
   * `"normal"` (in WAL mode) survives a crash of the process but may lose
   * the last commits when the machine loses power.
   * @default {"full"}
   */
  readonly synchronous?: "normal" | "full";
  /**
   * Most events in one chunk (one database row).
   * @default {4096}
   */
  readonly chunkSize?: number;
  /**
   * Milliseconds between WAL checkpoints, which a Worker runs on its own
   * connection so they do not hold up the server; 0 leaves checkpoints to
   * SQLite (inside commits).
   * @default {100}
   */
  readonly checkpointPeriod?: number;
}

interface Pending {
  readonly events: readonly Event[];
  readonly typeIds: number[];
  resolve(): void;
  reject(error: unknown): void;
}

const CACHE_SIZE = 16;
const MERGE_FANIN = 8;

/** Level of a chunk for merging: chunks of one level merge together. */
function level(count: number): number {
  return Math.floor(Math.log2(count) / 3);
}

/**
 * Storage in an SQLite database file. See the module doc.
 */
export class SqliteStorage implements Storage {
  #path: string;
  #options: CommonOptions;
  #flushPeriod: number;
  #maxPending: number;
  #chunkSize: number;
  #db: Db | null;
  #registry = new TypeRegistry();
  #counts: number[] = [];
  #newTypes: number[] = [];
  #last = new Map<ServerId, EventId>();
  #lastDirty = new Set<ServerId>();
  #latest: (Event | undefined)[] = [];
  #latestDirty = new Set<number>();
  #chunks: ChunkMeta[] = [];
  #nextChunkId = 1;
  #pending: Pending[] = [];
  #pendingCount = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #cache = new Map<number, ChunkView>();
  #builder = new ChunkBuilder();
  #cleanup: CleanupLoop | null = null;
  #checkpointer: Checkpointer | null = null;
  #closed: Promise<void> = Promise.resolve();
  #source: ChunkSource;

  /**
   * Opens (creating when needed) the database file at `path`.
   *
   * @param path The database file; its directory must exist.
   * @param options Commit timing, limits and retention.
   * @throws {StorageError} When the database cannot be opened or read.
   * @throws {TypeError | RangeError} For invalid options.
   */
  constructor(path: string, options: SqliteStorageOptions = {}) {
    this.#path = path;
    this.#options = commonOptions(options);
    this.#flushPeriod = checkInteger(
      "flushPeriod",
      options.flushPeriod ?? 20,
      0,
      2 ** 31 - 1,
    );
    this.#maxPending = checkInteger("maxPending", options.maxPending ?? 1e5, 1);
    this.#chunkSize = checkInteger("chunkSize", options.chunkSize ?? 4096, 1);
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
    this.#db = openDb(path, synchronous, checkpointPeriod === 0);
    try {
      this.#load(this.#db);
    } catch (cause) {
      this.#db.db.close();
      throw new StorageError(`Cannot read SQLite database ${path}`, { cause });
    }
    this.#source = {
      chunks: this.#chunks,
      registry: this.#registry,
      load: (meta) => this.#loadChunk(meta),
    };
    if (checkpointPeriod > 0) {
      this.#checkpointer = new Checkpointer(
        path,
        checkpointPeriod,
        this.#options.onError,
      );
    }
    if (this.#options.retention.length > 0) {
      this.#cleanup = new CleanupLoop(
        this.#options.cleanupPeriod,
        () => this.cleanup(),
        this.#options.onError,
      );
    }
  }

  /** Whether the storage is open. */
  get isOpen(): boolean {
    return this.#db !== null;
  }

  /** Number of chunks (database rows of events); for tests and stats. */
  get chunkCount(): number {
    return this.#chunks.length;
  }

  /**
   * The highest id ever registered for `serverId`.
   *
   * @param serverId The server.
   * @returns Its highest id, `{server, session: 0, instance: 0}` if none.
   */
  lastEventId(serverId: ServerId): EventId {
    return this.#last.get(serverId) ??
      { server: serverId, session: 0, instance: 0 };
  }

  /**
   * Stores events; resolves after the commit that wrote them.
   *
   * @param events The events, ids increasing per server.
   * @returns Resolves when they are durable.
   */
  register(events: readonly Event[]): Promise<void> {
    if (this.#db === null) throw new StorageClosedError();
    checkIds(events, this.#last);
    const registry = this.#registry;
    const typeIds = new Array<number>(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      let t = registry.find(e.type);
      if (t < 0) {
        t = registry.intern(e.type);
        this.#newTypes.push(t);
        this.#counts[t] = 0;
      }
      typeIds[i] = t;
      const latest = this.#latest[t];
      if (latest === undefined || isNewer(e, latest)) {
        this.#latest[t] = e;
        this.#latestDirty.add(t);
      }
      this.#last.set(e.id.server, e.id);
      this.#lastDirty.add(e.id.server);
    }
    const done = new Promise<void>((resolve, reject) => {
      this.#pending.push({ events, typeIds, resolve, reject });
    });
    this.#pendingCount += events.length;
    if (this.#pendingCount >= this.#maxPending) {
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
   * Answers a query.
   *
   * @param params The query.
   * @returns The result.
   */
  query(params: QueryParams): QueryResult {
    if (this.#db === null) throw new StorageClosedError();
    switch (params.kind) {
      case "latest":
        return queryLatest(params, this.#registry, (t) => this.#latest[t]);
      case "timeseries":
        this.#commit();
        return chunkTimeseries(
          this.#source,
          planTimeseries(params, this.#registry, this.#options.maxResults),
        );
      case "server": {
        const last = params.lastEventId ?? null;
        if (last !== null && last.server !== params.serverId) {
          throw new RangeError(
            `lastEventId belongs to server ${last.server}, ` +
              `not ${params.serverId}`,
          );
        }
        if (!params.persisted) this.#commit();
        return chunkServer(
          this.#source,
          params.serverId,
          last,
          effectiveLimit(params.maxResults, this.#options.maxResults),
        );
      }
      default:
        throw new TypeError(
          `Unknown query kind ${(params as { kind: unknown }).kind}`,
        );
    }
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
      this.#shutdown();
    }
    return this.#closed;
  }

  /** Same as {@linkcode SqliteStorage.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * One retention step (at most `cleanupBatch` events removed, in one
   * transaction). Runs periodically by itself; exposed for tests.
   *
   * @returns Whether more remain to be removed.
   */
  cleanup(): boolean {
    const db = this.#db;
    if (db === null) return false;
    try {
      return transaction(db.db, () =>
        cleanupChunks({
          chunks: this.#chunks,
          registry: this.#registry,
          counts: this.#counts,
          rules: this.#options.retention,
          budget: this.#options.cleanupBatch,
          load: (meta) => this.#loadChunk(meta),
          builder: this.#builder,
          write: (meta, data) => {
            this.#cache.delete(meta.id);
            if (data === null) db.st.deleteChunk.run(meta.id);
            else db.st.updateChunk.run(encodeMeta(meta), data, meta.id);
          },
          setCount: (t) => db.st.setTypeCount.run(this.#counts[t], t),
        }));
    } catch (cause) {
      // The summaries in memory may no longer match the database.
      this.#shutdown();
      throw new StorageError(`Retention cleanup failed on ${this.#path}`, {
        cause,
      });
    }
  }

  #load({ db }: Db): void {
    const types = db.prepare("SELECT id, type, count FROM types ORDER BY id")
      .all() as { id: number; type: string; count: number }[];
    for (const row of types) {
      const id = this.#registry.intern(JSON.parse(row.type));
      if (id !== row.id) throw new Error(`type ids are not dense at ${row.id}`);
      this.#counts[id] = row.count;
    }
    const servers = db.prepare("SELECT server, session, instance FROM servers")
      .all() as { server: number; session: number; instance: number }[];
    for (const { server, session, instance } of servers) {
      this.#last.set(server, { server, session, instance });
    }
    const chunks = db.prepare("SELECT id, meta FROM chunks ORDER BY id")
      .all() as { id: number; meta: Uint8Array }[];
    for (const row of chunks) this.#chunks.push(decodeMeta(row.id, row.meta));
    const lastChunk = this.#chunks[this.#chunks.length - 1];
    this.#nextChunkId = lastChunk === undefined ? 1 : lastChunk.id + 1;
    const latest = db.prepare("SELECT type, data FROM latest").all() as {
      type: number;
      data: Uint8Array;
    }[];
    for (const row of latest) {
      this.#latest[row.type] = new ChunkView(row.data).event(
        0,
        this.#registry,
      );
    }
  }

  #loadChunk(meta: ChunkMeta): ChunkView {
    const cached = this.#cache.get(meta.id);
    if (cached !== undefined) {
      this.#cache.delete(meta.id);
      this.#cache.set(meta.id, cached);
      return cached;
    }
    const row = this.#db!.st.chunkData.get(meta.id) as
      | { data: Uint8Array }
      | undefined;
    if (row === undefined) {
      throw new StorageError(`Chunk ${meta.id} is missing from ${this.#path}`);
    }
    const view = new ChunkView(row.data);
    this.#cache.set(meta.id, view);
    if (this.#cache.size > CACHE_SIZE) {
      this.#cache.delete(this.#cache.keys().next().value!);
    }
    return view;
  }

  /** Commits; on failure rejects what waited and closes the storage. */
  #commitOrFail(): void {
    try {
      this.#commit();
    } catch (error) {
      this.#options.onError(error);
    }
  }

  #commit(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending.length === 0) return;
    const db = this.#db!;
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingCount = 0;
    const written: ChunkMeta[] = [];
    try {
      transaction(db.db, () => this.#write(db, batch, written));
    } catch (cause) {
      const error = new StorageError(
        `Cannot commit events to ${this.#path}`,
        { cause },
      );
      for (const p of batch) p.reject(error);
      this.#shutdown();
      throw error;
    }
    this.#chunks.push(...written);
    for (const p of batch) p.resolve();
    this.#merge();
  }

  #write(db: Db, batch: Pending[], written: ChunkMeta[]): void {
    const { st } = db;
    const registry = this.#registry;
    for (const t of this.#newTypes) {
      st.insertType.run(t, JSON.stringify(registry.type(t)));
    }
    const builder = this.#builder;
    const counts = this.#counts;
    const touched = new Set<number>();
    const flushChunk = () => {
      const { data, meta } = builder.finish();
      meta.id = this.#nextChunkId++;
      st.insertChunk.run(meta.id, encodeMeta(meta), data);
      written.push(meta);
    };
    for (const { events, typeIds } of batch) {
      for (let i = 0; i < events.length; i++) {
        if (builder.count >= this.#chunkSize) flushChunk();
        const t = typeIds[i];
        builder.add(events[i], t);
        counts[t]++;
        touched.add(t);
      }
    }
    if (builder.count > 0) flushChunk();
    for (const t of touched) st.setTypeCount.run(counts[t], t);
    for (const server of this.#lastDirty) {
      const id = this.#last.get(server)!;
      st.setServer.run(server, id.session, id.instance);
    }
    for (const t of this.#latestDirty) {
      builder.add(this.#latest[t]!, t);
      st.setLatest.run(t, builder.finish().data);
    }
    this.#newTypes = [];
    this.#lastDirty.clear();
    this.#latestDirty.clear();
  }

  /**
   * Merges the newest chunks while at least {@linkcode MERGE_FANIN} of
   * them share a level (a size class), so slow traffic does not leave a
   * chunk per commit and every event is rewritten only a few times.
   */
  #merge(): void {
    const chunks = this.#chunks;
    for (;;) {
      const n = chunks.length;
      if (n < MERGE_FANIN) return;
      const lvl = level(chunks[n - 1].count);
      let j = n - 1;
      while (j >= 0 && level(chunks[j].count) === lvl) j--;
      if (n - 1 - j < MERGE_FANIN) return;
      const run = chunks.slice(n - MERGE_FANIN);
      if (run.reduce((sum, m) => sum + m.count, 0) > this.#chunkSize) return;
      const builder = this.#builder;
      for (const meta of run) {
        const view = this.#loadChunk(meta);
        for (let i = 0; i < view.count; i++) builder.addRaw(view, i);
      }
      const { data, meta } = builder.finish();
      meta.id = run[0].id;
      const { db, st } = this.#db!;
      try {
        transaction(db, () => {
          st.updateChunk.run(encodeMeta(meta), data, meta.id);
          for (const old of run.slice(1)) st.deleteChunk.run(old.id);
        });
      } catch (error) {
        this.#options.onError(error);
        return;
      }
      for (const old of run) this.#cache.delete(old.id);
      chunks.splice(n - MERGE_FANIN, MERGE_FANIN, meta);
    }
  }

  #shutdown(): void {
    const db = this.#db;
    if (db === null) return;
    this.#db = null;
    this.#cleanup?.stop();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const error = new StorageClosedError();
    for (const p of this.#pending) p.reject(error);
    this.#pending = [];
    this.#cache.clear();
    try {
      db.db.close();
    } catch (error) {
      this.#options.onError(error);
    }
    if (this.#checkpointer !== null) {
      this.#closed = this.#checkpointer.stop();
      this.#checkpointer = null;
    }
  }
}
