// Chatter frame boundaries: a frame is one byte L (>= 1), then L bytes of
// the body length N (unsigned big-endian), then N bytes of body.

export const FRAME_ERR_LENGTH_SIZE: i32 = -1;
export const FRAME_ERR_TOO_LARGE: i32 = -2;

/** Offset after the last complete frame found by the last frames() call. */
export let framesEnd: i32 = 0;
/** Error of the last frames() call (FRAME_ERR_*), 0 when none. */
export let framesErr: i32 = 0;

/**
 * Finds the complete frames in [input, input + len) and writes [bodyStart,
 * bodyLen] for each at `out` (at most `cap` frames). Stops at the first
 * incomplete frame, at `cap` frames, or at a frame that is invalid (L = 0)
 * or announces a body longer than `maxBody`: then framesErr is set and
 * framesEnd is the offset of that frame. Returns the number of frames.
 */
export function frames(
  input: usize,
  len: usize,
  out: usize,
  cap: i32,
  maxBody: f64,
): i32 {
  const end = input + len;
  let p = input;
  let count = 0;
  framesErr = 0;
  while (count < cap && p < end) {
    const l = <usize>load<u8>(p);
    if (l == 0) {
      framesErr = FRAME_ERR_LENGTH_SIZE;
      break;
    }
    let q = p + 1;
    const lenEnd = q + l;
    let n: f64 = 0;
    while (q < end && q < lenEnd) {
      n = n * 256 + <f64>load<u8>(q++);
      if (n > maxBody) break;
    }
    if (n > maxBody) {
      framesErr = FRAME_ERR_TOO_LARGE;
      break;
    }
    if (q < lenEnd || <f64>(end - q) < n) break;
    store<i32>(out, <i32>(q - input));
    store<i32>(out, <i32>n, 4);
    out += 8;
    p = q + <usize>n;
    count++;
  }
  framesEnd = <i32>(p - input);
  return count;
}
