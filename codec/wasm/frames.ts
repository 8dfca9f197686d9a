/**
 * {@linkcode findFrames}: chatter frame boundaries in received bytes, found
 * by the Wasm module in one call.
 *
 * @module
 */

import { SbsWasm } from "./_instance.ts";

/** Options of {@linkcode findFrames}. */
export interface FindFramesOptions {
  /**
   * Longest body accepted; a frame that announces more is an error before
   * anything is read or allocated for it.
   *
   * @default 16 MiB
   */
  maxBody?: number;
}

/** What {@linkcode findFrames} found. */
export interface FramesFound {
  /** Complete frames found; `out` holds `[bodyStart, bodyLength]` each. */
  count: number;
  /** Offset after the last complete frame: where the next frame starts. */
  end: number;
  /**
   * Set when the frame at `end` is invalid: `"length-size"` when its first
   * byte (the size L of the length) is 0, `"too-large"` when its body length
   * N exceeds `maxBody`.
   */
  error?: "length-size" | "too-large";
}

let shared: SbsWasm | undefined;

/**
 * Finds the complete chatter frames (`L`: 1 byte, `N`: L bytes big-endian,
 * then N bytes of body) at the start of `bytes`.
 *
 * @param bytes Received bytes, starting at a frame boundary.
 * @param out Receives `[bodyStart, bodyLength]` per frame; at most
 * `out.length / 2` frames are reported per call.
 * @param options Limits.
 * @returns How many frames, where they end, and an error for the frame
 * after them, if any.
 *
 * @example Two frames and the start of a third
 * ```ts
 * import { findFrames } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array([1, 2, 0xaa, 0xbb, 1, 0, 1, 5, 0x01]);
 * const out = new Int32Array(8);
 * const found = findFrames(bytes, out);
 * assert.deepEqual(found, { count: 2, end: 6 });
 * assert.deepEqual([...out.subarray(0, 4)], [2, 2, 6, 0]);
 * ```
 */
export function findFrames(
  bytes: Uint8Array,
  out: Int32Array,
  options: FindFramesOptions = {},
): FramesFound {
  const maxBody = options.maxBody ?? 16 * 1024 * 1024;
  if (!(maxBody >= 0 && maxBody <= 0x7fffffff)) {
    throw new RangeError(`maxBody must be in [0, 2^31), got ${maxBody}`);
  }
  shared ??= new SbsWasm();
  return shared.frames(bytes, maxBody, out);
}
