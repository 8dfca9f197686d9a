// Timeseries and server queries over chunks, and what arrived after an id.
// Chunk summaries (in memory) say which chunks can hold matching events
// and bound their sort keys; chunks are read in the order of those bounds
// and their matching events merged, so a query reads only the chunks it
// needs even when chunks overlap in time.

import type { EventId, Timestamp } from "../../../event/mod.ts";
import type { ChunkView } from "./_chunk.ts";
import type { ChunkMeta } from "./_meta.ts";
import { compareIds, compareTs, secondsHi, secondsLo } from "./_compare.ts";
import {
  cut,
  type Found,
  keyBounds,
  type TimeseriesPlan,
  within,
} from "./_query.ts";
import type {
  TypeFilter,
  TypeListTest,
  TypeRegistry,
} from "./_type_registry.ts";

/** Chunks to query and how to read them. */
export interface ChunkSource {
  /** Summaries, in insertion (row id) order. */
  readonly chunks: readonly ChunkMeta[];
  readonly registry: TypeRegistry;
  load(meta: ChunkMeta): ChunkView;
}

/** Where an event is. */
export interface Located {
  readonly meta: ChunkMeta;
  readonly view: ChunkView;
  readonly index: number;
}

/** Finds a stored event by id. */
export function locate(source: ChunkSource, id: EventId): Located | null {
  for (const meta of source.chunks) {
    for (const r of meta.servers) {
      if (
        r.server === id.server && compareIds(r.first, id) <= 0 &&
        compareIds(id, r.last) <= 0
      ) {
        const view = source.load(meta);
        const index = view.indexOf(id);
        if (index >= 0) return { meta, view, index };
      }
    }
  }
  return null;
}

interface Parts {
  hi: number;
  lo: number;
  us: number;
}

function parts(t: Timestamp | null): Parts | null {
  return t === null
    ? null
    : { hi: secondsHi(t.s), lo: secondsLo(t.s), us: t.us };
}

interface Entry {
  hi: number;
  lo: number;
  us: number;
  server: number;
  session: number;
  instance: number;
  view: ChunkView;
  i: number;
}

function cmpEntry(a: Entry, b: Entry): number {
  return a.hi - b.hi || a.lo - b.lo || a.us - b.us ||
    a.server - b.server || a.session - b.session || a.instance - b.instance;
}

/** Compares key parts with bound parts. */
function cmpBound(hi: number, lo: number, us: number, b: Parts): number {
  return hi - b.hi || lo - b.lo || us - b.us;
}

/**
 * What each event a query found becomes: made from its chunk and index
 * (an event object, or where its record is for the Wasm core to write).
 */
export type Collect<T> = (view: ChunkView, i: number) => T;

/** Answers a timeseries query. */
export function chunkTimeseries<T>(
  source: ChunkSource,
  plan: TimeseriesPlan,
  collect: Collect<T>,
): Found<T> {
  const want = plan.limit + 1;
  if (want <= 0) return { items: [], moreFollows: false };
  const desc = plan.descending;
  const bySource = plan.bySource;
  const [fromTs, toTs] = keyBounds(plan);
  let after: Entry | null = null;
  if (plan.lastEventId !== null) {
    const at = locate(source, plan.lastEventId);
    if (at === null) return { items: [], moreFollows: false };
    const key = bySource
      ? at.view.sourceTimestamp(at.index)
      : at.view.timestamp(at.index);
    if (key === null || !within(key, fromTs, toTs)) {
      return { items: [], moreFollows: false };
    }
    const p = parts(key)!;
    const id = plan.lastEventId;
    after = {
      ...p,
      server: id.server,
      session: id.session,
      instance: id.instance,
      view: at.view,
      i: at.index,
    };
  }
  const types = plan.types;
  const keyMin = (m: ChunkMeta) => bySource ? m.srcMin : m.tsMin;
  const keyMax = (m: ChunkMeta) => bySource ? m.srcMax : m.tsMax;
  const afterTs = after === null
    ? null
    : bySource
    ? after.view.sourceTimestamp(after.i)
    : after.view.timestamp(after.i);
  const chunkTypes = plan.chunkTypes;
  const candidates = source.chunks.filter((m) => {
    const lo = keyMin(m), hi = keyMax(m);
    if (lo === null || hi === null) return false;
    if (fromTs !== null && compareTs(hi, fromTs) < 0) return false;
    if (toTs !== null && compareTs(lo, toTs) > 0) return false;
    if (afterTs !== null) {
      if (desc ? compareTs(lo, afterTs) > 0 : compareTs(hi, afterTs) < 0) {
        return false;
      }
    }
    if (bySource) {
      if (plan.tFrom !== null && compareTs(m.tsMax, plan.tFrom) < 0) {
        return false;
      }
      if (plan.tTo !== null && compareTs(m.tsMin, plan.tTo) > 0) return false;
    } else if (plan.sFrom !== null || plan.sTo !== null) {
      if (m.srcMin === null || m.srcMax === null) return false;
      if (plan.sFrom !== null && compareTs(m.srcMax, plan.sFrom) < 0) {
        return false;
      }
      if (plan.sTo !== null && compareTs(m.srcMin, plan.sTo) > 0) return false;
    }
    return chunkTypes === null || chunkTypes(m.types);
  });
  candidates.sort(
    desc
      ? (a, b) => compareTs(keyMax(b)!, keyMax(a)!)
      : (a, b) => compareTs(keyMin(a)!, keyMin(b)!),
  );

  const from = parts(fromTs), to = parts(toTs);
  const tFrom = bySource ? parts(plan.tFrom) : null;
  const tTo = bySource ? parts(plan.tTo) : null;
  const sFrom = bySource ? null : parts(plan.sFrom);
  const sTo = bySource ? null : parts(plan.sTo);
  const sourceBound = sFrom !== null || sTo !== null;
  const order = desc ? (a: Entry, b: Entry) => cmpEntry(b, a) : cmpEntry;

  const found: T[] = [];
  let pool: Entry[] = [];
  const emitBeyond = (bound: Parts | null): boolean => {
    pool.sort(order);
    let n = 0;
    for (; n < pool.length && found.length < want; n++) {
      const e = pool[n];
      if (bound !== null) {
        const c = cmpBound(e.hi, e.lo, e.us, bound);
        if (desc ? c <= 0 : c >= 0) break;
      }
      found.push(collect(e.view, e.i));
    }
    pool = pool.slice(n, n + want - found.length);
    return found.length >= want;
  };

  for (const meta of candidates) {
    if (emitBeyond(parts(desc ? keyMax(meta) : keyMin(meta)))) break;
    const view = source.load(meta);
    for (let i = 0; i < view.count; i++) {
      if (types !== null && !types(view.typeId(i))) continue;
      let hi, lo, us;
      if (bySource) {
        if (!view.hasSource(i)) continue;
        hi = view.srcHi(i);
        lo = view.srcLo(i);
        us = view.srcUs(i);
        if (tFrom !== null || tTo !== null) {
          const th = view.tsHi(i), tl = view.tsLo(i), tu = view.tsUs(i);
          if (tFrom !== null && cmpBound(th, tl, tu, tFrom) < 0) continue;
          if (tTo !== null && cmpBound(th, tl, tu, tTo) > 0) continue;
        }
      } else {
        hi = view.tsHi(i);
        lo = view.tsLo(i);
        us = view.tsUs(i);
        if (sourceBound) {
          if (!view.hasSource(i)) continue;
          const sh = view.srcHi(i), sl = view.srcLo(i), su = view.srcUs(i);
          if (sFrom !== null && cmpBound(sh, sl, su, sFrom) < 0) continue;
          if (sTo !== null && cmpBound(sh, sl, su, sTo) > 0) continue;
        }
      }
      if (from !== null && cmpBound(hi, lo, us, from) < 0) continue;
      if (to !== null && cmpBound(hi, lo, us, to) > 0) continue;
      const entry: Entry = {
        hi,
        lo,
        us,
        server: view.server(i),
        session: view.session(i),
        instance: view.instance(i),
        view,
        i,
      };
      if (after !== null) {
        const c = cmpEntry(entry, after);
        if (desc ? c >= 0 : c <= 0) continue;
      }
      pool.push(entry);
    }
  }
  if (found.length < want) emitBeyond(null);
  return cut(found, plan.limit);
}

/** Answers a server query over committed chunks. */
export function chunkServer<T>(
  source: ChunkSource,
  serverId: number,
  lastEventId: EventId | null,
  limit: number,
  collect: Collect<T>,
): Found<T> {
  const want = limit + 1;
  if (want <= 0) return { items: [], moreFollows: false };
  const found: T[] = [];
  for (const meta of source.chunks) {
    const range = meta.servers.find((r) => r.server === serverId);
    if (range === undefined) continue;
    if (lastEventId !== null && compareIds(range.last, lastEventId) <= 0) {
      continue;
    }
    const view = source.load(meta);
    for (let i = 0; i < view.count && found.length < want; i++) {
      if (view.server(i) !== serverId) continue;
      if (lastEventId !== null && compareIds(view.id(i), lastEventId) <= 0) {
        continue;
      }
      found.push(collect(view, i));
    }
    if (found.length >= want) break;
  }
  return cut(found, limit);
}

/**
 * The events of one server after `after`, newest first, of the types
 * `types` and `chunkTypes` pass: read back from the newest chunk, since a
 * server's ids grow in the order chunks were inserted. Stops at `after`,
 * so it costs what arrived since (chunks without the types unread).
 */
export function chunkArrivals<T>(
  source: ChunkSource,
  serverId: number,
  after: EventId | null,
  types: TypeFilter,
  chunkTypes: TypeListTest,
  limit: number,
  collect: Collect<T>,
): Found<T> {
  const want = limit + 1;
  if (want <= 0) return { items: [], moreFollows: false };
  const found: T[] = [];
  const chunks = source.chunks;
  for (let k = chunks.length - 1; k >= 0 && found.length < want; k--) {
    const meta = chunks[k];
    const range = meta.servers.find((r) => r.server === serverId);
    if (range === undefined) continue;
    if (after !== null && compareIds(range.last, after) <= 0) break;
    if (chunkTypes !== null && !chunkTypes(meta.types)) continue;
    const view = source.load(meta);
    // Only the chunk that holds `after` has events up to it: those before
    // the index found by bisection.
    const stop = after !== null && compareIds(range.first, after) <= 0
      ? firstAfter(view, serverId, after)
      : 0;
    const mixed = meta.servers.length > 1;
    for (let i = view.count - 1; i >= stop && found.length < want; i--) {
      if (mixed && view.server(i) !== serverId) continue;
      if (types !== null && !types(view.typeId(i))) continue;
      found.push(collect(view, i));
    }
  }
  return cut(found, limit);
}

/**
 * The first index of a chunk from which on every event of `serverId` has
 * an id greater than `id`, by bisection: the server's events lie in id
 * order, other servers' events between them are stepped over.
 */
function firstAfter(view: ChunkView, serverId: number, id: EventId): number {
  let lo = 0;
  let hi = view.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    let j = mid;
    while (j < hi && view.server(j) !== serverId) j++;
    if (j === hi || compareIds(view.id(j), id) > 0) hi = mid;
    else lo = j + 1;
  }
  return lo;
}
