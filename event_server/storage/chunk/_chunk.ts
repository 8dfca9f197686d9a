// The binary form in which the storages keep events: a chunk holds many
// events (one row per chunk, not per event, so a commit of thousands of
// events writes a handful of rows) plus a summary (ChunkMeta, _meta.ts)
// that lets queries skip it unread. This file holds the fixed form, in which
// the builder of event objects collects them, and reads both forms. The
// layouts: docs/storage.md, "Chunk bytes".

import {
  type Event,
  type EventId,
  type EventPayload,
  JsonTextPayload,
  type Timestamp,
} from "../../../event/mod.ts";
import { copyBytes } from "../../../codec/internal_mod.ts";
import { secondsHi, secondsLo, secondsOf } from "./_compare.ts";
import { CompactReader, encodeCompact, isCompact } from "./_compact.ts";
import { type ChunkMeta, MetaBuilder } from "./_meta.ts";
import type { TypeRegistry } from "./_type_registry.ts";

const HEADER = 8;
const RECORD = 64;
const HAS_SRC = 1;
const BINARY = 2;
const JSON_PAYLOAD = 4;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Reads the events of chunk bytes, in the fixed form above or the compact
 * form of `_compact.ts`.
 */
export class ChunkView {
  readonly bytes: Uint8Array;
  readonly count: number;
  #view: DataView;
  #payload: number;
  #c: CompactReader | null;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    this.count = this.#view.getUint32(0, true);
    this.#payload = HEADER + this.count * RECORD;
    this.#c = isCompact(bytes) ? new CompactReader(bytes) : null;
  }

  /** Whether the chunk is in the compact form (else the fixed one). */
  get isCompact(): boolean {
    return this.#c !== null;
  }

  server(i: number): number {
    const c = this.#c;
    if (c !== null) return c.load(i), c.server;
    return this.#view.getFloat64(HEADER + i * RECORD, true);
  }
  session(i: number): number {
    const c = this.#c;
    if (c !== null) return c.load(i), c.session;
    return this.#view.getFloat64(HEADER + i * RECORD + 8, true);
  }
  instance(i: number): number {
    const c = this.#c;
    if (c !== null) return c.load(i), c.instance;
    return this.#view.getFloat64(HEADER + i * RECORD + 16, true);
  }
  typeId(i: number): number {
    const c = this.#c;
    if (c !== null) return c.typeIdOf(i);
    return this.#view.getUint32(HEADER + i * RECORD + 24, true);
  }
  /** Bit 0: has a source timestamp; bit 1: binary payload; bit 2: JSON. */
  flags(i: number): number {
    const c = this.#c;
    if (c !== null) return c.load(i), c.flags;
    return this.#view.getUint32(HEADER + i * RECORD + 28, true);
  }
  hasSource(i: number): boolean {
    return (this.flags(i) & HAS_SRC) !== 0;
  }
  /** Sort-key parts: seconds high, low, microseconds (timestamp). */
  tsHi(i: number): number {
    const c = this.#c;
    if (c !== null) return c.load(i), c.tsHi;
    return this.#view.getInt32(HEADER + i * RECORD + 32, true);
  }
  tsLo(i: number): number {
    const c = this.#c;
    if (c !== null) return c.load(i), c.tsLo;
    return this.#view.getUint32(HEADER + i * RECORD + 36, true);
  }
  tsUs(i: number): number {
    const c = this.#c;
    if (c !== null) return c.load(i), c.tsUs;
    return this.#view.getUint32(HEADER + i * RECORD + 40, true);
  }
  /** Sort-key parts of the source timestamp (only when it has one). */
  srcHi(i: number): number {
    const c = this.#c;
    if (c !== null) return c.load(i), c.srcHi;
    return this.#view.getInt32(HEADER + i * RECORD + 44, true);
  }
  srcLo(i: number): number {
    const c = this.#c;
    if (c !== null) return c.load(i), c.srcLo;
    return this.#view.getUint32(HEADER + i * RECORD + 48, true);
  }
  srcUs(i: number): number {
    const c = this.#c;
    if (c !== null) return c.load(i), c.srcUs;
    return this.#view.getUint32(HEADER + i * RECORD + 52, true);
  }
  /** Where the payload bytes of event `i` start in {@linkcode bytes}. */
  payloadStart(i: number): number {
    const c = this.#c;
    if (c !== null) return c.load(i), c.payloadStart;
    return this.#payload +
      this.#view.getUint32(HEADER + i * RECORD + 56, true);
  }
  /** Length of the payload bytes of event `i`. */
  payloadLength(i: number): number {
    const c = this.#c;
    if (c !== null) return c.load(i), c.payloadLength;
    return this.#view.getUint32(HEADER + i * RECORD + 60, true);
  }

  id(i: number): EventId {
    return {
      server: this.server(i),
      session: this.session(i),
      instance: this.instance(i),
    };
  }

  timestamp(i: number): Timestamp {
    return {
      s: secondsOf(this.tsHi(i), this.tsLo(i)),
      us: this.tsUs(i),
    };
  }

  sourceTimestamp(i: number): Timestamp | null {
    if (!this.hasSource(i)) return null;
    return {
      s: secondsOf(this.srcHi(i), this.srcLo(i)),
      us: this.srcUs(i),
    };
  }

  /** Index of the event with this id, or -1. */
  indexOf(id: EventId): number {
    for (let i = 0; i < this.count; i++) {
      if (
        this.instance(i) === id.instance && this.session(i) === id.session &&
        this.server(i) === id.server
      ) return i;
    }
    return -1;
  }

  /** The event at an index. */
  event(i: number, registry: TypeRegistry): Event {
    const flags = this.flags(i);
    let payload: EventPayload | null = null;
    if ((flags & (BINARY | JSON_PAYLOAD)) !== 0) {
      const off = this.payloadStart(i);
      const len = this.payloadLength(i);
      if ((flags & BINARY) !== 0) {
        const typeLen = this.#view.getUint32(off, true);
        payload = {
          kind: "binary",
          type: decoder.decode(this.bytes.subarray(off + 4, off + 4 + typeLen)),
          // A view: the storage hands out copies (see ChunkStore.query)
          // unless the caller only encodes the events at once.
          data: this.bytes.subarray(off + 4 + typeLen, off + len),
        };
      } else {
        // Kept as text: a query answer sends it on as it was stored.
        payload = new JsonTextPayload(this.bytes, off, off + len);
      }
    }
    return {
      id: this.id(i),
      type: registry.type(this.typeId(i)),
      timestamp: this.timestamp(i),
      sourceTimestamp: this.sourceTimestamp(i),
      payload,
    };
  }
}

/** Accumulates events into chunk bytes and their summary. */
export class ChunkBuilder {
  #records = new Uint8Array(RECORD * 256);
  #rv = new DataView(this.#records.buffer);
  #payload = new Uint8Array(16384);
  #pv = new DataView(this.#payload.buffer);
  #plen = 0;
  #count = 0;
  #meta = new MetaBuilder();
  #lastTs: Timestamp | null = null;
  #lastType = -1;
  #lastServer = NaN;
  #lastRange: { first: EventId; last: EventId } | null = null;

  /** Number of events added since the last {@linkcode finish}. */
  get count(): number {
    return this.#count;
  }

  /** Adds an event whose type has id `typeId`. */
  add(e: Event, typeId: number): void {
    const at = this.#recordSlot();
    const v = this.#rv;
    const id = e.id;
    v.setFloat64(at, id.server, true);
    v.setFloat64(at + 8, id.session, true);
    v.setFloat64(at + 16, id.instance, true);
    v.setUint32(at + 24, typeId, true);
    const t = e.timestamp;
    v.setInt32(at + 32, secondsHi(t.s), true);
    v.setUint32(at + 36, secondsLo(t.s), true);
    v.setUint32(at + 40, t.us, true);
    let flags = 0;
    const src = e.sourceTimestamp;
    if (src !== null) {
      flags |= HAS_SRC;
      v.setInt32(at + 44, secondsHi(src.s), true);
      v.setUint32(at + 48, secondsLo(src.s), true);
      v.setUint32(at + 52, src.us, true);
    } else {
      v.setInt32(at + 44, 0, true);
      v.setUint32(at + 48, 0, true);
      v.setUint32(at + 52, 0, true);
    }
    const p = e.payload;
    const start = this.#plen;
    if (p !== null) {
      if (p.kind === "binary") {
        flags |= BINARY;
        const data = p.data;
        this.#reserve(4 + p.type.length * 3 + data.length);
        const buf = this.#payload;
        const n = writeUtf8(p.type, buf, start + 4);
        this.#pv.setUint32(start, n, true);
        const at = start + 4 + n;
        this.#plen = copyBytes(data, 0, data.length, buf, at);
      } else if (p instanceof JsonTextPayload) {
        // The text as received: not parsed, not serialized again.
        flags |= JSON_PAYLOAD;
        this.#reserve(p.byteLength);
        this.#plen += p.copyTo(this.#payload, start);
      } else {
        flags |= JSON_PAYLOAD;
        const text = JSON.stringify(p.data) ?? "null";
        this.#reserve(text.length * 3);
        this.#plen += encoder.encodeInto(text, this.#payload.subarray(start))
          .written;
      }
    }
    v.setUint32(at + 28, flags, true);
    v.setUint32(at + 56, start, true);
    v.setUint32(at + 60, this.#plen - start, true);
    this.#note(id, typeId, t, src);
  }

  /** Adds event `i` of a chunk as it is (its payload bytes not decoded). */
  addRaw(view: ChunkView, i: number): void {
    const at = this.#recordSlot();
    const v = this.#rv;
    v.setFloat64(at, view.server(i), true);
    v.setFloat64(at + 8, view.session(i), true);
    v.setFloat64(at + 16, view.instance(i), true);
    v.setUint32(at + 24, view.typeId(i), true);
    const flags = view.flags(i);
    v.setUint32(at + 28, flags, true);
    v.setInt32(at + 32, view.tsHi(i), true);
    v.setUint32(at + 36, view.tsLo(i), true);
    v.setUint32(at + 40, view.tsUs(i), true);
    v.setInt32(at + 44, view.srcHi(i), true);
    v.setUint32(at + 48, view.srcLo(i), true);
    v.setUint32(at + 52, view.srcUs(i), true);
    const off = view.payloadStart(i);
    const len = view.payloadLength(i);
    this.#reserve(len);
    this.#payload.set(view.bytes.subarray(off, off + len), this.#plen);
    v.setUint32(at + 56, this.#plen, true);
    v.setUint32(at + 60, len, true);
    this.#plen += len;
    this.#note(
      view.id(i),
      view.typeId(i),
      view.timestamp(i),
      view.sourceTimestamp(i),
    );
  }

  /** The chunk bytes and summary of what was added; starts anew. */
  finish(): { data: Uint8Array; meta: ChunkMeta } {
    const count = this.#count;
    const data = encodeCompact(this.#rv, count, this.#payload, this.#plen) ??
      this.#fixed(count);
    const meta = this.#meta.finish(count);
    this.#count = 0;
    this.#plen = 0;
    this.#lastTs = null;
    this.#lastType = -1;
    this.#lastServer = NaN;
    this.#lastRange = null;
    return { data, meta };
  }

  /** The chunk bytes in the fixed form. */
  #fixed(count: number): Uint8Array {
    const data = new Uint8Array(HEADER + count * RECORD + this.#plen);
    new DataView(data.buffer).setUint32(0, count, true);
    data.set(this.#records.subarray(0, count * RECORD), HEADER);
    data.set(this.#payload.subarray(0, this.#plen), HEADER + count * RECORD);
    return data;
  }

  #recordSlot(): number {
    const at = this.#count * RECORD;
    if (at + RECORD > this.#records.length) {
      const grown = new Uint8Array(this.#records.length * 2);
      grown.set(this.#records);
      this.#records = grown;
      this.#rv = new DataView(grown.buffer);
    }
    this.#count++;
    return at;
  }

  #reserve(n: number): void {
    const need = this.#plen + n;
    if (need <= this.#payload.length) return;
    const grown = new Uint8Array(Math.max(need, this.#payload.length * 2));
    grown.set(this.#payload.subarray(0, this.#plen));
    this.#payload = grown;
    this.#pv = new DataView(grown.buffer);
  }

  #note(id: EventId, typeId: number, t: Timestamp, src: Timestamp | null) {
    // Events of one session share their timestamp object, and steady
    // traffic repeats type and server: only changes are looked at.
    const meta = this.#meta;
    if (t !== this.#lastTs) {
      meta.timestamps(t, t);
      this.#lastTs = t;
    }
    if (src !== null) meta.sources(src, src);
    if (typeId !== this.#lastType) {
      meta.type(typeId);
      this.#lastType = typeId;
    }
    let range = this.#lastRange;
    if (range === null || id.server !== this.#lastServer) {
      range = meta.server(id);
      this.#lastRange = range;
      this.#lastServer = id.server;
    }
    range.last = id;
  }
}

/**
 * Writes `s` as UTF-8 at `at` (room for 3 bytes per UTF-16 unit reserved);
 * ASCII in a loop (binary payload type names: short, mostly ASCII), the
 * rest through TextEncoder.
 *
 * @returns The number of bytes written.
 */
function writeUtf8(s: string, out: Uint8Array, at: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return encoder.encodeInto(s, out.subarray(at)).written;
    out[at + i] = c;
  }
  return n;
}
