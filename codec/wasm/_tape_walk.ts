// Moving over a validated tape without building values: the slot after a
// value, and the byte after a value (for the raw bytes of sub-values).

import type { TapeNode } from "./_program.ts";

/** The tape slot after the value of `node` at slot `t`. */
export function skipTape(node: TapeNode, tape: Int32Array, t: number): number {
  if (node.slots >= 0) return t + node.slots;
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

/**
 * How to move over a value of `node` on the tape, as steps: n >= 0 adds n
 * slots, -1 goes to tape[t + 1] (the end an Array or Choice records).
 * Undefined for a Record that contains itself without an Array or Choice
 * between (no value has it; skipTape serves it). Kept on the node.
 */
export function skipSteps(node: TapeNode): number[] | undefined {
  if (node.steps !== undefined) return node.steps ?? undefined;
  const steps: number[] = [];
  const add = (n: TapeNode, seen: Set<TapeNode>): boolean => {
    if (n.slots >= 0) {
      if (n.slots > 0) {
        if (steps.length > 0 && steps[steps.length - 1] >= 0) {
          steps[steps.length - 1] += n.slots;
        } else steps.push(n.slots);
      }
      return true;
    }
    switch (n.kind) {
      case "array":
      case "choice":
        steps.push(-1);
        return true;
      case "enter":
        return add(n.type, seen);
      case "record":
        if (seen.has(n)) return false;
        seen.add(n);
        for (const f of n.types) if (!add(f, seen)) return false;
        seen.delete(n);
        return true;
      default:
        throw new Error(`no fixed slots for ${n.kind}`);
    }
  };
  const ok = add(node, new Set());
  node.steps = ok ? steps : null;
  return ok ? steps : undefined;
}

/** The tape slot after the value of `node` at slot `t`, by its steps. */
export function skipFast(node: TapeNode, tape: Int32Array, t: number): number {
  if (node.slots >= 0) return t + node.slots;
  const steps = node.steps ?? skipSteps(node);
  if (steps === undefined) return skipTape(node, tape, t);
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    t = s >= 0 ? t + s : tape[t + 1];
  }
  return t;
}

/** The byte after the Integer (or length, count, index) at `p`. */
export function skipInteger(bytes: Uint8Array, p: number): number {
  while ((bytes[p++] & 0x80) === 0);
  return p;
}

/**
 * The byte after the value of `node` at slot `t` when the tape alone tells
 * (Strings, Bytes, Arrays, Choices, and Records that end with one), else -1.
 */
export function fastEnd(node: TapeNode, tape: Int32Array, t: number): number {
  switch (node.kind) {
    case "string": {
      const len = tape[t + 1];
      return tape[t] + (len < 0 ? ~len : len);
    }
    case "bytes":
      return tape[t] + tape[t + 1];
    case "array":
    case "choice":
      return tape[t + 2];
    case "record": {
      // The end of the last field that takes bytes, when it is known.
      const types = node.types;
      let k = types.length - 1;
      while (k >= 0 && types[k].kind === "none") k--;
      if (k < 0) return -1;
      const last = types[k];
      if (last.kind === "boolean" || last.kind === "integer") return -1;
      if (last.kind === "float") return -1;
      for (let i = 0; i < k; i++) t = skipTape(types[i], tape, t);
      return fastEnd(last, tape, t);
    }
    case "enter":
      return fastEnd(node.type, tape, t);
    default:
      return -1;
  }
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
    case "record": {
      const end = fastEnd(node, tape, t);
      if (end >= 0) return end;
      for (const f of node.types) {
        start = byteEnd(f, tape, t, bytes, start);
        t = skipTape(f, tape, t);
      }
      return start;
    }
    case "enter":
      return byteEnd(node.type, tape, t, bytes, start);
  }
}
