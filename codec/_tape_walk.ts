// Moving over a validated tape without building values: the slot after a
// value, and the byte after a value (for the raw bytes of sub-values).

import type { TapeNode } from "./_program.ts";

/** The tape slot after the value of `node` at slot `t`. */
export function skipTape(node: TapeNode, tape: Int32Array, t: number): number {
  switch (node.kind) {
    case "none":
      return t;
    case "boolean":
      return t + 1;
    case "integer":
    case "float":
    case "bytes":
      return t + 2;
    case "string":
      return t + 3;
    case "array":
    case "choice":
      return tape[t + 1];
    case "record":
      for (const f of node.types) t = skipTape(f, tape, t);
      return t;
    case "enter":
      return skipTape(node.type, tape, t);
  }
}

/** The byte after the Integer (or length, count, index) at `p`. */
export function skipInteger(bytes: Uint8Array, p: number): number {
  while ((bytes[p++] & 0x80) === 0);
  return p;
}

/**
 * The byte after the value of `node` at slot `t` that starts at byte
 * `start` of `bytes`.
 */
export function byteEnd(
  node: TapeNode,
  tape: Int32Array,
  t: number,
  bytes: Uint8Array,
  start: number,
): number {
  switch (node.kind) {
    case "none":
      return start;
    case "boolean":
      return start + 1;
    case "integer":
      return skipInteger(bytes, start);
    case "float":
      return start + 8;
    case "string": {
      const len = tape[t + 1];
      return tape[t] + (len < 0 ? ~len : len);
    }
    case "bytes":
      return tape[t] + tape[t + 1];
    case "array":
    case "choice":
      return tape[t + 2];
    case "record":
      for (const f of node.types) {
        start = byteEnd(f, tape, t, bytes, start);
        t = skipTape(f, tape, t);
      }
      return start;
    case "enter":
      return byteEnd(node.type, tape, t, bytes, start);
  }
}
