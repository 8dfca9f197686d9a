// The latest table: the newest event of each type, kept in memory for
// `latest` queries and stored as one single-event chunk per type. An entry
// is an event object (registered as one), or the bytes of its record
// (registered from a batch of the Wasm core, or read back from storage),
// from which the event object is built only when a query reads it.

import type { Event, Timestamp } from "../../../event/mod.ts";
import { ChunkBuilder, ChunkView } from "./_chunk.ts";
import { compareIds, compareTs } from "./_compare.ts";
import type { TypeRegistry } from "./_type_registry.ts";

/** The id and timestamp of an event, as numbers. */
interface Key {
  readonly server: number;
  readonly session: number;
  readonly instance: number;
  readonly timestamp: Timestamp;
}

/** Where a record just added is, until its chunk is finished. */
export interface RecordSource {
  /** Chunk bytes holding just record `i`. */
  single(i: number): Uint8Array;
}

/** An entry held as chunk bytes of one event. */
class Held implements Key {
  readonly server: number;
  readonly session: number;
  readonly instance: number;
  readonly timestamp: Timestamp;
  #bytes: Uint8Array | null;
  #source: RecordSource | null = null;
  #index = 0;
  /** Whether the bytes are the table's own single-event chunk. */
  stored: boolean;
  event: Event | null = null;

  constructor(bytes: Uint8Array | null, stored: boolean, key?: Key) {
    this.#bytes = bytes;
    this.stored = stored;
    if (key === undefined) {
      const view = new ChunkView(bytes!);
      key = {
        server: view.server(0),
        session: view.session(0),
        instance: view.instance(0),
        timestamp: view.timestamp(0),
      };
    }
    this.server = key.server;
    this.session = key.session;
    this.instance = key.instance;
    this.timestamp = key.timestamp;
  }

  /** Held as record `index` of a chunk being built, copied out later. */
  static pending(key: Key, source: RecordSource, index: number): Held {
    const held = new Held(null, false, key);
    held.#source = source;
    held.#index = index;
    return held;
  }

  /**
   * Chunk bytes of the event: the table's own single-event chunk once
   * `stored`, else a chunk holding just its record relative to the base
   * values of the chunk it was registered into.
   */
  get bytes(): Uint8Array {
    return this.#bytes ?? this.settle();
  }

  /** Copies the record out of the chunk being built, if not yet done. */
  settle(): Uint8Array {
    if (this.#bytes === null) {
      this.#bytes = this.#source!.single(this.#index);
      this.#source = null;
    }
    return this.#bytes;
  }
}

function keyOf(e: Event | Held): Key {
  if (e instanceof Held) return e;
  return {
    server: e.id.server,
    session: e.id.session,
    instance: e.id.instance,
    timestamp: e.timestamp,
  };
}

/** Newest-event order of the reference (`Event.__lt__`). */
function newer(candidate: Key, current: Key): boolean {
  if (candidate.server !== current.server) {
    const c = compareTs(candidate.timestamp, current.timestamp);
    if (c !== 0) return c > 0;
  }
  return compareIds(candidate, current) >= 0;
}

/** The newest event of each type id. */
export class LatestTable {
  #entries: (Event | Held | undefined)[] = [];
  #dirty = new Set<number>();
  #builder = new ChunkBuilder();
  #registry: TypeRegistry;

  /** @param registry The store's type ids. */
  constructor(registry: TypeRegistry) {
    this.#registry = registry;
  }

  /** Type ids whose newest event changed since the last commit. */
  get dirty(): ReadonlySet<number> {
    return this.#dirty;
  }

  /** Takes `e` as the newest of type `t` when it is newer. */
  offer(t: number, e: Event): void {
    const current = this.#entries[t];
    if (current === undefined || newer(keyOf(e), keyOf(current))) {
      this.#entries[t] = e;
      this.#dirty.add(t);
    }
  }

  /**
   * Takes the event of a record as the newest of type `t` when it is
   * newer. Its bytes are copied out of `source` only when read, or by
   * {@linkcode LatestTable.settle} before the source starts anew: a type
   * whose newest event changes with every request costs one copy per
   * chunk, not one per request.
   *
   * @param t Its type id.
   * @param key Its id and timestamp.
   * @param source The records being built.
   * @param index Its index there.
   */
  offerRecord(
    t: number,
    key: Key,
    source: RecordSource,
    index: number,
  ): void {
    const current = this.#entries[t];
    if (current === undefined || newer(key, keyOf(current))) {
      this.#entries[t] = Held.pending(key, source, index);
      this.#dirty.add(t);
    }
  }

  /**
   * Copies out the records of entries still held in a chunk being built:
   * called before that chunk is finished (its records then go).
   */
  settle(): void {
    for (const t of this.#dirty) {
      const e = this.#entries[t];
      if (e instanceof Held) e.settle();
    }
  }

  /** Takes a stored single-event chunk (opening a storage). */
  load(t: number, data: Uint8Array): void {
    this.#entries[t] = new Held(data, true);
  }

  /** The newest event of a type, built from its bytes when needed. */
  event(t: number): Event | undefined {
    const e = this.#entries[t];
    if (!(e instanceof Held)) return e;
    return e.event ??= new ChunkView(e.bytes).event(0, this.#registry);
  }

  /**
   * The single-event chunk of the newest event of a type, as stored (the
   * chunk builder's own form).
   */
  chunk(t: number): Uint8Array | undefined {
    const e = this.#entries[t];
    if (e === undefined) return undefined;
    if (e instanceof Held) {
      if (e.stored) return e.bytes;
      this.#builder.addRaw(new ChunkView(e.bytes), 0);
    } else {
      this.#builder.add(e, t);
    }
    return this.#builder.finish().data;
  }

  /**
   * Gives the single-event chunk of each type whose newest event changed
   * to `write`, then holds them as stored: a registered event's payload
   * may be a view of a large receive buffer, and a latest event kept for
   * long (a type that rarely changes) keeps its own small chunk instead.
   */
  commit(write: (t: number, data: Uint8Array) => void): void {
    const done: [number, Uint8Array][] = [];
    for (const t of this.#dirty) {
      const data = this.chunk(t)!;
      write(t, data);
      done.push([t, data]);
    }
    for (const [t, data] of done) {
      const e = this.#entries[t]!;
      this.#entries[t] = new Held(data, true, keyOf(e));
    }
    this.#dirty.clear();
  }
}
