// The compact form of chunk bytes (format 1): variable-length records
// relative to per-chunk base values, about 6-12 bytes per event besides its
// payload, into which the fixed form of _chunk.ts is transcoded when a chunk
// is sealed (the Wasm core writes it directly: _records.ts). The layout, and
// why fewer bytes per event mean faster registration: docs/storage.md,
// "Chunk bytes".

import { copyBytes } from "../../../codec/internal_mod.ts";

const TWO_32 = 4294967296;
const HEADER = 8;
const RECORD = 64;
const COMPACT_HEADER = 32;
/** Largest magnitude of a difference kept in compact form (zigzag safe). */
const MAX_DELTA = 2 ** 51;

/** The format number in the header of compact chunks. */
export const FORMAT_COMPACT = 1;

/** Flag bits of a compact record. */
const HAS_SRC = 1;
const OTHER_SERVER = 8;

function zigzag(v: number): number {
  return v >= 0 ? 2 * v : -2 * v - 1;
}

// Non-negative integers up to 2^53; small values take the first branch.
function writeUint(out: Uint8Array, p: number, v: number): number {
  if (v < 0x80) {
    out[p] = v;
    return p + 1;
  }
  if (v < 0x4000) {
    out[p] = (v & 0x7f) | 0x80;
    out[p + 1] = v >>> 7;
    return p + 2;
  }
  while (v >= 0x80) {
    out[p++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[p++] = v;
  return p;
}

// The most bytes a record takes before its payload: flags, then varints of
// at most 8 bytes (53 bits) each: server, session, instance, type id,
// seconds, microseconds, source seconds, source microseconds, length.
const MAX_RECORD = 1 + 9 * 8;

let scratch = new Uint8Array(1 << 16);

/**
 * The compact chunk bytes of `count` fixed records and their payload area
 * (`plen` bytes), or `null` when a value does not fit the compact form.
 * Written in one pass into a reused buffer, then copied out at its size.
 */
export function encodeCompact(
  records: DataView,
  count: number,
  payload: Uint8Array,
  plen: number,
): Uint8Array | null {
  if (count === 0) return null;
  const server = records.getFloat64(0, true);
  const session = records.getFloat64(8, true);
  const seconds = records.getInt32(32, true) * TWO_32 +
    records.getUint32(36, true);
  if (!Number.isSafeInteger(seconds) || !Number.isSafeInteger(server)) {
    return null;
  }
  const bound = COMPACT_HEADER + count * (4 + MAX_RECORD) + plen;
  if (scratch.length < bound) scratch = new Uint8Array(bound);
  const out = scratch;
  let p = COMPACT_HEADER + 4 * count;
  for (let i = 0; i < count; i++) {
    const at = i * RECORD;
    const off = COMPACT_HEADER + 4 * i;
    out[off] = p;
    out[off + 1] = p >>> 8;
    out[off + 2] = p >>> 16;
    out[off + 3] = p >>> 24;
    const fixedFlags = records.getUint32(at + 28, true);
    const sv = records.getFloat64(at, true);
    const dsession = records.getFloat64(at + 8, true) - session;
    const inst = records.getFloat64(at + 16, true);
    // Seconds beyond 2^53 would be rounded before the difference is taken.
    const ts = records.getInt32(at + 32, true) * TWO_32 +
      records.getUint32(at + 36, true);
    const dt = ts - seconds;
    if (
      !Number.isSafeInteger(ts) ||
      !(Math.abs(dsession) <= MAX_DELTA && Math.abs(dt) <= MAX_DELTA) ||
      !Number.isSafeInteger(dsession) || !Number.isSafeInteger(inst) ||
      inst < 0
    ) return null;
    // Fixed flags: bit 0 source, bit 1 binary, bit 2 json: the same bits.
    // The type id first: a scan by type reads only it.
    const d = sv - server;
    if (
      sv !== server && (!Number.isSafeInteger(d) || !(Math.abs(d) <= MAX_DELTA))
    ) return null;
    out[p++] = (fixedFlags & 7) | (sv === server ? 0 : OTHER_SERVER);
    p = writeUint(out, p, records.getUint32(at + 24, true));
    p = writeUint(out, p, zigzag(dt));
    p = writeUint(out, p, records.getUint32(at + 40, true));
    if ((fixedFlags & HAS_SRC) !== 0) {
      const src = records.getInt32(at + 44, true) * TWO_32 +
        records.getUint32(at + 48, true);
      const ds = src - seconds;
      if (!Number.isSafeInteger(src) || !(Math.abs(ds) <= MAX_DELTA)) {
        return null;
      }
      p = writeUint(out, p, zigzag(ds));
      p = writeUint(out, p, records.getUint32(at + 52, true));
    }
    p = writeUint(out, p, zigzag(dsession));
    p = writeUint(out, p, inst);
    if (sv !== server) p = writeUint(out, p, zigzag(d));
    if ((fixedFlags & 6) !== 0) {
      const start = records.getUint32(at + 56, true);
      const len = records.getUint32(at + 60, true);
      p = writeUint(out, p, len);
      p = copyBytes(payload, start, start + len, out, p);
    }
  }
  const data = out.slice(0, p);
  if (scratch.length > 1 << 24) scratch = new Uint8Array(1 << 16);
  const v = new DataView(data.buffer);
  v.setUint32(0, count, true);
  v.setUint32(4, FORMAT_COMPACT, true);
  v.setFloat64(8, server, true);
  v.setFloat64(16, session, true);
  v.setFloat64(24, seconds, true);
  return data;
}

/**
 * Random access to the events of compact chunk bytes: {@linkcode load}
 * decodes one event into the fields (the last one is kept, so reading
 * several fields of one event decodes it once); {@linkcode typeIdOf} reads
 * only the type id, for scans that filter by type.
 */
export class CompactReader {
  readonly count: number;
  #bytes: Uint8Array;
  #view: DataView;
  #server: number;
  #session: number;
  #seconds: number;
  #cur = -1;
  #p = 0;
  server = 0;
  session = 0;
  instance = 0;
  typeId = 0;
  /** Bit 0 source timestamp, bit 1 binary, bit 2 json (as fixed flags). */
  flags = 0;
  tsHi = 0;
  tsLo = 0;
  tsUs = 0;
  srcHi = 0;
  srcLo = 0;
  srcUs = 0;
  /** Start of the payload bytes in the chunk bytes, and their length. */
  payloadStart = 0;
  payloadLength = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    this.count = this.#view.getUint32(0, true);
    this.#server = this.#view.getFloat64(8, true);
    this.#session = this.#view.getFloat64(16, true);
    this.#seconds = this.#view.getFloat64(24, true);
  }

  /** The varint at the cursor; most are one byte. */
  #uint(): number {
    const b = this.#bytes;
    let c = b[this.#p++];
    if (c < 0x80) return c;
    let v = c & 0x7f;
    let m = 0x80;
    do {
      c = b[this.#p++];
      v += (c & 0x7f) * m;
      m *= 0x80;
    } while (c >= 0x80);
    return v;
  }

  #int(): number {
    const z = this.#uint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** The type id of event `i`, without decoding the rest of it. */
  typeIdOf(i: number): number {
    if (i === this.#cur) return this.typeId;
    this.#p = this.#view.getUint32(COMPACT_HEADER + 4 * i, true) + 1;
    return this.#uint();
  }

  /** Decodes event `i` into the fields (nothing when it already is). */
  load(i: number): void {
    if (i === this.#cur) return;
    this.#p = this.#view.getUint32(COMPACT_HEADER + 4 * i, true);
    const flags = this.#bytes[this.#p++];
    this.typeId = this.#uint();
    let s = this.#seconds + this.#int();
    this.tsHi = Math.floor(s / TWO_32);
    this.tsLo = s - this.tsHi * TWO_32;
    this.tsUs = this.#uint();
    if ((flags & HAS_SRC) !== 0) {
      s = this.#seconds + this.#int();
      this.srcHi = Math.floor(s / TWO_32);
      this.srcLo = s - this.srcHi * TWO_32;
      this.srcUs = this.#uint();
    } else {
      this.srcHi = this.srcLo = this.srcUs = 0;
    }
    this.session = this.#session + this.#int();
    this.instance = this.#uint();
    this.server = (flags & OTHER_SERVER) !== 0
      ? this.#server + this.#int()
      : this.#server;
    this.payloadLength = (flags & 6) !== 0 ? this.#uint() : 0;
    this.payloadStart = this.#p;
    this.flags = flags & 7;
    this.#cur = i;
  }
}

/** Whether chunk bytes are in the compact form. */
export function isCompact(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER &&
    new DataView(bytes.buffer, bytes.byteOffset, HEADER).getUint32(4, true) ===
      FORMAT_COMPACT;
}
