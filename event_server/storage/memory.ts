/**
 * In-memory storage. Events are encoded into compact binary chunks as they
 * are registered (as in the SQLite storage, without the database), which
 * keeps memory use and garbage collection low with millions of events.
 * Nothing survives the process; events count as durable as soon as they
 * are stored, so persisted subscribers are notified at once.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "./memory.ts";
 * import assert from "node:assert/strict";
 *
 * await using storage = new MemoryStorage();
 * await storage.register([{
 *   id: { server: 1, session: 1, instance: 1 },
 *   type: ["a", "b"],
 *   timestamp: { s: 100, us: 0 },
 *   sourceTimestamp: null,
 *   payload: { kind: "json", data: 42 },
 * }]);
 * const result = storage.query({ kind: "latest", eventTypes: [["a", "*"]] });
 * assert.equal(result.events.length, 1);
 * assert.deepEqual(storage.lastEventId(1), { server: 1, session: 1, instance: 1 });
 * ```
 *
 * @module
 */

import type {
  Event,
  QueryParams,
  QueryResult,
  ServerId,
} from "../../event/mod.ts";
import type { EventBatch } from "../../codec/wasm/internal_mod.ts";
import { StorageClosedError, StorageError } from "../errors.ts";
import { type ChunkBackend, type ChunkMeta, ChunkStore } from "./chunk/mod.ts";
import { ChunkStorage } from "./_chunk_storage.ts";
import { checkInteger, commonOptions } from "./_options.ts";
import type {
  ArrivalOptions,
  StorageOptions,
  StorageQueryOptions,
} from "./storage.ts";

/** Options of {@linkcode MemoryStorage}. */
export interface MemoryStorageOptions extends StorageOptions {
  /**
   * Most events in one chunk.
   * @default {4096}
   */
  readonly chunkSize?: number;
}

class MapBackend implements ChunkBackend {
  #chunks = new Map<number, Uint8Array>();
  /** Bytes of the chunks. */
  bytes = 0;
  transaction<T>(fn: () => T): T {
    return fn();
  }
  insertType(): void {}
  setCount(): void {}
  setServer(): void {}
  setLatest(): void {}
  insertChunk(meta: ChunkMeta, data: Uint8Array): void {
    this.#put(meta.id, data);
  }
  updateChunk(meta: ChunkMeta, data: Uint8Array): void {
    this.#put(meta.id, data);
  }
  deleteChunk(id: number): void {
    this.bytes -= this.#chunks.get(id)?.byteLength ?? 0;
    this.#chunks.delete(id);
  }
  #put(id: number, data: Uint8Array): void {
    this.bytes += data.byteLength - (this.#chunks.get(id)?.byteLength ?? 0);
    this.#chunks.set(id, data);
  }
  readChunk(id: number): Uint8Array {
    const data = this.#chunks.get(id);
    if (data === undefined) throw new StorageError(`Chunk ${id} is missing`);
    return data;
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Storage in memory. See the module doc.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "./memory.ts";
 * import assert from "node:assert/strict";
 *
 * await using storage = new MemoryStorage({ maxResults: 1 });
 * for (let session = 1; session <= 2; session++) {
 *   await storage.register([{
 *     id: { server: 1, session, instance: 1 },
 *     type: ["a"],
 *     timestamp: { s: session, us: 0 },
 *     sourceTimestamp: null,
 *     payload: null,
 *   }]);
 * }
 * const page = storage.query({ kind: "timeseries" });
 * assert.equal(page.events[0].id.session, 2);
 * assert.equal(page.moreFollows, true);
 * ```
 */
export class MemoryStorage extends ChunkStorage {
  #chunkSize: number;
  #backend: MapBackend;

  /**
   * Creates an empty storage.
   *
   * @param options Limits and retention.
   * @throws {TypeError | RangeError} For invalid options.
   */
  constructor(options: MemoryStorageOptions = {}) {
    const common = commonOptions(options);
    const chunkSize = checkInteger("chunkSize", options.chunkSize ?? 4096, 1);
    const backend = new MapBackend();
    super(new ChunkStore(backend, { ...common, chunkSize }), common);
    this.#backend = backend;
    this.#chunkSize = chunkSize;
  }

  /**
   * The session an engine continues after: nothing survives the process,
   * so the highest registered.
   *
   * @param serverId The server.
   * @returns That session, 0 if none.
   */
  lastSession(serverId: ServerId): number {
    return this.store.lastEventId(serverId).session;
  }

  /**
   * Nothing to reserve: the storage does not outlive the process.
   *
   * @param _serverId The server.
   * @param _session The session about to be handed out.
   * @returns The highest safe integer (the engine never asks again).
   */
  reserveSessions(_serverId: ServerId, _session: number): number {
    if (!this.isOpen) throw new StorageClosedError();
    return Number.MAX_SAFE_INTEGER;
  }

  /** Events are durable as soon as they are registered. */
  readonly durableAtOnce = true;

  /**
   * Stores events; they are durable at once.
   *
   * @param events The events, ids increasing per server.
   * @returns A resolved promise.
   */
  register(events: readonly Event[]): Promise<void> {
    if (!this.isOpen) throw new StorageClosedError();
    this.store.register(events);
    if (this.store.uncommitted >= this.#chunkSize) this.store.commit();
    return RESOLVED;
  }

  /**
   * Stores events of a batch of the Wasm core; they are durable at once.
   *
   * @param batch The events.
   * @param from First event.
   * @param to End of the range.
   * @param assigned Whether this server's engine assigned their ids.
   * @returns A resolved promise.
   */
  registerBatch(
    batch: EventBatch,
    from: number,
    to: number,
    assigned: boolean,
  ): Promise<void> {
    if (!this.isOpen) throw new StorageClosedError();
    this.store.registerBatch(batch, from, to, assigned);
    if (this.store.uncommitted >= this.#chunkSize) this.store.commit();
    return RESOLVED;
  }

  /**
   * Answers a query.
   *
   * @param params The query.
   * @param options How to give the events.
   * @returns The result.
   */
  query(params: QueryParams, options?: StorageQueryOptions): QueryResult {
    if (!this.isOpen) throw new StorageClosedError();
    this.store.commit();
    return this.store.query(params, options?.jsonText === true);
  }
  /**
   * The events of a server after an id, newest first.
   *
   * @param serverId The server.
   * @param options From which id, which types, how many.
   * @returns The events and whether more follow.
   */
  arrivals(serverId: ServerId, options: ArrivalOptions = {}): QueryResult {
    if (!this.isOpen) throw new StorageClosedError();
    this.store.commit();
    return this.store.arrivals(
      serverId,
      options.after ?? null,
      options.eventTypes ?? null,
      options.maxResults ?? null,
      options.jsonText === true,
    );
  }

  /**
   * The bytes of the chunks (not of the newest event of each type kept for
   * `latest` queries, nor of the summaries), after committing what waits.
   *
   * @returns The bytes.
   */
  protected storedBytes(): number {
    this.store.commit();
    return this.#backend.bytes;
  }

  /**
   * Answers a query as MsgQueryRes bytes written by the Wasm core.
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
    if (!this.isOpen) throw new StorageClosedError();
    this.store.commit();
    return this.store.queryBytes(params, batch, limit, encode);
  }

  /**
   * Nothing to make durable in memory.
   *
   * @returns A resolved promise.
   */
  flush(): Promise<void> {
    return this.isOpen ? RESOLVED : Promise.reject(new StorageClosedError());
  }

  /**
   * Stops the retention cleanup; the storage can no longer be used. It
   * never closes by itself, so `closed` resolves with `null`.
   *
   * @returns Resolves at once.
   */
  close(): Promise<void> {
    if (this.isOpen) this.markClosed(null);
    return RESOLVED;
  }

  /**
   * One retention step: removes at most `cleanupBatch` events that a rule
   * says must go. Runs periodically by itself; exposed for tests.
   *
   * @returns Whether more remain to be removed.
   */
  cleanup(): boolean {
    if (!this.isOpen) return false;
    this.store.commit();
    return this.store.cleanup();
  }
}
