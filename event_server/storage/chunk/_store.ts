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
  type QueryType,
  type ServerId,
} from "../../../event/mod.ts";
import type {
  EventBatch,
  EventCore,
  IdMap,
} from "../../../codec/wasm/internal_mod.ts";
import { Writer } from "../../../codec/mod.ts";
import { ChunkBuilder, ChunkView } from "./_chunk.ts";
import { LatestTable } from "./_latest.ts";
import { type ChunkMeta, decodeMeta, shareTypes } from "./_meta.ts";
import { entryId, entryKey, eventOf, RecordBuilder } from "./_records.ts";
import {
  chunkArrivals,
  chunkServer,
  type ChunkSource,
  chunkTimeseries,
  type Collect,
} from "./_scan.ts";
import { checkEvents } from "../_check.ts";
import { cleanupChunks } from "./_retention.ts";
import { checkIds, compareIds } from "./_compare.ts";
import type { CommonOptions } from "../_options.ts";
import {
  effectiveLimit,
  type Found,
  latestTypeIds,
  planTimeseries,
} from "./_query.ts";
import { TypeRegistry } from "./_type_registry.ts";
import type { TypeChild } from "../storage.ts";

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

/** The SBS bytes of an event type (`Array(String)`). */
function writeEventType(w: Writer, type: EventType): void {
  w.uint(type.length);
  for (const segment of type) w.string(segment);
}

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
  #latest: LatestTable;
  #chunks: ChunkMeta[] = [];
  #nextChunkId = 1;
  /** Registrations of event objects. */
  #builder = new ChunkBuilder();
  /** Registrations from batches of the Wasm core (codec "wasm"). */
  #records = new RecordBuilder();
  /** For rewrites (merges, retention), apart from registrations. */
  #rewriter = new ChunkBuilder();
  /** Storage type id of each type id of a core, and back. */
  #typeMaps = new WeakMap<EventCore, { toStore: IdMap; toCore: IdMap }>();
  #sealed: { meta: ChunkMeta; data: Uint8Array }[] = [];
  #uncommitted = 0;
  #cache = new Map<number, ChunkView>();
  #source: ChunkSource;
  /** Events stored (the sum of #counts). */
  #events = 0;
  #retentionDeleted = 0;

  constructor(
    backend: ChunkBackend,
    options: ChunkStoreOptions,
    state?: LoadedState,
  ) {
    this.#backend = backend;
    this.#options = options;
    this.#latest = new LatestTable(this.#registry);
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

  /** Events stored, committed or not. */
  get eventCount(): number {
    return this.#events;
  }

  /** Distinct event types ever registered. */
  get typeCount(): number {
    return this.#registry.size;
  }

  /** Events removed by retention since the store was opened. */
  get retentionDeleted(): number {
    return this.#retentionDeleted;
  }

  /** The next segments of the known types that start with `prefix`. */
  typeChildren(prefix: EventType): TypeChild[] {
    return this.#registry.children(prefix);
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

  /** The highest id of each server that registered events. */
  lastEventIds(): EventId[] {
    return [...this.#last.values()];
  }

  /** Encodes events for the next commit. */
  register(events: readonly Event[]): void {
    checkEvents(events, true);
    checkIds(events, this.#last);
    if (this.#records.count > 0) this.#sealRecords();
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
        t = this.#typeId(e.type);
        prevType = e.type;
      }
      this.#latest.offer(t, e);
      this.#counts[t]++;
      this.#countsDirty.add(t);
      if (builder.count >= chunkSize) this.#sealObjects();
      builder.add(e, t);
      if (e.id.server !== server) {
        if (prev !== undefined) this.#setLast(prev);
        server = e.id.server;
      }
      prev = e.id;
    }
    if (prev !== undefined) this.#setLast(prev);
    this.#uncommitted += events.length;
    this.#events += events.length;
  }

  /**
   * Encodes events `from`..`to` of a batch of the Wasm core for the next
   * commit, from their bytes: the core writes their records (see
   * docs/wasm.md). Ids assigned by the engine increase by construction;
   * others (events of another server) are checked first.
   *
   * @param batch The events (checked by the core's scan).
   * @param from First event.
   * @param to End of the range.
   * @param assigned Whether the ids were assigned by this server's engine.
   * @throws {RangeError} When an id is not greater than the last id of its
   * server (nothing is stored).
   */
  registerBatch(
    batch: EventBatch,
    from: number,
    to: number,
    assigned: boolean,
  ): void {
    if (from >= to) return;
    this.#checkBatchIds(batch, from, to, assigned);
    if (this.#builder.count > 0) this.#sealObjects();
    const maps = this.#maps(batch.core);
    const mapTypes = (ids: number[]) => {
      for (const id of ids) {
        maps.toStore.set(id, this.#typeId(batch.core.typeStrings(id)));
      }
    };
    const chunkSize = this.#options.chunkSize;
    const records = this.#records;
    for (let i = from; i < to;) {
      if (records.count >= chunkSize) this.#sealRecords();
      const first = records.count;
      const end = Math.min(to, i + chunkSize - first);
      const added = records.add(batch, i, end, maps.toStore, mapTypes);
      if ("unfit" in added) {
        // A value beyond the compact form: this chunk takes the fixed
        // form, from event objects (as ChunkBuilder decides for them).
        this.#latest.settle();
        records.toFixed(this.#builder);
        const events: Event[] = [];
        for (let k = i; k < to; k++) events.push(eventOf(batch, k));
        this.#uncommitted += i - from;
        this.#events += i - from;
        this.register(events);
        return;
      }
      const triples = added.types;
      for (let k = 0; k < triples.length; k += 3) {
        const t = triples[k];
        const last = triples[k + 1];
        this.#counts[t] += triples[k + 2];
        this.#countsDirty.add(t);
        this.#latest.offerRecord(
          t,
          entryKey(batch, last),
          records,
          first + last - i,
        );
      }
      if (added.oneServer) this.#setLast(entryId(batch, end - 1));
      else {
        for (let k = i; k < end; k++) this.#setLast(entryId(batch, k));
      }
      i = end;
    }
    this.#uncommitted += to - from;
    this.#events += to - from;
  }

  #checkBatchIds(
    batch: EventBatch,
    from: number,
    to: number,
    assigned: boolean,
  ): void {
    // Assigned ids increase within the batch: its first one is enough.
    const end = assigned ? from + 1 : to;
    let seen: Map<ServerId, EventId> | null = null;
    for (let k = from; k < end; k++) {
      const id = entryId(batch, k);
      const before = seen?.get(id.server) ?? this.#last.get(id.server);
      if (before !== undefined && compareIds(id, before) <= 0) {
        throw new RangeError(
          `Event id ${id.server}/${id.session}/${id.instance} is not after ` +
            `${before.server}/${before.session}/${before.instance}`,
        );
      }
      if (end - from > 1) (seen ??= new Map()).set(id.server, id);
    }
  }

  /** The type maps of a core (made on first use). */
  #maps(core: EventCore): { toStore: IdMap; toCore: IdMap } {
    let maps = this.#typeMaps.get(core);
    if (maps === undefined) {
      maps = { toStore: core.idMap(), toCore: core.idMap() };
      this.#typeMaps.set(core, maps);
    }
    return maps;
  }

  /** The id of a type, interning it (a new type is stored at commit). */
  #typeId(type: EventType): number {
    let t = this.#registry.find(type);
    if (t < 0) {
      t = this.#registry.intern(type);
      this.#newTypes.push(t);
      this.#counts[t] = 0;
    }
    return t;
  }

  /**
   * Writes everything registered since the last commit in one
   * transaction, then merges small chunks.
   *
   * @throws When the backend fails (the state in memory is then ahead of
   * the backend: the owner must stop using this store).
   */
  commit(): void {
    if (this.#builder.count > 0) this.#sealObjects();
    if (this.#records.count > 0) this.#sealRecords();
    const sealed = this.#sealed;
    if (
      sealed.length === 0 && this.#latest.dirty.size === 0 &&
      this.#lastDirty.size === 0
    ) return;
    this.#sealed = [];
    const b = this.#backend;
    b.transaction(() => {
      for (const t of this.#newTypes) b.insertType(t, this.#registry.type(t));
      for (const { meta, data } of sealed) b.insertChunk(meta, data);
      for (const t of this.#countsDirty) b.setCount(t, this.#counts[t]);
      for (const server of this.#lastDirty) {
        b.setServer(this.#last.get(server)!);
      }
      this.#latest.commit((t, data) => b.setLatest(t, data));
    });
    this.#newTypes = [];
    this.#countsDirty.clear();
    this.#lastDirty.clear();
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
    let result: QueryResult;
    if (params.kind === "latest") {
      const latest = this.#latest;
      const ids = latestTypeIds(
        params,
        this.#registry,
        (t) => latest.event(t) !== undefined,
      );
      result = { events: ids.map((t) => latest.event(t)!), moreFollows: false };
    } else {
      const registry = this.#registry;
      const found = this.#scan(
        params,
        this.#options.maxResults,
        (view, i) => view.event(i, registry),
      );
      result = { events: found.items, moreFollows: found.moreFollows };
    }
    if (jsonText) return result;
    // Only latest answers hold objects the storage keeps for later ones.
    return params.kind === "latest" ? copied(result) : plainPayloads(result);
  }

  /**
   * The events of `serverId` after `after` of the given types, newest
   * first, at most `maxResults` (capped as queries are); from what is
   * committed. `jsonText` as for {@linkcode ChunkStore.query}.
   */
  arrivals(
    serverId: ServerId,
    after: EventId | null,
    eventTypes: readonly QueryType[] | null,
    maxResults: number | null,
    jsonText = false,
  ): QueryResult {
    const registry = this.#registry;
    const found = chunkArrivals(
      this.#source,
      serverId,
      after,
      registry.filter(eventTypes),
      registry.listTest(eventTypes),
      effectiveLimit(maxResults, this.#options.maxResults),
      (view, i) => view.event(i, registry),
    );
    const result = { events: found.items, moreFollows: found.moreFollows };
    return jsonText ? result : plainPayloads(result);
  }

  /**
   * Answers a query as MsgQueryRes bytes written by the batch's core from
   * the stored records (docs/wasm.md): no event object is built, except
   * for answers that hold chunks of the fixed form (written by the
   * TypeScript writer, as `encode` does).
   *
   * @param params The query.
   * @param batch Where the chunks are held and the answer written (its
   * core's type maps are kept here).
   * @param limit The most events of a timeseries or server answer.
   * @param encode Writes an answer of objects (the TypeScript path).
   * @returns The bytes: a view into the core (valid until its next call)
   * or, from `encode`, bytes of their own; null when the core could not
   * get memory (the caller takes the TypeScript path).
   */
  queryBytes(
    params: QueryParams,
    batch: EventBatch,
    limit: number,
    encode: (result: QueryResult) => Uint8Array,
  ): Uint8Array | null {
    let chunks: Uint8Array[];
    let indexes: number[];
    let more: boolean;
    if (params.kind === "latest") {
      const latest = this.#latest;
      const ids = latestTypeIds(
        params,
        this.#registry,
        (t) => latest.chunk(t) !== undefined,
      );
      chunks = ids.map((t) => latest.chunk(t)!);
      indexes = ids.map(() => 0);
      more = false;
    } else {
      const found = this.#scan(
        params,
        Math.min(limit, this.#options.maxResults),
        (view, i) => [view, i] as const,
      );
      if (found.items.some(([view]) => !view.isCompact)) {
        const registry = this.#registry;
        return encode({
          events: found.items.map(([view, i]) => view.event(i, registry)),
          moreFollows: found.moreFollows,
        });
      }
      chunks = found.items.map(([view]) => view.bytes);
      indexes = found.items.map(([, i]) => i);
      more = found.moreFollows;
    }
    // Each chunk goes into the core's memory once.
    const held = new Map<Uint8Array, number>();
    const pairs = new Array<number>(2 * chunks.length);
    for (let k = 0; k < chunks.length; k++) {
      let at = held.get(chunks[k]);
      if (at === undefined) {
        at = batch.hold(chunks[k]);
        if (at < 0) return null;
        held.set(chunks[k], at);
      }
      pairs[2 * k] = at;
      pairs[2 * k + 1] = indexes[k];
    }
    const toCore = this.#maps(batch.core).toCore;
    for (;;) {
      const out = batch.writeStored(0, pairs, toCore, more ? 1 : 0);
      if (out === null || out instanceof Uint8Array) return out;
      for (const t of out.unmapped) {
        const w = new Writer();
        writeEventType(w, this.#registry.type(t));
        const id = batch.core.internType(w.finish());
        if (id < 0) return null;
        toCore.set(t, id);
      }
    }
  }

  #scan<T>(
    params: QueryParams,
    maxResults: number,
    collect: Collect<T>,
  ): Found<T> {
    switch (params.kind) {
      case "timeseries":
        return chunkTimeseries(
          this.#source,
          planTimeseries(params, this.#registry, maxResults),
          collect,
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
          effectiveLimit(params.maxResults, maxResults),
          collect,
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
        removed: (n) => {
          this.#events -= n;
          this.#retentionDeleted += n;
        },
      })
    );
  }

  #setLast(id: EventId): void {
    this.#last.set(id.server, id);
    this.#lastDirty.add(id.server);
  }

  #sealObjects(): void {
    const { data, meta } = this.#builder.finish();
    meta.id = this.#nextChunkId++;
    this.#sealed.push({ meta, data });
  }

  #sealRecords(): void {
    this.#latest.settle();
    const { data, meta } = this.#records.finish();
    meta.id = this.#nextChunkId++;
    this.#sealed.push({ meta, data });
  }

  #load(state: LoadedState): void {
    for (const [id, type, count] of state.types) {
      if (this.#registry.intern(type) !== id) {
        throw new Error(`type ids are not dense at ${id}`);
      }
      this.#counts[id] = count;
      this.#events += count;
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
    for (const [t, data] of state.latest) this.#latest.load(t, data);
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
