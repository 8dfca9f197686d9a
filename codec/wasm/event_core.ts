/**
 * The eventer core: HatEventer messages scanned, held and written as bytes
 * by the WebAssembly module, for the eventer client and server and the
 * Event Server's engine and storage. An {@linkcode EventCore} owns one
 * instance of the module and its table of interned event types;
 * {@linkcode EventBatch}es hold events in its memory as entries of numbers
 * (read through {@linkcode EventCore.i32} and {@linkcode EventCore.f64} at
 * {@linkcode EventBatch.entry} plus the `E_*` offsets). Design, data flow
 * and memory policy: docs/wasm.md.
 *
 * @module
 */

import {
  type CoreExports,
  Instance,
  MAX_BLOCK,
  wasmFailure,
} from "./_instance.ts";

/** Bytes of one entry of a batch's table (see assembly/events.ts). */
export const EVENT_SIZE = 96;
/** Entry offsets, in bytes (see assembly/events.ts). */
export const E_TYPE = 0;
export const E_FLAGS = 4;
export const E_TYPE_START = 8;
export const E_TYPE_END = 12;
export const E_TAIL_START = 16;
export const E_TAIL_END = 20;
export const E_PAY_START = 24;
export const E_PAY_LEN = 28;
export const E_NAME = 32;
export const E_NAME_START = 36;
export const E_NAME_LEN = 40;
export const E_SRC_US = 44;
export const E_SRC_S = 48;
export const E_SERVER = 56;
export const E_SESSION = 64;
export const E_INSTANCE = 72;
export const E_TS_S = 80;
export const E_TS_US = 88;

/** Entry flags. */
export const F_SRC = 1;
export const F_BINARY = 2;
export const F_JSON = 4;
/** A JSON text that needs Python's NaN/Infinity (JSON.parse refuses it). */
export const F_PYTHON = 8;
/** Timestamp seconds beyond 2^53. */
export const F_BIG_TS = 16;
/** Source timestamp seconds beyond 2^53. */
export const F_BIG_SRC = 32;

// Batch fields (see assembly/events.ts).
const B_TABLE = 0;
const B_COUNT = 4;
const B_FLAGS = 12;
const B_MORE = 16;
const B_ERR = 20;
const B_ERR_AT = 24;
const B_OUT = 32;
const B_SRC_MIN_S = 80;
const B_SRC_MAX_S = 88;
const B_SRC_MIN_US = 96;
const B_SRC_MAX_US = 100;
const B_SRC_ANY = 104;
const B_ONE_SERVER = 108;
const B_TS_MIN_S = 112;
const B_TS_MAX_S = 120;
const B_TS_MIN_US = 128;
const B_TS_MAX_US = 132;

/** What a scanned message is (see {@linkcode EventBatch.scanEvents}). */
export const EVENTS_KIND = {
  notify: 0,
  registerRes: 1,
  queryRes: 2,
} as const;

/** Kind of interned bytes that are an EventType (see assembly/types.ts). */
const KIND_TYPE = 0;

const RECORDS_UNFIT = -1;
const RECORDS_UNMAPPED = -2;

/**
 * Why a scan gave no events: `"invalid"` for bytes the TypeScript decoder
 * must judge (it throws the error, or, for JSON text that only its parser
 * accepts, reads them), `"memory"` when the module could not get memory
 * (the TypeScript path takes the message).
 */
export type ScanFailure = "invalid" | "memory";

/** A timestamp as numbers: seconds (number or bigint) and microseconds. */
export interface SecondsUs {
  /** Seconds (a bigint beyond 2^53). */
  readonly s: number | bigint;
  /** Microseconds, 0..999999. */
  readonly us: number;
}

/** Options of {@linkcode EventCore}. */
export interface EventCoreOptions {
  /**
   * Memory an instance may keep: after a call that grew it beyond this
   * (a large message), the instance is replaced once no batch holds
   * received bytes.
   *
   * @default 16 MiB
   */
  readonly retainBytes?: number;
}

const utf8 = new TextDecoder();
const EMPTY_STRINGS: readonly string[] = Object.freeze([]);

/**
 * A table from one kind of id to another (type id to storage type id, or
 * back) kept in the core's memory for the writers, with -1 for no value.
 * It follows the core's instance: moved to a new one with its values, and
 * emptied when type ids start again (a new generation).
 */
export class IdMap {
  #core: EventCore;
  /** Address in the instance's memory, 0 before first use. */
  #at = 0;
  #length = 0;
  #generation = -1;

  /**
   * Makes a map on a core.
   *
   * @param core The core.
   */
  constructor(core: EventCore) {
    this.#core = core;
  }

  /** Address of the table (i32 per id), for the writers. */
  get address(): number {
    this.#check();
    return this.#at;
  }

  /** Ids the table has room for. */
  get length(): number {
    this.#check();
    return this.#length;
  }

  /**
   * The value of an id.
   *
   * @param id The id.
   * @returns Its value, or -1.
   */
  get(id: number): number {
    this.#check();
    if (id >= this.#length) return -1;
    return this.#core.i32[(this.#at >> 2) + id];
  }

  /**
   * Sets the value of an id.
   *
   * @param id The id (>= 0).
   * @param value Its value (>= 0).
   */
  set(id: number, value: number): void {
    this.#check();
    if (id >= this.#length) this.#grow(Math.max(id + 1, 2 * this.#length, 64));
    this.#core.i32[(this.#at >> 2) + id] = value;
  }

  #check(): void {
    if (this.#generation !== this.#core.generation) {
      this.#generation = this.#core.generation;
      this.#at = 0;
      this.#length = 0;
    }
  }

  #grow(length: number): void {
    const old = this.#core.i32.slice(
      this.#at >> 2,
      (this.#at >> 2) + this.#length,
    );
    this.#moveTo(length, old);
  }

  /** Allocates `length` slots in the current instance holding `values`. */
  #moveTo(length: number, values: Int32Array): void {
    const core = this.#core;
    const ex = core.exports();
    if (this.#at !== 0 && this.#instanceOf === core.instanceId) {
      ex.free(this.#at);
    }
    const at = ex.alloc(length * 4);
    core.refresh();
    const i32 = core.i32;
    i32.fill(-1, at >> 2, (at >> 2) + length);
    i32.set(values, at >> 2);
    this.#at = at;
    this.#length = length;
    this.#instanceOf = core.instanceId;
  }

  #instanceOf = -1;

  /** Called by the core when it replaced its instance (same ids). */
  moved(values: Int32Array): void {
    this.#at = 0;
    if (values.length > 0) this.#moveTo(values.length, values);
    else this.#length = 0;
  }

  /** The values, for the core to carry to a new instance. */
  values(): Int32Array {
    this.#check();
    return this.#core.i32.slice(this.#at >> 2, (this.#at >> 2) + this.#length);
  }
}

/**
 * One instance of the WebAssembly core and its interned event types. See
 * the module doc.
 *
 * @example Scan a register request and write its notification
 * ```ts
 * import { EventCore } from "./event_core.ts";
 * import assert from "node:assert/strict";
 *
 * const core = new EventCore();
 * const batch = core.batch();
 * // MsgRegisterReq: one event of type ["a"], no source timestamp, no payload.
 * const request = new Uint8Array([0x81, 0x81, 0x81, 0x61, 0x80, 0x80]);
 * assert.equal(batch.scanRegister(request), 1);
 * batch.assign(0, 1, 1, 7, 1, { s: 0, us: 0 });
 * const notify = batch.writeEvents(0, 0, 1, 0);
 * assert.deepEqual(
 *   [...notify],
 *   [0x81, 0x81, 0x87, 0x81, 0x81, 0x81, 0x61, 0x80, 0x80, 0x80, 0x80],
 * );
 * assert.deepEqual(core.typeStrings(batch.typeId(0)), ["a"]);
 * batch.free();
 * ```
 */
export class EventCore {
  #retain: number;
  #instance: Instance | undefined;
  #instanceId = 0;
  #generation = 0;
  /** Batches holding received bytes: the instance is kept for them. */
  #pinned = new Set<EventBatch>();
  #maps = new Set<WeakRef<IdMap>>();
  #types: (readonly string[] | undefined)[] = [];
  #names: (string | undefined)[] = [];

  /**
   * Makes a core; its instance is made on first use.
   *
   * @param options Memory policy.
   */
  constructor(options: EventCoreOptions = {}) {
    const retain = options.retainBytes ?? 16 * 1024 * 1024;
    if (!(retain >= 65536)) {
      throw new RangeError(
        `retainBytes must be at least 65536, got ${retain}`,
      );
    }
    this.#retain = retain;
  }

  /**
   * Changes when type ids start again (after a failed call, or a type
   * table grown past a quarter of `retainBytes`): whatever is keyed by
   * type id must be forgotten then.
   */
  get generation(): number {
    return this.#generation;
  }

  /** Bytes of Wasm memory held now (0 before first use). */
  get memoryBytes(): number {
    return this.#instance?.byteLength ?? 0;
  }

  /** Identifies the current instance (changes when it is replaced). */
  get instanceId(): number {
    return this.#instanceId;
  }

  /** The memory as i32 slots (valid until the next call into the core). */
  get i32(): Int32Array {
    return this.#use().i32;
  }

  /** The memory as f64 slots (valid until the next call into the core). */
  get f64(): Float64Array {
    return this.#use().f64;
  }

  /** The memory as bytes (valid until the next call into the core). */
  get u8(): Uint8Array {
    return this.#use().u8;
  }

  /**
   * The module's exports (for the batches and maps of this core).
   *
   * @returns The exports of the current instance.
   */
  exports(): CoreExports {
    return this.#use().exports;
  }

  /** Remakes the memory views after a call that may have grown memory. */
  refresh(): void {
    this.#instance?.refresh();
  }

  /**
   * A new, empty batch.
   *
   * @returns The batch.
   */
  batch(): EventBatch {
    return new EventBatch(this);
  }

  /**
   * A new map of ids kept in this core's memory.
   *
   * @returns The map.
   */
  idMap(): IdMap {
    const map = new IdMap(this);
    this.#maps.add(new WeakRef(map));
    return map;
  }

  /**
   * The segments of an interned event type: built once per id, frozen.
   *
   * @param id The type id.
   * @returns The type.
   */
  typeStrings(id: number): readonly string[] {
    const known = this.#types[id];
    if (known !== undefined) return known;
    const ins = this.#use();
    const at = ins.exports.typeBytes(id);
    const end = at + ins.exports.typeLength(id);
    const u8 = ins.u8;
    let p = at;
    const read = (): number => {
      // SBS Integers of lengths: big-endian 7-bit groups, last one marked.
      let v = 0;
      for (;;) {
        const b = u8[p++];
        v = v * 128 + (b & 0x7f);
        if (b >= 0x80) return v;
      }
    };
    const n = read();
    const segments: string[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const len = read();
      segments[k] = decodeText(u8, p, p + len);
      p += len;
    }
    if (p !== end) throw new Error(`type ${id} is damaged`);
    const type = n === 0 ? EMPTY_STRINGS : Object.freeze(segments);
    this.#types[id] = type;
    return type;
  }

  /**
   * The binary payload type name of an interned id.
   *
   * @param id The name id.
   * @returns The name.
   */
  typeName(id: number): string {
    const known = this.#names[id];
    if (known !== undefined) return known;
    const ins = this.#use();
    const at = ins.exports.typeBytes(id);
    const name = decodeText(ins.u8, at, at + ins.exports.typeLength(id));
    this.#names[id] = name;
    return name;
  }

  /**
   * Interns the SBS bytes of an EventType (`Array(String)`, as the
   * TypeScript writer writes it) and gives its id.
   *
   * @param bytes The encoded type.
   * @returns Its id, or -1 when the core could not get memory.
   */
  internType(bytes: Uint8Array): number {
    let block = 0;
    try {
      const ins = this.#use();
      block = ins.exports.alloc(bytes.length + 8);
      ins.refresh();
      ins.u8.set(bytes, block);
      const id = ins.exports.intern(block, bytes.length, KIND_TYPE);
      ins.exports.free(block);
      return id;
    } catch (e) {
      this.failed(e);
      return -1;
    }
  }

  /**
   * Ends a piece of work: when the memory grew past `retainBytes` and no
   * batch holds received bytes, replaces the instance (carrying the types
   * over, see the module doc).
   */
  release(): void {
    const ins = this.#instance;
    if (ins === undefined || this.#pinned.size > 0) return;
    if (!ins.spent && ins.byteLength <= this.#retain) return;
    const carry = ins.exports.typeMemory() <= this.#retain / 4;
    const types = carry ? this.#typeTable(ins) : null;
    const maps: [IdMap, Int32Array][] = [];
    for (const ref of this.#maps) {
      const map = ref.deref();
      if (map === undefined) this.#maps.delete(ref);
      else if (carry) maps.push([map, map.values()]);
    }
    this.#instance = undefined;
    this.#instanceId++;
    if (!carry) {
      this.#restart();
      return;
    }
    const fresh = this.#use();
    try {
      this.#load(fresh, types!);
      for (const [map, values] of maps) map.moved(values);
    } catch (e) {
      this.failed(e);
    }
  }

  /**
   * Handles what a call into the module threw: a failure of the module
   * drops the instance (and starts type ids again); anything else is
   * thrown on.
   *
   * @param e What was thrown.
   */
  failed(e: unknown): void {
    if (wasmFailure(e) === null) throw e;
    this.#instance = undefined;
    this.#instanceId++;
    this.#restart();
  }

  /** Marks a batch as holding received bytes (or not). */
  pin(batch: EventBatch, held: boolean): void {
    if (held) this.#pinned.add(batch);
    else this.#pinned.delete(batch);
  }

  #restart(): void {
    this.#generation++;
    this.#types = [];
    this.#names = [];
    for (const batch of this.#pinned) batch.lost();
    this.#pinned.clear();
  }

  #use(): Instance {
    let ins = this.#instance;
    if (ins === undefined) {
      ins = new Instance();
      this.#instance = ins;
    }
    return ins;
  }

  // The interned bytes of every id, with their kinds, in id order.
  #typeTable(ins: Instance): { bytes: Uint8Array; kinds: Uint8Array } {
    const ex = ins.exports;
    const n = ex.typeCount();
    const lens = new Uint32Array(n);
    let total = 0;
    for (let id = 0; id < n; id++) total += lens[id] = ex.typeLength(id);
    const bytes = new Uint8Array(total + 4 * n);
    const kinds = new Uint8Array(n);
    let p = 0;
    for (let id = 0; id < n; id++) {
      new DataView(bytes.buffer).setUint32(p, lens[id], true);
      const at = ex.typeBytes(id);
      bytes.set(ins.u8.subarray(at, at + lens[id]), p + 4);
      p += 4 + lens[id];
      kinds[id] = ex.typeKind(id);
    }
    return { bytes, kinds };
  }

  #load(
    ins: Instance,
    table: { bytes: Uint8Array; kinds: Uint8Array },
  ): void {
    const ex = ins.exports;
    const block = ex.alloc(table.bytes.length + 8);
    ins.refresh();
    ins.u8.set(table.bytes, block);
    const view = new DataView(table.bytes.buffer);
    let p = 0;
    for (let id = 0; id < table.kinds.length; id++) {
      const len = view.getUint32(p, true);
      if (ex.intern(block + p + 4, len, table.kinds[id]) !== id) {
        throw new Error("type ids changed while moving the type table");
      }
      p += 4 + len;
    }
    ex.free(block);
    ins.refresh();
  }
}

function decodeText(u8: Uint8Array, start: number, end: number): string {
  // Type segments are short and mostly ASCII: one char each.
  if (end - start <= 64) {
    let s = "";
    for (let i = start; i < end; i++) {
      const c = u8[i];
      if (c >= 0x80) return utf8.decode(u8.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(u8.subarray(start, end));
}

/**
 * Events held in the memory of an {@linkcode EventCore}: received messages
 * scanned into entries, and the writers that turn entries into bytes.
 * Output views ({@linkcode EventBatch.writeEvents} and the like) are valid
 * until the next call into the core. A batch holding received bytes keeps
 * the core's instance from being replaced until {@linkcode
 * EventBatch.clear} or {@linkcode EventBatch.free}.
 */
export class EventBatch {
  /** The core whose memory holds the batch. */
  readonly core: EventCore;
  #ptr = 0;
  #instanceId = -1;
  #inputs: number[] = [];
  #lost = false;
  /** Address of the copy of the last scanned message. */
  #input = 0;

  /**
   * Makes an empty batch; prefer {@linkcode EventCore.batch}.
   *
   * @param core The core.
   */
  constructor(core: EventCore) {
    this.core = core;
  }

  /** Number of events. */
  get length(): number {
    if (this.#ptr === 0 || this.#instanceId !== this.core.instanceId) return 0;
    return this.core.i32[(this.#ptr + B_COUNT) >> 2];
  }

  /**
   * Whether the batch lost its events (the core's instance failed while it
   * held them): its owner must give up on them.
   */
  get isLost(): boolean {
    return this.#lost;
  }

  /** Address of the copy of the last message scanned into the batch. */
  get input(): number {
    return this.#input;
  }

  /** The OR of the flags of the batch's events. */
  get flags(): number {
    return this.core.i32[(this.#use() + B_FLAGS) >> 2];
  }

  /**
   * After {@linkcode EventBatch.scanEvents}: moreFollows of a MsgQueryRes,
   * or whether a MsgRegisterRes was `failure`.
   */
  get more(): boolean {
    return this.core.i32[(this.#use() + B_MORE) >> 2] !== 0;
  }

  /**
   * Byte address of entry `i` (read its fields at `E_*` offsets).
   *
   * @param i Index of the event.
   * @returns The address.
   */
  entry(i: number): number {
    return this.core.i32[(this.#use() + B_TABLE) >> 2] + i * EVENT_SIZE;
  }

  /**
   * The type id of event `i`.
   *
   * @param i Index of the event.
   * @returns Its type id.
   */
  typeId(i: number): number {
    return this.core.i32[(this.entry(i) + E_TYPE) >> 2];
  }

  /** Called by the core when its instance failed while this batch held bytes. */
  lost(): void {
    this.#lost = true;
    this.#ptr = 0;
    this.#inputs = [];
  }

  #use(): number {
    const core = this.core;
    if (this.#ptr === 0 || this.#instanceId !== core.instanceId) {
      this.#ptr = core.exports().batchNew();
      this.#instanceId = core.instanceId;
      core.refresh();
    }
    return this.#ptr;
  }

  /**
   * Copies bytes (stored chunks, for {@linkcode EventBatch.writeStored})
   * into the core's memory, held by the batch until
   * {@linkcode EventBatch.clear}.
   *
   * @param data The bytes.
   * @returns Their address, or -1 when the core could not get memory.
   */
  hold(data: Uint8Array): number {
    if (this.#lost || data.length + 16 > MAX_BLOCK) return -1;
    try {
      this.#use();
      return this.#copyIn(data);
    } catch (e) {
      this.core.failed(e);
      return -1;
    }
  }

  // Copies a message into the core's memory (padded for word reads).
  #copyIn(data: Uint8Array): number {
    const ex = this.core.exports();
    const at = ex.alloc(data.length + 16);
    this.core.refresh();
    this.core.u8.set(data, at);
    this.#inputs.push(at);
    this.core.pin(this, true);
    this.#input = at;
    return at;
  }

  #scan(data: Uint8Array, kind: number): number | ScanFailure {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot scan a message: expected a Uint8Array, got ${typeof data}`,
      );
    }
    if (this.#lost) return "memory";
    if (data.length + 16 > MAX_BLOCK) return "memory";
    const core = this.core;
    let n: number;
    try {
      const b = this.#use();
      const at = this.#copyIn(data);
      const ex = core.exports();
      n = kind < 0
        ? ex.scanRegister(b, at, data.length)
        : ex.scanEvents(b, at, data.length, kind);
      core.refresh();
    } catch (e) {
      core.failed(e);
      return "memory";
    }
    return n < 0 ? "invalid" : n;
  }

  /**
   * Scans a HatEventer.MsgRegisterReq and appends its events (ids and
   * timestamps 0 until {@linkcode EventBatch.assign}). The bytes are
   * copied once into the core's memory and held until
   * {@linkcode EventBatch.clear}.
   *
   * @param data The message.
   * @returns The number of events added, or why none were.
   */
  scanRegister(data: Uint8Array): number | ScanFailure {
    return this.#scan(data, -1);
  }

  /**
   * Scans events with their ids and timestamps and appends them: a
   * MsgEventsNotify, a MsgRegisterRes (then {@linkcode EventBatch.more}
   * tells `failure`) or a MsgQueryRes ({@linkcode EventBatch.more} is
   * moreFollows).
   *
   * @param data The message.
   * @param kind What it is.
   * @returns The number of events added, or why none were.
   */
  scanEvents(
    data: Uint8Array,
    kind: typeof EVENTS_KIND[keyof typeof EVENTS_KIND],
  ): number | ScanFailure {
    return this.#scan(data, kind);
  }

  /**
   * Where the last scan failed, as an offset into its message (for
   * tests; errors are reported by the TypeScript decoder).
   */
  get errorOffset(): number {
    return this.core.i32[(this.#use() + B_ERR_AT) >> 2];
  }

  /** The error code of the last failed scan (for tests). */
  get errorCode(): number {
    return this.core.i32[(this.#use() + B_ERR) >> 2];
  }

  /**
   * Gives events `from`..`to` the ids and timestamp of one session.
   *
   * @param from First event.
   * @param to End of the range.
   * @param server Server id.
   * @param session Session id.
   * @param instance Instance of the first event (the next ones follow).
   * @param timestamp The session's timestamp.
   */
  assign(
    from: number,
    to: number,
    server: number,
    session: number,
    instance: number,
    timestamp: SecondsUs,
  ): void {
    const s = timestamp.s;
    let hi: number;
    let lo: number;
    if (typeof s === "number") {
      hi = Math.floor(s / 4294967296);
      lo = s - hi * 4294967296;
    } else {
      hi = Number(BigInt.asIntN(32, s >> 32n));
      lo = Number(BigInt.asUintN(32, s));
    }
    this.core.exports().assign(
      this.#use(),
      from,
      to,
      server,
      session,
      instance,
      hi,
      lo,
      timestamp.us,
    );
  }

  /**
   * What the last writer wrote into an output slot, as a view valid until
   * the next call into the core (views taken before a call that grew the
   * memory are detached: take a new one).
   *
   * @param slot Output slot (0..3).
   * @returns The view.
   */
  output(slot: number): Uint8Array {
    const b = this.#use();
    return this.#out(slot, this.core.i32[(b + B_OUT + slot * 12 + 4) >> 2]);
  }

  #out(slot: number, len: number): Uint8Array {
    const core = this.core;
    core.refresh();
    const at = core.i32[(this.#ptr + B_OUT + slot * 12) >> 2];
    return core.u8.subarray(at, at + len);
  }

  /**
   * Writes the Array(Event) of events `from`..`to` (after `lead` bytes of
   * room the caller fills) into output `slot` (0..3).
   *
   * @param slot Output slot.
   * @param from First event.
   * @param to End of the range.
   * @param lead Bytes of room before the array.
   * @returns A view of what was written (lead included), valid until the
   * next call into the core.
   */
  writeEvents(
    slot: number,
    from: number,
    to: number,
    lead: number,
  ): Uint8Array {
    const len = this.core.exports().writeEvents(
      this.#use(),
      slot,
      from,
      to,
      0,
      0,
      lead,
    );
    return this.#out(slot, len);
  }

  /**
   * Writes the Array(Event) of the listed events into output `slot`; the
   * list goes into the core's memory first.
   *
   * @param slot Output slot (0..2; the list takes slot 3).
   * @param indexes Indexes of the events, in order.
   * @param lead Bytes of room before the array.
   * @returns A view of what was written, valid until the next call.
   */
  writeList(
    slot: number,
    indexes: ArrayLike<number>,
    lead: number,
  ): Uint8Array {
    const core = this.core;
    const b = this.#use();
    const ex = core.exports();
    const list = ex.alloc(indexes.length * 4 + 4);
    core.refresh();
    const i32 = core.i32;
    for (let k = 0; k < indexes.length; k++) {
      i32[(list >> 2) + k] = indexes[k];
    }
    const len = ex.writeEvents(b, slot, 0, 0, list, indexes.length, lead);
    ex.free(list);
    return this.#out(slot, len);
  }

  /**
   * Writes `[t1,t2,...]` of the JSON payloads JSON.parse reads as they are
   * (those with Python's tokens aside) into output `slot`.
   *
   * @param slot Output slot.
   * @returns How many texts were joined, and a view of the text.
   */
  jsonJoin(slot: number): { count: number; text: Uint8Array } {
    const ex = this.core.exports();
    const b = this.#use();
    const count = ex.jsonJoin(b, slot);
    this.core.refresh();
    const len = this.core.i32[(b + B_OUT + slot * 12 + 4) >> 2];
    return { count, text: this.#out(slot, len) };
  }

  /**
   * Copies the data of the binary payloads, in order, out of the core's
   * memory into one buffer.
   *
   * @param slot Output slot to use.
   * @returns The data, in a buffer of its own.
   */
  packBinary(slot: number): Uint8Array {
    const len = this.core.exports().packBinary(this.#use(), slot);
    return this.#out(slot, len).slice();
  }

  /**
   * Writes the compact storage records of events `from`..`to` relative to
   * the chunk's base values (see assembly/records.ts) into output `slot`,
   * the records' offsets (`offsetBase` plus each one's position) into
   * `slot + 1` and the distinct storage type ids with their last event
   * and their count into `slot + 2`.
   *
   * @param slot First of the three output slots (0 or 1).
   * @param from First event.
   * @param to End of the range.
   * @param base The chunk's base server, session and seconds.
   * @param types Storage type id of each type id.
   * @param offsetBase Added to each record's offset.
   * @returns The records and what came with them; or `{ unfit: i }` when
   * event `i` does not fit the compact form; or `{ unmapped }`: the type
   * ids `types` has no value for.
   */
  writeRecords(
    slot: number,
    from: number,
    to: number,
    base: { server: number; session: number; seconds: number },
    types: IdMap,
    offsetBase: number,
  ): RecordsWritten | { unfit: number } | { unmapped: number[] } {
    const core = this.core;
    const b = this.#use();
    const map = types.address;
    const mapLen = types.length;
    const r = core.exports().writeRecords(
      b,
      slot,
      from,
      to,
      base.server,
      base.session,
      base.seconds,
      map,
      mapLen,
      offsetBase,
    );
    core.refresh();
    const i32 = core.i32;
    if (r === RECORDS_UNFIT) return { unfit: i32[(b + B_ERR_AT) >> 2] };
    if (r === RECORDS_UNMAPPED) {
      const n = i32[(b + B_ERR_AT) >> 2];
      const at = i32[(b + B_OUT + slot * 12) >> 2] >> 2;
      return { unmapped: Array.from(i32.subarray(at, at + n)) };
    }
    const typesLen = i32[(b + B_OUT + (slot + 2) * 12 + 4) >> 2];
    const srcAny = i32[(b + B_SRC_ANY) >> 2] !== 0;
    return {
      records: this.#out(slot, r),
      offsets: this.#out(slot + 1, (to - from) * 4),
      types: this.#out(slot + 2, typesLen),
      oneServer: i32[(b + B_ONE_SERVER) >> 2] !== 0,
      tsMin: this.#timestamp(b + B_TS_MIN_S, b + B_TS_MIN_US),
      tsMax: this.#timestamp(b + B_TS_MAX_S, b + B_TS_MAX_US),
      srcMin: srcAny
        ? this.#timestamp(b + B_SRC_MIN_S, b + B_SRC_MIN_US)
        : null,
      srcMax: srcAny
        ? this.#timestamp(b + B_SRC_MAX_S, b + B_SRC_MAX_US)
        : null,
    };
  }

  #timestamp(sAt: number, usAt: number): SecondsUs {
    const i32 = this.core.i32;
    const lo = i32[sAt >> 2] >>> 0;
    const hi = i32[(sAt >> 2) + 1];
    const s = hi * 4294967296 + lo;
    return {
      s: Number.isSafeInteger(s) ? s : (BigInt(hi) << 32n) + BigInt(lo),
      us: i32[usAt >> 2],
    };
  }

  /**
   * Writes a query answer from stored records: the Array(Event) of the
   * listed records of compact chunks held by the batch (see
   * {@linkcode EventBatch.hold}), then moreFollows, into output `slot`.
   *
   * @param slot Output slot (0..2; the list takes slot 3).
   * @param records Pairs (chunk address, record index), in answer order.
   * @param types Type id of each storage type id.
   * @param more moreFollows, or -1 to write no Boolean.
   * @returns A view of the bytes (valid until the next call into the
   * core), or the storage type ids `types` has no value for, or null when
   * the core could not get memory.
   */
  writeStored(
    slot: number,
    records: ArrayLike<number>,
    types: IdMap,
    more: number,
  ): Uint8Array | { unmapped: number[] } | null {
    const core = this.core;
    let r: number;
    let b: number;
    try {
      b = this.#use();
      const ex = core.exports();
      const list = ex.alloc(records.length * 4 + 8);
      core.refresh();
      core.i32.set(records, list >> 2);
      r = ex.writeStored(
        b,
        slot,
        list,
        records.length >> 1,
        types.address,
        types.length,
        more,
      );
      ex.free(list);
      core.refresh();
    } catch (e) {
      core.failed(e);
      return null;
    }
    if (r === RECORDS_UNMAPPED) {
      const i32 = core.i32;
      const n = i32[(b + B_ERR_AT) >> 2];
      const at = i32[(b + B_OUT + slot * 12) >> 2] >> 2;
      return { unmapped: Array.from(i32.subarray(at, at + n)) };
    }
    return this.#out(slot, r);
  }

  /**
   * Forgets the events and frees the received bytes (the output buffers
   * are kept for reuse).
   */
  clear(): void {
    const core = this.core;
    if (this.#ptr !== 0 && this.#instanceId === core.instanceId) {
      const ex = core.exports();
      for (const at of this.#inputs) ex.free(at);
      ex.batchClear(this.#ptr);
    }
    this.#inputs = [];
    this.#input = 0;
    this.#lost = false;
    core.pin(this, false);
  }

  /** Frees the batch; it can be used again (it starts empty). */
  free(): void {
    this.clear();
    const core = this.core;
    if (this.#ptr !== 0 && this.#instanceId === core.instanceId) {
      core.exports().batchFree(this.#ptr);
    }
    this.#ptr = 0;
  }
}

/** What {@linkcode EventBatch.writeRecords} wrote (views, valid until the next call). */
export interface RecordsWritten {
  /** The records, one after the other. */
  readonly records: Uint8Array;
  /** The offset of each record (u32, little-endian). */
  readonly offsets: Uint8Array;
  /**
   * The distinct storage type ids of the range, each with the index of its
   * last event and its number of events (i32 triples, little-endian).
   */
  readonly types: Uint8Array;
  /** Whether every event of the range has the same server id. */
  readonly oneServer: boolean;
  /** The earliest timestamp of the range. */
  readonly tsMin: SecondsUs;
  /** The latest timestamp of the range. */
  readonly tsMax: SecondsUs;
  /** The earliest source timestamp of the range, if any. */
  readonly srcMin: SecondsUs | null;
  /** The latest source timestamp of the range, if any. */
  readonly srcMax: SecondsUs | null;
}
