// Retention over chunks: removes the events that a rule says must go,
// oldest chunks first (by their earliest timestamp) and oldest events of a
// chunk first, by rewriting the chunks that hold them: at most `budget`
// events and `maxChunks` chunk rewrites per call, so one call stays short.

import type { RetentionRule } from "../storage.ts";
import type { ChunkBuilder, ChunkView } from "./_chunk.ts";
import type { ChunkMeta } from "./_meta.ts";
import { compareTs } from "./_compare.ts";
import { secondsAgo } from "../_options.ts";
import type { TypeRegistry } from "./_type_registry.ts";

/** What a cleanup step works on. */
export interface CleanupContext {
  /** Chunk summaries in id order; rewritten or removed in place. */
  readonly chunks: ChunkMeta[];
  readonly registry: TypeRegistry;
  /** Stored events per type id; decreased for what is removed. */
  readonly counts: number[];
  readonly rules: readonly RetentionRule[];
  /** Most events to remove. */
  readonly budget: number;
  /** Most chunks to rewrite (a rewrite costs the whole chunk). */
  readonly maxChunks: number;
  load(meta: ChunkMeta): ChunkView;
  readonly builder: ChunkBuilder;
  /** Stores a rewritten chunk, or deletes it (`data` null). */
  write(meta: ChunkMeta, data: Uint8Array | null): void;
  /** Stores the count of a type. */
  setCount(typeId: number): void;
  /** Told how many events a rewrite or deletion removed. */
  removed(n: number): void;
}

/**
 * `idx` sorted by (timestamp, id) of the events; each event's key is read
 * once (a compact chunk decodes an event per read of another one).
 */
function sortByTimestamp(view: ChunkView, idx: number[]): number[] {
  const keys = idx.map((i) => [
    view.tsHi(i),
    view.tsLo(i),
    view.tsUs(i),
    view.server(i),
    view.session(i),
    view.instance(i),
    i,
  ]);
  keys.sort((a, b) =>
    a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3] ||
    a[4] - b[4] || a[5] - b[5]
  );
  return keys.map((k) => k[6]);
}

/**
 * Removes at most `ctx.budget` events.
 *
 * @returns Whether more remain to be removed.
 */
export function cleanupChunks(ctx: CleanupContext): boolean {
  let budget = ctx.budget;
  let chunks = ctx.maxChunks;
  const touched = new Set<number>();
  try {
    for (const rule of ctx.rules) {
      const filter = ctx.registry.filter(rule.eventTypes);
      const matches = (t: number) => filter === null || filter(t);
      let excess = -Infinity;
      if (rule.maxEntries !== null && rule.maxEntries !== undefined) {
        let total = 0;
        for (let t = 0; t < ctx.registry.size; t++) {
          if (matches(t)) total += ctx.counts[t];
        }
        excess = total - rule.maxEntries;
      }
      const cutoff = rule.maxAge !== null && rule.maxAge !== undefined
        ? secondsAgo(rule.maxAge)
        : null;
      if (excess <= 0 && cutoff === null) continue;
      const holds = ctx.registry.listTest(rule.eventTypes);
      const candidates = ctx.chunks.filter((m) =>
        (excess > 0 || compareTs(m.tsMin, cutoff!) < 0) &&
        (holds === null || holds(m.types))
      ).sort((a, b) => compareTs(a.tsMin, b.tsMin) || a.id - b.id);
      for (const meta of candidates) {
        if (budget === 0 || chunks === 0) return true;
        if (
          excess <= 0 &&
          (cutoff === null || compareTs(meta.tsMin, cutoff) >= 0)
        ) break;
        const view = ctx.load(meta);
        let idx: number[] = [];
        for (let i = 0; i < view.count; i++) {
          if (matches(view.typeId(i))) idx.push(i);
        }
        if (
          idx.length === view.count &&
          (excess >= view.count ||
            (cutoff !== null && compareTs(meta.tsMax, cutoff) < 0))
        ) {
          // All of it goes: deleted whole, which costs no rewrite, so it
          // counts against the chunks of a step, not its events (a step
          // limited to `budget` events could fall behind a high rate).
          rewrite(ctx, meta, view, new Set(idx), touched);
          excess -= view.count;
          chunks--;
          continue;
        }
        idx = sortByTimestamp(view, idx);
        const remove = new Set<number>();
        for (const i of idx) {
          if (budget === 0) break;
          const old = cutoff !== null &&
            compareTs(view.timestamp(i), cutoff) < 0;
          if (!old && excess <= 0) break;
          remove.add(i);
          budget--;
          excess--;
        }
        if (remove.size === 0) continue;
        rewrite(ctx, meta, view, remove, touched);
        chunks--;
      }
      if (budget === 0) return true;
    }
    return false;
  } finally {
    for (const t of touched) ctx.setCount(t);
  }
}

function rewrite(
  ctx: CleanupContext,
  meta: ChunkMeta,
  view: ChunkView,
  remove: Set<number>,
  touched: Set<number>,
): void {
  for (const i of remove) {
    const t = view.typeId(i);
    ctx.counts[t]--;
    touched.add(t);
  }
  ctx.removed(remove.size);
  const at = ctx.chunks.indexOf(meta);
  if (remove.size === view.count) {
    ctx.write(meta, null);
    ctx.chunks.splice(at, 1);
    return;
  }
  const builder = ctx.builder;
  for (let i = 0; i < view.count; i++) {
    if (!remove.has(i)) builder.addRaw(view, i);
  }
  const { data, meta: rewritten } = builder.finish();
  rewritten.id = meta.id;
  ctx.write(rewritten, data);
  ctx.chunks[at] = rewritten;
}
