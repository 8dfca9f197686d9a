// Damages an encoding the way the differential tests do: truncates it,
// replaces or flips a byte, or inserts a byte that often starts an edge case.

import type { Rng } from "../_random.ts";

/** A damaged copy of `bytes`. */
export function mutate(rng: Rng, bytes: Uint8Array): Uint8Array {
  const b = bytes.slice();
  switch (rng.int(4)) {
    case 0:
      return b.subarray(0, rng.int(b.length + 1));
    case 1:
      if (b.length > 0) b[rng.int(b.length)] = rng.int(256);
      return b;
    case 2:
      if (b.length > 0) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b;
    default: {
      const out = new Uint8Array(b.length + 1);
      const at = rng.int(b.length + 1);
      out.set(b.subarray(0, at));
      out[at] = rng.pick([0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xff, 0xed, 0xf4]);
      out.set(b.subarray(at), at + 1);
      return out;
    }
  }
}
