/**
 * The binding to the WebAssembly core (assembly/): the only file that
 * touches `WebAssembly`. The module is compiled once per process; an
 * {@linkcode Instance} is one instance of it with views of its memory, into
 * which numbers (addresses, lengths, flags) cross and nothing else. It also
 * compiles the scanners of _scanner.ts, one per SBS type. Memory, traps and
 * the scanners: docs/wasm.md ("Memory") and docs/codec.md.
 *
 * @module
 */

import { SBS_WASM_BASE64 } from "./_sbs_wasm.ts";
import type { Program } from "./_program.ts";
import { emitScanner } from "./_scanner.ts";

/** The exports of the core module (assembly/index.ts). */
export interface CoreExports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  free(ptr: number): void;
  scan(
    progAt: number,
    root: number,
    input: number,
    len: number,
    tapeAt: number,
    depthLimit: number,
    emptyLimit: number,
    trailing: number,
  ): number;
  frames(
    input: number,
    len: number,
    out: number,
    cap: number,
    maxBody: number,
  ): number;
  utf8Check(start: number, end: number): number;
  errOffset: WebAssembly.Global;
  framesEnd: WebAssembly.Global;
  framesErr: WebAssembly.Global;
  batchNew(): number;
  batchFree(b: number): void;
  batchClear(b: number): void;
  batchCount(b: number): number;
  scanRegister(b: number, input: number, len: number): number;
  scanEvents(b: number, input: number, len: number, kind: number): number;
  assign(
    b: number,
    from: number,
    to: number,
    server: number,
    session: number,
    instance: number,
    sHi: number,
    sLo: number,
    us: number,
  ): void;
  writeEvents(
    b: number,
    slot: number,
    from: number,
    to: number,
    list: number,
    m: number,
    lead: number,
  ): number;
  jsonJoin(b: number, slot: number): number;
  writeRegister(
    text: number,
    numbers: number,
    data: number,
    out: number,
    ascii: number,
  ): number;
  packBinary(b: number, slot: number): number;
  writeRecords(
    b: number,
    slot: number,
    from: number,
    to: number,
    baseServer: number,
    baseSession: number,
    baseSeconds: number,
    map: number,
    mapLen: number,
    offsetBase: number,
  ): number;
  writeStored(
    b: number,
    slot: number,
    list: number,
    m: number,
    map: number,
    mapLen: number,
    more: number,
  ): number;
  intern(ptr: number, len: number, kind: number): number;
  typeCount(): number;
  typeBytes(id: number): number;
  typeLength(id: number): number;
  typeKind(id: number): number;
  typeMemory(): number;
}

/**
 * Whether an error thrown by a call into the module is the module's own
 * failure: a trap (memory could not grow) or a stack overflow (a deeply
 * nested value). After a trap the instance must not be used again.
 *
 * @param e What the call threw.
 * @returns `"trap"`, `"stack"` or `null` for anything else.
 */
export function wasmFailure(e: unknown): "trap" | "stack" | null {
  if (e instanceof WebAssembly.RuntimeError) return "trap";
  if (e instanceof RangeError) return "stack";
  return null;
}

/**
 * One instance of the core module: its exports and views of its memory,
 * remade when the memory grows (growing detaches the old ones).
 */
export class Instance {
  /** The module's exports. */
  readonly exports: CoreExports;
  /** Bytes of the memory (valid until the memory grows). */
  u8: Uint8Array = new Uint8Array(0);
  /** The memory as i32 slots. */
  i32: Int32Array = new Int32Array(0);
  /** The memory as f64 slots. */
  f64: Float64Array = new Float64Array(0);
  #buffer: ArrayBuffer | undefined;
  #scanners = new Map<Program, Scanner | null>();
  #spent = false;

  /** Instantiates the module (compiled once per process). */
  constructor() {
    this.exports = new WebAssembly.Instance(wasmModule(), {})
      .exports as unknown as CoreExports;
    this.refresh();
  }

  /** Bytes of memory held now. */
  get byteLength(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /**
   * Whether {@linkcode Instance.region} was used: the instance holds memory
   * it cannot give back, and its owner drops it after the call.
   */
  get spent(): boolean {
    return this.#spent;
  }

  /**
   * A region of `size` bytes past the allocator's heap, for one call on a
   * value too large for the allocator's blocks: the memory is grown for
   * it (the allocator only uses memory it grew itself). Marks the instance
   * spent.
   *
   * @param size Bytes wanted.
   * @returns The address of the region, or -1 when memory cannot grow.
   */
  region(size: number): number {
    const memory = this.exports.memory;
    const pages = Math.ceil((size + 16) / PAGE);
    let before: number;
    try {
      before = memory.grow(pages);
    } catch (e) {
      if (e instanceof RangeError) return -1;
      throw e;
    }
    this.#spent = true;
    this.refresh();
    return before * PAGE;
  }

  /** Remakes the views when the memory grew; call after every call. */
  refresh(): void {
    const buffer = this.exports.memory.buffer as ArrayBuffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.u8 = new Uint8Array(buffer);
      this.i32 = new Int32Array(buffer);
      this.f64 = new Float64Array(buffer);
    }
  }

  /**
   * The scanner specialized to a program, instantiated on this memory, or
   * null when the interpreter serves it.
   *
   * @param program The compiled type.
   * @param specialize False to always use the interpreter.
   * @returns The scanner, or null.
   */
  scanner(program: Program, specialize: boolean): Scanner | null {
    let s = this.#scanners.get(program);
    if (s === undefined) {
      const m = specialize ? scannerModule(program) : null;
      s = m === null ? null : new WebAssembly.Instance(m, {
        a: { memory: this.exports.memory, utf8: this.exports.utf8Check },
      }).exports as unknown as Scanner;
      this.#scanners.set(program, s);
    }
    return s;
  }
}

/** Error codes of `scan` (negative results). */
export const SCAN_ERRORS = {
  [-1]: "truncated",
  [-2]: "length",
  [-3]: "choice",
  [-4]: "utf8",
  [-5]: "trailing",
  [-6]: "limit",
} as const;

/**
 * What a failed scan reports: the reason of the decode error, or "memory"
 * when the value does not fit in Wasm memory or the Wasm stack.
 */
export type ScanError =
  | (typeof SCAN_ERRORS)[keyof typeof SCAN_ERRORS]
  | "memory";

/** A scanner specialized to one type (see _scanner.ts). */
export interface Scanner {
  scan(
    input: number,
    len: number,
    tapeAt: number,
    depthLimit: number,
    emptyLimit: number,
    trailing: number,
  ): number;
  errOffset: WebAssembly.Global;
}

let compiled: WebAssembly.Module | undefined;
const EMPTY_I32 = new Int32Array(0);
const scannerModules = new WeakMap<Program, WebAssembly.Module | null>();

// The compiled scanner of a type, or null when the interpreter serves it.
function scannerModule(program: Program): WebAssembly.Module | null {
  let m = scannerModules.get(program);
  if (m === undefined) {
    const bytes = emitScanner(program.code, program.root.index);
    m = bytes === undefined ? null : new WebAssembly.Module(bytes);
    scannerModules.set(program, m);
  }
  return m;
}

function wasmModule(): WebAssembly.Module {
  if (compiled === undefined) {
    const text = atob(SBS_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

const PAGE = 65536;
/**
 * Largest block asked of the module's allocator (AssemblyScript's TLSF
 * serves blocks below 1 GiB); larger work is left to the TypeScript side.
 */
export const MAX_BLOCK = (1 << 30) - 4096;
/** Largest wasm32 memory. */
const MAX_MEMORY = 65536 * PAGE;

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Options of {@linkcode SbsWasm}. */
export interface SbsWasmOptions {
  /**
   * Memory, in bytes, that an instance may keep between calls; after a call
   * that grew it beyond this, the instance is replaced by a fresh one.
   *
   * @default 16 MiB
   */
  retainBytes?: number;
  /**
   * Scan with code specialized to each type (written and compiled once per
   * type) rather than the interpreter of the main module.
   *
   * @default true
   */
  specialize?: boolean;
}

/** Limits of one scan, as the TypeScript decoder applies them. */
export interface ScanLimits {
  /** Deepest nesting of recursive named types. */
  depth: number;
  /** Most zero-byte items. */
  empty: number;
  /** Accept bytes after the value. */
  trailing: boolean;
}

/**
 * The generic SBS scan on an instance of the core module (for
 * `WasmDecoder` and `findFrames`).
 *
 * After {@linkcode SbsWasm.scan} returns, `tape` holds the scanned tape at
 * `tape[tapeBase .. tapeBase + n)` until the next call.
 */
export class SbsWasm {
  #retain: number;
  #specialize: boolean;
  #instance: Instance | undefined;
  #programs = new Map<Program, number>();
  /** The block for the input and the tape (or frames), reused. */
  #scratch = 0;
  #scratchSize = 0;
  /** Start of the last scan's tape, in slots of `tape`. */
  tapeBase = 0;
  /** Slots of the last scan's tape. */
  tapeLength = 0;
  /** Input offset of the last scan's error. */
  errorOffset = 0;

  /**
   * Creates a binding; the instance is made on first use.
   *
   * @param options Memory policy.
   */
  constructor(options: SbsWasmOptions = {}) {
    const retain = options.retainBytes ?? 16 * 1024 * 1024;
    if (!(retain >= PAGE)) {
      throw new RangeError(
        `retainBytes must be at least ${PAGE}, got ${retain}`,
      );
    }
    this.#retain = retain;
    this.#specialize = options.specialize ?? true;
  }

  /** Bytes of Wasm memory held now (0 before first use). */
  get memoryBytes(): number {
    return this.#instance?.byteLength ?? 0;
  }

  /** The memory as i32 slots (valid until the next call). */
  get tape(): Int32Array {
    return this.#instance?.i32 ?? EMPTY_I32;
  }

  #use(): Instance {
    if (this.#instance === undefined) {
      this.#instance = new Instance();
      this.#programs.clear();
      this.#scratch = 0;
      this.#scratchSize = 0;
    }
    return this.#instance;
  }

  // A block of at least `size` bytes for one call.
  #block(ins: Instance, size: number): number {
    if (size > this.#scratchSize) {
      if (this.#scratch !== 0) ins.exports.free(this.#scratch);
      this.#scratch = 0;
      const grown = Math.max(size, 2 * this.#scratchSize, 4096);
      this.#scratch = ins.exports.alloc(grown);
      this.#scratchSize = grown;
      ins.refresh();
    }
    return this.#scratch;
  }

  #program(ins: Instance, program: Program): number {
    let at = this.#programs.get(program);
    if (at === undefined) {
      at = ins.exports.alloc(program.code.byteLength);
      ins.refresh();
      ins.i32.set(program.code, at >> 2);
      this.#programs.set(program, at);
    }
    return at;
  }

  /**
   * Whether the program is scanned by code written for its type (false
   * when `specialize` is off or that code would be too large).
   *
   * @param program The compiled type.
   * @returns True for a specialized scanner, false for the interpreter.
   */
  specialized(program: Program): boolean {
    return this.#use().scanner(program, this.#specialize) !== null;
  }

  /**
   * Validates `bytes` as a value of the program's type and leaves its tape.
   *
   * @param program The compiled type.
   * @param bytes The input.
   * @param limits Limits of the decoder.
   * @returns The number of tape slots, or the kind of error (with
   * `errorOffset` set).
   */
  scan(
    program: Program,
    bytes: Uint8Array,
    limits: ScanLimits,
  ): number | ScanError {
    // The tape takes at most 3 slots per input byte (see scan.ts), and
    // follows the input, so reading a word past the input is safe.
    const tapeOffset = align8(bytes.length + 8);
    const need = tapeOffset + 12 * bytes.length + 16;
    if (need > MAX_MEMORY) return "memory";
    let n: number;
    let scanner: Scanner | null;
    let input: number;
    let ins: Instance;
    try {
      ins = this.#use();
      scanner = ins.scanner(program, this.#specialize);
      const progAt = scanner === null ? this.#program(ins, program) : 0;
      input = need <= MAX_BLOCK ? this.#block(ins, need) : ins.region(need);
      if (input < 0) return "memory";
      ins.u8.set(bytes, input);
      const trailing = limits.trailing ? 1 : 0;
      n = scanner !== null
        ? scanner.scan(
          input,
          bytes.length,
          input + tapeOffset,
          limits.depth,
          limits.empty,
          trailing,
        )
        : ins.exports.scan(
          progAt,
          program.root.index,
          input,
          bytes.length,
          input + tapeOffset,
          limits.depth,
          limits.empty,
          trailing,
        );
    } catch (e) {
      // Memory that could not grow (the instance is dropped), or a Wasm
      // stack overflow on deeply nested input: callers fall back to the
      // TypeScript decoder.
      const failure = wasmFailure(e);
      if (failure === null) throw e;
      if (failure === "trap") this.#instance = undefined;
      return "memory";
    }
    ins.refresh();
    this.tapeBase = (input + tapeOffset) >> 2;
    this.tapeLength = n < 0 ? 0 : n;
    if (n < 0) {
      this.errorOffset = (scanner ?? ins.exports).errOffset.value as number;
      return SCAN_ERRORS[n as keyof typeof SCAN_ERRORS] ?? "memory";
    }
    return n;
  }

  /**
   * Finds complete chatter frames (`L`, `N`, body) in `bytes`.
   *
   * @param bytes Received bytes, starting at a frame boundary.
   * @param maxBody Longest body accepted.
   * @param out Receives `[bodyStart, bodyLength]` pairs; its length / 2 is
   * the most frames reported.
   * @returns Frames found, where they end, and an error for the frame at
   * `end` (`"length-size"` for L = 0, `"too-large"` for N > maxBody).
   */
  frames(
    bytes: Uint8Array,
    maxBody: number,
    out: Int32Array,
  ): { count: number; end: number; error?: "length-size" | "too-large" } {
    const ins = this.#use();
    const cap = out.length >> 1;
    const outOffset = align8(bytes.length);
    const input = this.#block(ins, outOffset + cap * 8);
    ins.u8.set(bytes, input);
    const count = ins.exports.frames(
      input,
      bytes.length,
      input + outOffset,
      cap,
      maxBody,
    );
    const at = (input + outOffset) >> 2;
    out.set(ins.i32.subarray(at, at + count * 2));
    const end = ins.exports.framesEnd.value as number;
    const err = ins.exports.framesErr.value as number;
    this.release();
    if (err === 0) return { count, end };
    return { count, end, error: err === -1 ? "length-size" : "too-large" };
  }

  /**
   * Ends a call: drops the instance when its memory grew beyond the
   * retained size, so that one large message does not keep its memory.
   */
  release(): void {
    const ins = this.#instance;
    if (ins !== undefined && (ins.spent || ins.byteLength > this.#retain)) {
      this.#instance = undefined;
    }
  }
}
