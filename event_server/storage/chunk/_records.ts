// The chunk builder of events held as bytes (the register path of codec
// "wasm", docs/wasm.md): the Wasm core writes the compact records of a
// batch's events (_compact.ts's form, byte for byte what ChunkBuilder's
// compact transcoding writes) relative to the chunk's base values, and
// reports what the chunk's summary needs; this collects them into chunk
// bytes without an event object. A value that does not fit the compact
// form (reported by the core) sends the chunk to ChunkBuilder's fixed form
// (toFixed), as ChunkBuilder decides for event objects.

import {
  E_FLAGS,
  E_INSTANCE,
  E_NAME,
  E_PAY_LEN,
  E_PAY_START,
  E_SERVER,
  E_SESSION,
  E_SRC_S,
  E_SRC_US,
  E_TS_S,
  E_TS_US,
  E_TYPE,
  type EventBatch,
  F_BIG_SRC,
  F_BIG_TS,
  F_BINARY,
  F_JSON,
  F_SRC,
  type IdMap,
  type RecordsWritten,
} from "../../../codec/wasm/internal_mod.ts";
import { checkedJsonText } from "../../../event/internal_mod.ts";
import type {
  Event,
  EventId,
  EventPayload,
  Timestamp,
} from "../../../event/mod.ts";
import { type ChunkBuilder, ChunkView } from "./_chunk.ts";
import { FORMAT_COMPACT } from "./_compact.ts";
import { type ChunkMeta, MetaBuilder } from "./_meta.ts";

const COMPACT_HEADER = 32;

/** A chunk's base values: those of its first event. */
export interface Base {
  readonly server: number;
  readonly session: number;
  readonly seconds: number;
}

/** What one {@linkcode RecordBuilder.add} stored, for the chunk store. */
export interface Added {
  /**
   * The distinct storage type ids of the range, each with the index of
   * its last event and its count (i32 triples).
   */
  readonly types: Int32Array;
  /** Whether the range has one server (then its ids are first and last). */
  readonly oneServer: boolean;
}

/** The first event that does not fit the compact form. */
export interface Unfit {
  readonly unfit: number;
}

/** The id of a batch entry. */
export function entryId(batch: EventBatch, i: number): EventId {
  const e = batch.entry(i);
  const f64 = batch.core.f64;
  return {
    server: f64[(e + E_SERVER) >> 3],
    session: f64[(e + E_SESSION) >> 3],
    instance: f64[(e + E_INSTANCE) >> 3],
  };
}

// Seconds at byte address `at` of the core's memory (low half first).
function seconds(i32: Int32Array, at: number, big: boolean): number | bigint {
  const lo = i32[at >> 2] >>> 0;
  const hi = i32[(at >> 2) + 1];
  return big ? (BigInt(hi) << 32n) + BigInt(lo) : hi * 4294967296 + lo;
}

/** The id and timestamp of a batch entry. */
export function entryKey(
  batch: EventBatch,
  i: number,
): EventId & { timestamp: Timestamp } {
  const e = batch.entry(i);
  const core = batch.core;
  const f64 = core.f64;
  const i32 = core.i32;
  return {
    server: f64[(e + E_SERVER) >> 3],
    session: f64[(e + E_SESSION) >> 3],
    instance: f64[(e + E_INSTANCE) >> 3],
    timestamp: {
      s: seconds(i32, e + E_TS_S, (i32[(e + E_FLAGS) >> 2] & F_BIG_TS) !== 0),
      us: i32[(e + E_TS_US) >> 2],
    },
  };
}

/**
 * A batch entry as an event object whose payload bytes are copies (for
 * the rare chunk that takes the fixed form); JSON stays the received text.
 */
export function eventOf(batch: EventBatch, i: number): Event {
  const core = batch.core;
  const key = entryKey(batch, i);
  const e = batch.entry(i);
  const i32 = core.i32;
  const flags = i32[(e + E_FLAGS) >> 2];
  const start = i32[(e + E_PAY_START) >> 2];
  const bytes = core.u8.slice(start, start + i32[(e + E_PAY_LEN) >> 2]);
  let payload: EventPayload | null = null;
  if ((flags & F_BINARY) !== 0) {
    payload = {
      kind: "binary",
      type: core.typeName(i32[(e + E_NAME) >> 2]),
      data: bytes,
    };
  } else if ((flags & F_JSON) !== 0) {
    payload = checkedJsonText(bytes, 0, bytes.length);
  }
  return {
    id: { server: key.server, session: key.session, instance: key.instance },
    type: core.typeStrings(i32[(e + E_TYPE) >> 2]),
    timestamp: key.timestamp,
    sourceTimestamp: (flags & F_SRC) === 0 ? null : {
      s: seconds(i32, e + E_SRC_S, (flags & F_BIG_SRC) !== 0),
      us: i32[(e + E_SRC_US) >> 2],
    },
    payload,
  };
}

/** Collects compact records written by the Wasm core into chunk bytes. */
export class RecordBuilder {
  #records = new Uint8Array(64 * 1024);
  #len = 0;
  #offsets = new Uint32Array(1024);
  #count = 0;
  #base: Base | null = null;
  #meta = new MetaBuilder();

  /** Number of events added since the last {@linkcode finish}. */
  get count(): number {
    return this.#count;
  }

  /** The chunk's base values, once it has an event. */
  get base(): Base | null {
    return this.#base;
  }

  /**
   * Adds events `from`..`to` of a batch. Their storage type ids come from
   * `types`; `mapTypes` is called with the type ids it has no value for
   * (it must set them).
   *
   * @returns What was added, or the first event that does not fit the
   * compact form (then nothing was added).
   */
  add(
    batch: EventBatch,
    from: number,
    to: number,
    types: IdMap,
    mapTypes: (typeIds: number[]) => void,
  ): Added | Unfit {
    const core = batch.core;
    let base = this.#base;
    if (base === null) {
      const e = batch.entry(from);
      // A chunk whose base seconds are beyond 2^53 is never compact.
      if ((core.i32[(e + E_FLAGS) >> 2] & F_BIG_TS) !== 0) {
        return { unfit: from };
      }
      base = {
        server: core.f64[(e + E_SERVER) >> 3],
        session: core.f64[(e + E_SESSION) >> 3],
        seconds: seconds(core.i32, e + E_TS_S, false) as number,
      };
    }
    let r;
    for (;;) {
      r = batch.writeRecords(0, from, to, base, types, this.#len);
      if (!("unmapped" in r)) break;
      mapTypes(r.unmapped);
    }
    if ("unfit" in r) return r;
    this.#base = base;
    this.#store(r, to - from);
    this.#note(batch, from, to, r);
    const triples = new Int32Array(r.types.length >> 2);
    new Uint8Array(triples.buffer).set(r.types);
    return { types: triples, oneServer: r.oneServer };
  }

  #store(r: RecordsWritten, n: number): void {
    const need = this.#len + r.records.length;
    if (need > this.#records.length) {
      const grown = new Uint8Array(Math.max(need, this.#records.length * 2));
      grown.set(this.#records.subarray(0, this.#len));
      this.#records = grown;
    }
    this.#records.set(r.records, this.#len);
    this.#len = need;
    if (this.#count + n > this.#offsets.length) {
      const grown = new Uint32Array(
        Math.max(this.#count + n, this.#offsets.length * 2),
      );
      grown.set(this.#offsets.subarray(0, this.#count));
      this.#offsets = grown;
    }
    const offsets = r.offsets;
    new Uint8Array(this.#offsets.buffer).set(offsets, this.#count * 4);
    this.#count += n;
  }

  #note(batch: EventBatch, from: number, to: number, r: RecordsWritten): void {
    const meta = this.#meta;
    meta.timestamps(r.tsMin, r.tsMax);
    if (r.srcMin !== null) meta.sources(r.srcMin, r.srcMax!);
    const types = new DataView(
      r.types.buffer,
      r.types.byteOffset,
      r.types.length,
    );
    for (let k = 0; k < r.types.length; k += 12) {
      meta.type(types.getInt32(k, true));
    }
    if (r.oneServer) {
      meta.server(entryId(batch, from)).last = entryId(batch, to - 1);
    } else {
      for (let i = from; i < to; i++) {
        const id = entryId(batch, i);
        meta.server(id).last = id;
      }
    }
  }

  /** The chunk bytes of what was added (compact form). */
  #bytes(): Uint8Array {
    const n = this.#count;
    const head = COMPACT_HEADER + 4 * n;
    const data = new Uint8Array(head + this.#len);
    const v = new DataView(data.buffer);
    const base = this.#base!;
    v.setUint32(0, n, true);
    v.setUint32(4, FORMAT_COMPACT, true);
    v.setFloat64(8, base.server, true);
    v.setFloat64(16, base.session, true);
    v.setFloat64(24, base.seconds, true);
    const offsets = this.#offsets;
    for (let i = 0; i < n; i++) {
      v.setUint32(COMPACT_HEADER + 4 * i, head + offsets[i], true);
    }
    data.set(this.#records.subarray(0, this.#len), head);
    return data;
  }

  /** The chunk bytes and summary of what was added; starts anew. */
  finish(): { data: Uint8Array; meta: ChunkMeta } {
    const data = this.#bytes();
    const meta = this.#meta.finish(this.#count);
    this.#reset();
    return { data, meta };
  }

  /**
   * Moves what was added into a builder of event objects (whose chunk
   * then takes the fixed form when a later event does not fit); starts
   * anew.
   */
  toFixed(builder: ChunkBuilder): void {
    if (this.#count === 0) return;
    const view = new ChunkView(this.#bytes());
    for (let i = 0; i < view.count; i++) builder.addRaw(view, i);
    this.#reset();
  }

  /**
   * A record just added, as a chunk of its own relative to the same base
   * values (for the latest table: a ChunkView reads it).
   *
   * @param i Index of the event in the chunk.
   * @returns Chunk bytes of one event.
   */
  single(i: number): Uint8Array {
    const start = this.#offsets[i];
    const end = i + 1 < this.#count ? this.#offsets[i + 1] : this.#len;
    const head = COMPACT_HEADER + 4;
    const data = new Uint8Array(head + end - start);
    const v = new DataView(data.buffer);
    const base = this.#base!;
    v.setUint32(0, 1, true);
    v.setUint32(4, FORMAT_COMPACT, true);
    v.setFloat64(8, base.server, true);
    v.setFloat64(16, base.session, true);
    v.setFloat64(24, base.seconds, true);
    v.setUint32(COMPACT_HEADER, head, true);
    data.set(this.#records.subarray(start, end), head);
    return data;
  }

  #reset(): void {
    this.#len = 0;
    this.#count = 0;
    this.#base = null;
    this.#meta.reset();
  }
}
