// The compact form of chunk bytes (format 1). The builder collects events as
// fixed 64-byte records (see _chunk.ts); a finished chunk is transcoded to
// variable-length records relative to per-chunk base values: one server id,
// session and seconds per chunk, and per event a flags byte and varints
// (steady traffic: 6-12 bytes instead of 64, plus the payload). Memory is
// what storing events costs most (every new page is a page fault, and the
// SQLite storage writes every byte twice, to the WAL and to the database),
// so the fewer bytes per event, the faster registration.
//
// Layout, little-endian:
//   u32 count, u32 format (1), f64 server, f64 session, f64 seconds,
//   u32 offset of each record (from the start of the chunk),
//   records: u8 flags (bit 0 source timestamp, bits 1-2 payload 0 none,
//     1 binary, 2 json, bit 3 server other than the base),
//     [server - base server, zigzag], session - base session (zigzag),
//     instance, type id, seconds - base seconds (zigzag), microseconds,
//     [source seconds - base seconds (zigzag), source microseconds],
//     [payload length, payload bytes (as in the fixed form's payload
//     area)]; all varints, 7 bits per byte, least significant first.
// Chunks with a value that does not fit (a seconds value beyond 2^53) stay
// in the fixed form: format 0 has the 4 bytes after the count zero.

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

function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

function writeUint(out: Uint8Array, p: number, v: number): number {
  while (v >= 0x80) {
    out[p++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[p++] = v;
  return p;
}

function uintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

/**
 * The compact chunk bytes of `count` fixed records and their payload area,
 * or `null` when a value does not fit the compact form.
 */
export function encodeCompact(
  records: DataView,
  count: number,
  payload: Uint8Array,
): Uint8Array | null {
  if (count === 0) return null;
  const server = records.getFloat64(0, true);
  const session = records.getFloat64(8, true);
  const seconds = records.getInt32(32, true) * TWO_32 +
    records.getUint32(36, true);
  if (!Number.isSafeInteger(seconds)) return null;
  // First pass: check every value and size the output.
  let size = COMPACT_HEADER + 4 * count;
  for (let i = 0; i < count; i++) {
    const at = i * RECORD;
    const flags = records.getUint32(at + 28, true);
    const sv = records.getFloat64(at, true);
    const sess = records.getFloat64(at + 8, true);
    const inst = records.getFloat64(at + 16, true);
    if (
      !Number.isSafeInteger(sv) || !Number.isSafeInteger(sess) ||
      !Number.isSafeInteger(inst) || inst < 0
    ) return null;
    const ds = sess - session;
    const ts = records.getInt32(at + 32, true) * TWO_32 +
      records.getUint32(at + 36, true) - seconds;
    if (!(Math.abs(ds) <= MAX_DELTA && Math.abs(ts) <= MAX_DELTA)) return null;
    size += 1 + (sv === server ? 0 : uintSize(zigzag(sv - server))) +
      uintSize(zigzag(ds)) +
      uintSize(inst) +
      uintSize(records.getUint32(at + 24, true)) + uintSize(zigzag(ts)) +
      uintSize(records.getUint32(at + 40, true));
    if (sv !== server && !(Math.abs(sv - server) <= MAX_DELTA)) return null;
    if ((flags & HAS_SRC) !== 0) {
      const src = records.getInt32(at + 44, true) * TWO_32 +
        records.getUint32(at + 48, true) - seconds;
      if (!(Math.abs(src) <= MAX_DELTA)) return null;
      size += uintSize(zigzag(src)) +
        uintSize(records.getUint32(at + 52, true));
    }
    if ((flags & 6) !== 0) {
      const len = records.getUint32(at + 60, true);
      size += uintSize(len) + len;
    }
  }
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, count, true);
  v.setUint32(4, FORMAT_COMPACT, true);
  v.setFloat64(8, server, true);
  v.setFloat64(16, session, true);
  v.setFloat64(24, seconds, true);
  let p = COMPACT_HEADER + 4 * count;
  for (let i = 0; i < count; i++) {
    const at = i * RECORD;
    v.setUint32(COMPACT_HEADER + 4 * i, p, true);
    const fixedFlags = records.getUint32(at + 28, true);
    const sv = records.getFloat64(at, true);
    // Fixed flags: bit 0 source, bit 1 binary, bit 2 json: the same bits.
    out[p++] = (fixedFlags & 7) | (sv === server ? 0 : OTHER_SERVER);
    if (sv !== server) p = writeUint(out, p, zigzag(sv - server));
    p = writeUint(out, p, zigzag(records.getFloat64(at + 8, true) - session));
    p = writeUint(out, p, records.getFloat64(at + 16, true));
    p = writeUint(out, p, records.getUint32(at + 24, true));
    p = writeUint(
      out,
      p,
      zigzag(
        records.getInt32(at + 32, true) * TWO_32 +
          records.getUint32(at + 36, true) - seconds,
      ),
    );
    p = writeUint(out, p, records.getUint32(at + 40, true));
    if ((fixedFlags & HAS_SRC) !== 0) {
      p = writeUint(
        out,
        p,
        zigzag(
          records.getInt32(at + 44, true) * TWO_32 +
            records.getUint32(at + 48, true) - seconds,
        ),
      );
      p = writeUint(out, p, records.getUint32(at + 52, true));
    }
    if ((fixedFlags & 6) !== 0) {
      const start = records.getUint32(at + 56, true);
      const len = records.getUint32(at + 60, true);
      p = writeUint(out, p, len);
      if (len < 64) {
        for (let k = 0; k < len; k++) out[p + k] = payload[start + k];
      } else {
        out.set(payload.subarray(start, start + len), p);
      }
      p += len;
    }
  }
  return out;
}

/**
 * Random access to the events of compact chunk bytes: {@linkcode load}
 * decodes one event into the fields (the last one is kept, so reading
 * several fields of one event decodes it once).
 */
export class CompactReader {
  readonly count: number;
  #bytes: Uint8Array;
  #view: DataView;
  #server: number;
  #session: number;
  #seconds: number;
  #cur = -1;
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

  /** Decodes event `i` into the fields (nothing when it already is). */
  load(i: number): void {
    if (i === this.#cur) return;
    const b = this.#bytes;
    let p = this.#view.getUint32(COMPACT_HEADER + 4 * i, true);
    // Varints inline: this runs for every event a query looks at.
    let v = 0, m = 1, c = 0;
    const flags = b[p++];
    if ((flags & OTHER_SERVER) !== 0) {
      v = 0, m = 1;
      do {
        c = b[p++];
        v += (c & 0x7f) * m;
        m *= 0x80;
      } while (c >= 0x80);
      this.server = this.#server + unzigzag(v);
    } else {
      this.server = this.#server;
    }
    v = 0, m = 1;
    do {
      c = b[p++];
      v += (c & 0x7f) * m;
      m *= 0x80;
    } while (c >= 0x80);
    this.session = this.#session + unzigzag(v);
    v = 0, m = 1;
    do {
      c = b[p++];
      v += (c & 0x7f) * m;
      m *= 0x80;
    } while (c >= 0x80);
    this.instance = v;
    v = 0, m = 1;
    do {
      c = b[p++];
      v += (c & 0x7f) * m;
      m *= 0x80;
    } while (c >= 0x80);
    this.typeId = v;
    v = 0, m = 1;
    do {
      c = b[p++];
      v += (c & 0x7f) * m;
      m *= 0x80;
    } while (c >= 0x80);
    let s = this.#seconds + unzigzag(v);
    this.tsHi = Math.floor(s / TWO_32);
    this.tsLo = s - this.tsHi * TWO_32;
    v = 0, m = 1;
    do {
      c = b[p++];
      v += (c & 0x7f) * m;
      m *= 0x80;
    } while (c >= 0x80);
    this.tsUs = v;
    if ((flags & HAS_SRC) !== 0) {
      v = 0, m = 1;
      do {
        c = b[p++];
        v += (c & 0x7f) * m;
        m *= 0x80;
      } while (c >= 0x80);
      s = this.#seconds + unzigzag(v);
      this.srcHi = Math.floor(s / TWO_32);
      this.srcLo = s - this.srcHi * TWO_32;
      v = 0, m = 1;
      do {
        c = b[p++];
        v += (c & 0x7f) * m;
        m *= 0x80;
      } while (c >= 0x80);
      this.srcUs = v;
    } else {
      this.srcHi = this.srcLo = this.srcUs = 0;
    }
    if ((flags & 6) !== 0) {
      v = 0, m = 1;
      do {
        c = b[p++];
        v += (c & 0x7f) * m;
        m *= 0x80;
      } while (c >= 0x80);
      this.payloadStart = p;
      this.payloadLength = v;
    } else {
      this.payloadStart = p;
      this.payloadLength = 0;
    }
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
