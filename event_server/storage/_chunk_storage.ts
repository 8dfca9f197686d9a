// What the memory and SQLite storages share: a Storage whose events live
// in a chunk store (chunk/), its state and `closed` promise, and the loop
// that runs retention periodically, in small steps. Each storage adds how
// events become durable (at once in memory; by group commit in SQLite),
// how sessions are reserved, and how it closes.

import type {
  Event,
  EventId,
  EventType,
  QueryParams,
  QueryResult,
  ServerId,
} from "../../event/mod.ts";
import type { EventBatch } from "../../codec/wasm/internal_mod.ts";
import { StorageClosedError, type StorageError } from "../errors.ts";
import type { ChunkStore } from "./chunk/mod.ts";
import type { CommonOptions } from "./_options.ts";
import type {
  ArrivalOptions,
  Storage,
  StorageQueryOptions,
  StorageStats,
  TypeChild,
} from "./storage.ts";

/** A storage over a chunk store; see `memory.ts` and `sqlite/sqlite.ts`. */
export abstract class ChunkStorage implements Storage {
  /** Where the events are. */
  protected readonly store: ChunkStore;
  #cleanup: CleanupLoop | null = null;
  #open = true;
  #closed = Promise.withResolvers<StorageError | null>();

  /**
   * @param store The events (the subclass builds it over its backend).
   * @param options Checked options; with retention rules, {@linkcode
   * ChunkStorage.cleanup} runs every `cleanupPeriod` ms from now on.
   */
  protected constructor(store: ChunkStore, options: CommonOptions) {
    this.store = store;
    if (options.retention.length > 0) {
      this.#cleanup = new CleanupLoop(
        options.cleanupPeriod,
        () => this.cleanup(),
        options.onError,
      );
    }
  }

  /** Whether the storage is open. */
  get isOpen(): boolean {
    return this.#open;
  }

  /**
   * Resolves once closed: with the error when a failure closed it,
   * otherwise with `null`.
   */
  get closed(): Promise<StorageError | null> {
    return this.#closed.promise;
  }

  /** Number of chunks; for tests and stats. */
  get chunkCount(): number {
    return this.store.chunkCount;
  }

  /**
   * Type ids kept in memory by the chunk summaries (chunks with the same
   * types share them); for tests and stats.
   */
  get summaryTypeIds(): number {
    return this.store.summaryTypeIds;
  }

  /**
   * The highest id ever registered for `serverId`.
   *
   * @param serverId The server.
   * @returns Its highest id, `{server, session: 0, instance: 0}` if none.
   */
  lastEventId(serverId: ServerId): EventId {
    return this.store.lastEventId(serverId);
  }

  /**
   * The highest id ever registered of each server that registered events.
   *
   * @returns One id per server.
   */
  lastEventIds(): EventId[] {
    return this.store.lastEventIds();
  }

  /**
   * What the storage holds, for metrics.
   *
   * @returns The figures.
   */
  stats(): StorageStats {
    if (!this.isOpen) throw new StorageClosedError();
    const bytes = this.storedBytes();
    const store = this.store;
    return {
      events: store.eventCount,
      chunks: store.chunkCount,
      bytes,
      types: store.typeCount,
      retentionDeleted: store.retentionDeleted,
    };
  }

  /**
   * The next segments of the registered types under `prefix`.
   *
   * @param prefix Segments the types start with.
   * @returns One entry per next segment.
   */
  typeChildren(prefix: EventType): TypeChild[] {
    if (!this.isOpen) throw new StorageClosedError();
    return this.store.typeChildren(prefix);
  }

  /** The bytes the events take, as {@linkcode StorageStats.bytes} says. */
  protected abstract storedBytes(): number;

  abstract lastSession(serverId: ServerId): number;
  abstract reserveSessions(serverId: ServerId, session: number): number;
  abstract readonly durableAtOnce: boolean;
  abstract register(events: readonly Event[]): Promise<void>;
  abstract registerBatch(
    batch: EventBatch,
    from: number,
    to: number,
    assigned: boolean,
  ): Promise<void>;
  abstract query(
    params: QueryParams,
    options?: StorageQueryOptions,
  ): QueryResult;
  abstract arrivals(
    serverId: ServerId,
    options?: ArrivalOptions,
  ): QueryResult;
  abstract queryBytes(
    params: QueryParams,
    batch: EventBatch,
    limit: number,
    encode: (result: QueryResult) => Uint8Array,
  ): Uint8Array | null;
  abstract flush(): Promise<void>;
  abstract close(): Promise<void>;

  /**
   * One retention step. Runs periodically by itself when there are
   * retention rules; exposed for tests.
   *
   * @returns Whether more remain to be removed.
   */
  abstract cleanup(): boolean;

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Marks the storage closed: `isOpen` turns false, the retention loop
   * stops and `closed` resolves with `reason`.
   *
   * @param reason The failure that closed it, or `null`.
   */
  protected markClosed(reason: StorageError | null): void {
    this.#open = false;
    this.#cleanup?.stop();
    this.#closed.resolve(reason);
  }
}

/**
 * Runs a job periodically, in small steps: a step that says more is left
 * is followed by another as soon as the event loop is free, so
 * registrations interleave with a long cleanup.
 */
class CleanupLoop {
  #period: number;
  #step: () => boolean;
  #onError: (error: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /**
   * @param period Milliseconds between cleanups.
   * @param step Does a bounded amount of work; returns whether more is left.
   * @param onError Told about a step that threw (the loop goes on).
   */
  constructor(
    period: number,
    step: () => boolean,
    onError: (error: unknown) => void,
  ) {
    this.#period = period;
    this.#step = step;
    this.#onError = onError;
    this.#schedule(period);
  }

  /** Stops the loop. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(this.#run, delay);
  }

  #run = (): void => {
    this.#timer = undefined;
    if (this.#stopped) return;
    let more = false;
    try {
      more = this.#step();
    } catch (error) {
      this.#onError(error);
    }
    this.#schedule(more ? 0 : this.#period);
  };
}
