// Strings of bytes known to be ASCII, built 8 characters per call (the
// fastest form V8 offers for short strings), for the reader and the tape.

const fcc = String.fromCharCode;

/** The string of the ASCII bytes `b[start, end)`. */
export function asciiChars(b: Uint8Array, start: number, end: number): string {
  let s = "";
  let i = start;
  for (; i + 8 <= end; i += 8) {
    s += fcc(
      b[i],
      b[i + 1],
      b[i + 2],
      b[i + 3],
      b[i + 4],
      b[i + 5],
      b[i + 6],
      b[i + 7],
    );
  }
  for (; i < end; i++) s += fcc(b[i]);
  return s;
}
