/**
 * Reading values from the tape that the Wasm scanner leaves (layout in
 * assembly/scan.ts): the input is already validated, so these
 * functions only build values. They make exactly the values the TypeScript
 * decoder makes.
 *
 * @module
 */

import { asciiChars } from "../_ascii.ts";
import { Reader } from "../reader.ts";
import { recordDecoder } from "../_codegen.ts";
import type { TapeNode } from "./_program.ts";

/** Where a tape reader is: the tape, the slot, and the input bytes. */
export interface TapeCursor {
  /** The tape. */
  tape: Int32Array;
  /** Next slot to read. */
  t: number;
  /** The input the tape describes (offsets are relative to it). */
  bytes: Uint8Array;
}

/** Builds the value at the cursor and moves past it. */
export type TapeFn = (c: TapeCursor) => unknown;

/** Marks an Integer on the tape that is not a safe integer. */
export const INT_BIG = -0x80000000;

const utf8 = new TextDecoder();
const f64 = new Float64Array(1);
const f64Slots = new Int32Array(f64.buffer);

/** The Integer at tape slots `hi`, `lo` (decoding big ones from `bytes`). */
export function tapeInteger(
  hi: number,
  lo: number,
  bytes: Uint8Array,
): number | bigint {
  if (hi === INT_BIG) return new Reader(bytes, lo).integer("");
  return hi * 4294967296 + (lo >>> 0);
}

/** The Float stored in tape slots `lo`, `hi`. */
export function tapeFloat(lo: number, hi: number): number {
  f64Slots[0] = lo;
  f64Slots[1] = hi;
  return f64[0];
}

// Short ASCII strings recur (event type segments, payload type names): a
// direct-mapped cache returns the same string for the same bytes without
// building it again. The Wasm scanner leaves a hash of each short ASCII
// String on the tape for it.
const CACHE_SIZE = 4096;
const MAX_CACHED = 32;
const cache: string[] = new Array(CACHE_SIZE).fill("");

/**
 * The String at `start` in `bytes` with tape slots `len` (the length, or
 * its complement when the String is not all ASCII) and `hash` (of a short
 * ASCII String).
 */
export function tapeString(
  bytes: Uint8Array,
  start: number,
  len: number,
  hash: number,
): string {
  if (len < 0) return utf8.decode(bytes.subarray(start, start + ~len));
  if (len > MAX_CACHED) {
    return len <= 256
      ? asciiChars(bytes, start, start + len)
      : utf8.decode(bytes.subarray(start, start + len));
  }
  const slot = hash & (CACHE_SIZE - 1);
  const hit = cache[slot];
  if (hit.length === len) {
    let i = 0;
    while (i < len && hit.charCodeAt(i) === bytes[start + i]) i++;
    if (i === len) return hit;
  }
  const s = asciiChars(bytes, start, start + len);
  cache[slot] = s;
  return s;
}

const decodeNone: TapeFn = () => null;
const decodeBoolean: TapeFn = (c) => c.tape[c.t++] !== 0;
const decodeInteger: TapeFn = (c) => {
  const t = c.t;
  c.t = t + 2;
  const hi = c.tape[t];
  if (hi === INT_BIG) return tapeInteger(hi, c.tape[t + 1], c.bytes);
  return hi * 4294967296 + (c.tape[t + 1] >>> 0);
};
const decodeFloat: TapeFn = (c) => {
  const t = c.t;
  c.t = t + 2;
  return tapeFloat(c.tape[t], c.tape[t + 1]);
};
const decodeString: TapeFn = (c) => {
  const t = c.t;
  c.t = t + 3;
  return tapeString(c.bytes, c.tape[t], c.tape[t + 1], c.tape[t + 2]);
};
const decodeBytes: TapeFn = (c) => {
  const t = c.t;
  c.t = t + 2;
  const start = c.tape[t];
  return c.bytes.slice(start, start + c.tape[t + 1]);
};

function recordLoop(names: readonly string[], fns: TapeFn[]): TapeFn {
  const n = names.length;
  return (c) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) o[names[i]] = fns[i](c);
    return o;
  };
}

/** The tape reader of a node (compiled once per node). */
export function tapeDecoder(node: TapeNode): TapeFn {
  let fn = node.fn as TapeFn | undefined;
  if (fn !== undefined) return fn;
  switch (node.kind) {
    case "none":
      fn = decodeNone;
      break;
    case "boolean":
      fn = decodeBoolean;
      break;
    case "integer":
      fn = decodeInteger;
      break;
    case "float":
      fn = decodeFloat;
      break;
    case "string":
      fn = decodeString;
      break;
    case "bytes":
      fn = decodeBytes;
      break;
    case "enter": {
      // Recursive: link through a slot filled once the target is compiled.
      const slot: { fn?: TapeFn } = {};
      fn = (c) => slot.fn!(c);
      node.fn = fn;
      slot.fn = tapeDecoder(node.type);
      return fn;
    }
    case "array": {
      const item = tapeDecoder(node.item);
      fn = (c) => {
        const n = c.tape[c.t];
        c.t += 3;
        const a: unknown[] = [];
        for (let i = 0; i < n; i++) a.push(item(c));
        return a;
      };
      break;
    }
    case "record": {
      const names = node.names;
      const fns = node.types.map(tapeDecoder);
      // An object literal (generated code) gets one hidden class.
      fn = (recordDecoder(names as string[], fns as never) as unknown as
        | TapeFn
        | undefined) ??
        recordLoop(names, fns);
      break;
    }
    case "choice": {
      const names = node.names;
      const fns = node.types.map(tapeDecoder);
      fn = (c) => {
        const i = c.tape[c.t];
        c.t += 3;
        return [names[i], fns[i](c)];
      };
      break;
    }
  }
  node.fn = fn;
  return fn;
}
