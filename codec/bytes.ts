/**
 * Byte helpers of the lowest layer, for the layers above it (through
 * `internal_mod.ts`; they are not part of the package API).
 *
 * Copying a run of bytes between arrays is done by a loop for short runs,
 * because a call into `TypedArray.prototype.set` (with the `subarray` it
 * needs) costs more than copying a few dozen bytes; the eventer and the
 * storages copy many short runs (payloads, type segments, JSON texts).
 *
 * @example
 * ```ts
 * import { copyBytes } from "./bytes.ts";
 * import assert from "node:assert/strict";
 *
 * const dst = new Uint8Array(4);
 * assert.equal(copyBytes(new Uint8Array([1, 2, 3]), 1, 3, dst, 1), 3);
 * assert.deepEqual(dst, new Uint8Array([0, 2, 3, 0]));
 * ```
 *
 * @module
 */

/**
 * Copies `src[from, to)` into `dst` at `at`. The ranges are not checked:
 * the caller knows them to be within both arrays.
 *
 * @param src The bytes to copy from.
 * @param from Index of the first byte to copy.
 * @param to Index after the last byte to copy.
 * @param dst The bytes to copy into.
 * @param at Index in `dst` of the first copied byte.
 * @returns The index in `dst` after the copied bytes.
 *
 * @example
 * ```ts
 * import { copyBytes } from "./bytes.ts";
 * import assert from "node:assert/strict";
 *
 * const out = new Uint8Array(6);
 * let at = copyBytes(new TextEncoder().encode("abc"), 0, 3, out, 0);
 * at = copyBytes(new TextEncoder().encode("xyz"), 0, 3, out, at);
 * assert.equal(at, 6);
 * assert.equal(new TextDecoder().decode(out), "abcxyz");
 * ```
 */
export function copyBytes(
  src: Uint8Array,
  from: number,
  to: number,
  dst: Uint8Array,
  at: number,
): number {
  const n = to - from;
  if (n < 64) {
    for (let i = 0; i < n; i++) dst[at + i] = src[from + i];
  } else {
    dst.set(src.subarray(from, to), at);
  }
  return at + n;
}
