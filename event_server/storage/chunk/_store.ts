// The core both storages share: events are encoded into chunks as they
// are registered (the event objects die young, which keeps the garbage
// collector cheap; the chunks are compact bytes), chunk summaries stay in
// memory, and a backend keeps the chunks: a Map (memory storage) or
// SQLite rows (SQLite storage).

import { parseJson } from "../../../event/internal_mod.ts";
import {
  type Event,
  type EventId,
  type EventPayload,
  type EventType,
  JsonTextPayload,
  type QueryParams,
  type QueryResult,
  type ServerId,
} from "../../../event/mod.ts";
import { ChunkBuilder, ChunkView } from "./_chunk.ts";
import { type ChunkMeta, decodeMeta, shareTypes } from "./_meta.ts";
import { chunkServer, type ChunkSource, chunkTimeseries } from "./_scan.ts";
import { checkEvents } from "../_check.ts";
import { cleanupChunks } from "./_retention.ts";
import { checkIds, isNewer } from "./_compare.ts";
import type { CommonOptions } from "../_options.ts";
import { effectiveLimit, planTimeseries, queryLatest } from "./_query.ts";
import { TypeRegistry } from "./_type_registry.ts";

/** Where chunks and the rest of the state are kept. */
export interface ChunkBackend {
  /** Runs `fn` atomically (all of its writes or none). */
  transaction<T>(fn: () => T): T;
  insertType(id: number, type: EventType): void;
  setCount(id: number, count: number): void;
  setServer(last: EventId): void;
  setLatest(typeId: number, data: Uint8Array): void;
  insertChunk(meta: ChunkMeta, data: Uint8Array): void;
  updateChunk(meta: ChunkMeta, data: Uint8Array): void;
  deleteChunk(id: number): void;
  readChunk(id: number): Uint8Array;
}

/** State read back from a backend at open. */
export interface LoadedState {
  /** `[id, type, count]`, ids dense from 0. */
  readonly types: Iterable<readonly [number, EventType, number]>;
  readonly servers: Iterable<EventId>;
  /** Chunk ids and summary bytes, in id order. */
  readonly chunks: Iterable<readonly [number, Uint8Array]>;
  /** Type ids and single-event chunk bytes. */
  readonly latest: Iterable<readonly [number, Uint8Array]>;
}

/** Options of the core. */
export interface ChunkStoreOptions extends CommonOptions {
  readonly chunkSize: number;
}

const CACHE_SIZE = 16;
const MERGE_FANIN = 8;

/** Level of a chunk for merging: chunks of one level merge together. */
function level(count: number): number {
  return Math.floor(Math.log2(count) / 3);
}

/** Events in chunks, over a backend. */
export class ChunkStore {
  #backend: ChunkBackend;
  #options: ChunkStoreOptions;
  #registry = new TypeRegistry();
  #counts: number[] = [];
  #countsDirty = new Set<number>();
  #newTypes: number[] = [];
  #last = new Map<ServerId, EventId>();
  #lastDirty = new Set<ServerId>();
  #latest: (Event | undefined)[] = [];
  #latestDirty = new Set<number>();
  #chunks: ChunkMeta[] = [];
  #nextChunkId = 1;
  #builder = new ChunkBuilder();
  /** For rewrites (merges, retention, latest), apart from registrations. */
  #rewriter = new ChunkBuilder();
  /** For the single-event chunks of the latest table. */
  #latestBuilder = new ChunkBuilder();
  #sealed: { meta: ChunkMeta; data: Uint8Array }[] = [];
  #uncommitted = 0;
  #cache = new Map<number, ChunkView>();
  #source: ChunkSource;

  constructor(
    backend: ChunkBackend,
    options: ChunkStoreOptions,
    state?: LoadedState,
  ) {
    this.#backend = backend;
    this.#options = options;
    if (state !== undefined) this.#load(state);
    this.#source = {
      chunks: this.#chunks,
      registry: this.#registry,
      load: (meta) => this.#loadChunk(meta),
    };
  }

  /** Events registered and not yet committed. */
  get uncommitted(): number {
    return this.#uncommitted;
  }

  /** Number of chunks. */
  get chunkCount(): number {
    return this.#chunks.length;
  }

  /**
   * Type ids held in memory by chunk summaries, each shared array counted
   * once; for tests and stats.
   */
  get summaryTypeIds(): number {
    const seen = new Set<Uint32Array>();
    let n = 0;
    for (const meta of this.#chunks) {
      if (seen.has(meta.types)) continue;
      seen.add(meta.types);
      n += meta.types.length;
    }
    return n;
  }

  lastEventId(serverId: ServerId): EventId {
    return this.#last.get(serverId) ??
      { server: serverId, session: 0, instance: 0 };
  }

  /** Encodes events for the next commit. */
  register(events: readonly Event[]): void {
    checkEvents(events, true);
    checkIds(events, this.#last);
    const registry = this.#registry;
    const builder = this.#builder;
    const chunkSize = this.#options.chunkSize;
    let prev: EventId | undefined;
    let server = NaN;
    // Events of a batch often share one type array (decoded messages do).
    let prevType: EventType | null = null;
    let t = -1;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e.type !== prevType) {
        t = registry.find(e.type);
        if (t < 0) {
          t = registry.intern(e.type);
          this.#newTypes.push(t);
          this.#counts[t] = 0;
        }
        prevType = e.type;
      }
      const latest = this.#latest[t];
      if (latest === undefined || isNewer(e, latest)) {
        this.#latest[t] = e;
        this.#latestDirty.add(t);
      }
      this.#counts[t]++;
      this.#countsDirty.add(t);
      if (builder.count >= chunkSize) this.#seal();
      builder.add(e, t);
      if (e.id.server !== server) {
        if (prev !== undefined) this.#setLast(prev);
        server = e.id.server;
      }
      prev = e.id;
    }
    if (prev !== undefined) this.#setLast(prev);
    this.#uncommitted += events.length;
  }

  /**
   * Writes everything registered since the last commit in one
   * transaction, then merges small chunks.
   *
   * @throws When the backend fails (the state in memory is then ahead of
   * the backend: the owner must stop using this store).
   */
  commit(): void {
    if (this.#builder.count > 0) this.#seal();
    const sealed = this.#sealed;
    if (
      sealed.length === 0 && this.#latestDirty.size === 0 &&
      this.#lastDirty.size === 0
    ) return;
    this.#sealed = [];
    const b = this.#backend;
    const compact: [number, Uint8Array][] = [];
    b.transaction(() => {
      for (const t of this.#newTypes) b.insertType(t, this.#registry.type(t));
      for (const { meta, data } of sealed) b.insertChunk(meta, data);
      for (const t of this.#countsDirty) b.setCount(t, this.#counts[t]);
      for (const server of this.#lastDirty) {
        b.setServer(this.#last.get(server)!);
      }
      for (const t of this.#latestDirty) {
        this.#latestBuilder.add(this.#latest[t]!, t);
        const data = this.#latestBuilder.finish().data;
        b.setLatest(t, data);
        compact.push([t, data]);
      }
    });
    // A registered event's payload bytes may be a view of a large receive
    // buffer (chatter hands out views of 64 KiB slabs): a latest event kept
    // for long (a type that rarely changes) keeps the event read back from
    // its own small encoding instead.
    for (const [t, data] of compact) {
      this.#latest[t] = new ChunkView(data).event(0, this.#registry);
    }
    this.#newTypes = [];
    this.#countsDirty.clear();
    this.#lastDirty.clear();
    this.#latestDirty.clear();
    this.#uncommitted = 0;
    for (const { meta } of sealed) this.#chunks.push(meta);
    this.#merge();
  }

  /**
   * Answers a query from what is committed (and latest from memory). With
   * `jsonText` (a caller that encodes the events at once), JSON payloads
   * are the stored text and binary data views of the chunks; else plain
   * values of their own.
   */
  query(params: QueryParams, jsonText = false): QueryResult {
    const result = this.#query(params);
    if (jsonText) return result;
    // Only latest answers hold objects the storage keeps for later ones.
    return params.kind === "latest" ? copied(result) : plainPayloads(result);
  }

  #query(params: QueryParams): QueryResult {
    switch (params.kind) {
      case "latest":
        return queryLatest(params, this.#registry, (t) => this.#latest[t]);
      case "timeseries":
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
   * One retention step over committed chunks, in one transaction.
   *
   * @returns Whether more remain to be removed.
   * @throws When the backend fails (the owner must stop using the store).
   */
  cleanup(): boolean {
    const b = this.#backend;
    return b.transaction(() =>
      cleanupChunks({
        chunks: this.#chunks,
        registry: this.#registry,
        counts: this.#counts,
        rules: this.#options.retention,
        budget: this.#options.cleanupBatch,
        maxChunks: Math.max(1, Math.ceil(this.#options.cleanupBatch / 256)),
        load: (meta) => this.#loadChunk(meta),
        builder: this.#rewriter,
        write: (meta, data) => {
          this.#cache.delete(meta.id);
          if (data === null) b.deleteChunk(meta.id);
          else b.updateChunk(meta, data);
        },
        setCount: (t) => b.setCount(t, this.#counts[t]),
      })
    );
  }

  #setLast(id: EventId): void {
    this.#last.set(id.server, id);
    this.#lastDirty.add(id.server);
  }

  #seal(): void {
    const { data, meta } = this.#builder.finish();
    meta.id = this.#nextChunkId++;
    this.#sealed.push({ meta, data });
  }

  #load(state: LoadedState): void {
    for (const [id, type, count] of state.types) {
      if (this.#registry.intern(type) !== id) {
        throw new Error(`type ids are not dense at ${id}`);
      }
      this.#counts[id] = count;
    }
    for (const id of state.servers) this.#last.set(id.server, id);
    let prev: Uint32Array | null = null;
    for (const [id, bytes] of state.chunks) {
      const meta = decodeMeta(id, bytes, prev);
      prev = meta.types;
      this.#chunks.push(meta);
    }
    const lastChunk = this.#chunks[this.#chunks.length - 1];
    this.#nextChunkId = lastChunk === undefined ? 1 : lastChunk.id + 1;
    for (const [t, data] of state.latest) {
      this.#latest[t] = new ChunkView(data).event(0, this.#registry);
    }
  }

  #loadChunk(meta: ChunkMeta): ChunkView {
    const cached = this.#cache.get(meta.id);
    if (cached !== undefined) {
      this.#cache.delete(meta.id);
      this.#cache.set(meta.id, cached);
      return cached;
    }
    const view = new ChunkView(this.#backend.readChunk(meta.id));
    this.#cache.set(meta.id, view);
    if (this.#cache.size > CACHE_SIZE) {
      this.#cache.delete(this.#cache.keys().next().value!);
    }
    return view;
  }

  /**
   * Merges the newest chunks while {@linkcode MERGE_FANIN} of them share a
   * level (a size class), so slow traffic does not leave a chunk per commit
   * and every event is rewritten only a few times.
   */
  #merge(): void {
    const chunks = this.#chunks;
    for (;;) {
      const n = chunks.length;
      if (n < MERGE_FANIN) return;
      const lvl = level(chunks[n - 1].count);
      for (let j = n - MERGE_FANIN; j < n - 1; j++) {
        if (level(chunks[j].count) !== lvl) return;
      }
      const run = chunks.slice(n - MERGE_FANIN);
      if (run.reduce((sum, m) => sum + m.count, 0) > this.#options.chunkSize) {
        return;
      }
      const builder = this.#rewriter;
      for (const meta of run) {
        const view = this.#loadChunk(meta);
        for (let i = 0; i < view.count; i++) builder.addRaw(view, i);
      }
      const built = builder.finish();
      const data = built.data;
      const before = chunks[n - MERGE_FANIN - 1];
      const meta: ChunkMeta = before === undefined ? built.meta : {
        ...built.meta,
        types: shareTypes(built.meta.types, before.types),
      };
      meta.id = run[0].id;
      const b = this.#backend;
      b.transaction(() => {
        b.updateChunk(meta, data);
        for (const old of run.slice(1)) b.deleteChunk(old.id);
      });
      for (const old of run) this.#cache.delete(old.id);
      chunks.splice(n - MERGE_FANIN, MERGE_FANIN, meta);
    }
  }
}

/**
 * The result with plain payloads: JSON text as `{ kind, data }` and binary
 * data copied out of the chunk bytes (the events themselves are new).
 */
function plainPayloads(result: QueryResult): QueryResult {
  return {
    ...result,
    events: result.events.map((e) => ({ ...e, payload: plain(e.payload) })),
  };
}

/**
 * The result as values of its own: the latest events are the storage's,
 * shared with later answers, so the caller gets copies of their ids,
 * timestamps and payloads (JSON data parsed anew from its text); the type
 * arrays are frozen.
 */
function copied(result: QueryResult): QueryResult {
  return {
    ...result,
    events: result.events.map((e) => {
      const p = e.payload;
      const src = e.sourceTimestamp;
      return {
        id: { ...e.id },
        type: e.type,
        timestamp: { ...e.timestamp },
        sourceTimestamp: src === null ? null : { ...src },
        payload: p?.kind === "json"
          ? {
            kind: "json",
            data: p instanceof JsonTextPayload
              ? parseJson(p.text)
              : structuredClone(p.data),
          }
          : plain(p),
      };
    }),
  };
}

function plain(p: EventPayload | null): EventPayload | null {
  if (p === null) return null;
  if (p.kind === "binary") {
    return { kind: "binary", type: p.type, data: p.data.slice() };
  }
  return p instanceof JsonTextPayload ? { kind: "json", data: p.data } : p;
}
