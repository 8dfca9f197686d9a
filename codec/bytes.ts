// Copying a run of bytes between arrays: short runs by a loop, because a
// call into TypedArray.prototype.set (with the subarray it needs) costs
// more than copying a few dozen bytes; the eventer and the storages copy
// many short runs (payloads, type segments, JSON texts).

/**
 * Copies `src[from, to)` into `dst` at `at`.
 *
 * @returns The index in `dst` after the copied bytes.
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
