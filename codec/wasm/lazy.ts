/**
 * Lazy views of a decoded SBS value: the Wasm scanner has validated the
 * input and left a tape of offsets, so a Record, Array or Choice is a small
 * view that builds a field's value only when it is read (then keeps it), and
 * gives the encoded bytes of any part without decoding it.
 *
 * Views keep a reference to the input bytes: do not change them while a
 * view is in use. Bytes values and raw bytes are views into the input too.
 *
 * @module
 */

import type { TapeFields, TapeNode } from "./_program.ts";
import { byteEnd, fastEnd, skipFast, skipInteger } from "./_tape_walk.ts";
import { type TapeCursor, tapeDecoder } from "./_tape.ts";
import type { SbsValue } from "../value.ts";

/**
 * A lazily decoded value: primitives are plain values (Bytes as views into
 * the input), composites are views.
 */
export type LazyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | LazyRecord
  | LazyArray
  | LazyChoice;

interface Source {
  tape: Int32Array;
  bytes: Uint8Array;
}

function unwrap(node: TapeNode): TapeNode {
  while (node.kind === "enter") node = node.type;
  return node;
}

const EMPTY_TAPE = new Int32Array(0);
const EMPTY_BYTES = new Uint8Array(0);
// Tape readers never call back into views, so one cursor serves all.
const cursor: TapeCursor = { tape: EMPTY_TAPE, t: 0, bytes: EMPTY_BYTES };

function eager(src: Source, node: TapeNode, t: number): SbsValue {
  const c = cursor;
  c.tape = src.tape;
  c.t = t;
  c.bytes = src.bytes;
  const v = tapeDecoder(node)(c) as SbsValue;
  c.tape = EMPTY_TAPE;
  c.bytes = EMPTY_BYTES;
  return v;
}

/**
 * The lazy value of `node` at tape slot `t`, starting at byte `start`.
 *
 * @param node Type of the value.
 * @param tape The tape (a copy that the view may keep).
 * @param t Slot of the value.
 * @param bytes The input.
 * @param start First byte of the value.
 * @returns A primitive value or a view.
 */
export function lazyValue(
  node: TapeNode,
  tape: Int32Array,
  t: number,
  bytes: Uint8Array,
  start: number,
): LazyValue {
  return lazyAt({ tape, bytes }, unwrap(node), t, start);
}

/** A byte start, or how to find it when it is first needed. */
type Start = number | (() => number);

function startOf(s: Start): number {
  return typeof s === "number" ? s : s();
}

function lazyAt(
  src: Source,
  node: TapeNode,
  t: number,
  start: Start,
): LazyValue {
  switch (node.kind) {
    case "record":
      return new LazyRecord(src, node, t, start);
    case "array":
      return new LazyArray(src, node, t, start);
    case "choice":
      return new LazyChoice(src, node, t, start);
    case "bytes": {
      const at = src.tape[t];
      return src.bytes.subarray(at, at + src.tape[t + 1]);
    }
    case "enter":
      return lazyAt(src, unwrap(node), t, start);
    default:
      return eager(src, node, t) as LazyValue;
  }
}

function indexOf(node: TapeFields, name: string): number {
  const i = node.lookup.get(name);
  if (i === undefined) {
    throw new RangeError(
      `No entry ${JSON.stringify(name)} (entries: ${node.names.join(", ")})`,
    );
  }
  return i;
}

/**
 * A Record whose entries are decoded when first read, then kept.
 *
 * @example
 * ```ts
 * import { LazyRecord, Repository, WasmDecoder } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const repo = new Repository("module M\nP = Record { a: String, b: Integer }");
 * const bytes = repo.encode("M.P", { a: "x", b: 5 });
 * const p = new WasmDecoder(repo).decodeLazy("M.P", bytes);
 * assert.ok(p instanceof LazyRecord);
 * assert.equal(p.get("b"), 5);
 * assert.deepEqual(p.raw("a"), new Uint8Array([0x81, 0x78]));
 * assert.deepEqual(p.toValue(), { a: "x", b: 5 });
 * ```
 */
export class LazyRecord {
  #src: Source;
  #node: TapeFields;
  #t: number;
  #start: Start;
  // Plain arrays: small typed arrays may each take a malloc.
  #slots: number[] | undefined;
  #starts: number[] | undefined;
  #cache: (LazyValue | undefined)[] | undefined;

  /**
   * Made by the decoder: use {@linkcode WasmDecoder.decodeLazy}.
   *
   * @param src The tape and the input.
   * @param node The Record type.
   * @param t Tape slot of the Record.
   * @param start First byte of the Record, or how to find it.
   */
  constructor(src: Source, node: TapeFields, t: number, start: Start) {
    this.#src = src;
    this.#node = node;
    this.#t = t;
    this.#start = start;
  }

  /** Entry names, in schema order. */
  get names(): readonly string[] {
    return this.#node.names;
  }

  // Slots of the entries up to i, found as far as needed.
  #slot(i: number): number {
    const slots = this.#slots ??= [this.#t];
    const types = this.#node.types;
    for (let k = slots.length - 1; k < i; k++) {
      slots.push(skipFast(types[k], this.#src.tape, slots[k]));
    }
    return slots[i];
  }

  // First byte of entry i (i = number of entries: the end of the Record).
  #byteStart(i: number): number {
    let starts = this.#starts;
    if (starts === undefined) {
      starts = this.#starts = new Array<number>(this.#node.types.length + 1)
        .fill(-1);
    }
    if (starts[i] >= 0) return starts[i];
    let b: number;
    if (i === 0) {
      b = startOf(this.#start);
      this.#start = b;
    } else {
      const type = this.#node.types[i - 1];
      const { tape, bytes } = this.#src;
      b = fastEnd(type, tape, this.#slot(i - 1));
      if (b < 0) {
        b = byteEnd(
          type,
          tape,
          this.#slot(i - 1),
          bytes,
          this.#byteStart(i - 1),
        );
      }
    }
    starts[i] = b;
    return b;
  }

  /**
   * The value of an entry: a primitive, or a view of a composite.
   *
   * @param name Entry name.
   * @returns The entry's lazy value.
   * @throws {RangeError} When the Record has no such entry.
   */
  get(name: string): LazyValue {
    const i = indexOf(this.#node, name);
    const cache = this.#cache ??= [];
    let v = cache[i];
    if (v === undefined) {
      v = lazyAt(
        this.#src,
        unwrap(this.#node.types[i]),
        this.#slot(i),
        () => this.#byteStart(i),
      );
      cache[i] = v;
    }
    return v;
  }

  /**
   * The fully decoded value of an entry, as the eager decoder makes it.
   *
   * @param name Entry name.
   * @returns The entry's value.
   * @throws {RangeError} When the Record has no such entry.
   */
  value(name: string): SbsValue {
    const i = indexOf(this.#node, name);
    return eager(this.#src, this.#node.types[i], this.#slot(i));
  }

  /**
   * The encoded bytes of an entry (a view into the input).
   *
   * @param name Entry name.
   * @returns The bytes of the entry's value.
   * @throws {RangeError} When the Record has no such entry.
   */
  raw(name: string): Uint8Array {
    const i = indexOf(this.#node, name);
    return this.#src.bytes.subarray(this.#byteStart(i), this.#byteStart(i + 1));
  }

  /** The encoded bytes of the whole Record (a view into the input). */
  get encoded(): Uint8Array {
    const n = this.#node.types.length;
    return this.#src.bytes.subarray(this.#byteStart(0), this.#byteStart(n));
  }

  /**
   * The fully decoded Record.
   *
   * @returns A plain object, as the eager decoder makes it.
   */
  toValue(): SbsValue {
    return eager(this.#src, this.#node, this.#t);
  }
}

/**
 * An Array whose items are decoded when first read, then kept.
 *
 * @example
 * ```ts
 * import { LazyArray, Repository, WasmDecoder } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const repo = new Repository("module M\nA = Array(String)");
 * const bytes = repo.encode("M.A", ["ab", "c"]);
 * const a = new WasmDecoder(repo).decodeLazy("M.A", bytes);
 * assert.ok(a instanceof LazyArray);
 * assert.equal(a.length, 2);
 * assert.equal(a.at(1), "c");
 * assert.deepEqual(a.raw(0), new Uint8Array([0x82, 0x61, 0x62]));
 * assert.deepEqual([...a], ["ab", "c"]);
 * ```
 */
export class LazyArray {
  #src: Source;
  #node: TapeNode & { kind: "array" };
  #item: TapeNode;
  #t: number;
  #start: Start;
  #fixed: number;
  // Plain arrays: small typed arrays may each take a malloc.
  #slots: number[] | undefined;
  #starts: number[] | undefined;
  #cache: (LazyValue | undefined)[] | undefined;
  /** Number of items. */
  readonly length: number;

  /**
   * Made by the decoder: use {@linkcode WasmDecoder.decodeLazy}.
   *
   * @param src The tape and the input.
   * @param node The Array type.
   * @param t Tape slot of the Array.
   * @param start First byte of the Array, or how to find it.
   */
  constructor(
    src: Source,
    node: TapeNode & { kind: "array" },
    t: number,
    start: Start,
  ) {
    this.#src = src;
    this.#node = node;
    this.#item = unwrap(node.item);
    this.#t = t;
    this.#start = start;
    this.#fixed = this.#item.slots;
    this.length = src.tape[t];
  }

  #slot(i: number): number {
    const first = this.#t + 3;
    if (this.#fixed >= 0) return first + i * this.#fixed;
    let slots = this.#slots;
    if (slots === undefined) {
      const n = this.length;
      const item = this.#item;
      const tape = this.#src.tape;
      slots = new Array<number>(n);
      let t = first;
      for (let k = 0; k < n; k++) {
        slots[k] = t;
        t = skipFast(item, tape, t);
      }
      this.#slots = slots;
    }
    return slots[i];
  }

  // First byte of item i (i = length: the end of the Array).
  #byteStart(i: number): number {
    let starts = this.#starts;
    if (starts === undefined) {
      starts = this.#starts = new Array<number>(this.length + 1).fill(-1);
    }
    if (starts[i] >= 0) return starts[i];
    const { tape, bytes } = this.#src;
    const item = this.#item;
    // The end of item i - 1 from the tape alone, when it tells.
    let b = i > 0 ? fastEnd(item, tape, this.#slot(i - 1)) : -1;
    if (b < 0) {
      // Walk from the last known start (at worst the count).
      let k = i;
      while (k > 0 && starts[k] < 0) k--;
      if (starts[k] < 0) {
        const s = startOf(this.#start);
        this.#start = s;
        starts[0] = skipInteger(bytes, s);
      }
      b = starts[k];
      for (; k < i; k++) {
        b = byteEnd(item, tape, this.#slot(k), bytes, b);
        starts[k + 1] = b;
      }
    }
    starts[i] = b;
    return b;
  }

  #check(i: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) {
      throw new RangeError(
        `Index ${i} is out of range for an Array of ${this.length} items`,
      );
    }
  }

  /**
   * The item at an index: a primitive, or a view of a composite.
   *
   * @param i Index, from 0.
   * @returns The item's lazy value.
   * @throws {RangeError} When there is no such item.
   */
  at(i: number): LazyValue {
    this.#check(i);
    const cache = this.#cache ??= [];
    let v = cache[i];
    if (v === undefined) {
      v = lazyAt(
        this.#src,
        this.#item,
        this.#slot(i),
        () => this.#byteStart(i),
      );
      cache[i] = v;
    }
    return v;
  }

  /**
   * The fully decoded item at an index, as the eager decoder makes it.
   *
   * @param i Index, from 0.
   * @returns The item's value.
   * @throws {RangeError} When there is no such item.
   */
  value(i: number): SbsValue {
    this.#check(i);
    return eager(this.#src, this.#item, this.#slot(i));
  }

  /**
   * The encoded bytes of an item (a view into the input).
   *
   * @param i Index, from 0.
   * @returns The bytes of the item.
   * @throws {RangeError} When there is no such item.
   */
  raw(i: number): Uint8Array {
    this.#check(i);
    return this.#src.bytes.subarray(this.#byteStart(i), this.#byteStart(i + 1));
  }

  /** The encoded bytes of the whole Array (a view into the input). */
  get encoded(): Uint8Array {
    const b = startOf(this.#start);
    this.#start = b;
    return this.#src.bytes.subarray(b, this.#src.tape[this.#t + 2]);
  }

  /** Iterates the items' lazy values. */
  *[Symbol.iterator](): IterableIterator<LazyValue> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  /**
   * The fully decoded Array.
   *
   * @returns An array, as the eager decoder makes it.
   */
  toValue(): SbsValue[] {
    return eager(this.#src, this.#node, this.#t) as SbsValue[];
  }
}

/**
 * A Choice whose value is decoded when first read.
 *
 * @example
 * ```ts
 * import { LazyChoice, Repository, WasmDecoder } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const repo = new Repository("module M\nC = Optional(String)");
 * const bytes = repo.encode("M.C", ["value", "hi"]);
 * const c = new WasmDecoder(repo).decodeLazy("M.C", bytes);
 * assert.ok(c instanceof LazyChoice);
 * assert.equal(c.name, "value");
 * assert.equal(c.value, "hi");
 * assert.deepEqual(c.raw(), new Uint8Array([0x82, 0x68, 0x69]));
 * ```
 */
export class LazyChoice {
  #src: Source;
  #node: TapeFields;
  #t: number;
  #start: Start;
  #value: LazyValue | undefined;
  /** Index of the chosen entry. */
  readonly index: number;

  /**
   * Made by the decoder: use {@linkcode WasmDecoder.decodeLazy}.
   *
   * @param src The tape and the input.
   * @param node The Choice type.
   * @param t Tape slot of the Choice.
   * @param start First byte of the Choice, or how to find it.
   */
  constructor(src: Source, node: TapeFields, t: number, start: Start) {
    this.#src = src;
    this.#node = node;
    this.#t = t;
    this.#start = start;
    this.index = src.tape[t];
  }

  /** Name of the chosen entry. */
  get name(): string {
    return this.#node.names[this.index];
  }

  /** The chosen entry's value: a primitive, or a view of a composite. */
  get value(): LazyValue {
    if (this.#value === undefined) {
      this.#value = lazyAt(
        this.#src,
        unwrap(this.#node.types[this.index]),
        this.#t + 3,
        () => this.#valueStart(),
      );
    }
    return this.#value;
  }

  #valueStart(): number {
    const b = startOf(this.#start);
    this.#start = b;
    return skipInteger(this.#src.bytes, b);
  }

  /**
   * The encoded bytes of the chosen entry's value (a view into the input).
   *
   * @returns The bytes, without the index.
   */
  raw(): Uint8Array {
    return this.#src.bytes.subarray(
      this.#valueStart(),
      this.#src.tape[this.#t + 2],
    );
  }

  /** The encoded bytes of the whole Choice (a view into the input). */
  get encoded(): Uint8Array {
    const b = startOf(this.#start);
    this.#start = b;
    return this.#src.bytes.subarray(b, this.#src.tape[this.#t + 2]);
  }

  /**
   * The fully decoded Choice.
   *
   * @returns `[name, value]`, as the eager decoder makes it.
   */
  toValue(): [string, SbsValue] {
    return eager(this.#src, this.#node, this.#t) as [string, SbsValue];
  }
}
