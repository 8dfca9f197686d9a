/**
 * The binding to the SBS WebAssembly module (assembly/): the only file
 * that touches `WebAssembly`. One instance, one memory, numbers across the
 * boundary, buffers reused between calls.
 *
 * Memory layout above the module's own data: the programs of the compiled
 * types (written once), then per call the input bytes and after them the
 * tape, which the module grows as it needs. Memory cannot shrink, so after
 * a call that left the memory larger than `retainBytes` the instance is
 * dropped and the next call starts a fresh one (compiling the module is
 * done once; instantiating it again takes microseconds).
 *
 * Each type also gets a scanner of its own: _scanner.ts writes
 * its program out as WebAssembly code (no dispatch per node), compiled here
 * once per type and instantiated on the main module's memory. The
 * interpreter of assembly/scan.ts serves types whose scanner would be
 * too large, and everything when `specialize` is off.
 *
 * @module
 */

import { SBS_WASM_BASE64 } from "./_sbs_wasm.ts";
import type { Program } from "./_program.ts";
import { emitScanner } from "./_scanner.ts";

interface Exports {
  memory: WebAssembly.Memory;
  heapBase(): number;
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
interface Scanner {
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
 * One instance of the SBS WebAssembly module.
 *
 * After {@linkcode SbsWasm.scan} returns, `tape` holds the scanned tape at
 * `tape[tapeBase .. tapeBase + n)` until the next call.
 */
export class SbsWasm {
  #retain: number;
  #specialize: boolean;
  #scanners = new Map<Program, Scanner | null>();
  #exports: Exports | undefined;
  #buffer: ArrayBuffer | undefined;
  #u8 = new Uint8Array(0);
  #i32 = new Int32Array(0);
  #programs = new Map<Program, number>();
  #progEnd = 0;
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
    return this.#exports?.memory.buffer.byteLength ?? 0;
  }

  /** The memory as i32 slots (valid until the next call). */
  get tape(): Int32Array {
    return this.#i32;
  }

  #instance(): Exports {
    let ex = this.#exports;
    if (ex === undefined) {
      const instance = new WebAssembly.Instance(wasmModule(), {});
      ex = instance.exports as unknown as Exports;
      this.#exports = ex;
      this.#programs.clear();
      this.#scanners.clear();
      this.#progEnd = align8(ex.heapBase());
      this.#views(ex);
    }
    return ex;
  }

  #views(ex: Exports): void {
    const buffer = ex.memory.buffer as ArrayBuffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.#u8 = new Uint8Array(buffer);
      this.#i32 = new Int32Array(buffer);
    }
  }

  #ensure(ex: Exports, bytes: number): void {
    const have = ex.memory.buffer.byteLength;
    if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  #program(ex: Exports, program: Program): number {
    let at = this.#programs.get(program);
    if (at === undefined) {
      at = this.#progEnd;
      this.#ensure(ex, at + program.code.byteLength);
      this.#views(ex);
      this.#i32.set(program.code, at >> 2);
      this.#progEnd = align8(at + program.code.byteLength);
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
    return this.#scanner(this.#instance(), program) !== null;
  }

  #scanner(ex: Exports, program: Program): Scanner | null {
    let s = this.#scanners.get(program);
    if (s === undefined) {
      const m = this.#specialize ? scannerModule(program) : null;
      s = m === null ? null : new WebAssembly.Instance(m, {
        a: { memory: ex.memory, utf8: ex.utf8Check },
      }).exports as unknown as Scanner;
      this.#scanners.set(program, s);
    }
    return s;
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
    const ex = this.#instance();
    const scanner = this.#scanner(ex, program);
    const progAt = scanner === null ? this.#program(ex, program) : 0;
    const input = this.#progEnd;
    const tapeAt = align8(input + bytes.length);
    // The tape takes at most 3 slots per input byte (see scan.ts). Memory
    // grows as needed (and is dropped after a large message, see release).
    const need = tapeAt + 12 * bytes.length + 16;
    if (need > MAX_MEMORY) return "memory";
    try {
      this.#ensure(ex, need);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      return "memory";
    }
    this.#views(ex);
    this.#u8.set(bytes, input);
    let n: number;
    try {
      const trailing = limits.trailing ? 1 : 0;
      n = scanner !== null
        ? scanner.scan(
          input,
          bytes.length,
          tapeAt,
          limits.depth,
          limits.empty,
          trailing,
        )
        : ex.scan(
          progAt,
          program.root.index,
          input,
          bytes.length,
          tapeAt,
          limits.depth,
          limits.empty,
          trailing,
        );
    } catch (e) {
      // A Wasm stack overflow (RangeError) on deeply nested input: the
      // instance is still usable; callers fall back to the TypeScript
      // decoder.
      if (!(e instanceof RangeError)) throw e;
      return "memory";
    }
    this.#views(ex);
    this.tapeBase = tapeAt >> 2;
    this.tapeLength = n < 0 ? 0 : n;
    if (n < 0) {
      this.errorOffset = (scanner ?? ex).errOffset.value as number;
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
    const ex = this.#instance();
    const input = this.#progEnd;
    const outAt = align8(input + bytes.length);
    const cap = out.length >> 1;
    this.#ensure(ex, outAt + cap * 8);
    this.#views(ex);
    this.#u8.set(bytes, input);
    const count = ex.frames(input, bytes.length, outAt, cap, maxBody);
    out.set(this.#i32.subarray(outAt >> 2, (outAt >> 2) + count * 2));
    const end = ex.framesEnd.value as number;
    const err = ex.framesErr.value as number;
    this.release();
    if (err === 0) return { count, end };
    return { count, end, error: err === -1 ? "length-size" : "too-large" };
  }

  /**
   * Ends a call: drops the instance when its memory grew beyond the
   * retained size, so that one large message does not keep its memory.
   */
  release(): void {
    const ex = this.#exports;
    if (ex !== undefined && ex.memory.buffer.byteLength > this.#retain) {
      this.#exports = undefined;
      this.#buffer = undefined;
      this.#u8 = new Uint8Array(0);
      this.#i32 = new Int32Array(0);
    }
  }
}
