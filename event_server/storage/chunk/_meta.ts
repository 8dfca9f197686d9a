// Chunk summaries (ChunkMeta): what a chunk holds without its events, kept
// in memory so that queries skip chunks unread, and stored beside each chunk
// (SQLite). Their binary form: docs/storage.md, "Summary bytes".

import type { EventId, Timestamp } from "../../../event/mod.ts";
import { compareTs, secondsHi, secondsLo, secondsOf } from "./_compare.ts";

/** The id range of one server's events within a chunk. */
export interface ServerRange {
  readonly server: number;
  readonly first: EventId;
  readonly last: EventId;
}

/** What a chunk holds, without its events. */
export interface ChunkMeta {
  /** Row id (order of insertion). */
  id: number;
  readonly count: number;
  readonly tsMin: Timestamp;
  readonly tsMax: Timestamp;
  /** Null when no event of the chunk has a source timestamp. */
  readonly srcMin: Timestamp | null;
  readonly srcMax: Timestamp | null;
  /**
   * Distinct type ids, ascending; read-only, and shared between chunks
   * with equal type sets (see {@linkcode shareTypes}).
   */
  readonly types: Uint32Array;
  readonly servers: readonly ServerRange[];
}

/**
 * `types`, or `prev` when both hold the same ids: consecutive chunks of
 * steady traffic hold the same types, and sharing one array keeps the
 * memory of chunk summaries small (an array of hundreds of type ids per
 * chunk would otherwise dominate it and grow with the stored history).
 */
export function shareTypes(
  types: Uint32Array,
  prev: Uint32Array | null,
): Uint32Array {
  if (prev === null || prev.length !== types.length) return types;
  for (let i = 0; i < types.length; i++) {
    if (prev[i] !== types[i]) return types;
  }
  return prev;
}

/**
 * Collects the summary of a chunk being built: timestamp ranges, type ids
 * and each server's id range. Both chunk builders (of event objects and of
 * the Wasm core's records) keep theirs in one.
 */
export class MetaBuilder {
  #tsMin: Timestamp | null = null;
  #tsMax: Timestamp | null = null;
  #srcMin: Timestamp | null = null;
  #srcMax: Timestamp | null = null;
  #types = new Set<number>();
  #lastTypes: Uint32Array | null = null;
  #servers = new Map<number, { first: EventId; last: EventId }>();

  /** Takes in events registered between `min` and `max` (copied if kept). */
  timestamps(min: Timestamp, max: Timestamp): void {
    if (this.#tsMin === null || compareTs(min, this.#tsMin) < 0) {
      this.#tsMin = { s: min.s, us: min.us };
    }
    if (this.#tsMax === null || compareTs(max, this.#tsMax) > 0) {
      this.#tsMax = { s: max.s, us: max.us };
    }
  }

  /** Takes in source timestamps between `min` and `max` (copied if kept). */
  sources(min: Timestamp, max: Timestamp): void {
    if (this.#srcMin === null || compareTs(min, this.#srcMin) < 0) {
      this.#srcMin = { s: min.s, us: min.us };
    }
    if (this.#srcMax === null || compareTs(max, this.#srcMax) > 0) {
      this.#srcMax = { s: max.s, us: max.us };
    }
  }

  /** Takes in a type id. */
  type(typeId: number): void {
    this.#types.add(typeId);
  }

  /**
   * The id range of `id`'s server in this chunk, made from `id` when it
   * is the server's first; its `last` is for the caller to move on.
   */
  server(id: EventId): { first: EventId; last: EventId } {
    let range = this.#servers.get(id.server);
    if (range === undefined) {
      range = { first: id, last: id };
      this.#servers.set(id.server, range);
    }
    return range;
  }

  /** The summary of `count` events taken in; starts anew. */
  finish(count: number): ChunkMeta {
    const types = shareTypes(
      Uint32Array.from(this.#types).sort(),
      this.#lastTypes,
    );
    this.#lastTypes = types;
    const meta: ChunkMeta = {
      id: 0,
      count,
      tsMin: this.#tsMin!,
      tsMax: this.#tsMax!,
      srcMin: this.#srcMin,
      srcMax: this.#srcMax,
      types,
      servers: [...this.#servers].map(([server, r]) => ({ server, ...r })),
    };
    this.reset();
    return meta;
  }

  /** Forgets what was taken in (the type ids to share are kept). */
  reset(): void {
    this.#tsMin =
      this.#tsMax =
      this.#srcMin =
      this.#srcMax =
        null;
    this.#types.clear();
    this.#servers.clear();
  }
}

function writeTs(v: DataView, at: number, t: Timestamp | null): number {
  if (t === null) {
    v.setUint32(at, 0, true);
    return at + 16;
  }
  v.setUint32(at, 1, true);
  v.setInt32(at + 4, secondsHi(t.s), true);
  v.setUint32(at + 8, secondsLo(t.s), true);
  v.setUint32(at + 12, t.us, true);
  return at + 16;
}

function readTs(v: DataView, at: number): Timestamp | null {
  if (v.getUint32(at, true) === 0) return null;
  return {
    s: secondsOf(v.getInt32(at + 4, true), v.getUint32(at + 8, true)),
    us: v.getUint32(at + 12, true),
  };
}

/** The bytes of a chunk summary (without its id, which is the row id). */
export function encodeMeta(meta: ChunkMeta): Uint8Array {
  const size = 4 + 4 * 16 + 4 + meta.types.length * 4 + 4 +
    meta.servers.length * 40;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, meta.count, true);
  let at = writeTs(v, 4, meta.tsMin);
  at = writeTs(v, at, meta.tsMax);
  at = writeTs(v, at, meta.srcMin);
  at = writeTs(v, at, meta.srcMax);
  v.setUint32(at, meta.types.length, true);
  at += 4;
  for (const t of meta.types) {
    v.setUint32(at, t, true);
    at += 4;
  }
  v.setUint32(at, meta.servers.length, true);
  at += 4;
  for (const r of meta.servers) {
    v.setFloat64(at, r.server, true);
    v.setFloat64(at + 8, r.first.session, true);
    v.setFloat64(at + 16, r.first.instance, true);
    v.setFloat64(at + 24, r.last.session, true);
    v.setFloat64(at + 32, r.last.instance, true);
    at += 40;
  }
  return out;
}

/**
 * A chunk summary of its bytes; its type ids are `prevTypes` when equal
 * (see {@linkcode shareTypes}).
 */
export function decodeMeta(
  id: number,
  bytes: Uint8Array,
  prevTypes: Uint32Array | null = null,
): ChunkMeta {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const count = v.getUint32(0, true);
  const tsMin = readTs(v, 4)!;
  const tsMax = readTs(v, 20)!;
  const srcMin = readTs(v, 36);
  const srcMax = readTs(v, 52);
  let at = 68;
  const read = new Uint32Array(v.getUint32(at, true));
  at += 4;
  for (let i = 0; i < read.length; i++, at += 4) {
    read[i] = v.getUint32(at, true);
  }
  const types = shareTypes(read, prevTypes);
  const servers: ServerRange[] = [];
  const n = v.getUint32(at, true);
  at += 4;
  for (let i = 0; i < n; i++, at += 40) {
    const server = v.getFloat64(at, true);
    servers.push({
      server,
      first: {
        server,
        session: v.getFloat64(at + 8, true),
        instance: v.getFloat64(at + 16, true),
      },
      last: {
        server,
        session: v.getFloat64(at + 24, true),
        instance: v.getFloat64(at + 32, true),
      },
    });
  }
  return { id, count, tsMin, tsMax, srcMin, srcMax, types, servers };
}
